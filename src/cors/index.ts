export { checkCors, type CompiledCors } from './compile.js';
export { lintCors } from './lint.js';
export { compileOriginPolicy, parseAllowedOrigin, type AllowedOrigin, type InvalidOrigin } from './origin.js';
