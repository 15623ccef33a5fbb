// A local OTLP/HTTP sink for the tracing benchmark: accepts POST /v1/traces, reads the body, answers
// 200 `{}` and counts spans batches. Runs in the bench runner's process, like a collector would run
// beside the gateway; it only receives the sampled fraction of spans, in batches.
import { createServer } from 'node:http';

export async function startOtlpSink() {
  let batches = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      batches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    batches: () => batches,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
