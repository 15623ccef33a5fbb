import type { AuthorizerConfig, CheckedAuthorizerConfig } from '../config/schema.js';
import { configError, pointerToken, type Checked, type ConfigProblem } from '../config/problems.js';
import { closestMatch } from '../config/suggest.js';
import { isApiKeyAuthorizer, lintApiKeyAuthorizer } from './authorizers/api-key.js';
import { AUTHORIZER_TYPE_NAMES, authorizerKind } from './authorizer-types.js';
import { lintFields, type LintEnv } from './lint-rules.js';
import type { AuthorizerKind } from './types.js';

/**
 * Semantic rules for one authorizer definition (docs/CONFIG.md "Semantic rules"): a known type
 * (an unknown one would leave routes unprotected in the anchor, docs/COMPAT.md row 4), the fields of
 * that type only, its required fields, consistent algorithms and keys, and secret strength.
 */
export function lintAuthorizer(def: AuthorizerConfig, pointer: string, env: LintEnv): ConfigProblem[] {
  // API keys are not tokens: their rules live with them (docs/TRAFFIC.md).
  if (isApiKeyAuthorizer(def)) return lintApiKeyAuthorizer(def, pointer);
  const kind = authorizerKind(def.type);
  if (!kind) {
    const suggestion = closestMatch(def.type, AUTHORIZER_TYPE_NAMES);
    return [
      configError(
        `${pointer}/type`,
        `unknown authorizer type "${def.type}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (known: ${AUTHORIZER_TYPE_NAMES.join(', ')})`,
      ),
    ];
  }
  return [...lintFields(def, pointer, kind.type, kind.fields), ...kind.lint(def, pointer, env)];
}

/** A token authorizer the checks accepted: its kind, and its config narrowed to the kind's member. */
export interface AuthorizerPlan {
  readonly kind: AuthorizerKind;
  readonly config: CheckedAuthorizerConfig;
}

/**
 * Checks one definition and, when it has no error, narrows it to its kind's member: the one pass
 * from a raw definition to what create-authorizers.ts builds with the platform. The value is
 * `null` for an `api_key` authorizer (it verifies no token; traffic/compile.ts builds its step).
 */
export function checkAuthorizer(
  def: AuthorizerConfig,
  pointer: string,
  env: LintEnv,
): Checked<AuthorizerPlan | null> {
  const problems = lintAuthorizer(def, pointer, env);
  if (problems.some((p) => p.severity === 'error')) return { value: undefined, problems };
  if (isApiKeyAuthorizer(def)) return { value: null, problems };
  const kind = authorizerKind(def.type);
  // The narrowing point: the lint rules above report each field the kind requires.
  if (!kind?.accepts(def))
    return {
      value: undefined,
      problems: [...problems, configError(pointer, `incomplete "${def.type}" authorizer`)],
    };
  return { value: { kind, config: def }, problems };
}

/**
 * Every authorizer of a config, checked, plus the one rule about names: `default` is what
 * `auth: true` means, so a named authorizer may not take that name while a top-level
 * `authorizer` exists. `plans` holds each token authorizer that has no error, by name;
 * `include` skips definitions the schema refused (their schema error says what is wrong).
 */
export function checkAuthorizers(
  config: {
    readonly authorizer?: AuthorizerConfig;
    readonly authorizers?: Readonly<Record<string, AuthorizerConfig>>;
  },
  env: LintEnv,
  include: (pointer: string) => boolean = () => true,
): { readonly plans: Map<string, AuthorizerPlan>; readonly problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const plans = new Map<string, AuthorizerPlan>();
  const check = (name: string, def: AuthorizerConfig, pointer: string): void => {
    if (!include(pointer)) return;
    const result = checkAuthorizer(def, pointer, {
      ...env,
      verifiesTokens: env.verifyingAuthorizers?.has(name) ?? true,
    });
    problems.push(...result.problems);
    if (result.value) plans.set(name, result.value);
  };
  if (config.authorizer) check('default', config.authorizer, '/authorizer');
  const named = isRecord(config.authorizers) ? config.authorizers : {};
  for (const [name, def] of Object.entries(named) as Array<[string, AuthorizerConfig]>) {
    const pointer = `/authorizers/${pointerToken(name)}`;
    if (name === 'default' && config.authorizer) {
      problems.push(configError(pointer, '"default" names the top-level "authorizer"; choose another name'));
    }
    check(name, def, pointer);
  }
  return { plans, problems };
}

/** The problems of checkAuthorizers. */
export function lintAuthorizers(
  config: Parameters<typeof checkAuthorizers>[0],
  env: LintEnv,
): ConfigProblem[] {
  return checkAuthorizers(config, env).problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
