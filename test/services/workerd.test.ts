import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorker, writeServiceMap } from '../../scripts/build-worker.mjs';
import {
  COMPATIBILITY_DATE,
  COMPATIBILITY_FLAGS,
  WORKER_BUNDLE,
  startWorkerdTarget,
} from '../helpers/workerd-target.js';
import { SERVICE_FIXTURES, servicesConfig, servicesSuite } from './suite.js';

/**
 * The services suite in real workerd: `services[].entrypoint` bundled into the gateway Worker at
 * build time, each binding a Worker of its own called over Workers RPC
 * (test/helpers/workerd-target.ts). Then what only a Worker build has: the documented example
 * (docs/WORKERS.md) with a named WorkerEntrypoint, entrypoints missing from the build, bindings
 * not declared, functions an RPC stub cannot vouch for, and the build script itself.
 */
servicesSuite('workerd', startWorkerdTarget);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE_CONFIG = resolve(ROOT, 'examples/services/api-config.json');
const CONFIG_INVALID = { error: 'Gateway configuration is invalid', code: 'ERR_CONFIG_INVALID' };

/** A Miniflare Fetcher for one Worker (its types need @cloudflare/workers-types, not installed). */
interface WorkerFetcher {
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

describe('services and service bindings: Workers only', () => {
  let miniflare: Miniflare;
  const logs: string[] = [];
  const gateways: Record<string, WorkerFetcher> = {};
  const call = (gateway: string, path: string, init?: RequestInit): Promise<Response> =>
    (gateways[gateway] as WorkerFetcher).fetch(`http://gateway.test${path}`, init);
  /** The problems of the first `config invalid` line that `match` accepts (logs arrive late). */
  const loggedProblems = async (match: (problems: string[]) => boolean): Promise<string[]> => {
    const deadline = Date.now() + 2_000;
    for (;;) {
      for (const line of logs) {
        if (!line.includes('"msg":"config invalid"')) continue;
        const problems = (JSON.parse(line) as { problems: string[] }).problems;
        if (match(problems)) return problems;
      }
      if (Date.now() > deadline) return [];
      await new Promise((done) => setTimeout(done, 20));
    }
  };
  const logged = async (needle: string): Promise<boolean> => {
    const deadline = Date.now() + 2_000;
    while (!logs.some((line) => line.includes(needle)) && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 20));
    }
    return logs.some((line) => line.includes(needle));
  };

  beforeAll(async () => {
    // examples/services as deployed: its config bundled, its service module found through it.
    const example = await buildWorker({
      config: EXAMPLE_CONFIG,
      write: false,
      outfile: join(tmpdir(), 'gatehouse-example.js'),
    });
    const common = {
      modules: true,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: COMPATIBILITY_FLAGS,
    };
    const plainBundle = { scriptPath: WORKER_BUNDLE, modulesRoot: dirname(WORKER_BUNDLE) };
    const withVar = (config: object) => ({
      SAG_API_CONFIG_JSON: JSON.stringify(config),
      GATEHOUSE_LOG_LEVEL: 'warn',
    });
    // wrangler.toml `[[services]] binding = "HOOKS" service = "gatehouse-hooks" entrypoint = "Hooks"`.
    const hooksBinding = { HOOKS: { name: 'gatehouse-hooks', entrypoint: 'Hooks' } };
    const hookRoutes = {
      serviceBindings: [{ alias: 'hooks', binding: 'HOOKS' }],
      paths: [
        {
          method: 'GET',
          path: '/fn',
          integration: { type: 'service_binding', binding: 'hooks', function: 'nope' },
        },
        { method: 'GET', path: '/hook', pre_process: { binding: 'hooks', function: 'nope' }, response: {} },
      ],
    };
    const plainService = {
      services: [{ alias: 'plain', entrypoint: './object-service.mjs' }],
      paths: [{ method: 'GET', path: '/plain', integration: { type: 'service', binding: 'plain' } }],
    };
    miniflare = new Miniflare({
      workers: [
        {
          name: 'example',
          ...common,
          script: example.code as string,
          bindings: { GATEHOUSE_LOG_LEVEL: 'warn' },
          serviceBindings: hooksBinding,
        },
        {
          name: 'gatehouse-hooks',
          ...common,
          scriptPath: join(ROOT, 'examples/services/hooks-worker/index.mjs'),
          modulesRoot: join(ROOT, 'examples/services/hooks-worker'),
        },
        // The default bundle has no service modules: a var config cannot add one.
        { name: 'unbundled', ...common, ...plainBundle, bindings: withVar(plainService) },
        { name: 'unbound', ...common, ...plainBundle, bindings: withVar(hookRoutes) },
        {
          name: 'no-such-method',
          ...common,
          ...plainBundle,
          bindings: withVar(hookRoutes),
          serviceBindings: hooksBinding,
        },
      ],
      cf: false,
      log: new Log(LogLevel.WARN),
      handleRuntimeStdio(stdout: Readable, stderr: Readable) {
        for (const stream of [stdout, stderr]) {
          let pending = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => {
            const lines = (pending + chunk).split('\n');
            pending = lines.pop() ?? '';
            logs.push(...lines.filter(Boolean));
          });
        }
      },
    });
    await miniflare.ready;
    for (const name of ['example', 'unbundled', 'unbound', 'no-such-method']) {
      gateways[name] = (await miniflare.getWorker(name)) as unknown as WorkerFetcher;
    }
  });
  afterAll(() => miniflare?.dispose());

  describe('the documented example (examples/services, HOOKS a named WorkerEntrypoint)', () => {
    it('serves the bundled service module', { timeout: 5_000 }, async () => {
      const response = await call('example', '/hello/ada', { headers: { 'x-request-id': 'ex-1' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: 'success',
        message: 'Hello, ada!',
        data: { name: 'ada', served: expect.any(Number), requestId: 'ex-1' },
      });
    });

    it(
      'runs the pre_process hook over RPC: a Response answers, true continues',
      { timeout: 5_000 },
      async () => {
        const refused = await call('example', '/members/ada');
        expect(refused.status).toBe(403);
        expect(refused.headers.get('x-request-id')).toBeTruthy();
        expect(await refused.json()).toEqual({ error: 'Members only', code: 'MEMBERS_ONLY' });
        const member = await call('example', '/members/ada', { headers: { 'x-member': 'yes' } });
        expect(await member.json()).toMatchObject({ message: 'Hello, ada!' });
        const club = await call('example', '/club/status', { headers: { 'x-member': 'yes' } });
        expect(await club.json()).toEqual({ status: 'ok' });
      },
    );

    it('wraps what the service_binding method returns', { timeout: 5_000 }, async () => {
      const response = await call('example', '/time');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: 'success',
        message: 'The time',
        // The config references no `$env` variable: envJson is empty, never the Worker's env.
        data: { now: expect.any(String), route: '/time', env: {} },
      });
    });
  });

  it('refuses a var config whose service entrypoint is not in the build', { timeout: 5_000 }, async () => {
    const response = await call('unbundled', '/plain');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual(CONFIG_INVALID);
    expect(await loggedProblems((problems) => problems.some((p) => p.includes('not in this build')))).toEqual(
      ['/services/0/entrypoint: module "./object-service.mjs" was not loaded (Workers: not in this build)'],
    );
  });

  it('refuses a config whose service binding is not declared, naming it', { timeout: 5_000 }, async () => {
    const response = await call('unbound', '/hook');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual(CONFIG_INVALID);
    expect(
      await loggedProblems((problems) => problems.some((p) => p.includes('"HOOKS" is not provided'))),
    ).toEqual([
      '/serviceBindings/0/binding: binding "HOOKS" is not provided (Node: start with --binding HOOKS=PATH; Workers: declare the service binding in the wrangler config)',
    ]);
  });

  it(
    'cannot check a function name at compile time (an RPC stub has every one): a call fails at request time',
    { timeout: 5_000 },
    async () => {
      const integration = await call('no-such-method', '/fn');
      expect(integration.status).toBe(500);
      expect(await integration.json()).toMatchObject({ code: 'ERR_INTERNAL' });
      const hook = await call('no-such-method', '/hook');
      expect(hook.status).toBe(500);
      expect(await hook.json()).toEqual({ error: 'Hook failed', code: 'ERR_HOOK_FAILED' });
      expect(await logged('The RPC receiver does not implement the method \\"nope\\"')).toBe(true);
    },
  );
});

describe('scripts/build-worker.mjs and service modules', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-build-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const outfile = (): string => join(dir, 'index.js');

  it(
    'bundles the entrypoints of the configs, and nothing without services',
    { timeout: 20_000 },
    async () => {
      const [without, withServices] = await Promise.all([
        buildWorker({ config: 'none', write: false, outfile: outfile() }),
        buildWorker({
          config: 'none',
          servicesFrom: [{ config: servicesConfig, baseDir: SERVICE_FIXTURES }],
          write: false,
          outfile: outfile(),
        }),
      ]);
      expect(without.services).toEqual([]);
      expect(without.code).not.toContain('made by the service');
      expect(withServices.services).toEqual(['./result-service.mjs', './object-service.mjs']);
      expect(withServices.code).toContain('made by the service');
      // Only the modules themselves are added (a few KB for the fixtures).
      expect(withServices.bytes - without.bytes).toBeLessThan(4 * 1024);
    },
  );

  it('fails the build on an entrypoint file that does not exist, naming it', { timeout: 5_000 }, async () => {
    const config = { services: [{ alias: 'x', entrypoint: './missing.mjs' }], paths: [] };
    await expect(
      buildWorker({
        config: 'none',
        servicesFrom: [{ config, baseDir: SERVICE_FIXTURES }],
        write: false,
        outfile: outfile(),
      }),
    ).rejects.toThrow(
      `/services/0/entrypoint: module file not found; tried ${join(SERVICE_FIXTURES, 'missing.mjs')}, ${join(SERVICE_FIXTURES, 'missing.mjs.js')}, ${join(SERVICE_FIXTURES, 'missing.mjs.mjs')}`,
    );
  });

  it('bundles an entrypoint written without extension, found as .mjs', { timeout: 10_000 }, async () => {
    const config = { services: [{ alias: 'x', entrypoint: './result-service' }], paths: [] };
    const built = await buildWorker({
      config: 'none',
      servicesFrom: [{ config, baseDir: SERVICE_FIXTURES }],
      write: false,
      outfile: outfile(),
    });
    expect(built.services).toEqual(['./result-service']);
    expect(built.code).toContain('made by the service');
  });

  it('refuses one entrypoint text naming two files', { timeout: 5_000 }, async () => {
    const config = { services: [{ alias: 'x', entrypoint: './greeting-service.mjs' }], paths: [] };
    await expect(
      buildWorker({
        config: EXAMPLE_CONFIG,
        servicesFrom: [{ config, baseDir: SERVICE_FIXTURES }],
        write: false,
        outfile: outfile(),
      }),
    ).rejects.toThrow(/service entrypoint "\.\/greeting-service\.mjs" means .* must name one file/);
  });

  it(
    'writes the import map for wrangler.toml [alias], relative to the file',
    { timeout: 5_000 },
    async () => {
      const file = join(dir, 'service-modules.js');
      const written = await writeServiceMap({ config: EXAMPLE_CONFIG, file });
      expect(written.services).toEqual(['./greeting-service.mjs']);
      const text = await readFile(file, 'utf8');
      const specifier = /import \* as m0 from "([^"]+)";/.exec(text)?.[1] ?? '';
      expect(resolve(dir, specifier)).toBe(resolve(ROOT, 'examples/services/greeting-service.mjs'));
      expect(text).toContain('export const serviceModules = {\n  "./greeting-service.mjs": m0,\n};');
    },
  );
});
