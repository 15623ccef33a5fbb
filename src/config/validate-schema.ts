import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { configError, type ConfigProblem } from './problems.js';
import { ConfigSchema } from './schema.js';
import { closestMatch } from './suggest.js';

/**
 * Schema validation with TypeBox's `Value` interpreter (no code generation, so it runs on
 * Workers — docs/COMPAT.md row 2). Errors are rewritten into one line each with a JSON pointer;
 * unknown keys get a "did you mean" (docs/CONFIG.md: a silently ignored typo in a security setting
 * is worse than a refusal).
 */
/**
 * A problem that only names a key the schema does not know. The object around it still has the
 * schema's shape for every key it does know, so the semantic checks may read it.
 */
export function isUnknownKeyProblem(problem: ConfigProblem): boolean {
  return problem.message.startsWith(UNKNOWN_KEY);
}

const UNKNOWN_KEY = 'unknown key "';

export function validateAgainstSchema(config: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(ConfigSchema, config)) {
    // A bad union member reports once per branch; one line per place is enough.
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    problems.push(configError(error.path, describe(error, config)));
  }
  return problems;
}

function describe(error: ValueError, config: unknown): string {
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return unknownKeyMessage(error.path, config);
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.Union:
      return `must be ${describeUnion(error.schema)} (got ${JSON.stringify(error.value)})`;
    default:
      return `${lowerFirst(error.message)} (got ${JSON.stringify(error.value)})`;
  }
}

function unknownKeyMessage(pointer: string, config: unknown): string {
  const slash = pointer.lastIndexOf('/');
  const key = decodeToken(pointer.slice(slash + 1));
  const parent = schemaAt(pointer.slice(0, slash), config);
  const known = parent?.properties ? Object.keys(parent.properties as object) : [];
  const suggestion = closestMatch(key, known);
  return suggestion ? `${UNKNOWN_KEY}${key}" (did you mean "${suggestion}"?)` : `${UNKNOWN_KEY}${key}"`;
}

/** Walks the schema along a JSON pointer (objects, arrays, records, first object member of unions). */
function schemaAt(pointer: string, config: unknown): TSchema | undefined {
  let schema: TSchema | undefined = ConfigSchema;
  let value: unknown = config;
  for (const raw of pointer.split('/').slice(1)) {
    const token = decodeToken(raw);
    schema = objectBranch(schema);
    if (!schema) return undefined;
    if (schema.type === 'array') schema = schema.items as TSchema;
    else if (schema.properties && token in (schema.properties as object))
      schema = (schema.properties as Record<string, TSchema>)[token];
    else if (schema.patternProperties)
      schema = Object.values(schema.patternProperties as Record<string, TSchema>)[0];
    else return undefined;
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[token] : undefined;
  }
  return objectBranch(schema);
}

function objectBranch(schema: TSchema | undefined): TSchema | undefined {
  if (!schema?.anyOf) return schema;
  return (schema.anyOf as TSchema[]).find((s) => s.type === 'object' || s.type === 'array');
}

function describeUnion(schema: TSchema): string {
  const members = (schema.anyOf ?? []) as TSchema[];
  if (members.length > 0 && members.every((m) => m.const !== undefined)) {
    return `one of ${members.map((m) => String(m.const)).join(', ')}`;
  }
  return members
    .map((m) => (m.type === 'array' ? `an array of ${String(m.items?.type)}` : `a ${String(m.type)}`))
    .join(' or ');
}

function decodeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
