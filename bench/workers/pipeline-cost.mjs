// The gateway's own CPU per request in raw workerd, at a resolution the HTTP benches cannot give
// on a loaded machine: bench/workers/micro/pipeline-entry.ts calls the Gatehouse Worker N times
// per HTTP request with an in-isolate upstream (a prebuilt Response with the bench upstream's
// headers, as `fetch` hands it over), so workerd's process CPU over the loop, ÷ N, is what the
// gateway adds to a request: its JavaScript and its calls into the runtime (Headers, Response,
// timers), not the sockets or the real `fetch` that every Worker pays alike. `floor` is the
// minimal proxy Worker's own work around the same upstream, `hello` the minimal hello Worker's
// (bench/workers/floor-hello.mjs), the floor of `static`, and `essential-static` that answer
// with the two headers every Gatehouse answer carries. Compare sources in one run:
//   node bench/workers/pipeline-cost.mjs [--src DIR,DIR…] [--n 2000] [--rounds 7] [--profile FILE [--profile-kind K]]
// --src: source trees to compare (default: this one), e.g. a `git archive BASE src | tar -x` copy.
// --profile: also a V8 CPU profile of the first tree's proxied loop (a .cpuprofile for DevTools);
// --profile-kind: profile another loop instead (hs256, static).
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, TextEncoder } from 'node:util';
import { build } from 'esbuild';
import { median } from '../lib.mjs';
import { writeConfigs } from '../configs.mjs';
import { connectInspector } from './inspector.mjs';
import { findWorkerd, startWorkerd, wranglerCompatibility } from './workerd.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    src: { type: 'string', default: ROOT },
    n: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '7' },
    profile: { type: 'string' },
    'profile-kind': { type: 'string', default: 'proxied' },
  },
});
const sources = values.src.split(',').map((dir) => resolve(dir));
const n = Number(values.n);
const rounds = Number(values.rounds);

/** The loops that are not the gateway: the minimal Workers' own work, written in the entry. */
const OWN_LOOPS = new Set(['floor', 'essential', 'hello', 'essential-static']);

const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pipeline-'));
const running = [];
try {
  const { exportJWK, generateKeyPair } = await import('jose');
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  const configs = await writeConfigs(dir, {
    upstreamUrl: 'http://upstream.example',
    rsPublicJwk: { ...(await exportJWK(publicKey)), kid: 'bench-rs256', alg: 'RS256', use: 'sig' },
    routeCounts: [10],
  });
  const workerd = findWorkerd();
  const compatibility = wranglerCompatibility();
  for (const [i, source] of sources.entries()) {
    const entry = join(source, 'bench/workers/micro/pipeline-entry.ts');
    await mkdir(join(source, 'bench/workers/micro'), { recursive: true });
    if (source !== ROOT) await copyFile(join(ROOT, 'bench/workers/micro/pipeline-entry.ts'), entry);
    const module = join(dir, `pipeline-${i}.js`);
    await build({
      entryPoints: [entry],
      outfile: module,
      bundle: true,
      format: 'esm',
      // A profile names the gateway's functions and their lines (the bundle is kept beside it).
      minifyWhitespace: !values.profile,
      minifySyntax: true,
      minifyIdentifiers: !values.profile,
      target: 'es2022',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      nodePaths: [join(ROOT, 'node_modules')],
      alias: { 'gatehouse:bundled-config': join(source, 'src/adapters/workers/bundled-config-none.ts') },
      logLevel: 'warning',
    });
    running.push(
      await startWorkerd({
        bin: workerd.bin,
        dir,
        name: `pipeline-${i}`,
        module,
        compatibility,
        args: values.profile && i === 0 ? ['--inspector-addr=127.0.0.1:0'] : [],
        bindings: {
          SAG_API_CONFIG_JSON: { file: configs[10] },
          GATEHOUSE_LOG_LEVEL: 'silent',
          UPSTREAM_URL: 'http://upstream.example',
        },
      }),
    );
  }
  const token = mintHs256();
  const kinds = [
    ['floor', '/api/items/42', {}],
    ['essential', '/api/items/42', {}],
    ['proxied', '/api/items/42', {}],
    ['hs256', '/hs/items/42', { 'x-bench-authorization': `Bearer ${await token}` }],
    ['hello', '/static', {}],
    ['essential-static', '/static', {}],
    ['static', '/static', {}],
  ];
  const samples = sources.map(() => Object.fromEntries(kinds.map(([kind]) => [kind, []])));
  for (let round = 0; round < rounds; round++) {
    for (const [i, server] of running.entries()) {
      for (const [kind, path, headers] of kinds) {
        const query = `?kind=${OWN_LOOPS.has(kind) ? kind : 'gateway'}&path=${encodeURIComponent(path)}`;
        await call(server, `${query}&n=${Math.ceil(n / 10)}`, headers); // warm
        const before = cpuSeconds(server.pid);
        for (let c = 0; c < 5; c++) await call(server, `${query}&n=${n}`, headers);
        samples[i][kind].push(((cpuSeconds(server.pid) - before) * 1e6) / (5 * n));
      }
    }
  }
  if (values.profile) {
    // The chosen loop of the first source under V8's sampling profiler, saved for DevTools.
    const profiled = values['profile-kind'];
    const [, path, headers] = kinds.find(([kind]) => kind === profiled) ?? [];
    if (path === undefined || OWN_LOOPS.has(profiled)) throw new Error(`--profile-kind: ${profiled}?`);
    const inspector = await connectInspector(running[0].inspectorPort);
    await inspector.send('Profiler.enable');
    await inspector.send('Profiler.setSamplingInterval', { interval: 50 });
    await inspector.send('Profiler.start');
    const query = `?kind=gateway&path=${encodeURIComponent(path)}&n=${n}`;
    for (let c = 0; c < 5; c++) await call(running[0], query, headers);
    const { profile } = await inspector.send('Profiler.stop');
    inspector.close();
    await writeFile(values.profile, JSON.stringify(profile));
    await copyFile(join(dir, 'pipeline-0.js'), `${values.profile}.bundle.js`);
    console.log(`profile of ${5 * n} ${profiled} requests: ${values.profile}`);
  }
  console.log(`µs of workerd CPU per request (median of ${rounds} rounds, ${n}×5 requests each; min–max):`);
  for (const [i, source] of sources.entries()) {
    const line = Object.entries(samples[i])
      .map(
        ([kind, xs]) =>
          `${kind} ${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`,
      )
      .join('  ');
    console.log(`${source}: ${line}`);
  }
} finally {
  await Promise.all(running.map((server) => server.stop()));
  await rm(dir, { recursive: true, force: true });
}

async function mintHs256() {
  const { SignJWT } = await import('jose');
  const { HS_SECRET, ISSUER, AUDIENCE, SUBJECT } = await import('../configs.mjs');
  return new SignJWT({ sub: SUBJECT })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(HS_SECRET));
}

async function call(server, query, headers) {
  const response = await fetch(`${server.url}/${query}`, { headers });
  const text = await response.text();
  if (response.status !== 200 || !/^2\d\d$/.test(text))
    throw new Error(`${query}: ${response.status} ${text}`);
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
