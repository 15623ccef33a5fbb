import { spawnSync } from 'node:child_process';

/**
 * Samples of a Prometheus text exposition as `name{a="1",b="2"}` → value, labels sorted by name
 * so a test's expectation does not depend on the order the exporter prints them in.
 */
export function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText = '', value] = match;
    samples.set(sampleKey(name as string, parseLabels(labelText)), Number(value));
  }
  return samples;
}

export function sampleKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /(\w+)="((?:[^"\\]|\\.)*)"/g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    labels[m[1] as string] = JSON.parse(`"${m[2] as string}"`) as string;
  }
  return labels;
}

/** Samples of one metric family (by name prefix), for exact comparisons. */
export function family(samples: ReadonlyMap<string, number>, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of samples) {
    if (key === name || key.startsWith(`${name}{`)) out[key] = value;
  }
  return out;
}

/** Runs `promtool check metrics` (the Debian `prometheus` package) on an exposition. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], {
    input: text,
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
