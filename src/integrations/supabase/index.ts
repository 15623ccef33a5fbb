import type { IntegrationFactory } from '../registry.js';
import {
  createSupabasePasswordlessAuth,
  createSupabasePasswordlessAuthAlt,
  createSupabasePasswordlessVerify,
} from './flows.js';

/** The Supabase passwordless flows for the integration registry (docs/FLOWS.md). */
export const SUPABASE_INTEGRATIONS: Readonly<Record<string, IntegrationFactory>> = {
  supabase_passwordless_auth: createSupabasePasswordlessAuth,
  supabase_passwordless_verify: createSupabasePasswordlessVerify,
  supabase_passwordless_auth_alt: createSupabasePasswordlessAuthAlt,
};

export { readSupabaseEnvironment, SUPABASE_KEY_VAR, SUPABASE_URL_VAR } from './environment.js';
