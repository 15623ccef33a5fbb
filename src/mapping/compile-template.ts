import type { Consumer } from '../consumers/types.js';
import { compileClaimReader, type Claims } from './claims.js';
import type { Reference, TemplatePart } from './template.js';
import { isHeaderName, toText } from './text.js';

/** What a request offers to mapping. */
export interface MappingSources {
  /** Incoming request headers. */
  readonly headers: Headers;
  /** Incoming query. */
  readonly query: URLSearchParams;
  /** Verified token claims, when the route is authorized. */
  readonly claims: Claims | undefined;
  /** Path parameters of the matched route. */
  readonly params: Readonly<Record<string, string>>;
  /** The client address (`$request.ip`, docs/TRAFFIC.md "Client address"). */
  readonly ip?: string;
  /** The consumer an `api_key` authorizer identified (`$request.consumer.*`). */
  readonly consumer?: Consumer | undefined;
}

/** A template's value for one request: text, or `undefined` for "nothing". */
export type Resolver = (sources: MappingSources) => string | undefined;

/**
 * A template after compilation. `$config.KEY` is constant per route, so it is folded in here; a
 * template left with no request reference is a constant, checked once instead of per request.
 */
export type CompiledTemplate =
  | { readonly constant: true; readonly value: string | undefined }
  | { readonly constant: false; readonly resolve: Resolver };

export interface TemplateScope {
  readonly routeVariables: Readonly<Record<string, unknown>> | undefined;
  readonly globalVariables: Readonly<Record<string, unknown>> | undefined;
  /** The route's `{name}` parameters; when given, `$request.path.NAME` must name one of them. */
  readonly pathParams?: readonly string[] | undefined;
}

type Getter = (sources: MappingSources) => unknown;
type Piece = string | Getter;

const NOTHING: CompiledTemplate = { constant: true, value: undefined };

/**
 * `$config.KEY`: the route's `variables[KEY]`, else the global one. A route key set to `null`
 * still shadows the global value (it maps to nothing), so a route can switch a global off.
 */
function lookupVariable(scope: TemplateScope, key: string): { found: boolean; value: unknown } {
  for (const variables of [scope.routeVariables, scope.globalVariables]) {
    if (variables !== undefined && Object.hasOwn(variables, key))
      return { found: true, value: variables[key] };
  }
  return { found: false, value: undefined };
}

function requestGetter(reference: Reference, scope: TemplateScope, problems: string[]): Getter {
  const { name } = reference;
  switch (reference.source) {
    case 'header': {
      // Headers.get throws on a name that is not a token; refuse it here instead.
      if (!isHeaderName(name))
        problems.push(`"$request.header.${name}": "${name}" is not a valid header name`);
      const lower = name.toLowerCase();
      return (sources) => sources.headers.get(lower);
    }
    case 'query':
      return (sources) => sources.query.get(name);
    case 'jwt': {
      const read = compileClaimReader(name);
      return (sources) => read(sources.claims);
    }
    case 'ip':
      return (sources) => sources.ip;
    case 'consumer':
      return consumerGetter(name, problems);
    default:
      // 'path' ('config' never gets here: it is folded by the caller).
      if (scope.pathParams !== undefined && !scope.pathParams.includes(name)) {
        problems.push(`"$request.path.${name}": the route's path has no {${name}} parameter`);
      }
      return (sources) => (Object.hasOwn(sources.params, name) ? sources.params[name] : undefined);
  }
}

/** `$request.consumer.name` and `$request.consumer.metadata.KEY`; nothing else is defined. */
function consumerGetter(name: string, problems: string[]): Getter {
  if (name === 'name') return (sources) => sources.consumer?.name;
  if (name.startsWith('metadata.') && name.length > 'metadata.'.length) {
    const key = name.slice('metadata.'.length);
    return (sources) => {
      const metadata = sources.consumer?.metadata;
      return metadata !== undefined && Object.hasOwn(metadata, key) ? metadata[key] : undefined;
    };
  }
  problems.push(`"$request.consumer.${name}": a consumer offers "name" and "metadata.KEY" (docs/TRAFFIC.md)`);
  return () => undefined;
}

function joinPieces(pieces: readonly Piece[]): Resolver {
  const [only] = pieces;
  if (pieces.length === 1 && typeof only === 'function') return (sources) => toText(only(sources));
  // Composite: any referenced value that is nothing makes the whole template nothing, so
  // `"Bearer $request.jwt.sub"` never sends a bare `Bearer `.
  return (sources) => {
    let text = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        text += piece;
        continue;
      }
      const value = toText(piece(sources));
      if (value === undefined) return undefined;
      text += value;
    }
    return text;
  };
}

/** Compiles parsed parts; `problems` receives config errors (messages without a pointer). */
export function compileTemplate(
  parts: readonly TemplatePart[],
  scope: TemplateScope,
  problems: string[],
): CompiledTemplate {
  const pieces: Piece[] = [];
  let text = '';
  let nothing = false;
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
    } else if (part.source === 'config') {
      const variable = lookupVariable(scope, part.name);
      if (!variable.found) {
        problems.push(
          `"$config.${part.name}": "${part.name}" is in neither the route's nor the global variables`,
        );
      }
      const value = toText(variable.value);
      if (value === undefined) nothing = true;
      else text += value;
    } else {
      if (text !== '') pieces.push(text);
      text = '';
      pieces.push(requestGetter(part, scope, problems));
    }
  }
  if (text !== '') pieces.push(text);

  if (nothing) return NOTHING;
  if (pieces.every((piece) => typeof piece === 'string')) {
    const value = pieces.join('');
    return { constant: true, value: value === '' ? undefined : value };
  }
  return { constant: false, resolve: joinPieces(pieces) };
}
