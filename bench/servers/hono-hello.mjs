// Peer for target P4: a bare Hono hello-world on @hono/node-server (the adapter Gatehouse uses on
// Node), answering `GET /static` with the same body as Gatehouse's static route: {"status":"ok"}.
// Prints `listening on http://127.0.0.1:PORT`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/static', (c) => c.json({ status: 'ok' }));

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' },
  (info) => {
    console.log(`listening on http://127.0.0.1:${info.port}`);
  },
);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
  });
}
