/**
 * Mapping templates (docs/BEHAVIOUR.md "7. Value mapping"), parsed once at compile time.
 *
 * Grammar
 * - Whole reference: a template that is `$`, an ASCII letter, then no whitespace and no further
 *   `$` is one reference, and its NAME is everything after the source prefix. This keeps the
 *   anchor's meaning of a reference-only template and is how names outside the composite
 *   alphabet are reached, e.g. namespaced claims: `$request.jwt.https://example.com/roles`.
 * - Composite: anything else is text with embedded references. `$` followed by an ASCII letter
 *   starts a reference, which runs over `[A-Za-z0-9_.-]` and ends at the first other character;
 *   trailing `.`s are text, so `"Hi $request.jwt.name."` ends a sentence. `$$` is a literal `$`;
 *   any other `$` (before a digit, a space, the end) is literal too.
 * - A reference is `request.header.NAME`, `request.query.NAME`, `request.jwt.CLAIM`,
 *   `request.path.NAME` or `config.KEY`, with a non-empty NAME. Anything else that looks like a
 *   reference (`$request.body.x`, `$requst.header.x`, `$HOME`) is a config error rather than
 *   text, so a typo can never quietly become a constant sent upstream.
 * - No reference at all: a constant. The empty constant `""` resolves to nothing, i.e. the
 *   mapping only removes the client's value.
 */

export type SourceKind = 'header' | 'query' | 'jwt' | 'path' | 'config' | 'ip' | 'consumer';

export interface Reference {
  readonly source: SourceKind;
  readonly name: string;
}

/** A parsed template: literal text and references, in order. */
export type TemplatePart = string | Reference;

export type ParsedTemplate =
  | { readonly ok: true; readonly parts: readonly TemplatePart[] }
  | { readonly ok: false; readonly error: string };

const WHOLE_REFERENCE = /^\$[A-Za-z][^\s$]*$/;
// Sticky: matched at the position right after a `$`.
const REFERENCE_RUN = /[A-Za-z][A-Za-z0-9_.-]*/y;
const REQUEST_SOURCES: ReadonlySet<string> = new Set<SourceKind>([
  'header',
  'query',
  'jwt',
  'path',
  'consumer',
]);

const GRAMMAR_HINT =
  'a reference is $request.header.NAME, $request.query.NAME, $request.jwt.CLAIM, $request.path.NAME, ' +
  '$request.ip, $request.consumer.name, $request.consumer.metadata.KEY or $config.KEY (write $$ for a literal $)';

/** Parses the text after `$`: a reference, or the reason it is not one. */
function parseReference(text: string): Reference | string {
  if (text.startsWith('config.')) {
    const name = text.slice('config.'.length);
    return name === '' ? `"$${text}" names no variable; ${GRAMMAR_HINT}` : { source: 'config', name };
  }
  // The client address (docs/TRAFFIC.md "Client address"): the one source without a name.
  if (text === 'request.ip') return { source: 'ip', name: '' };
  if (text.startsWith('request.')) {
    const rest = text.slice('request.'.length);
    const dot = rest.indexOf('.');
    const source = dot < 0 ? rest : rest.slice(0, dot);
    const name = dot < 0 ? '' : rest.slice(dot + 1);
    if (!REQUEST_SOURCES.has(source)) return `unknown source "$request.${source}"; ${GRAMMAR_HINT}`;
    if (name === '') return `"$${text}" names nothing; ${GRAMMAR_HINT}`;
    return { source: source as SourceKind, name };
  }
  const head = text.split('.', 1)[0] ?? text;
  return `unknown source "$${head}"; ${GRAMMAR_HINT}`;
}

export function parseTemplate(template: string): ParsedTemplate {
  if (WHOLE_REFERENCE.test(template)) {
    const reference = parseReference(template.slice(1));
    return typeof reference === 'string' ? { ok: false, error: reference } : { ok: true, parts: [reference] };
  }
  const parts: TemplatePart[] = [];
  let text = '';
  let index = 0;
  while (index < template.length) {
    const dollar = template.indexOf('$', index);
    if (dollar < 0) {
      text += template.slice(index);
      break;
    }
    text += template.slice(index, dollar);
    if (template[dollar + 1] === '$') {
      text += '$';
      index = dollar + 2;
      continue;
    }
    REFERENCE_RUN.lastIndex = dollar + 1;
    const run = REFERENCE_RUN.exec(template)?.[0];
    if (run === undefined) {
      text += '$';
      index = dollar + 1;
      continue;
    }
    let end = run.length;
    while (run[end - 1] === '.') end -= 1;
    const referenceText = run.slice(0, end);
    const reference = parseReference(referenceText);
    if (typeof reference === 'string') return { ok: false, error: reference };
    if (text !== '') parts.push(text);
    text = '';
    parts.push(reference);
    index = dollar + 1 + referenceText.length;
  }
  if (text !== '') parts.push(text);
  return { ok: true, parts };
}
