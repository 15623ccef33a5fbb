import type { RateLimitPolicyConfig } from '../config/schema.js';
import { parseTemplate, type SourceKind } from '../mapping/index.js';
import { compileTemplate, type CompiledTemplate, type MappingSources } from '../mapping/compile-template.js';
import { policyItem, sfString } from './headers.js';
import type { Rate } from './types.js';

/**
 * A `rate_limits` entry compiled once (docs/TRAFFIC.md "Policies"): its rate, its header items,
 * and its key templates (the mapping vocabulary, so `$request.jwt.sub`, `$request.ip` and
 * `$request.consumer.name` mean what they mean in `mapping`).
 */
export interface CompiledPolicy {
  readonly name: string;
  /** The name as an sf-string, for the RateLimit field. */
  readonly quotedName: string;
  readonly rate: Rate;
  readonly global: boolean;
  readonly beforeAuth: boolean;
  /** This policy's item of the RateLimit-Policy field. */
  readonly policyItem: string;
  /** The request sources the key reads (lint uses it to find keys that can never have a value). */
  readonly sources: ReadonlySet<SourceKind>;
  /**
   * The request's part of the bucket key. A key value that is missing (no `sub` claim, no such
   * header) is counted in the one "missing" bucket of that position: every request without the
   * value shares one budget, so leaving a header out is never a way around the limit.
   */
  keyOf(sources: MappingSources): string;
}

export interface PolicyProblems {
  /** Messages about the key templates, by the index of the key entry. */
  readonly keys: { readonly index: number; readonly message: string }[];
}

export function compilePolicy(
  name: string,
  def: RateLimitPolicyConfig,
  globalVariables: Readonly<Record<string, unknown>> | undefined,
  problems: PolicyProblems = { keys: [] },
): CompiledPolicy {
  const templates: CompiledTemplate[] = [];
  const sources = new Set<SourceKind>();
  (def.key ?? []).forEach((template, index) => {
    const parsed = parseTemplate(template);
    if (!parsed.ok) {
      problems.keys.push({ index, message: parsed.error });
      return;
    }
    for (const part of parsed.parts) if (typeof part !== 'string') sources.add(part.source);
    const messages: string[] = [];
    templates.push(compileTemplate(parsed.parts, { routeVariables: undefined, globalVariables }, messages));
    for (const message of messages) problems.keys.push({ index, message });
  });
  return {
    name,
    quotedName: sfString(name),
    rate: { limit: def.limit, windowMs: def.window_s * 1000 },
    global: def.scope === 'global',
    beforeAuth: def.before_auth ?? false,
    policyItem: policyItem(name, def.limit, def.window_s),
    sources,
    keyOf: keyBuilder(templates),
  };
}

const MISSING = '-';

function valueOf(template: CompiledTemplate, sources: MappingSources): string | undefined {
  return template.constant ? template.value : template.resolve(sources);
}

function keyBuilder(templates: readonly CompiledTemplate[]): (sources: MappingSources) => string {
  const [only] = templates;
  if (only === undefined) return () => '';
  if (templates.length === 1) {
    // `:` marks a present value, so no value can spell the missing bucket.
    return (sources) => {
      const value = valueOf(only, sources);
      return value === undefined ? MISSING : `:${value}`;
    };
  }
  // JSON keeps positions apart whatever the values contain; null marks a missing one.
  return (sources) => JSON.stringify(templates.map((template) => valueOf(template, sources) ?? null));
}
