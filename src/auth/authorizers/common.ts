import type { AuthorizerConfig } from '../../config/schema.js';
import type { JwsAlgorithm } from '../algorithms.js';
import type { AuthorizerSettings, KeySpec } from '../types.js';

/** Settings every type reads the same way: claim-check knobs with their defaults (docs/AUTH.md `jwt`). */
export function claimSettings(def: AuthorizerConfig, extraRequired: readonly string[] = []) {
  return {
    clockTolerance: def.clock_tolerance ?? 0,
    // RFC 8725 §3.10 and docs/COMPAT.md row 5: `exp` is required unless the config says otherwise.
    requiredClaims: [...new Set([...(def.required_claims ?? ['exp']), ...extraRequired])],
    ...(def.max_token_age === undefined ? {} : { maxTokenAge: def.max_token_age }),
    ...(def.audience === undefined ? {} : { audience: def.audience }),
  };
}

/** The configured algorithm list (lint has checked every name), or the type's default. */
export function algorithmsOf(
  def: AuthorizerConfig,
  defaults: readonly JwsAlgorithm[],
): readonly JwsAlgorithm[] {
  if (def.algorithms) return def.algorithms as JwsAlgorithm[];
  if (def.algorithm) return [def.algorithm as JwsAlgorithm];
  return defaults;
}

/**
 * The settings of an OpenID provider's authorizer (`oidc`, and the `auth0` preset of it): tokens
 * of `issuer`, keys from `jwks` / `jwks_uri` when configured, else the type's own source —
 * discovery for `oidc`, the tenant's fixed `/.well-known/jwks.json` for `auth0`.
 */
export function issuerSettings(
  def: AuthorizerConfig,
  issuer: string,
  defaultAlgorithms: readonly JwsAlgorithm[],
  keysOtherwise: KeySpec,
): AuthorizerSettings {
  return {
    algorithms: algorithmsOf(def, defaultAlgorithms),
    issuer,
    ...claimSettings(def),
    keys:
      def.jwks !== undefined
        ? { jwks: def.jwks }
        : def.jwks_uri !== undefined
          ? { jwksUri: def.jwks_uri }
          : keysOtherwise,
  };
}
