// Diagnostic floor for target P1 (run only when named): the least a Node proxy can do for
// `GET /api/*` → `UPSTREAM_URL/*` — a bare node:http server handing each request to undici's
// `Agent.dispatch` and writing the upstream's answer (collected whole: the bench's answers are
// small) straight to the ServerResponse, with X-Forwarded-For/-Proto/-Host and a request id (not
// Gatehouse's `Forwarded` and `X-Forwarded-Port`). No routing table, no limits, no timeout, no
// error pages: what is left of a proxied request when the gateway does nothing else.
// Prints `listening on http://127.0.0.1:PORT`.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) {
  console.error('UPSTREAM_URL is required');
  process.exit(2);
}
const origin = new URL(upstream).origin;
const agent = new Agent();
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'te', 'trailer']);

const server = createServer((req, res) => {
  if (!req.url.startsWith('/api/')) {
    res.writeHead(404).end();
    return;
  }
  const raw = req.rawHeaders;
  const headers = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1]);
  }
  const id = randomUUID();
  headers.push(
    'x-forwarded-for',
    req.socket.remoteAddress,
    'x-forwarded-proto',
    'http',
    'x-forwarded-host',
    req.headers.host ?? '',
    'x-request-id',
    id,
  );
  let status = 0;
  let head = [];
  const chunks = [];
  agent.dispatch(
    { origin, path: req.url.slice(4), method: req.method, headers, body: null },
    {
      onConnect() {},
      onHeaders(statusCode, rawHeaders) {
        status = statusCode;
        for (let i = 0; i < rawHeaders.length; i += 2) {
          const name = rawHeaders[i].toString('latin1');
          if (!HOP.has(name.toLowerCase())) head.push(name, rawHeaders[i + 1].toString('latin1'));
        }
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        head.push('x-request-id', id);
        res.writeHead(status, head);
        res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      },
      onError() {
        res.writeHead(502).end();
      },
    },
  );
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
  });
}
