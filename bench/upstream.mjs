// The local upstream of the benchmark: a small Node http server answering every request with a
// small JSON body (like the reference figures' upstream). It echoes the path it was asked for and
// the `x-user-id` header, so the harness can check that a proxy forwarded the right path and that
// header mapping really reached the upstream. Prints `listening on http://127.0.0.1:PORT`.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);

const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
  const body = JSON.stringify({ ok: true, path: req.url, user: req.headers['x-user-id'] ?? null });
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  console.log(`listening on http://127.0.0.1:${actual}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
