// Generates the Gatehouse configs of the benchmark into a directory (a temp dir per run).
//
// Every config has the same four routes under test, placed AFTER the filler routes (so a router
// that scanned routes in order would pay for every filler before reaching them):
//   GET /static        static response {"status":"ok"}
//   GET /api/{.+}      proxied to the upstream, no auth (the "proxied route")
//   GET /hs/{.+}       the same proxy, `auth: "hs256"`, mapping x-user-id ← $request.jwt.sub
//   GET /rs/{.+}       the same proxy, `auth: "rs256"` (inline JWKS), same mapping
// and `total - 4` filler routes `GET /r{i}/items/{id}`, alternately static and proxied, so the
// "10 routes" and "10,000 routes" configs differ only in the route count.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ISSUER = 'https://issuer.bench.gatehouse.test/';
export const AUDIENCE = 'gatehouse-bench';
export const SUBJECT = 'bench-user';
/** 48 bytes: above the 32-byte minimum the validator asks of an HMAC secret. */
export const HS_SECRET = 'gatehouse-bench-hs256-secret-0123456789-abcdefgh';
export const RS_KID = 'bench-rs256';

/** Routes of interest, in the order they follow the fillers. */
const FIXED_ROUTES = 4;

/**
 * @param {{ upstreamUrl: string, totalRoutes: number, rsPublicJwk: object }} options
 * @returns {object} an api-config.json document
 */
export function buildConfig({ upstreamUrl, totalRoutes, rsPublicJwk }) {
  if (totalRoutes < FIXED_ROUTES) throw new RangeError(`totalRoutes must be at least ${FIXED_ROUTES}`);
  const proxy = { type: 'http_proxy', server: 'upstream' };
  const mapping = { headers: { 'x-user-id': '$request.jwt.sub' } };
  const paths = [];
  for (let i = 1; i <= totalRoutes - FIXED_ROUTES; i++) {
    paths.push(
      i % 2 === 0
        ? { method: 'GET', path: `/r${i}/items/{id}`, integration: proxy }
        : { method: 'GET', path: `/r${i}/items/{id}`, response: { route: i } },
    );
  }
  paths.push(
    { method: 'GET', path: '/static', response: { status: 'ok' } },
    { method: 'GET', path: '/api/{.+}', integration: proxy },
    { method: 'GET', path: '/hs/{.+}', auth: 'hs256', integration: proxy, mapping },
    { method: 'GET', path: '/rs/{.+}', auth: 'rs256', integration: proxy, mapping },
  );
  return {
    title: `Gatehouse benchmark, ${totalRoutes} routes`,
    servers: [{ alias: 'upstream', url: upstreamUrl }],
    authorizers: {
      hs256: { type: 'jwt', secret: HS_SECRET, algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE },
      rs256: {
        type: 'jwt',
        algorithms: ['RS256'],
        jwks: { keys: [rsPublicJwk] },
        issuer: ISSUER,
        audience: AUDIENCE,
      },
    },
    paths,
  };
}

/**
 * Writes one config per route count into `dir`.
 * @param {string} dir
 * @param {{ upstreamUrl: string, rsPublicJwk: object, routeCounts: number[] }} options
 * @returns {Promise<Record<number, string>>} route count → config file path
 */
export async function writeConfigs(dir, { upstreamUrl, rsPublicJwk, routeCounts }) {
  await mkdir(dir, { recursive: true });
  const files = {};
  for (const totalRoutes of routeCounts) {
    const file = join(dir, `api-config-${totalRoutes}.json`);
    await writeFile(file, JSON.stringify(buildConfig({ upstreamUrl, totalRoutes, rsPublicJwk })));
    files[totalRoutes] = file;
  }
  return files;
}
