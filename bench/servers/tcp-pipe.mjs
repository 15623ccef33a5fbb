// Reference of `npm run bench:protocols` (docs/BENCHMARKS.md "Protocols"): the least a Node
// process can do to relay a connection — accept, connect to the upstream, `pipe` both ways with
// Nagle off — with no HTTP, no routing, no WebSocket awareness. What Gatehouse's relay costs
// beyond this is what its own code adds; what this costs beyond nginx is Node's stream layer.
// Usage: node tcp-pipe.mjs UPSTREAM_PORT. Prints `listening on http://127.0.0.1:PORT`.
import { connect, createServer } from 'node:net';

const upstreamPort = Number(process.argv[2]);
const server = createServer((client) => {
  const upstream = connect(upstreamPort, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
