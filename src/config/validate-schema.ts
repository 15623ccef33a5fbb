import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { configError, configWarning, type ConfigProblem } from './problems.js';
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

export function validateAgainstSchema(config: unknown, schema: TSchema): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, config)) {
    // A bad union member reports once per branch; one line per place is enough.
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    if (error.type === ValueErrorType.ObjectAdditionalProperties)
      problems.push(unknownKey(error.path, config, schema));
    else problems.push(configError(error.path, describe(error)));
  }
  return problems;
}

/**
 * Where an unknown key is only a warning: the Serverless API Gateway's schema allows extra
 * properties (`description`, notes), and a stray key there changes nothing. Everywhere else
 * (authorizers, `cors`, `mapping`, `gateway`) a typo silently weakens security or behaviour,
 * so it stays an error (docs/CONFIG.md "Unknown keys").
 */
const LENIENT_OBJECTS = [
  /^$/,
  /^\/paths\/\d+$/,
  /^\/paths\/\d+\/integration$/,
  /^\/paths\/\d+\/integration\/post_process$/,
  /^\/paths\/\d+\/pre_process$/,
  /^\/(servers|services|serviceBindings)\/\d+$/,
];

/** A route key whose misspelling would leave the route less protected than written. */
const SECURITY_ROUTE_KEYS = new Set(['auth', 'scopes', 'strip_authorization']);

function unknownKey(pointer: string, config: unknown, root: TSchema): ConfigProblem {
  const slash = pointer.lastIndexOf('/');
  const parentPointer = pointer.slice(0, slash);
  const key = decodeToken(pointer.slice(slash + 1));
  const parent = schemaAt(parentPointer, config, root);
  const known = parent?.properties ? Object.keys(parent.properties as object) : [];
  const suggestion = closestMatch(key, known);
  const message = suggestion
    ? `${UNKNOWN_KEY}${key}" (did you mean "${suggestion}"?)`
    : `${UNKNOWN_KEY}${key}"`;
  const lenient = LENIENT_OBJECTS.some((pattern) => pattern.test(parentPointer));
  if (!lenient || (suggestion !== undefined && SECURITY_ROUTE_KEYS.has(suggestion)))
    return configError(pointer, message);
  return configWarning(pointer, `${message}; ignored`);
}

function describe(error: ValueError): string {
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.Union:
      return `must be ${describeUnion(error.schema)} (got ${JSON.stringify(error.value)})`;
    default:
      return `${lowerFirst(error.message)} (got ${JSON.stringify(error.value)})`;
  }
}

/** Walks the schema along a JSON pointer (objects, arrays, records, first object member of unions). */
function schemaAt(pointer: string, config: unknown, root: TSchema): TSchema | undefined {
  let schema: TSchema | undefined = root;
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
