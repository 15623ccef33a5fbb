import { afterAll, beforeAll, beforeEach, describe, it, type TestAPI } from 'vitest';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import type { GatewayTarget, TargetFactory } from '../helpers/targets.js';
import { conformanceConfig, conformanceEnv } from './config.js';
import { corsCases } from './cases/cors.js';
import { errorCases } from './cases/errors.js';
import { hostileCases } from './cases/hostile.js';
import { mappingCases } from './cases/mapping.js';
import { pathCases } from './cases/paths.js';
import { proxyCases } from './cases/proxy.js';
import { routingCases } from './cases/routing.js';
import { staticCases } from './cases/static.js';

/** What every case file gets: the running gateway and the upstream that records what it received. */
export interface SuiteContext {
  /** Known when cases are defined (the target itself only exists once beforeAll ran). */
  readonly runtime: GatewayTarget['runtime'];
  readonly target: GatewayTarget;
  readonly upstream: RecordingUpstream;
  /** fetch against the gateway; `path` is appended to the target URL as-is. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * The conformance suite: the same HTTP cases against any runtime target (Node, and the Worker in
 * workerd), with one real recording upstream on 127.0.0.1.
 */
export function conformanceSuite(runtime: GatewayTarget['runtime'], startTarget: TargetFactory): void {
  againstConformanceTarget(`conformance: ${runtime}`, runtime, startTarget, (ctx) => {
    describe('routing', () => routingCases(ctx));
    describe('paths', () => pathCases(ctx));
    describe('static responses', () => staticCases(ctx));
    describe('http_proxy', () => proxyCases(ctx));
    describe('CORS', () => corsCases(ctx));
    describe('mapping', () => mappingCases(ctx));
    describe('errors and decoration', () => errorCases(ctx));
    describe('hostile input', () => hostileCases(ctx));
  });
}

/**
 * `cases` against one runtime target serving the conformance config, with a recording upstream
 * reset before each case. The conformance suite and the runtime-neutral regression files
 * (test/regressions/path-traversal.test.ts, header-injection.test.ts) run through it.
 */
export function againstConformanceTarget(
  title: string,
  runtime: GatewayTarget['runtime'],
  startTarget: TargetFactory,
  cases: (ctx: SuiteContext) => void,
): void {
  describe(title, () => {
    let upstream: RecordingUpstream;
    let target: GatewayTarget;
    const ctx: SuiteContext = {
      runtime,
      get target() {
        return target;
      },
      get upstream() {
        return upstream;
      },
      request: (path, init) => requestOnce(`${target.url}${path}`, { redirect: 'manual', ...init }),
    };

    beforeAll(async () => {
      upstream = await startRecordingUpstream();
      target = await startTarget(conformanceConfig, conformanceEnv(upstream.url));
    });
    afterAll(async () => {
      await target?.close();
      await upstream?.close();
    });
    beforeEach(() => upstream.reset());

    cases(ctx);
  });
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * fetch, retried once when an idempotent request died on a reused keep-alive connection before
 * any answer (ECONNRESET / "other side closed"): the server may close an idle connection just as
 * the client picks it from its pool, and RFC 9112 §9.3.1 lets a client retry idempotent requests
 * then. Under load this race hit a random case now and then; the case itself never saw a reply.
 */
async function requestOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const method = (init.method ?? 'GET').toUpperCase();
    if (!IDEMPOTENT.has(method) || !isConnectionReset(error)) throw error;
    return fetch(url, init);
  }
}

function isConnectionReset(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    cause?.code === 'ECONNRESET' ||
    cause?.code === 'UND_ERR_SOCKET' ||
    /other side closed/.test(cause?.message ?? '')
  );
}

/**
 * `it`, except on one runtime where the behaviour truly cannot be the same: there the case is
 * skipped, and the reason is part of its name so every test report shows why.
 */
export function skipOn(ctx: SuiteContext, runtime: GatewayTarget['runtime'], reason: string): TestAPI {
  if (ctx.runtime !== runtime) return it;
  const skipped = ((name: string, fn?: () => unknown) =>
    it.skip(`${name} [skipped on ${runtime}: ${reason}]`, fn)) as unknown as TestAPI;
  return skipped;
}
