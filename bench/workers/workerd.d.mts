// Types of workerd.mjs for the TypeScript tests that start raw workerd with it.
export function wranglerCompatibility(): { date: string; flags: string[] };
export function findWorkerd(): { bin: string; version: string; runtimeDate: string };
export function startWorkerd(options: {
  bin: string;
  dir: string;
  name: string;
  module: string;
  bindings?: Record<string, string | { file: string }>;
  compatibility: { date: string; flags: string[] };
  timeoutMs?: number;
}): Promise<{ url: string; pid: number; startMs: number; stderrTail(): string; stop(): Promise<void> }>;
