// `npm run bench`: load benchmark of Gatehouse against a direct call to a local upstream and
// against peers (Fastify + @fastify/reply-from, a bare Hono hello-world), every figure a ratio of
// the same run; and of the Gatehouse Worker in raw workerd against minimal Workers in the same
// workerd (bench/workers/); then the protocols of docs/PROTOCOLS.md (bench/protocols.mjs
// `runProtocols`: WebSocket relay, cache hit, HTTP/2; targets WS1, C1, H1). Method:
// docs/BENCHMARKS.md. Targets: the performance spec (P1–P8) and those of docs/PROTOCOLS.md.
//
//   npm run bench                    full run (8 s per load after 3 s warm-up, 3 runs; protocols 3 s
//                                    per measurement, 3 rounds); writes docs/BENCHMARKS.md
//   npm run bench -- --quick         smoke check (2 s, 1 run; protocols 1 s, 1 round); prints only, unless --write
//   npm run bench -- --only a,b      only these variants, no protocols; prints only, unless --write
//   npm run bench -- --no-workers    without the Workers variants (and P5, P8); prints only, unless --write
//   npm run bench -- --no-protocols  without the protocols (WS1, C1, H1); prints only, unless --write
//   env: BENCH_DURATION BENCH_WARMUP BENCH_RUNS BENCH_CONNECTIONS BENCH_THREADS BENCH_ROUTES
//        BENCH_PROTOCOL_SECONDS (seconds per protocols measurement, after a warm-up of half that)
//        BENCH_INTERLEAVED_ROUNDS, BENCH_INTERLEAVED_SECONDS (the O rows' interleaved turns; 0 rounds: none)
//        GATEHOUSE_BIN (another build's bin/gatehouse.js) BENCH_JSON (write every sample there)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  cpuSeconds,
  IDLE_SETTLE_MS,
  median,
  peakRssMiB,
  rssMiB as residentMiB,
  runWrk,
  sleep,
  timeNodeCommand,
  wrkVersion,
} from './lib.mjs';
import { interleave, turnTargets } from './interleave.mjs';
import { protocolsSeconds, runProtocols } from './protocols.mjs';
import {
  consoleReport,
  machineDescription,
  markdownSection,
  summarize,
  verdicts,
  writeMarkdown,
} from './report.mjs';
import {
  checkVariant,
  DEFAULT_BIN,
  prepareBench,
  ROOT,
  selectVariants,
  SMALL_ROUTES,
  track,
} from './setup.mjs';

const DOCS = join(ROOT, 'docs', 'BENCHMARKS.md');
const STARTUP_PROBE = fileURLToPath(new URL('./startup.mjs', import.meta.url));
const ENV_SETTINGS = [
  'BENCH_DURATION',
  'BENCH_WARMUP',
  'BENCH_RUNS',
  'BENCH_CONNECTIONS',
  'BENCH_THREADS',
  'BENCH_ROUTES',
  'BENCH_PROTOCOL_SECONDS',
  'BENCH_INTERLEAVED_ROUNDS',
  'BENCH_INTERLEAVED_SECONDS',
];

const USAGE = `usage: npm run bench [-- --quick] [-- --only NAME,NAME] [-- --no-workers] [-- --no-protocols]
                 [-- --write | --no-write]
env: BENCH_DURATION (8) BENCH_WARMUP (3) BENCH_RUNS (3) BENCH_CONNECTIONS (32) BENCH_THREADS (1)
     BENCH_ROUTES (10000) BENCH_PROTOCOL_SECONDS (3) BENCH_INTERLEAVED_ROUNDS (12; 0: none)
     BENCH_INTERLEAVED_SECONDS (3) GATEHOUSE_BIN (bin/gatehouse.js) BENCH_JSON (file for every sample)`;

function settingsFrom(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      'no-workers': { type: 'boolean', default: false },
      'no-protocols': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name, fallback, min) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      console.error(`${name}=${raw}: expected an integer ≥ ${min}`);
      process.exit(2);
    }
    return n;
  };
  const quick = values.quick;
  const settings = {
    quick,
    duration: quick ? 2 : int('BENCH_DURATION', 8, 1),
    warmup: quick ? 1 : int('BENCH_WARMUP', 3, 0),
    runs: quick ? 1 : int('BENCH_RUNS', 3, 1),
    connections: int('BENCH_CONNECTIONS', 32, 1),
    threads: int('BENCH_THREADS', 1, 1),
    largeRoutes: int('BENCH_ROUTES', 10_000, SMALL_ROUTES + 1),
    gatehouseBin: env.GATEHOUSE_BIN || DEFAULT_BIN,
    only: values.only ? values.only.split(',').map((s) => s.trim()) : undefined,
    workers: !values['no-workers'],
    // bench/protocols.mjs, after the variants: seconds per measurement, one round per run.
    protocols: !values['no-protocols'],
    protocolSeconds: quick ? 1 : int('BENCH_PROTOCOL_SECONDS', 3, 1),
    // The O rows' interleaved turns after the runs (0 rounds: none, the O rows then come from the runs).
    interleavedRounds: quick ? 1 : int('BENCH_INTERLEAVED_ROUNDS', 12, 0),
    interleavedSeconds: quick ? 1 : int('BENCH_INTERLEAVED_SECONDS', 3, 1),
    json: env.BENCH_JSON,
  };
  // The Workers variants are started only when some are selected (no bundle build otherwise).
  if (settings.only && !settings.only.some((name) => name.startsWith('workers-'))) settings.workers = false;
  // A partial run (--only) leaves the protocols out too.
  if (settings.only) {
    settings.protocols = false;
    settings.interleavedRounds = 0;
  }
  // A smoke or partial run never overwrites the published figures unless asked to.
  settings.write = values['no-write']
    ? false
    : (values.write ?? (!quick && !settings.only && settings.workers && settings.protocols));
  const ignoredByQuick = new Set([
    'BENCH_DURATION',
    'BENCH_WARMUP',
    'BENCH_RUNS',
    'BENCH_PROTOCOL_SECONDS',
    'BENCH_INTERLEAVED_ROUNDS',
    'BENCH_INTERLEAVED_SECONDS',
  ]);
  const envText = ENV_SETTINGS.filter((name) => env[name] && !(quick && ignoredByQuick.has(name)))
    .map((name) => `${name}=${env[name]} `)
    .join('');
  settings.command = `${envText}npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  return settings;
}

/** The Gatehouse build under test: its commit, and a source file newer than dist/ if there is one. */
function describeBuild(gatehouseBin) {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'an unknown commit';
  const dirty = git('status', '--porcelain', '--', 'src').length > 0;
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  let stale;
  if (gatehouseBin === DEFAULT_BIN && existsSync(main)) {
    const builtMs = statSync(main).mtimeMs;
    stale = newerFile(join(ROOT, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'), builtMs);
  }
  const builtAt = existsSync(main) ? statSync(main).mtime.toISOString().slice(0, 16).replace('T', ' ') : '?';
  return {
    text:
      gatehouseBin === DEFAULT_BIN
        ? `\`dist/\` built ${builtAt} UTC in the working tree of commit ${commit}` +
          (dirty ? ' (src/ had uncommitted changes)' : '') +
          (stale ? ` (${relative(ROOT, stale)} is newer than dist/)` : '')
        : `\`GATEHOUSE_BIN=${gatehouseBin}\``,
    stale: stale ? relative(ROOT, stale) : undefined,
  };
}

function newerFile(dir, accept, than) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory()
      ? newerFile(path, accept, than)
      : accept(path) && statSync(path).mtimeMs > than
        ? path
        : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Start, check, warm up, load, sample CPU and RSS, check again, stop. Throws on a wrong answer. */
async function measure(variant, settings, upstream) {
  const server = await track(variant.start());
  try {
    await checkVariant(variant, server.url);
    // Idle: resident memory once the checks (every route kind of the variant answered once,
    // modules and parsers loaded) have settled, before any load.
    await sleep(IDLE_SETTLE_MS);
    const idleRssMiB = residentMiB(server.pid);
    const url = server.url + variant.path;
    const load = { connections: settings.connections, threads: settings.threads, headers: variant.headers };
    if (settings.warmup > 0) {
      const warm = await runWrk(url, { ...load, seconds: settings.warmup });
      if (warm.non2xx > 0) throw new Error(`${warm.non2xx} non-2xx answers during warm-up`);
    }
    const cpu0 = cpuSeconds(server.pid);
    const upstreamCpu0 = cpuSeconds(upstream.pid);
    const result = await runWrk(url, { ...load, seconds: settings.duration });
    const cpu = cpuSeconds(server.pid) - cpu0;
    const upstreamCpu = cpuSeconds(upstream.pid) - upstreamCpu0;
    const rssMiB = peakRssMiB(server.pid);
    if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers under load`);
    await checkVariant(variant, server.url); // still right after the load
    const { raw: _raw, ...figures } = result;
    return { ...figures, cpu, upstreamCpu, rssMiB, idleRssMiB, startMs: server.startMs };
  } finally {
    await server.stop();
  }
}

/** One run of bench/startup.mjs: whole-process wall time, and its in-process import / validate times. */
async function probeStartup(config, routes, settings) {
  const { ms, output } = await timeNodeCommand(STARTUP_PROBE, [config, settings.gatehouseBin]);
  const { importMs, validateMs } = JSON.parse(output.trim().split('\n').at(-1) ?? '');
  return { routes, processMs: ms, importMs, validateMs };
}

function summarizeStartup(samples, summary, largeRoutes) {
  const of = (routes, key) => median(samples.filter((s) => s.routes === routes).map((s) => s[key]));
  return {
    smallRoutes: SMALL_ROUTES,
    largeRoutes,
    importMs: median(samples.map((s) => s.importMs)),
    validateSmallMs: of(SMALL_ROUTES, 'validateMs'),
    validateLargeMs: of(largeRoutes, 'validateMs'),
    processSmallMs: of(SMALL_ROUTES, 'processMs'),
    processLargeMs: of(largeRoutes, 'processMs'),
    startSmallMs: summary['gatehouse-proxied']?.startMs,
    startLargeMs: summary['gatehouse-proxied-large']?.startMs,
  };
}

/** The workerd and bundle of the Workers variants, for the console and docs/BENCHMARKS.md. */
function describeWorkers(workers) {
  if (!workers) return undefined;
  const { workerd, compatibility, bundle } = workers;
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const runtime = `workerd ${workerd.runtimeDate} (npm \`workerd\` ${workerd.version}), compatibility date ${compatibility.date}${compatibility.flags.length ? ` and flags ${compatibility.flags.join(', ')}` : ''} (wrangler.toml)`;
  const served = bundle
    ? `the Worker bundled from \`src/\` by scripts/build-worker.mjs when the run started, no config bundled (${kb(bundle.servedBytes)} minified, ${kb(bundle.servedGzipBytes)} gzip), the generated config in its \`SAG_API_CONFIG_JSON\` var`
    : 'the Worker bundle did not build';
  const markdown = `raw ${runtime}, one \`workerd serve\` process per variant; ${served}.`;
  return { text: markdown.replaceAll('`', ''), markdown };
}

/**
 * The variants of the O rows (docs/OBSERVABILITY.md "Cost"): differences of a few percent, which
 * the sequential runs cannot resolve on a shared machine (a slow minute lands on one side of a
 * ratio). After the runs they are started again, kept running, and loaded in interleaved turns.
 */
const INTERLEAVED_VARIANTS = [
  'gatehouse-proxied',
  'gatehouse-metrics',
  'gatehouse-tracing-10',
  'gatehouse-propagation',
];

/** Start, check and warm up every O variant, then interleaved turns; checked again after. */
async function measureInterleaved(allVariants, settings) {
  const variants = INTERLEAVED_VARIANTS.map((name) => allVariants.find((v) => v.name === name)).filter(
    (variant) => variant !== undefined,
  );
  const running = [];
  try {
    for (const variant of variants) {
      const server = await track(variant.start());
      running.push(server);
      await checkVariant(variant, server.url);
      await runWrk(server.url + variant.path, {
        seconds: Math.max(settings.warmup, 1),
        connections: settings.connections,
        threads: settings.threads,
        headers: variant.headers,
      });
    }
    const samples = await interleave(turnTargets(variants, running), {
      rounds: settings.interleavedRounds,
      seconds: settings.interleavedSeconds,
      connections: settings.connections,
      log: (line) => console.log(line),
    });
    for (const [i, variant] of variants.entries()) await checkVariant(variant, running[i].url);
    return {
      rounds: settings.interleavedRounds,
      seconds: settings.interleavedSeconds,
      samples: Object.fromEntries(variants.map((variant, i) => [variant.name, samples[i]])),
    };
  } finally {
    await Promise.all(running.map((server) => server.stop()));
  }
}

const firstLine = (error) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

async function main() {
  const settings = settingsFrom(process.argv.slice(2), process.env);
  const wrk = wrkVersion();
  if (!wrk) {
    console.error('wrk (the load generator) is not installed: apt-get install wrk');
    process.exit(2);
  }
  if (!existsSync(settings.gatehouseBin) || !existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    console.error(`Gatehouse is not built (${settings.gatehouseBin}, dist/): run npm run build`);
    process.exit(2);
  }
  const build = describeBuild(settings.gatehouseBin);
  if (build.stale) console.warn(`warning: ${build.stale} is newer than dist/: run npm run build first`);
  const machine = machineDescription(wrk);
  const load = Number(machine.load.split(' / ')[0]);
  if (load > Number(machine.nproc)) {
    console.warn(
      `warning: load average ${load} on ${machine.nproc} cores: other work is running, figures will be noisy`,
    );
  }

  const bench = await prepareBench({
    gatehouseBin: settings.gatehouseBin,
    largeRoutes: settings.largeRoutes,
    workers: settings.workers,
  });
  try {
    const { upstream, configs } = bench;
    settings.gatehouseBin = bench.gatehouseBin; // the snapshot of dist/ taken at the start
    const variants = selectVariants(bench.variants, settings.only);
    const perLoad = settings.warmup + settings.duration + 1.5;
    const protocolSeconds = settings.protocols
      ? protocolsSeconds({ seconds: settings.protocolSeconds, rounds: settings.runs })
      : 0;
    // The interleaved turns: each O variant started and warmed up once, then its turns.
    const interleavedSeconds =
      settings.interleavedRounds > 0
        ? INTERLEAVED_VARIANTS.length *
          (Math.max(settings.warmup, 1) +
            3 +
            settings.interleavedRounds * (settings.interleavedSeconds + 0.6))
        : 0;
    const minutes = Math.ceil(
      (variants.length * settings.runs * perLoad + settings.runs * 4 + interleavedSeconds + protocolSeconds) /
        60,
    );
    console.log(
      `Gatehouse bench: ${variants.length} variants × ${settings.runs} run(s), wrk -t${settings.threads} ` +
        `-c${settings.connections}, ${settings.duration} s after ${settings.warmup} s warm-up` +
        `${settings.interleavedRounds > 0 ? ', then the O rows in interleaved turns' : ''}` +
        `${settings.protocols ? ', then the protocols' : ''}: about ${minutes} min`,
    );
    console.log(
      `Machine: ${machine.nproc} cores, ${machine.model}, Node ${machine.node}, ${machine.wrk}, load ${machine.load}`,
    );
    const workers = describeWorkers(bench.workers);
    if (workers) console.log(`Workers: ${workers.text}`);
    if (bench.workers?.buildError) console.warn(`warning: ${bench.workers.buildError.message}`);

    const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
    const startup = [];
    // Runs are interleaved (run 1: every variant, run 2: every variant…) so noise spreads evenly.
    for (let run = 1; run <= settings.runs; run++) {
      // P7: validate + compile in a fresh process, module loading timed apart.
      for (const routes of [SMALL_ROUTES, settings.largeRoutes]) {
        startup.push(await probeStartup(configs[routes], routes, settings));
      }
      for (const variant of variants) {
        const tag = `[run ${run}/${settings.runs}] ${variant.name}`.padEnd(40);
        try {
          const s = await measure(variant, settings, upstream);
          samples[variant.name].push(s);
          console.log(
            `${tag} ${Math.round(s.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${s.p50.toFixed(2)} ms  ` +
              `p99 ${s.p99.toFixed(2)} ms  cpu ${s.cpu.toFixed(1)} s  rss idle ${s.idleRssMiB.toFixed(0)} / peak ${s.rssMiB.toFixed(0)} MiB` +
              (s.errors > 0 ? `  socket errors ${s.errors}` : ''),
          );
        } catch (error) {
          samples[variant.name].push({ failure: firstLine(error) });
          console.log(`${tag} FAILED: ${firstLine(error)}`);
        }
      }
    }

    let interleaved;
    const otherFailures = [];
    if (settings.interleavedRounds > 0) {
      console.log(
        `\nObservability (O1–O3), interleaved turns: ${settings.interleavedRounds} round(s) of ` +
          `${settings.interleavedSeconds} s per variant, the variants kept running`,
      );
      try {
        interleaved = await measureInterleaved(bench.variants, settings);
      } catch (error) {
        console.log(`Interleaved turns FAILED: ${firstLine(error)}`);
        otherFailures.push(`interleaved turns (bench/interleave.mjs): ${firstLine(error)}`);
      }
    }

    // The protocols of docs/PROTOCOLS.md (no workerd: they run with --no-workers too). A failure
    // there is reported and fails the run; the figures above are kept.
    let protocols;
    if (settings.protocols) {
      console.log(
        `\nProtocols (docs/PROTOCOLS.md): WebSocket relay, cache hit, HTTP/2 over TLS; ` +
          `${settings.runs} round(s), ${settings.protocolSeconds} s per measurement after a warm-up of half that`,
      );
      try {
        protocols = await runProtocols({
          seconds: settings.protocolSeconds,
          rounds: settings.runs,
          gatehouseBin: settings.gatehouseBin,
          track,
        });
      } catch (error) {
        console.log(`Protocols FAILED: ${firstLine(error)}`);
        otherFailures.push(`protocols (bench/protocols.mjs): ${firstLine(error)}`);
      }
    }
    machine.loadAfter = machineDescription(wrk).load;

    const summary = summarize(variants, samples);
    const startupSummary = summarizeStartup(startup, summary, settings.largeRoutes);
    const targets = [
      ...verdicts(samples, summary, startupSummary, bench.workers?.bundle, interleaved),
      ...(protocols?.targets ?? []),
    ];
    const report = {
      variants,
      summary,
      targets,
      startup: startupSummary,
      settings,
      machine,
      build: build.text,
      workers: workers?.markdown,
      protocols: protocols?.summary,
      otherFailures,
    };
    console.log(consoleReport(report));

    if (settings.json) {
      const all = {
        settings,
        machine,
        build,
        samples,
        summary,
        targets,
        startup: { startup, startupSummary },
        workerBundle: bench.workers?.bundle,
        interleaved,
        protocols,
        otherFailures,
      };
      await writeFile(settings.json, JSON.stringify(all, null, 2));
      console.log(`\nevery sample: ${settings.json}`);
    }
    if (settings.write) {
      const date = new Date()
        .toISOString()
        .replace(/\.\d+Z$/, ' UTC')
        .replace('T', ' ');
      await writeMarkdown(DOCS, markdownSection({ ...report, date }), '# Benchmarks\n');
      console.log(`\nwrote ${relative(ROOT, DOCS)}`);
    } else {
      console.log('\n(docs/BENCHMARKS.md not updated: smoke or partial run; add --write to update it)');
    }
    const failed =
      Object.values(summary).some((s) => s.failures.length > 0 || s.runs === 0) ||
      Boolean(bench.workers?.buildError) ||
      otherFailures.length > 0;
    process.exitCode = failed ? 1 : 0;
  } finally {
    await bench.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
