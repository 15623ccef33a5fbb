import {
  auth0CallbackIntegration,
  auth0RedirectIntegration,
  auth0RefreshIntegration,
  auth0UserinfoIntegration,
} from './auth0/integrations.js';
import type { TProperties } from '@sinclair/typebox';
import type { IntegrationDefinition } from './definition.js';
import { httpProxyIntegration } from './http-proxy.js';
import { oidcCallbackIntegration } from './oidc/callback.js';
import { oidcLoginIntegration } from './oidc/login.js';
import { oidcLogoutIntegration } from './oidc/logout.js';
import { oidcRefreshIntegration, oidcUserinfoIntegration } from './oidc/tokens.js';
import { serviceBindingIntegration } from './service-binding.js';
import { serviceIntegration } from './service.js';
import {
  supabasePasswordlessAuthAltIntegration,
  supabasePasswordlessAuthIntegration,
  supabasePasswordlessVerifyIntegration,
} from './supabase/flows.js';

export type { IntegrationDeps, IntegrationDefinition, IntegrationFactory } from './definition.js';

/**
 * `integration.type → definition` (docs/ARCHITECTURE.md "Registries, not switches"): one line
 * per type. Legacy type names were already rewritten by config/normalize.ts.
 */
const INTEGRATIONS: Readonly<Record<string, IntegrationDefinition>> = {
  http_proxy: httpProxyIntegration,
  service: serviceIntegration,
  service_binding: serviceBindingIntegration,
  auth0_callback_redirect: auth0RedirectIntegration,
  auth0_callback: auth0CallbackIntegration,
  auth0_userinfo: auth0UserinfoIntegration,
  auth0_refresh: auth0RefreshIntegration,
  supabase_passwordless_auth: supabasePasswordlessAuthIntegration,
  supabase_passwordless_verify: supabasePasswordlessVerifyIntegration,
  supabase_passwordless_auth_alt: supabasePasswordlessAuthAltIntegration,
  oidc_login: oidcLoginIntegration,
  oidc_callback: oidcCallbackIntegration,
  oidc_userinfo: oidcUserinfoIntegration,
  oidc_refresh: oidcRefreshIntegration,
  oidc_logout: oidcLogoutIntegration,
};

export function integrationDefinition(type: string | undefined): IntegrationDefinition | undefined {
  return type !== undefined && Object.hasOwn(INTEGRATIONS, type) ? INTEGRATIONS[type] : undefined;
}

/**
 * Every type's schema part merged into the fields of one `integration` object
 * (src/assembly/config-schema.ts). Two types may share a field only with the same schema (both
 * `service` and `service_binding` name their alias `binding`); anything else is a mistake in a
 * definition, refused when the schema is assembled (when src/assembly/config-schema.ts loads).
 */
export function integrationFields(
  definitions: Readonly<Record<string, Pick<IntegrationDefinition, 'fields'>>> = INTEGRATIONS,
): TProperties {
  const fields: TProperties = {};
  for (const [type, definition] of Object.entries(definitions)) {
    for (const [name, schema] of Object.entries(definition.fields)) {
      const known = fields[name];
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema))
        throw new Error(`integration type "${type}" redefines the field "${name}" with another schema`);
      fields[name] = schema;
    }
  }
  return fields;
}
