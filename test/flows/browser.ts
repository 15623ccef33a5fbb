/**
 * Just enough of a browser for the login round trip: it never follows redirects by itself (the
 * test follows each hop and looks at it), keeps cookies per origin (honouring Max-Age=0), and
 * resolves public host names to the local servers behind them — the gateway's `redirect_uri`
 * names a public origin, as it would behind a proxy, and the browser "resolves" it.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  constructor(private readonly hosts: Readonly<Record<string, string>> = {}) {}

  async get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    const target = this.resolve(url);
    const origin = new URL(target).origin;
    const cookies = this.jar.get(origin);
    const cookieHeader =
      cookies && cookies.size > 0 ? [...cookies].map(([n, v]) => `${n}=${v}`).join('; ') : undefined;
    const response = await fetch(target, {
      redirect: 'manual',
      headers: { ...headers, ...(cookieHeader ? { cookie: cookieHeader } : {}) },
      signal: AbortSignal.timeout(10_000),
    });
    this.store(origin, response.headers.getSetCookie());
    return response;
  }

  /** The cookies this browser holds for `url`'s (resolved) origin. */
  cookiesFor(url: string): ReadonlyMap<string, string> {
    return this.jar.get(new URL(this.resolve(url)).origin) ?? new Map();
  }

  setCookie(url: string, name: string, value: string): void {
    const origin = new URL(this.resolve(url)).origin;
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    cookies.set(name, value);
    this.jar.set(origin, cookies);
  }

  private resolve(url: string): string {
    const parsed = new URL(url);
    const local = this.hosts[parsed.origin];
    return local ? `${local}${parsed.pathname}${parsed.search}` : url;
  }

  private store(origin: string, setCookies: string[]): void {
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(origin, cookies);
  }
}

/** A port on 127.0.0.1 that nothing listens on (connections are refused). */
export { freePort as closedPort } from '../fixtures/loopback.js';

export async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}
