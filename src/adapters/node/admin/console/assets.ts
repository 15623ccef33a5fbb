import { readFile } from 'node:fs/promises';

/**
 * The console's built files (`npm run build` writes them to dist/web-console, which the npm package
 * ships). They are read once when the admin listener starts; this file sits at the same depth
 * under src/ and dist/, so the same relative URL finds them from the sources and from the build.
 */
const ASSET_DIR = new URL('../../../../../dist/web-console/', import.meta.url);

export interface ConsoleAsset {
  readonly body: string;
  readonly contentType: string;
}

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

export async function loadConsoleAssets(): Promise<ReadonlyMap<string, ConsoleAsset>> {
  const assets = new Map<string, ConsoleAsset>();
  for (const [name, contentType] of Object.entries(FILES)) {
    try {
      assets.set(name, { body: await readFile(new URL(name, ASSET_DIR), 'utf8'), contentType });
    } catch {
      // Not built: the index answers with how to build it (see register.ts).
    }
  }
  return assets;
}
