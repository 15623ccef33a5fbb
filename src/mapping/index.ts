export { checkMapping, type CompiledMapping } from './compile.js';
export type { MappingSources } from './compile-template.js';
export { compileClaimReader, readClaim, type Claims } from './claims.js';
export {
  parseTemplate,
  type ParsedTemplate,
  type Reference,
  type SourceKind,
  type TemplatePart,
} from './template.js';
export { headerValueRefusal, isHeaderName, queryValueRefusal, toText } from './text.js';
