import type { CompiledGateway } from '../../../../assembly/compile-gateway.js';
import { formatProblem, type ConfigProblem } from '../../../../config/problems.js';
import { ConfigStatusTracker } from '../../../../console/config-status.js';
import { diagnose } from '../../../../console/doctor.js';
import { routeTable } from '../../../../console/route-table.js';
import { toTailEntry } from '../../../../console/tail-ring.js';
import { TrafficRecorder } from '../../../../console/traffic.js';
import { whichRoute } from '../../../../console/which-route.js';
import { renderError } from '../../../../errors/render.js';
import type { Telemetry } from '../../../../observability/telemetry.js';
import { configHash } from '../config-hash.js';
import type { AdminHandler, AdminHandlers } from '../handlers.js';
import { ConsoleAccess } from './access.js';
import { loadConsoleAssets, type ConsoleAsset } from './assets.js';
import { LiveFeed } from './live-feed.js';
import { loginPage } from './login-page.js';

/**
 * The web console on the admin listener (docs/CONSOLE.md): the page at `/`, its assets, a login
 * form, and a read-only JSON API under `/api/`. Everything but the static assets and the login
 * form requires the admin token when one is configured (see access.ts).
 */
export interface ConsoleSetup {
  readonly telemetry: Telemetry;
  readonly current: () => CompiledGateway;
  readonly now: () => number;
  /** Where the config was read from (file path or variable name). */
  readonly source: string;
  readonly token: string | undefined;
}

export interface MountedConsole {
  close(): void;
}

/** The doctor's request carries one token and a route: far below this. */
const MAX_BODY_BYTES = 64 * 1024;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
const API_HEADERS = { ...SECURITY_HEADERS, 'cache-control': 'no-store' };

export async function mountConsole(handlers: AdminHandlers, setup: ConsoleSetup): Promise<MountedConsole> {
  const assets = await loadConsoleAssets();
  const access = new ConsoleAccess(setup.token);
  const recorder = new TrafficRecorder();
  const feed = new LiveFeed();
  const configStatus = new ConfigStatusTracker({
    source: setup.source,
    current: setup.current,
    hash: configHash,
    now: setup.now,
  });
  const unsubscribe = [
    setup.telemetry.accessLog.subscribe((entry) => {
      const now = setup.now();
      recorder.record(entry, now);
      // The live feed's entry is built only while a console has the feed open.
      if (feed.size > 0) feed.publish(toTailEntry(entry, now));
    }),
    setup.telemetry.configReloads.subscribe((event) => configStatus.onReload(event)),
  ];

  const page: AdminHandler = (request) => {
    if (!access.allows(request)) return redirect('/login');
    return asset(assets.get('index.html'));
  };
  const api =
    (handler: AdminHandler): AdminHandler =>
    (request) =>
      access.allows(request)
        ? handler(request)
        : renderError('ERR_ADMIN_UNAUTHORIZED', {
            ...API_HEADERS,
            'www-authenticate': 'Bearer realm="gatehouse-admin"',
          });

  handlers
    .register('GET', '/', page)
    .register('GET', '/console.js', () => asset(assets.get('console.js')))
    .register('GET', '/console.css', () => asset(assets.get('console.css')))
    .register('GET', '/login', (request) => {
      if (!access.required || access.allows(request)) return redirect('/');
      const failed = new URL(request.url).searchParams.has('failed');
      return new Response(loginPage(failed), {
        headers: { ...API_HEADERS, 'content-type': 'text/html; charset=utf-8' },
      });
    })
    .register('POST', '/login', async (request) => {
      const form = await readBody(request);
      if (form instanceof Response) return form;
      const token = new URLSearchParams(form).get('token') ?? '';
      if (!access.matchesToken(token)) return redirect('/login?failed');
      return redirect('/', { 'set-cookie': access.sessionCookie() });
    })
    .register('POST', '/logout', () =>
      redirect(access.required ? '/login' : '/', { 'set-cookie': ConsoleAccess.clearedCookie() }),
    )
    .register(
      'GET',
      '/api/routes',
      api(() => json({ routes: routeTable(setup.current()) })),
    )
    .register(
      'GET',
      '/api/routes/which',
      api((request) => {
        const query = new URL(request.url).searchParams;
        const method = query.get('method') ?? '';
        const path = query.get('path') ?? '';
        if (!/^[A-Za-z]+$/.test(method) || !path.startsWith('/')) return badRequest();
        return json(whichRoute(setup.current(), method, path));
      }),
    )
    .register(
      'GET',
      '/api/config',
      api(() => {
        const status = configStatus.status();
        return json({
          ...status,
          warnings: status.warnings.map(describeProblem),
          lastReload: status.lastReload && {
            ...status.lastReload,
            problems: status.lastReload.problems.map(describeProblem),
          },
        });
      }),
    )
    .register(
      'GET',
      '/api/traffic',
      api(() => json(recorder.snapshot(setup.now()))),
    )
    .register(
      'GET',
      '/api/traffic/stream',
      api(() => feed.open(SECURITY_HEADERS)),
    )
    .register(
      'POST',
      '/api/doctor',
      api(async (request) => {
        // A JSON body only: a cross-site form cannot send one without a CORS preflight.
        if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json'))
          return badRequest();
        const text = await readBody(request);
        if (text instanceof Response) return text;
        const input = parseDoctorRequest(text);
        if (!input) return badRequest();
        return json(await diagnose(setup.current(), input, setup.now()));
      }),
    );

  return {
    close() {
      for (const stop of unsubscribe) stop();
      feed.closeAll();
    },
  };
}

function describeProblem(problem: ConfigProblem): ConfigProblem & { readonly text: string } {
  return { ...problem, text: formatProblem(problem) };
}

function parseDoctorRequest(text: string): { token: string; method: string; path: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { token, method, path } = body as Record<string, unknown>;
  if (typeof token !== 'string' || typeof method !== 'string' || typeof path !== 'string') return undefined;
  if (!/^[A-Za-z]+$/.test(method) || !path.startsWith('/')) return undefined;
  return { token, method, path };
}

async function readBody(request: Request): Promise<string | Response> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) return renderError('ERR_PAYLOAD_TOO_LARGE', API_HEADERS);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return renderError('ERR_PAYLOAD_TOO_LARGE', API_HEADERS);
  return text;
}

function asset(file: ConsoleAsset | undefined): Response {
  if (!file) return renderError('ERR_CONSOLE_NOT_BUILT', API_HEADERS);
  return new Response(file.body, {
    headers: { ...SECURITY_HEADERS, 'content-type': file.contentType, 'cache-control': 'no-cache' },
  });
}

function json(value: unknown): Response {
  return new Response(JSON.stringify(value), {
    headers: { ...API_HEADERS, 'content-type': 'application/json' },
  });
}

function badRequest(): Response {
  return renderError('ERR_BAD_REQUEST', API_HEADERS);
}

function redirect(location: string, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(null, { status: 303, headers: { ...API_HEADERS, ...headers, location } });
}
