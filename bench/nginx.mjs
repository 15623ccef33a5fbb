// nginx as the reference of the benchmark (docs/BENCHMARKS.md): Debian's nginx-light
// (/usr/sbin/nginx), one process (`master_process off`, so the pid sampled for CPU and RSS is the
// one that serves), serving `GET /static` → {"status":"ok"} itself and proxying `/api/…` to the
// bench upstream with pooled keep-alive connections (`proxy_pass`, `keepalive 32`), the way
// Gatehouse and Fastify do. Access logging off, as Gatehouse runs with `--log-level silent`.
// `/ws/…` relays WebSocket handshakes and frames to the same upstream (bench:protocols).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { sleep } from './lib.mjs';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export const nginxInstalled = () => existsSync(NGINX_BIN);

/** A port free right now (nginx needs a number; it cannot report the port it got for 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function nginxConfig(dir, port, upstreamUrl) {
  const upstream = new URL(upstreamUrl);
  return `
daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  keepalive_requests 100000;
  upstream bench_upstream {
    server ${upstream.hostname}:${upstream.port};
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location = /static {
      default_type application/json;
      return 200 '{"status":"ok"}';
    }
    location /api/ {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://bench_upstream/;
    }
    location /ws/ {
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 60s;
      proxy_pass http://${upstream.hostname}:${upstream.port}/;
    }
  }
}
`;
}

/** @returns {Promise<{ url: string, pid: number, startMs: number, stop(): Promise<void> }>} */
export async function startNginx(upstreamUrl, { timeoutMs = 10_000 } = {}) {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-nginx-'));
  await mkdir(join(dir, 'body'));
  await mkdir(join(dir, 'proxy'));
  const port = await freePort();
  await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreamUrl));
  const child = spawn(NGINX_BIN, ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT'); // nginx's graceful stop
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not start on port ${port}: ${stderr}`);
    }
    await sleep(50);
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, startMs: performance.now() - started, stop };
}
