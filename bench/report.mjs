// Summaries, target verdicts, the console report and the generated section of docs/BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg, release } from 'node:os';
import { roundRatios } from './interleave.mjs';
import { median } from './lib.mjs';

/** Throughput targets of docs/BENCHMARKS.md, as ratios of two variants of the same run. */
export const RATIO_TARGETS = [
  {
    id: 'P1',
    what: 'Gatehouse proxied ÷ Fastify + reply-from proxied',
    num: 'gatehouse-proxied',
    den: 'fastify-proxy',
    // Issue 16 asks for 1.3× (≤ 50 µs per request on its quiet machine).
    min: 1.3,
  },
  {
    id: 'P2',
    what: 'JWT HS256 + mapping ÷ the same request on the proxy unprotected',
    num: 'gatehouse-hs256',
    den: 'gatehouse-proxied-hs256-token',
    min: 0.9,
  },
  {
    id: 'P2',
    what: 'JWT RS256 + mapping ÷ the same request on the proxy unprotected',
    num: 'gatehouse-rs256',
    den: 'gatehouse-proxied-rs256-token',
    min: 0.9,
  },
  {
    id: 'P3',
    what: 'proxied, 10,000 routes ÷ 10 routes',
    num: 'gatehouse-proxied-large',
    den: 'gatehouse-proxied',
    min: 0.95,
  },
  {
    id: 'P3',
    what: 'Worker proxied, 10,000 routes ÷ 10 routes (workerd)',
    num: 'workers-proxied-large',
    den: 'workers-proxied',
    min: 0.95,
  },
  {
    id: 'P4',
    what: 'Gatehouse static ÷ bare Hono hello-world',
    num: 'gatehouse-static',
    den: 'hono-hello',
    min: 0.9,
  },
  {
    id: 'P5',
    what: 'Worker static ÷ minimal hello Worker (workerd floor)',
    num: 'workers-static',
    den: 'workers-floor-hello',
    min: 0.85,
  },
  {
    id: 'P5',
    what: 'Worker proxied ÷ minimal proxy Worker (workerd floor)',
    num: 'workers-proxied',
    den: 'workers-floor-proxy',
    min: 0.85,
  },
  {
    id: 'P5',
    what: 'Worker JWT HS256 + mapping, proxied ÷ minimal proxy Worker (workerd floor)',
    num: 'workers-hs256',
    den: 'workers-floor-proxy',
    min: 0.85,
  },
  // Observability (issue 12, docs/OBSERVABILITY.md "Cost").
  {
    id: 'O1',
    interleaved: true,
    what: 'proxied with Prometheus metrics on ÷ metrics off',
    num: 'gatehouse-metrics',
    den: 'gatehouse-proxied',
    min: 0.95,
  },
  {
    id: 'O2',
    interleaved: true,
    what: 'proxied with tracing exported, 10% sampled ÷ tracing off',
    num: 'gatehouse-tracing-10',
    den: 'gatehouse-proxied',
    min: 0.9,
  },
  {
    id: 'O3',
    interleaved: true,
    what: 'proxied with a client traceparent, propagation only ÷ without',
    num: 'gatehouse-propagation',
    den: 'gatehouse-proxied',
    min: 0.97,
  },
  // Issue 16: nginx as the reference (no target: reported), every core (reported).
  {
    id: 'R1',
    what: 'Gatehouse static ÷ nginx `return 200` (one nginx process)',
    num: 'gatehouse-static',
    den: 'nginx-static',
  },
  {
    id: 'R1',
    what: 'Gatehouse proxied ÷ nginx `proxy_pass` (one nginx process)',
    num: 'gatehouse-proxied',
    den: 'nginx-proxy',
  },
  {
    id: 'W1',
    what: 'static route, `--workers 2` ÷ one process',
    num: 'gatehouse-static-workers2',
    den: 'gatehouse-static',
  },
  {
    id: 'W1',
    what: 'proxied route, `--workers 2` ÷ one process',
    num: 'gatehouse-proxied-workers2',
    den: 'gatehouse-proxied',
  },
  // Traffic control (docs/TRAFFIC.md): the cost of counting and of checking keys.
  {
    id: 'T1',
    what: 'rate-limited route, memory store ÷ the same request on an open route',
    num: 'traffic-memory',
    den: 'traffic-open',
    min: 0.95,
  },
  {
    id: 'T2',
    what: 'rate-limited route, redis store (local) ÷ the same request on an open route',
    num: 'traffic-redis',
    den: 'traffic-open',
    min: 0.7,
  },
  {
    id: 'T3',
    what: 'API-key route ÷ the same request on an open route',
    num: 'traffic-api-key',
    den: 'traffic-open',
    min: 0.95,
  },
];

/**
 * P6: resident memory budgets of issue 16, in MiB as /proc reports them, for the plain one-process
 * variants (static and proxied; the observability and traffic variants load more, and are shown
 * in the table): idle after the checks and peak under load with 10 routes, peak with 10,000.
 */
export const RSS_BUDGETS = [
  {
    what: 'idle RSS after the checks, 10-route config',
    variants: ['gatehouse-static', 'gatehouse-proxied'],
    key: 'idleRssMiB',
    max: 80,
    withReferences: true,
  },
  {
    what: 'peak RSS under load, 10-route config',
    variants: ['gatehouse-static', 'gatehouse-proxied'],
    key: 'rssMiB',
    max: 120,
    withReferences: true,
  },
  {
    what: 'peak RSS under load, 10,000-route config',
    variants: ['gatehouse-proxied-large'],
    key: 'rssMiB',
    max: 180,
  },
];
/** Shown beside P6: the reference servers' idle and peak RSS, read the same way. */
const RSS_REFERENCES = ['hono-hello', 'fastify-proxy'];
/** P7: validate + compile a 10,000-route config, ms. */
export const STARTUP_BUDGET_MS = 1000;
/** P8: the anchor's Worker bundle, in KB of 1,024 bytes as scripts/build-worker.mjs prints them. */
export const BUNDLE_BUDGET_KB = { minified: 470, gzip: 135 };

/**
 * @param {object[]} variants
 * @param {Record<string, object[]>} samples  variant name → per-run samples (null for a failed run)
 */
export function summarize(variants, samples) {
  const summary = {};
  for (const variant of variants) {
    const all = samples[variant.name] ?? [];
    const ok = all.filter((s) => s && !s.failure);
    const rpsValues = ok.map((s) => s.rps);
    const rps = median(rpsValues);
    summary[variant.name] = {
      name: variant.name,
      label: variant.label,
      group: variant.group,
      runs: ok.length,
      failures: all.filter((s) => s?.failure).map((s) => s.failure),
      rps,
      p50: median(ok.map((s) => s.p50)),
      p99: median(ok.map((s) => s.p99)),
      cpu: median(ok.map((s) => s.cpu)),
      cpuUsPerRequest: median(ok.map((s) => (s.cpu / s.requests) * 1e6)),
      upstreamCpu: median(ok.map((s) => s.upstreamCpu)),
      rssMiB: Math.max(...ok.map((s) => s.rssMiB)),
      idleRssMiB: Math.max(...ok.map((s) => s.idleRssMiB ?? NaN)),
      startMs: median(ok.map((s) => s.startMs)),
      socketErrors: ok.reduce((sum, s) => sum + s.errors, 0),
      spreadPct: ok.length > 1 ? ((Math.max(...rpsValues) - Math.min(...rpsValues)) / rps) * 100 : NaN,
    };
  }
  return summary;
}

/**
 * A target ratio: the median of the per-run ratios (runs are interleaved and compared variants run
 * back to back, so run r of one pairs with run r of the other), their range, and the same ratio
 * by CPU time per request (den ÷ num: higher is better, like throughput).
 */
export function ratio(samples, summary, num, den) {
  const n = summary[num];
  const d = summary[den];
  if (!n || !d || !(n.runs > 0) || !(d.runs > 0)) return undefined;
  const perRun = [];
  const a = samples[num] ?? [];
  const b = samples[den] ?? [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] && !a[i].failure && b[i] && !b[i].failure) perRun.push(a[i].rps / b[i].rps);
  }
  if (perRun.length === 0) return undefined;
  return {
    value: median(perRun),
    min: Math.min(...perRun),
    max: Math.max(...perRun),
    runs: perRun.length,
    byCpu: d.cpuUsPerRequest / n.cpuUsPerRequest,
  };
}

/**
 * A target's ratio from the interleaved turns (bench/interleave.mjs): the median and range of
 * the per-round ratios by requests/s, and the median per-round ratio by CPU µs per request.
 */
function interleavedRatio(interleaved, num, den) {
  const a = interleaved?.samples[num];
  const b = interleaved?.samples[den];
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const { byRps, byCpu } = roundRatios(a, b);
  return {
    value: median(byRps),
    min: Math.min(...byRps),
    max: Math.max(...byRps),
    runs: byRps.length,
    byCpu: median(byCpu),
  };
}

/**
 * @param {object} [bundle]  the Worker bundle's sizes (bench/workers/prepare.mjs), for P8
 * @param {object} [interleaved]  the O rows' interleaved turns (bench/run.mjs), which judge them when present
 */
export function verdicts(samples, summary, startup, bundle, interleaved) {
  const rows = [];
  for (const target of RATIO_TARGETS) {
    // A target whose variants were not selected (--only, --no-workers) is left out, not "not measured".
    if (!(target.num in summary) || !(target.den in summary)) continue;
    const sequential = ratio(samples, summary, target.num, target.den);
    const turns = target.interleaved ? interleavedRatio(interleaved, target.num, target.den) : undefined;
    const r = turns ?? sequential;
    rows.push({
      id: target.id,
      what: turns
        ? `${target.what} (interleaved turns, ${interleaved.rounds} × ${interleaved.seconds} s; the runs: ${sequential ? `${sequential.value.toFixed(2)}×` : 'not measured'})`
        : target.what,
      measured: r ? `${r.value.toFixed(2)}×` : 'not measured',
      range: r && r.runs > 1 ? `${r.min.toFixed(2)}–${r.max.toFixed(2)}` : '',
      byCpu: r ? `${r.byCpu.toFixed(2)}×` : '',
      target: target.min === undefined ? 'reported' : `≥ ${target.min.toFixed(2)}×`,
      verdict: !r ? 'n/a' : target.min === undefined ? '—' : r.value >= target.min ? 'PASS' : 'FAIL',
    });
  }
  // P6: the largest idle / peak RSS of the plain Gatehouse variants (RSS_BUDGETS).
  for (const budget of RSS_BUDGETS) {
    const group = budget.variants.map((name) => summary[name]).filter((v) => v && v.runs > 0);
    if (group.length === 0) continue;
    const worst = group.reduce((a, b) => (b[budget.key] > a[budget.key] ? b : a));
    const miB = worst[budget.key];
    // The reference servers, measured the same way in the same run (bench/lib.mjs IDLE_SETTLE_MS).
    const beside = (budget.withReferences ? RSS_REFERENCES : [])
      .map((name) => summary[name])
      .filter((v) => v && v.runs > 0 && Number.isFinite(v[budget.key]))
      .map((v) => `${v.name} ${fmt(v[budget.key], 0)}`);
    rows.push({
      id: 'P6',
      what: `${budget.what} (largest: ${worst.name}${beside.length > 0 ? `; ${beside.join(', ')} MiB` : ''})`,
      measured: `${fmt(miB, 0)} MiB`,
      range: '',
      byCpu: '',
      target: `≤ ${budget.max} MiB`,
      verdict: miB <= budget.max ? 'PASS' : 'FAIL',
    });
  }
  if (startup && Number.isFinite(startup.validateLargeMs)) {
    rows.push({
      id: 'P7',
      what: `validate + compile of the ${startup.largeRoutes.toLocaleString('en-US')}-route config (in-process, modules loaded)`,
      measured: `${startup.validateLargeMs.toFixed(0)} ms`,
      range: '',
      byCpu: '',
      target: `< ${STARTUP_BUDGET_MS} ms`,
      verdict: startup.validateLargeMs < STARTUP_BUDGET_MS ? 'PASS' : 'FAIL',
    });
  }
  if (bundle) {
    for (const [key, bytes, how] of [
      ['minified', bundle.bytes, 'minified'],
      ['gzip', bundle.gzipBytes, 'gzip -9'],
    ]) {
      const kb = bytes / 1024;
      rows.push({
        id: 'P8',
        what: `Worker bundle (\`npm run build:worker\`, quick-start config bundled), ${how}`,
        measured: `${kb.toFixed(1)} KB`,
        range: '',
        byCpu: '',
        target: `< ${BUNDLE_BUDGET_KB[key]} KB (the anchor's)`,
        verdict: kb < BUNDLE_BUDGET_KB[key] ? 'PASS' : 'FAIL',
      });
    }
  }
  return rows;
}

const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** Rows of the main table, shared by the console and the markdown. */
function mainRows(variants, summary) {
  const direct = summary['upstream-direct'];
  return variants.map((variant) => {
    const s = summary[variant.name];
    if (!s || s.runs === 0) {
      return [variant.label, 'FAILED', '', '', '', '', '', '', '', '', ''];
    }
    return [
      s.label,
      fmtInt(s.rps),
      direct && direct.runs > 0 ? `${fmt(s.rps / direct.rps)}×` : '—',
      fmt(s.p50),
      fmt(s.p99),
      fmt(s.cpu, 1),
      fmtInt(s.cpuUsPerRequest),
      s.name === 'upstream-direct' ? '—' : fmt(s.upstreamCpu, 1),
      fmtInt(s.idleRssMiB),
      fmtInt(s.rssMiB),
      Number.isFinite(s.spreadPct) ? `${fmt(s.spreadPct, 0)}%` : '—',
    ];
  });
}

const MAIN_HEADER = [
  'server / route',
  'req/s',
  '× direct',
  'p50 ms',
  'p99 ms',
  'server CPU s',
  'CPU µs/req',
  'upstream CPU s',
  'idle RSS MiB',
  'peak RSS MiB',
  'spread',
];
const TARGET_HEADER = ['#', 'measure', 'measured', 'per-run range', 'by CPU µs/req', 'target', 'verdict'];

function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header, rows) {
  const esc = (c) => String(c).replaceAll('|', '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

const targetRow = (v) => [v.id, v.what, v.measured, v.range, v.byCpu, v.target, v.verdict];

/** How the protocols part of `npm run bench` measured (bench/protocols.mjs `runProtocols`). */
function protocolsMethod(settings) {
  const rounds = settings.runs === 1 ? '1 round' : `${settings.runs} rounds`;
  return (
    `Measured on the same machine after the variants by bench/protocols.mjs (\`npm run bench:protocols\` alone): ` +
    `${rounds}, interleaved (each round measures the direct run and every relay in turn, the order rotated ` +
    `every round, and both sides of the cache ratio), ${settings.protocolSeconds ?? '?'} s per measurement ` +
    `after a warm-up of half that. Gatehouse is started by ` +
    `\`gatehouse start\` (plain, and with TLS for HTTP/2 and HTTP/1.1) with a cached proxied route and a static ` +
    `route in front of a \`ws\` echo upstream; the relay references are nginx's WebSocket proxy (when installed) and a bare Node ` +
    `\`pipe\` (bench/servers/tcp-pipe.mjs). WS1, C1 and H1 in the Targets come from these figures.`
  );
}

/** The summary lines of bench/protocols.mjs as a bullet list (its indented lines nested). */
const protocolsBullets = (lines) =>
  lines.map((line) => (line.startsWith('  ') ? `  - ${line.trim()}` : `- ${line}`));

export function consoleReport({
  variants,
  summary,
  targets,
  startup,
  settings,
  protocols,
  otherFailures = [],
}) {
  const out = [];
  out.push(
    '',
    `Results (median of ${settings.runs} run(s), ${settings.duration} s each, ratios to upstream direct):`,
  );
  out.push(textTable(MAIN_HEADER, mainRows(variants, summary)));
  out.push(
    '',
    'Targets (throughput: median of the per-run ratios; by CPU µs/req: the same ratio by CPU cost):',
  );
  out.push(textTable(TARGET_HEADER, targets.map(targetRow)));
  if (protocols) {
    out.push('', 'Protocols (bench/protocols.mjs, summary):', ...protocols);
  }
  if (startup) {
    out.push('', 'Start-up:');
    out.push(textTable(['measure', 'median ms'], startupRows(startup)));
  }
  for (const s of Object.values(summary)) {
    for (const failure of s.failures) out.push(`FAILED ${s.name}: ${failure}`);
  }
  for (const failure of otherFailures) out.push(`FAILED ${failure}`);
  return out.join('\n');
}

function startupRows(startup) {
  const small = startup.smallRoutes.toLocaleString('en-US');
  const large = startup.largeRoutes.toLocaleString('en-US');
  return [
    ['loading the CLI modules (`import` of dist/cli/main.js, fresh process)', fmtInt(startup.importMs)],
    [
      `\`gatehouse validate\` in-process (read, check, compile), ${small} routes`,
      fmtInt(startup.validateSmallMs),
    ],
    [
      `\`gatehouse validate\` in-process (read, check, compile), ${large} routes`,
      fmtInt(startup.validateLargeMs),
    ],
    [`whole process (Node + modules + validate), ${small} routes`, fmtInt(startup.processSmallMs)],
    [`whole process (Node + modules + validate), ${large} routes`, fmtInt(startup.processLargeMs)],
    [`\`gatehouse start\` to its URL line, ${small} routes`, fmtInt(startup.startSmallMs)],
    [`\`gatehouse start\` to its URL line, ${large} routes`, fmtInt(startup.startLargeMs)],
  ];
}

export function machineDescription(wrk) {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const meminfo = safeRead('/proc/meminfo');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1]);
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || '?';
  return {
    nproc,
    model,
    memory: Number.isFinite(memKiB) ? `${(memKiB / 1024 / 1024).toFixed(1)} GiB` : 'unknown',
    node: process.version,
    wrk,
    kernel: `Linux ${release()}`,
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
  };
}

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export const BEGIN =
  '<!-- bench:begin — generated by `npm run bench`; edit bench/report.mjs, not this section -->';
export const END = '<!-- bench:end -->';

export function markdownSection({
  variants,
  summary,
  targets,
  startup,
  settings,
  machine,
  build,
  workers,
  date,
  protocols,
  otherFailures = [],
}) {
  const lines = [
    BEGIN,
    '',
    '## Latest results',
    '',
    `Measured ${date} with \`${settings.command}\`: \`wrk -t${settings.threads} -c${settings.connections} -d${settings.duration}s --latency\` after a ${settings.warmup} s warm-up, median of ${settings.runs} run(s), variants interleaved across runs. Gatehouse: ${build}.`,
    '',
    ...(workers ? [`Workers: ${workers}`, ''] : []),
    `Machine: ${machine.nproc} cores (\`nproc\`), ${machine.model}, ${machine.memory} RAM, ${machine.kernel}; Node ${machine.node}; ${machine.wrk}. Load average (1 / 5 / 15 min) when the run started: ${machine.load}${machine.loadAfter ? `; when it ended: ${machine.loadAfter}` : ''}.`,
    '',
    '### Throughput and latency',
    '',
    markdownTable(MAIN_HEADER, mainRows(variants, summary)),
    '',
    '### Targets',
    '',
    'The verdict is on throughput: the median of the per-run ratios (range beside it). "By CPU µs/req" is the same comparison by server CPU time per request (higher is better), a second opinion less sensitive to what else the machine was doing. O1–O3, differences of a few percent, are judged on interleaved turns measured after the runs (the four variants kept running and loaded in short turns in a rotating order, bench/interleave.mjs; ratios per round, their median, range and median by CPU); their ratio over the runs is in the measure\'s text.',
    '',
    markdownTable(TARGET_HEADER, targets.map(targetRow)),
    '',
  ];
  if (protocols) {
    lines.push('### Protocols', '', protocolsMethod(settings), '', ...protocolsBullets(protocols), '');
  }
  if (startup) {
    lines.push('### Start-up', '', markdownTable(['measure', 'median ms'], startupRows(startup)), '');
  }
  const failures = [
    ...Object.values(summary).flatMap((s) => s.failures.map((f) => `- ${s.name}: ${f}`)),
    ...otherFailures.map((f) => `- ${f}`),
  ];
  if (failures.length > 0) lines.push('### Failed checks', '', ...failures, '');
  else lines.push('Every variant passed its correctness checks before and after every load.', '');
  lines.push(END);
  return lines.join('\n');
}

/** Replaces the generated section of `file` (appending it if absent), formatted with the repo's Prettier. */
export async function writeMarkdown(file, section, fallbackIntro) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = fallbackIntro;
  }
  const begin = text.indexOf('<!-- bench:begin');
  const end = text.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? text.slice(0, begin) + section + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(file, await prettierFormat(file, next));
}

async function prettierFormat(file, text) {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch {
    return text; // Prettier is a devDependency; without it the file is still correct, only unaligned.
  }
}
