import { auth0Authorizer } from './authorizers/auth0.js';
import { jwtAuthorizer } from './authorizers/jwt.js';
import { oidcAuthorizer } from './authorizers/oidc.js';
import { supabaseAuthorizer } from './authorizers/supabase.js';
import type { AuthorizerKind, AuthorizerType } from './types.js';

/** `authorizer.type → kind`: a new type is a file in authorizers/ and one line here. */
export const AUTHORIZER_KINDS: Readonly<Record<AuthorizerType, AuthorizerKind>> = {
  jwt: jwtAuthorizer,
  auth0: auth0Authorizer,
  supabase: supabaseAuthorizer,
  oidc: oidcAuthorizer,
};

export const AUTHORIZER_TYPE_NAMES = Object.keys(AUTHORIZER_KINDS) as AuthorizerType[];

export function authorizerKind(type: string): AuthorizerKind | undefined {
  return Object.hasOwn(AUTHORIZER_KINDS, type) ? AUTHORIZER_KINDS[type as AuthorizerType] : undefined;
}
