// Builds the web console (docs/CONSOLE.md) into dist/web-console: one bundled ES module (Preact,
// uPlot and the views, no CDN), one stylesheet, the page. Run by `npm run build`.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/web-console/`;

export async function buildConsole() {
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [`${root}console/src/main.tsx`],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: `${out}console.js`,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const css = await Promise.all([
    readFile(`${root}node_modules/uplot/dist/uPlot.min.css`, 'utf8'),
    readFile(`${root}console/src/styles.css`, 'utf8'),
  ]);
  await writeFile(`${out}console.css`, css.join('\n'));
  await copyFile(`${root}console/index.html`, `${out}index.html`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
