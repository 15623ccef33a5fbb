import { describe, expect, it } from 'vitest';
import { locateJsonSyntaxError } from './json-syntax.js';
import { parseConfigText } from './load.js';
import { ConfigInvalidError, formatProblem } from './problems.js';

function parseMessage(text: string): string {
  try {
    parseConfigText(text);
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error.problems.map(formatProblem).join('\n');
  }
  throw new Error('parsed');
}

describe('JSON syntax errors', () => {
  it('name the line and column and show the offending line with a caret', () => {
    const text = '{\n  "paths": [\n    { "method": "GET" "path": "/a" }\n  ]\n}\n';
    expect(parseMessage(text)).toBe(
      [
        "/: not valid JSON at line 3, column 23: Expected ',' or '}' after property value",
        '  3 |     { "method": "GET" "path": "/a" }',
        '    |                       ^',
      ].join('\n'),
    );
  });

  it('locate a trailing comma, a missing value, an unterminated text and trailing garbage', () => {
    expect(locateJsonSyntaxError('{\n  "a": 1,\n}')).toMatchObject({ line: 3, column: 1 });
    expect(locateJsonSyntaxError('{"a":}')).toMatchObject({ line: 1, column: 6 });
    expect(locateJsonSyntaxError('{"a": [1, 2')).toMatchObject({ line: 1, column: 12 });
    expect(locateJsonSyntaxError('{} x')).toMatchObject({ line: 1, column: 4 });
    expect(locateJsonSyntaxError('{"a": "\\q"}')).toMatchObject({ line: 1, column: 9 });
    expect(locateJsonSyntaxError('{"a": tru}')).toMatchObject({ line: 1, column: 10 });
  });

  it('never repeats the whole text in the reason', () => {
    expect(parseMessage('{"a":}').split('\n')[0]).toBe(
      "/: not valid JSON at line 1, column 6: Unexpected token '}'",
    );
  });
});
