// Nanoseconds per router match, in-process: a 10-route router like the bench config's (literal,
// parameter and trailing-slash routes), each path matched 2,000,000 times in a loop, the last of
// three rounds printed. Each match gets its own copy of the path string, as each request does
// (the same string object every time would let V8 reuse its split and hash); the ids of
// `/api/items/N` cycle through 1,000 values, a service's working set of paths. Compare two builds by their dist directories (after `npm run build`):
//   node bench/router-match.mjs [DIST …]      (default: this checkout's dist)
// Each build runs in its own process, in turn, so neither inherits the other's optimised code.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MATCHES = 2_000_000;
const PATHS = ['/static', '/api/items/42', '/api/items/N'];
const DISTINCT_IDS = 1_000;
const ROUTES = [
  '/static',
  '/api/items/{id}',
  '/hs/items/{id}',
  '/rs/items/{id}',
  '/r1/items/{id}',
  '/r2/items/{id}',
  '/health',
  '/a/b/c',
  '/x/',
  '/',
];

const [, , ...args] = process.argv;
if (args[0] === '--child') {
  const { createRouter } = await import(pathToFileURL(`${args[1]}/router/router.js`).href);
  const router = createRouter(ROUTES.map((path, value) => ({ method: 'GET', path, value })));
  for (const path of PATHS) {
    let found = 0;
    let nsPerMatch = 0;
    for (let round = 0; round < 3; round++) {
      // Fresh flat strings (decoded from bytes, as node:http makes them), before the clock starts.
      const copies = Array.from({ length: MATCHES }, (_, i) =>
        Buffer.from(path.replace('N', String(i % DISTINCT_IDS))).toString('latin1'),
      );
      const started = process.hrtime.bigint();
      for (let i = 0; i < MATCHES; i++) if (router.match('GET', copies[i]).kind === 'found') found++;
      nsPerMatch = Number(process.hrtime.bigint() - started) / MATCHES;
    }
    if (found !== 3 * MATCHES) throw new Error(`${path}: no route found`);
    console.log(`${args[1]}  ${path.padEnd(16)} ${nsPerMatch.toFixed(1)} ns per match`);
  }
} else {
  const dists =
    args.length > 0 ? args.map((dir) => resolve(dir)) : [fileURLToPath(new URL('../dist', import.meta.url))];
  for (const dist of dists) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dist], {
      stdio: 'inherit',
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
