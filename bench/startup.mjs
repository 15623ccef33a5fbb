// Start-up probe for target P7: in a fresh process, times loading the Gatehouse CLI module, then
// one `gatehouse validate --config FILE` run in-process (read, parse, schema and semantic checks,
// compile: what `start` does before listening). Prints one JSON line.
//   node bench/startup.mjs CONFIG [GATEHOUSE_BIN]
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [config, bin = join(import.meta.dirname, '..', 'bin', 'gatehouse.js')] = process.argv.slice(2);
if (!config) {
  console.error('usage: node bench/startup.mjs CONFIG [GATEHOUSE_BIN]');
  process.exit(2);
}
const started = performance.now();
// bin/gatehouse.js is a launcher for ../dist/cli/main.js; import the CLI itself so nothing runs yet.
const dist = resolve(dirname(bin), '..', 'dist', 'cli');
const { runCli } = await import(pathToFileURL(join(dist, 'main.js')).href);
// The CLI loads each command's modules when it runs: load validate's here, so the figure below
// stays "validate + compile with the modules loaded".
await import(pathToFileURL(join(dist, 'validate.js')).href);
const imported = performance.now();
let output = '';
const code = await runCli(['validate', '--config', config], {
  stdout: (text) => (output += text),
  stderr: (text) => (output += text),
});
const validated = performance.now();
console.log(JSON.stringify({ code, importMs: imported - started, validateMs: validated - imported, output }));
process.exitCode = code;
