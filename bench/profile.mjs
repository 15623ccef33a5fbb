// CPU profile of one variant under load: starts it with `node --cpu-prof`, checks it, loads it with
// wrk for the given time, stops it (SIGTERM: the profile is written as the process exits) and
// prints where the self time went from the first request on, by module and by function.
//   node bench/profile.mjs [VARIANT] [--duration 10] [--top 25] [--keep DIR]
// VARIANT is a variant of run.mjs (default gatehouse-proxied; peers too, to compare shares); --keep saves the
// .cpuprofile (open it in Chrome DevTools › Performance, or speedscope).
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { runWrk, wrkVersion } from './lib.mjs';
import { checkVariant, DEFAULT_BIN, prepareBench, ROOT, selectVariants, track } from './setup.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    top: { type: 'string', default: '25' },
    keep: { type: 'string' },
  },
});
/** Paths are shown relative to the checkout, or to the snapshot of the build the bench runs. */
const ROOTS = [ROOT];
const name = positionals[0] ?? 'gatehouse-proxied';
const duration = Number(values.duration);
const top = Number(values.top);

if (!wrkVersion()) {
  console.error('wrk (the load generator) is not installed: apt-get install wrk');
  process.exit(2);
}

const profileDir = await mkdtemp(join(tmpdir(), 'gatehouse-profile-'));
const bench = await prepareBench({
  gatehouseBin: process.env.GATEHOUSE_BIN || DEFAULT_BIN,
  largeRoutes: Number(process.env.BENCH_ROUTES || 10_000),
  nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir],
});
try {
  ROOTS.unshift(dirname(dirname(bench.gatehouseBin)) + sep);
  const variant = selectVariants(bench.variants, [name])[0];
  if (variant.name === 'upstream-direct')
    throw new Error('the upstream is not started per variant: pick a server');
  const server = await track(variant.start());
  let result;
  try {
    await checkVariant(variant, server.url);
    result = await runWrk(server.url + variant.path, { seconds: duration, headers: variant.headers });
  } finally {
    await server.stop();
  }
  const file = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written (did the server exit cleanly?)');
  const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8'));
  console.log(
    `${variant.label}: ${Math.round(result.rps).toLocaleString('en-US')} req/s under the profiler ` +
      `(wrk -t1 -c32 -d${duration}s; the profiler slows the server: compare shares, not req/s)\n`,
  );
  console.log(summarizeProfile(profile, top, result.requests));
  if (values.keep) {
    await mkdir(values.keep, { recursive: true });
    const kept = join(values.keep, `${name}.cpuprofile`);
    await copyFile(join(profileDir, file), kept);
    console.log(`\nprofile saved: ${kept}`);
  }
} catch (error) {
  console.error(`profile: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  await bench.close();
  await rm(profileDir, { recursive: true, force: true });
}

/** Self time by module and by function (with its main callers) of a V8 .cpuprofile. */
function summarizeProfile(profile, topN, requests) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  // Start-up (module loading, config compile) is not what a request costs: count samples only
  // from the first one inside Node's HTTP parser callback, i.e. once the first request arrived.
  const servesHttp = (node) => {
    for (let n = node; n; n = parentOf.get(n.id)) {
      if (n.callFrame.functionName === 'parserOnHeadersComplete') return true;
    }
    return false;
  };
  const self = new Map();
  let total = 0;
  let serving = false;
  profile.samples.forEach((id, i) => {
    serving ||= servesHttp(byId.get(id));
    if (!serving) return;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fns = new Map(); // label → { us, callers: Map(label → us) }
  const modules = new Map();
  for (const [id, us] of self) {
    const node = byId.get(id);
    const label = labelOf(node.callFrame);
    const entry = fns.get(label) ?? { us: 0, callers: new Map() };
    entry.us += us;
    const caller = callerOf(node, parentOf);
    entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + us);
    fns.set(label, entry);
    const module = moduleOf(node.callFrame);
    modules.set(module, (modules.get(module) ?? 0) + us);
  }
  // Share of the sampled time, and microseconds per request served (comparable across variants).
  const pct = (us) =>
    `${((us / total) * 100).toFixed(1).padStart(5)}% ${(us / requests).toFixed(1).padStart(6)} µs/req`;
  const sorted = (map, value) => [...map].sort((a, b) => value(b[1]) - value(a[1]));
  const lines = [
    `self time by module (${(total / 1e6).toFixed(1)} s sampled from the first request on, ${(total / requests).toFixed(0)} µs per request served):`,
  ];
  for (const [module, us] of sorted(modules, (v) => v).slice(0, 20)) lines.push(`${pct(us)}  ${module}`);
  lines.push('', `top ${topN} functions by self time (← nearest caller in dist/ or node_modules/):`);
  for (const [label, { us, callers }] of sorted(fns, (v) => v.us).slice(0, topN)) {
    lines.push(`${pct(us)}  ${label}`);
    if (label.startsWith('(')) continue; // (idle), (garbage collector), (program) have no callers
    const main = sorted(callers, (v) => v)
      .slice(0, 2)
      .map(([caller, cus]) => `${caller} ${((cus / us) * 100).toFixed(0)}%`);
    lines.push(`                      ← ${main.join(';  ')}`);
  }
  return lines.join('\n');
}

/** The nearest ancestor frame in Gatehouse or a package (skipping natives and node: internals). */
function callerOf(node, parentOf) {
  for (let parent = parentOf.get(node.id); parent; parent = parentOf.get(parent.id)) {
    const url = shortUrl(parent.callFrame.url);
    if (url.startsWith('dist/') || url.includes('node_modules/')) return labelOf(parent.callFrame);
  }
  const parent = parentOf.get(node.id);
  return parent ? labelOf(parent.callFrame) : '(root)';
}

function labelOf({ functionName, url, lineNumber }) {
  const where = shortUrl(url);
  return `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
}

function shortUrl(url) {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const root = ROOTS.find((r) => path.startsWith(r));
  return root ? relative(root, path) : path;
}

/** "node_modules/undici", "dist/proxy", "node:internal/http", "(garbage collector)"… */
function moduleOf({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  const short = shortUrl(url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short);
  if (pkg) return `node_modules/${pkg[1]}`;
  if (short.startsWith('dist/')) return short.split('/').slice(0, 2).join('/').replace(/\.js$/, '');
  if (short.startsWith('node:')) return short.split('/').slice(0, 2).join('/');
  return short;
}
