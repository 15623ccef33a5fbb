// What run.mjs and profile.mjs share: the upstream, the generated configs, keys and tokens, the
// variants, and the correctness check every variant passes before it is timed.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AUDIENCE, ISSUER, RS_KID, SUBJECT, writeConfigs } from './configs.mjs';
import { httpGet, startNodeProcess } from './lib.mjs';
import { writeTrafficConfigs } from './traffic.mjs';
import { createVariants } from './variants.mjs';
import { prepareWorkers } from './workers/prepare.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_BIN = join(ROOT, 'bin', 'gatehouse.js');
export const SMALL_ROUTES = 10;

/** Processes started by the bench and still running; stopped on Ctrl-C. */
const running = new Set();

/** Registers a started process so Ctrl-C stops it; its `stop()` unregisters it. */
export async function track(handlePromise) {
  const handle = await handlePromise;
  running.add(handle);
  return {
    ...handle,
    stop: async () => {
      running.delete(handle);
      await handle.stop();
    },
  };
}

/** Temp dirs of benches not closed yet. */
const tempDirs = new Set();

// Last resort when the bench dies on an unexpected error: no server left running, no temp dir left.
process.on('exit', () => {
  for (const handle of running) {
    try {
      process.kill(handle.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

process.on('SIGINT', () => {
  console.error('\ninterrupted: stopping servers');
  Promise.allSettled([...running].map((h) => h.stop())).then(() => process.exit(130));
});

/**
 * Snapshots the build (when it is this checkout's), starts the upstream, writes the configs
 * (SMALL_ROUTES and `largeRoutes` routes) into a temp dir, makes fresh keys and tokens, and
 * builds the variants. With `workers`, also builds the Worker bundle and adds the Workers variants
 * (Gatehouse and the minimal floor Workers in raw workerd; bench/workers/).
 * @param {{ gatehouseBin: string, largeRoutes: number, nodeArgs?: string[], workers?: boolean,
 *           workerdArgs?: string[] }} options
 */
export async function prepareBench({
  gatehouseBin: requestedBin,
  largeRoutes,
  nodeArgs,
  workers: withWorkers,
  workerdArgs,
}) {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  tempDirs.add(dir);
  let upstream;
  try {
    // Other people rebuild dist/ while the bench runs: measure one build from start to end.
    const gatehouseBin =
      requestedBin === DEFAULT_BIN ? await snapshotBuild(join(dir, 'build')) : requestedBin;
    upstream = await track(startNodeProcess(fileURLToPath(new URL('./upstream.mjs', import.meta.url))));
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const rsPublicJwk = { ...(await exportJWK(publicKey)), kid: RS_KID, alg: 'RS256', use: 'sig' };
    const configs = await writeConfigs(dir, {
      upstreamUrl: upstream.url,
      rsPublicJwk,
      routeCounts: [SMALL_ROUTES, largeRoutes],
    });
    const traffic = await writeTrafficConfigs(dir, upstream.url);
    // One token per algorithm, reused across requests as real clients do.
    const tokens = {
      hs256: mintWithCli(gatehouseBin, configs[SMALL_ROUTES]),
      rs256: await new SignJWT({ sub: SUBJECT })
        .setProtectedHeader({ alg: 'RS256', kid: RS_KID, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(privateKey),
    };
    const workers = withWorkers ? await prepareWorkers(dir, { workerdArgs }) : undefined;
    const variants = createVariants({
      upstream,
      gatehouseBin,
      configs,
      smallRoutes: SMALL_ROUTES,
      largeRoutes,
      tokens,
      nodeArgs,
      workers,
      traffic,
    });
    return {
      dir,
      gatehouseBin,
      upstream,
      configs,
      tokens,
      variants,
      workers,
      close: async () => {
        await upstream.stop();
        await rm(dir, { recursive: true, force: true });
        tempDirs.delete(dir);
      },
    };
  } catch (error) {
    await upstream?.stop();
    await rm(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
    throw error;
  }
}

/**
 * Copies bin/, dist/ and package.json into `target` (node_modules linked, not copied) and returns
 * the copy's bin/gatehouse.js.
 */
async function snapshotBuild(target) {
  await mkdir(target, { recursive: true });
  for (const entry of ['bin', 'dist', 'package.json']) {
    await cp(join(ROOT, entry), join(target, entry), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
  return join(target, 'bin', 'gatehouse.js');
}

/** `gatehouse token mint`: the HS256 token, minted by the CLI a user would use. */
function mintWithCli(gatehouseBin, config) {
  const out = spawnSync(
    process.execPath,
    [gatehouseBin, 'token', 'mint', '--config', config, '--sub', SUBJECT, '--authorizer', 'hs256'],
    { encoding: 'utf8' },
  );
  if (out.status !== 0 || out.stderr.includes('warning')) {
    throw new Error(`gatehouse token mint failed (${out.status}): ${out.stderr}`);
  }
  return out.stdout.trim();
}

/** Throws unless the variant answers `GET path` correctly and refuses what it must refuse. */
export async function checkVariant(variant, baseUrl) {
  const url = baseUrl + variant.path;
  variant.check(await httpGet(url, variant.headers));
  for (const refusal of variant.refusals ?? []) {
    const refused = await httpGet(url, refusal.headers);
    if (refused.status !== refusal.status) {
      throw new Error(`${refusal.why}: expected ${refusal.status}, got ${refused.status}: ${refused.body}`);
    }
  }
}

export function selectVariants(variants, names) {
  if (!names) return variants.filter((v) => !v.onlyWhenNamed);
  const unknown = names.filter((name) => !variants.some((v) => v.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown variant(s) ${unknown.join(', ')}; known: ${variants.map((v) => v.name).join(', ')}`,
    );
  }
  return variants.filter((v) => names.includes(v.name));
}
