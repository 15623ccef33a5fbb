// The upstream of `npm run bench:protocols`: bench/upstream.mjs's JSON answer on HTTP, and a
// WebSocket echo (ws) on the same port. Prints `listening on http://127.0.0.1:PORT`.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
  const body = JSON.stringify({ ok: true, path: req.url, user: null });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));

server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const ws of wss.clients) ws.terminate();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
