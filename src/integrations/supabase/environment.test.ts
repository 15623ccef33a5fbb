import { describe, expect, it } from 'vitest';
import { readSupabaseEnvironment } from './environment.js';

describe('readSupabaseEnvironment', () => {
  it('builds the /auth/v1/ base from the project URL', () => {
    expect(
      readSupabaseEnvironment({
        SUPABASE_URL: 'https://abc.supabase.co',
        SUPABASE_SERVICE_ROLE_KEY: ' key ',
      }),
    ).toEqual({ ok: true, authBase: 'https://abc.supabase.co/auth/v1/', serviceRoleKey: 'key' });
    expect(
      readSupabaseEnvironment({
        SUPABASE_URL: 'http://127.0.0.1:54321/sb/?x=1',
        SUPABASE_SERVICE_ROLE_KEY: 'k',
      }),
    ).toMatchObject({ authBase: 'http://127.0.0.1:54321/sb/auth/v1/' });
  });

  it('names what is missing or unusable, never a value', () => {
    expect(readSupabaseEnvironment({})).toEqual({
      ok: false,
      problem: 'SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY not set',
    });
    expect(readSupabaseEnvironment({ SUPABASE_URL: ' ', SUPABASE_SERVICE_ROLE_KEY: 'k' })).toMatchObject({
      problem: 'SUPABASE_URL not set',
    });
    for (const url of ['abc.supabase.co', 'ftp://abc.supabase.co', 'https://user:pw@abc.supabase.co']) {
      const result = readSupabaseEnvironment({ SUPABASE_URL: url, SUPABASE_SERVICE_ROLE_KEY: 'k' });
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain('pw');
    }
    const crlf = readSupabaseEnvironment({
      SUPABASE_URL: 'https://a.co',
      SUPABASE_SERVICE_ROLE_KEY: 'k\r\nx: y',
    });
    expect(crlf).toEqual({
      ok: false,
      problem: 'SUPABASE_SERVICE_ROLE_KEY contains characters that cannot be sent in a header',
    });
  });
});
