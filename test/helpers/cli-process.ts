import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gatehouse ARGS` to completion (bounded) and captures its output. */
export function runGatehouse(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // `--` as in the bin's shebang: Node 20 would otherwise take `--env-file` for its own flag.
    const child = spawn(process.execPath, ['--', GATEHOUSE_BIN, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse ${args.join(' ')} did not finish\n${stdout}\n${stderr}`));
    }, 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface StartedGatehouse {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => { stdout: string; stderr: string };
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `gatehouse start ARGS` and resolves once it printed its URL line. */
export function startGatehouseProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<StartedGatehouse> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--', GATEHOUSE_BIN, 'start', '--port', '0', '--log-level', 'silent', ...args],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse start printed no URL\n${stdout}\n${stderr}`));
    }, 15_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /https?:\/\/[\d.]+:\d+/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[0],
        child,
        output: () => ({ stdout, stderr }),
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse start exited with ${String(code)} before listening\n${stdout}\n${stderr}`));
    });
  });
}
