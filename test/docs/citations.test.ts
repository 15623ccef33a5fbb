import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The repository is self-contained: every Markdown link and every `.md` file a comment or doc
 * cites names a file of this repository (docs/…, README.md, …). A citation of a document that
 * lives elsewhere cannot be opened by a reader of the repository, so it fails here.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.wrangler', 'coverage']);
const SCANNED = /\.(md|ts|mts|mjs|js|cjs|json|jsonc|toml|ya?ml|sh)$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP_DIRS.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return SCANNED.test(entry.name) ? [path] : [];
  });
}

/**
 * A cited name resolves against the citing file's folder, the repository root, or docs/, to a
 * file inside the repository (the checkout may sit next to documents that are not part of it).
 */
function resolves(file: string, cited: string): boolean {
  const path = cited.split('#')[0] ?? cited;
  if (path === '') return true;
  return [dirname(file), ROOT, join(ROOT, 'docs')].some((base) => {
    const target = resolve(base, path);
    return target.startsWith(`${ROOT}/`) && existsSync(target);
  });
}

function markdownLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'));
}

function mdCitations(text: string): string[] {
  return [...text.matchAll(/(?<![\w/.@-])((?:\.{1,2}\/)*[\w./-]*\w\.md)(?![\w])/g)].map((m) => m[1] ?? '');
}

function brokenCitations(): string[] {
  const broken: string[] = [];
  for (const file of files(ROOT)) {
    if (file === import.meta.filename) continue;
    const text = readFileSync(file, 'utf8');
    const cited = [...(file.endsWith('.md') ? markdownLinks(text) : []), ...mdCitations(text)];
    for (const target of new Set(cited)) {
      if (!resolves(file, target)) broken.push(`${relative(ROOT, file)}: ${target}`);
    }
  }
  return broken;
}

describe('citations', () => {
  it('every Markdown link and every cited .md file exists in the repository', () => {
    expect(brokenCitations()).toEqual([]);
  });

  it('the check finds a citation of a document outside the repository', () => {
    const text = 'see security.md "Tokens" and [the brief](../outside/brief/overview.md)';
    const file = join(ROOT, 'src', 'example.ts');
    expect(mdCitations(text).filter((c) => !resolves(file, c))).toEqual([
      'security.md',
      '../outside/brief/overview.md',
    ]);
    expect(markdownLinks(text)).toEqual(['../outside/brief/overview.md']);
  });
});
