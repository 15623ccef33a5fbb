import { errorAnswer } from '../../../errors/render.js';

/** A handler of the admin listener: Web-standard Request in, Response out. */
export type AdminHandler = (request: Request) => Response | Promise<Response>;

/**
 * The admin listener's handler registry: exact paths, one handler per method and path.
 * `/metrics`, `/healthz` and `/readyz` register here; later features (a web console) mount
 * their own paths the same way, without touching the listener.
 */
export class AdminHandlers {
  readonly #byPath = new Map<string, Map<string, AdminHandler>>();

  /** Registers `handler` for `METHOD path` (HEAD is served by the GET handler, as HTTP allows). */
  register(method: string, path: string, handler: AdminHandler): this {
    let byMethod = this.#byPath.get(path);
    if (!byMethod) {
      byMethod = new Map();
      this.#byPath.set(path, byMethod);
    }
    if (byMethod.has(method)) throw new Error(`admin handler ${method} ${path} registered twice`);
    byMethod.set(method, handler);
    return this;
  }

  get paths(): readonly string[] {
    return [...this.#byPath.keys()];
  }

  handle(request: Request): Response | Promise<Response> {
    const { pathname } = new URL(request.url);
    const byMethod = this.#byPath.get(pathname);
    if (!byMethod) return answer('ERR_NO_ROUTE');
    const handler =
      byMethod.get(request.method) ?? (request.method === 'HEAD' ? byMethod.get('GET') : undefined);
    if (!handler) return answer('ERR_METHOD_NOT_ALLOWED', { allow: [...byMethod.keys()].join(', ') });
    return handler(request);
  }
}

function answer(code: 'ERR_NO_ROUTE' | 'ERR_METHOD_NOT_ALLOWED', headers?: Record<string, string>): Response {
  const rendered = errorAnswer(code, headers);
  return new Response(rendered.body, { status: rendered.status, headers: rendered.headers });
}
