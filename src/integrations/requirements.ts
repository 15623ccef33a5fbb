import type { IntegrationConfig } from '../config/schema.js';

/**
 * Per-type rules for `integration` objects, in one table (architecture.md "Registries, not
 * switches"): which fields a type needs and which alias table its reference points into.
 */
export interface IntegrationRequirement {
  readonly required: readonly (keyof IntegrationConfig)[];
  readonly aliasField?: 'server' | 'binding';
  readonly aliasTable?: 'server' | 'service' | 'serviceBinding';
  readonly aliasTableName?: string;
}

export const INTEGRATION_REQUIREMENTS: Readonly<Record<string, IntegrationRequirement>> = {
  http_proxy: { required: ['server'], aliasField: 'server', aliasTable: 'server', aliasTableName: 'servers' },
  service: {
    required: ['binding'],
    aliasField: 'binding',
    aliasTable: 'service',
    aliasTableName: 'services',
  },
  service_binding: {
    required: ['binding', 'function'],
    aliasField: 'binding',
    aliasTable: 'serviceBinding',
    aliasTableName: 'serviceBindings',
  },
  auth0_callback: { required: [] },
  auth0_userinfo: { required: [] },
  auth0_callback_redirect: { required: [] },
  auth0_refresh: { required: [] },
  supabase_passwordless_auth: { required: [] },
  supabase_passwordless_verify: { required: [] },
  supabase_passwordless_auth_alt: { required: [] },
  oidc_login: { required: [] },
  oidc_callback: { required: [] },
  oidc_userinfo: { required: [] },
  oidc_refresh: { required: [] },
  oidc_logout: { required: [] },
};
