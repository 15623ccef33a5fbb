import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, publicCode, type ErrorCode } from '../../src/errors/codes.js';

/**
 * docs/ERRORS.md lists every code: each row of the one catalogue (src/errors/codes.ts) — the key
 * the access log carries, and the public `code` of the body — is named there.
 */
const doc = readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');

describe('docs/ERRORS.md', () => {
  it('names every catalogue row and its public code', () => {
    const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
    const missing = codes.flatMap((code) =>
      // As `CODE`, or inside a body written out: "code":"CODE".
      [code, publicCode(code)].filter((name) => !doc.includes(`\`${name}\``) && !doc.includes(`"${name}"`)),
    );
    expect([...new Set(missing)]).toEqual([]);
  });
});
