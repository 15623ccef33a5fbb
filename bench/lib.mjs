// Shared plumbing of the benchmark: server processes, /proc sampling, wrk, a checking HTTP client.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** Seconds per clock tick of /proc/PID/stat (USER_HZ, 100 on Linux unless told otherwise). */
const TICKS_PER_SECOND = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(out.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/**
 * Starts `node [nodeArgs] script [args]` and waits for the line announcing its URL
 * (`listening on http://…`, which Gatehouse prints as `Gatehouse listening on http://… (config: …)`).
 * @returns {Promise<{ url: string, pid: number, startMs: number, stop(): Promise<void> }>}
 */
export function startNodeProcess(script, args = [], { env = {}, nodeArgs = [], timeoutMs = 30_000 } = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const describe = () => `${script} ${args.join(' ')}`.trim();

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${describe()}: no "listening on" line within ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${describe()} exited (${signal ?? code}) before listening\n${stdout}${stderr}`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout = (stdout + chunk).slice(-4000);
      const match = /listening on (https?:\/\/[^\s)]+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        url: match[1],
        pid: child.pid,
        startMs: performance.now() - started,
        stderrTail: () => stderr,
        stop: () => stopProcess(child, exited),
      });
    });
  });
}

/** SIGTERM by PID, then SIGKILL if the process has not exited within `graceMs`. */
async function stopProcess(child, exited, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer;
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  await exited;
}

/** Fields of /proc/PID/stat after the command name (which may contain spaces and ends at the last ')'). */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * The process and its descendants (the workers of `gatehouse start --workers N`), from the
 * parent pid of every /proc/PID/stat; processes that end while being read are skipped.
 */
export function processTree(pid) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), Number(statFields(entry)[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

const sumOverTree = (pid, read) =>
  processTree(pid).reduce((sum, p) => {
    try {
      return sum + read(p);
    } catch {
      return sum; // a process that just ended
    }
  }, 0);

/** CPU seconds (user + system, all threads) a process and its descendants have used so far. */
export function cpuSeconds(pid) {
  // utime and stime are fields 14 and 15 of stat(5); statFields()[0] is field 3.
  return sumOverTree(pid, (p) => {
    const fields = statFields(p);
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  });
}

function statusMiB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * Peak resident set size (VmHWM) so far, in MiB: of the process, plus each descendant's peak
 * (for a cluster, the sum of the processes' peaks: an upper bound of their peak together).
 */
export function peakRssMiB(pid) {
  return sumOverTree(pid, (p) => statusMiB(p, 'VmHWM'));
}

/**
 * How long a server is left alone after its checks before its idle RSS is read: the same for
 * every variant (Gatehouse, Hono, Fastify, nginx, workerd), in run.mjs and interleaved.mjs.
 */
export const IDLE_SETTLE_MS = 1000;

/** Resident set size now (VmRSS), in MiB, of the process and its descendants together. */
export function rssMiB(pid) {
  return sumOverTree(pid, (p) => statusMiB(p, 'VmRSS'));
}

/** Whether `wrk` is on the PATH, and its version line. */
export function wrkVersion() {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (out.error) return undefined;
  const line = `${out.stdout}${out.stderr}`.split('\n')[0] ?? '';
  return line.replace(/\s+Copyright.*$/, '').trim() || 'wrk';
}

/**
 * One load run: `wrk -t1 -c<connections> -d<seconds>s --latency [-H …] url`. wrk stops by itself;
 * a watchdog kills it if it overruns by 20 s.
 * @returns {Promise<{ rps: number, p50: number, p99: number, requests: number, errors: number, non2xx: number, raw: string }>}
 *   latencies in milliseconds
 */
export function runWrk(url, { seconds, connections = 32, threads = 1, headers = {} }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
    child.once('error', (error) => {
      clearTimeout(watchdog);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (code !== 0) {
        reject(new Error(`wrk exited (${signal ?? code}):\n${out}`));
        return;
      }
      try {
        resolve(parseWrk(out));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Parses wrk's `--latency` report. Exported for a quick self-check. */
export function parseWrk(text) {
  const number = (re) => {
    const match = re.exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const rps = number(/^Requests\/sec:\s+([\d.]+)/m);
  const p50 = latencyMs(/^\s+50%\s+([\d.]+)(us|ms|s|m)\b/m.exec(text));
  const p99 = latencyMs(/^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m.exec(text));
  const requests = number(/^\s+(\d+) requests in /m);
  if (rps === undefined || p50 === undefined || p99 === undefined || requests === undefined) {
    throw new Error(`cannot parse wrk output:\n${text}`);
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = number(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0;
  return { rps, p50, p99, requests, errors, non2xx, raw: text };
}

function latencyMs(match) {
  if (!match) return undefined;
  const value = Number(match[1]);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2]];
  return value * scale;
}

/**
 * One GET on a fresh connection (no keep-alive, so no socket outlives the server under test).
 * @returns {Promise<{ status: number, headers: object, body: string, json(): unknown }>}
 */
export function httpGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body,
          json: () => JSON.parse(body),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Wall-clock milliseconds of `node script args` run to completion; rejects on a non-zero exit. */
export function timeNodeCommand(script, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, output: out });
      else reject(new Error(`node ${script} ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
