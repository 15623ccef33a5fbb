/**
 * The Supabase flows read the project from the environment (names kept from the Serverless API
 * Gateway, docs/FLOWS.md "Supabase"): SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY. Read once per
 * config; a missing or unusable value makes the flows answer 500 SUPABASE_ENV_MISSING.
 */
export const SUPABASE_URL_VAR = 'SUPABASE_URL';
export const SUPABASE_KEY_VAR = 'SUPABASE_SERVICE_ROLE_KEY';

export type SupabaseEnvironment =
  | {
      readonly ok: true;
      /** `…/auth/v1/` of the project, with the trailing slash. */
      readonly authBase: string;
      readonly serviceRoleKey: string;
    }
  /** `problem` names the variable, never its value. */
  | { readonly ok: false; readonly problem: string };

export function readSupabaseEnvironment(env: Readonly<Record<string, unknown>>): SupabaseEnvironment {
  const rawUrl = env[SUPABASE_URL_VAR];
  const key = env[SUPABASE_KEY_VAR];
  const missing = [SUPABASE_URL_VAR, SUPABASE_KEY_VAR].filter((name) => {
    const value = env[name];
    return typeof value !== 'string' || value.trim() === '';
  });
  if (missing.length > 0) return { ok: false, problem: `${missing.join(' and ')} not set` };
  const serviceRoleKey = (key as string).trim();
  if (!/^[\x21-\x7e]+$/.test(serviceRoleKey)) {
    return { ok: false, problem: `${SUPABASE_KEY_VAR} contains characters that cannot be sent in a header` };
  }
  let url: URL;
  try {
    url = new URL((rawUrl as string).trim());
  } catch {
    return { ok: false, problem: `${SUPABASE_URL_VAR} is not an absolute URL` };
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    return { ok: false, problem: `${SUPABASE_URL_VAR} must be an http(s) URL without credentials` };
  }
  // A self-hosted project may live under a path prefix; keep it, drop query and fragment.
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return { ok: true, authBase: `${url.origin}${path}auth/v1/`, serviceRoleKey };
}
