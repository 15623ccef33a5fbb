import { describe, expect, it } from 'vitest';
import { compileHeaderDrops } from './request-header-policy.js';

describe('compileHeaderDrops shares one set among routes with the same drops', () => {
  const exact = (...names: string[]): Set<string> => new Set(['connection', 'te', ...names]);

  it('returns the same drops for the same names and options', () => {
    const a = compileHeaderDrops(exact('x-user-id'), ['x-request-id'], {});
    const b = compileHeaderDrops(exact('x-user-id'), ['x-request-id'], {});
    expect(b).toBe(a);
  });

  it('keeps routes with other names or options apart, each with its own answers', () => {
    const mapped = compileHeaderDrops(exact('x-user-id'), ['x-request-id'], {});
    const other = compileHeaderDrops(exact('x-tenant'), ['x-request-id'], {});
    const underscores = compileHeaderDrops(exact('x-user-id'), ['x-request-id'], { allowUnderscores: true });
    const override = compileHeaderDrops(exact('x-user-id'), ['x-request-id'], { allowMethodOverride: true });
    expect(new Set([mapped, other, underscores, override]).size).toBe(4);
    expect(mapped.has('x-user-id')).toBe(true);
    expect(other.has('x-user-id')).toBe(false);
    expect(other.has('x-tenant')).toBe(true);
    // Underscored names: all dropped by default, only those folding onto a dropped one when allowed.
    expect(mapped.has('x_other')).toBe(true);
    expect(underscores.has('x_other')).toBe(false);
    expect(underscores.has('x_user_id')).toBe(true);
    expect(mapped.has('x-http-method-override')).toBe(true);
    expect(override.has('x-http-method-override')).toBe(false);
  });
});
