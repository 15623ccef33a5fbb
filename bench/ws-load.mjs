// The WebSocket load generator of `npm run bench:protocols` (docs/BENCHMARKS.md "Protocols"):
// wrk's counterpart for WebSocket echo, so that the client is not what limits a direct run.
// After one real handshake per connection (node:http's upgrade), it writes prebuilt masked binary
// frames and counts the echoes by bytes: every echo of a PAYLOAD-byte message is one unmasked
// frame of a fixed size, so no frame is parsed and nothing is allocated per message. A connection
// keeps WINDOW messages in flight: each read that completes k echoes sends k new frames in one
// write. The first echo of every connection is checked byte for byte, and the byte count at the
// end must be a whole number of frames.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

const PAYLOAD = 256;
const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
const payload = Buffer.alloc(PAYLOAD, 0x61);
/** A client's frame: FIN + binary, masked, 16-bit length (RFC 6455 §5.2). */
const clientFrame = Buffer.concat([
  Buffer.from([0x82, 0x80 | 126, PAYLOAD >> 8, PAYLOAD & 0xff]),
  MASK,
  Buffer.from(payload.map((byte, i) => byte ^ MASK[i % 4])),
]);
/** The echo as a server sends it: the same frame, unmasked. */
const echoFrame = Buffer.concat([Buffer.from([0x82, 126, PAYLOAD >> 8, PAYLOAD & 0xff]), payload]);

function open(url) {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, 'http'), {
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
    });
    req.once('upgrade', (response, socket, head) => {
      if (response.statusCode !== 101) reject(new Error(`${url}: ${response.statusCode}`));
      socket.setNoDelay(true);
      resolve({ socket, head });
    });
    req.once('response', (response) => reject(new Error(`${url}: no upgrade (${response.statusCode})`)));
    req.once('error', reject);
    req.end();
  });
}

/**
 * Opens `connections` WebSockets to `url`, keeps `window` messages in flight on each for
 * `seconds` (after a warm-up of `warmup` seconds), and returns echoes per second and in all.
 * `onMeasure()` is called when the measured part starts and returns the function called when it
 * ends (whose result is `measured`): CPU samples taken over exactly the counted messages.
 */
export async function wsEchoRate(url, { connections, window, seconds, warmup = seconds / 2, onMeasure }) {
  const ends = await Promise.all(Array.from({ length: connections }, () => open(url)));
  const burst = Buffer.concat(Array.from({ length: window }, () => clientFrame));
  let counting = false;
  let counted = 0;
  let stopping = false;
  const drained = [];
  for (const { socket, head } of ends) {
    let bytes = 0;
    let echoes = 0;
    let inFlight = 0;
    let checked = false;
    let firstBytes = Buffer.alloc(0);
    let done;
    drained.push(new Promise((resolve) => (done = resolve)));
    const onData = (chunk) => {
      if (!checked) {
        firstBytes = Buffer.concat([firstBytes, chunk]).subarray(0, echoFrame.length);
        if (firstBytes.length === echoFrame.length) {
          checked = true;
          if (!firstBytes.equals(echoFrame)) throw new Error(`${url}: the echo differs from the message`);
        }
      }
      bytes += chunk.length;
      const total = Math.floor(bytes / echoFrame.length);
      const k = total - echoes;
      echoes = total;
      inFlight -= k;
      if (counting) counted += k;
      if (stopping) {
        if (inFlight === 0) done();
        return;
      }
      if (k > 0) {
        inFlight += k;
        socket.write(k === window ? burst : burst.subarray(0, k * clientFrame.length));
      }
    };
    socket.on('data', onData);
    if (head.length > 0) onData(head);
    inFlight = window;
    socket.write(burst);
  }
  await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
  const measure = onMeasure?.();
  counting = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  counting = false;
  const result = { perSecond: counted / elapsed, messages: counted, seconds: elapsed, measured: measure?.() };
  stopping = true;
  await Promise.race([Promise.all(drained), new Promise((resolve) => setTimeout(resolve, 2000))]);
  for (const { socket } of ends) socket.destroy();
  return result;
}
