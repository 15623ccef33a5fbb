import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of docs/ARCHITECTURE.md: `src/config/` (read, normalize, resolve
 * references, schema) imports nothing from the feature folders — assembling a gateway from
 * checked parts lives above them in `src/assembly/` — and nothing outside `src/adapters/` and
 * `src/cli/` imports a runtime-specific module.
 */
const SRC = join(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1] ?? '');
}

describe('dependency direction', () => {
  it('src/config imports only its own files and packages', () => {
    const offending = sourceFiles(join(SRC, 'config')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('.') && !spec.startsWith('./'))
        .map((spec) => `${relative(SRC, file)} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('only src/adapters and src/cli import node: modules', () => {
    const offending = sourceFiles(SRC)
      .filter((file) => !/^(adapters|cli)\//.test(relative(SRC, file)))
      .flatMap((file) =>
        importsOf(file)
          .filter((spec) => spec.startsWith('node:'))
          .map((spec) => `${relative(SRC, file)} imports ${spec}`),
      );
    expect(offending).toEqual([]);
  });
});
