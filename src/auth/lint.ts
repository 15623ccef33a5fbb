import type { AuthorizerConfig } from '../config/schema.js';
import { configError, pointerToken, type ConfigProblem } from '../config/problems.js';
import { closestMatch } from '../config/suggest.js';
import { isApiKeyAuthorizer, lintApiKeyAuthorizer } from './authorizers/api-key.js';
import { AUTHORIZER_TYPE_NAMES, authorizerKind } from './authorizer-types.js';
import { lintFields, type LintEnv } from './lint-rules.js';

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

/**
 * Every authorizer of a config, plus the one rule about names: `default` is what `auth: true`
 * means, so a named authorizer may not take that name while a top-level `authorizer` exists.
 */
export function lintAuthorizers(
  config: {
    readonly authorizer?: AuthorizerConfig;
    readonly authorizers?: Readonly<Record<string, AuthorizerConfig>>;
  },
  env: LintEnv,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const envOf = (name: string): LintEnv => ({
    ...env,
    verifiesTokens: env.verifyingAuthorizers?.has(name) ?? true,
  });
  if (config.authorizer) problems.push(...lintAuthorizer(config.authorizer, '/authorizer', envOf('default')));
  for (const [name, def] of Object.entries(config.authorizers ?? {})) {
    const pointer = `/authorizers/${pointerToken(name)}`;
    if (name === 'default' && config.authorizer) {
      problems.push(configError(pointer, '"default" names the top-level "authorizer"; choose another name'));
    }
    problems.push(...lintAuthorizer(def, pointer, envOf(name)));
  }
  return problems;
}
