/**
 * The console's calls to its admin API (docs/CONSOLE.md "API"). Same origin only; the session
 * cookie (when a token is configured) travels by itself. A 401 sends the page to the login form.
 */
export type { RouteRow } from '../../src/console/route-table.js';
export type { WhichRoute } from '../../src/console/which-route.js';
export type { DoctorAnswer } from '../../src/console/doctor.js';
export type { TrafficSnapshot, RouteSeries } from '../../src/console/traffic.js';
export type { TailEntry } from '../../src/console/tail-ring.js';
import type { ConfigStatus } from '../../src/console/config-status.js';
import type { ConfigProblem } from '../../src/config/problems.js';

export type ShownProblem = ConfigProblem & { readonly text: string };
export type ConfigView = Omit<ConfigStatus, 'warnings' | 'lastReload'> & {
  readonly warnings: readonly ShownProblem[];
  readonly lastReload:
    | { readonly at: number; readonly outcome: 'ok' | 'refused'; readonly problems: readonly ShownProblem[] }
    | undefined;
};

async function answer<T>(response: Response, url: string): Promise<T> {
  if (response.status === 401) {
    window.location.assign('/login');
    throw new Error('the admin token is required');
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  return answer<T>(response, url);
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  return answer<T>(response, url);
}
