// Peer for target P1: Fastify 5 + @fastify/reply-from (undici) proxying `GET /api/*` to the
// upstream given by UPSTREAM_URL, i.e. `/api/items/42` → `UPSTREAM_URL/items/42`, the same mapping
// as Gatehouse's `/api/{.+}` route. Also serves `GET /static` → {"status":"ok"}.
// Prints `listening on http://127.0.0.1:PORT`.
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) {
  console.error('UPSTREAM_URL is required');
  process.exit(2);
}

const app = Fastify({ logger: false });
await app.register(replyFrom, { base: upstream });
app.get('/api/*', (request, reply) => reply.from(`/${request.params['*']}`));
app.get('/static', () => ({ status: 'ok' }));

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening on ${address}`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    app.close().then(() => process.exit(0));
  });
}
