import { useState } from 'preact/hooks';
import { getJson, type RouteRow, type WhichRoute } from '../api.js';
import { viewHref } from '../route-hash.js';
import { useJson } from '../use-fetch.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** The route table in the router's precedence order, and the "which route wins" box. */
export function RoutesView() {
  const { data, error } = useJson<{ routes: RouteRow[] }>('/api/routes');
  const [which, setWhich] = useState<WhichRoute | undefined>(undefined);
  const routes = data?.routes ?? [];
  const showRateLimits = routes.some((r) => r.rateLimits.length > 0);
  return (
    <>
      <WhichRouteBox onAnswer={setWhich} answer={which} />
      <section aria-labelledby="route-table-title">
        <h2 id="route-table-title">Route table</h2>
        {error && <p role="alert">{error}</p>}
        <p class="hint">
          In precedence order: for a request that several routes match, the first listed wins (literal
          segments before parameters, parameters before wildcards, an exact method before ANY).
        </p>
        <div class="table-wrap">
          <table class="routes" data-testid="route-table">
            <caption class="visually-hidden">Routes in precedence order</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Method</th>
                <th scope="col">Pattern</th>
                <th scope="col">Integration and target</th>
                <th scope="col">Auth</th>
                <th scope="col">Scopes</th>
                {showRateLimits && <th scope="col">Rate limits</th>}
                <th scope="col">Hooks</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {routes.map((route) => (
                <tr
                  key={route.index}
                  data-route-index={route.index}
                  class={which?.winner?.index === route.index ? 'winner' : undefined}
                  aria-current={which?.winner?.index === route.index ? 'true' : undefined}
                >
                  <td>{route.rank}</td>
                  <td>
                    <span class={`method m-${route.method.toLowerCase()}`}>{route.method}</span>
                  </td>
                  <td>
                    <code>{route.path}</code>
                  </td>
                  <td>{route.target}</td>
                  <td>{route.authorizer ?? <span class="muted">none</span>}</td>
                  <td>{route.scopes.length ? route.scopes.join(' ') : <span class="muted">—</span>}</td>
                  {showRateLimits && <td>{route.rateLimits.join(', ') || '—'}</td>}
                  <td>{route.hooks.length ? route.hooks.join(', ') : <span class="muted">—</span>}</td>
                  <td>
                    {route.authorizer && (
                      <a
                        href={viewHref('doctor', { method: doctorMethod(route.method), path: route.path })}
                        aria-label={`Check a token for ${route.method} ${route.path}`}
                      >
                        Check a token
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function doctorMethod(method: string): string {
  return method === 'ANY' ? 'GET' : method;
}

function WhichRouteBox(props: { answer: WhichRoute | undefined; onAnswer: (a: WhichRoute) => void }) {
  const [method, setMethod] = useState('GET');
  const [path, setPath] = useState('/');
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const query = new URLSearchParams({ method, path: path.startsWith('/') ? path : `/${path}` });
    try {
      props.onAnswer(await getJson<WhichRoute>(`/api/routes/which?${query}`));
    } catch (reason) {
      setError(String(reason));
    }
  };
  const answer = props.answer;
  return (
    <section class="card" aria-labelledby="which-title">
      <h2 id="which-title">Which route wins?</h2>
      <form class="inline-form" onSubmit={submit}>
        <label>
          Method
          <select value={method} onChange={(e) => setMethod(e.currentTarget.value)} name="method">
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label class="grow">
          Path
          <input
            name="path"
            value={path}
            onInput={(e) => setPath(e.currentTarget.value)}
            placeholder="/orders/42"
            spellcheck={false}
            autocomplete="off"
          />
        </label>
        <button type="submit">Explain</button>
      </form>
      <div aria-live="polite" data-testid="which-result">
        {error && <p role="alert">{error}</p>}
        {answer && (
          <>
            <p class={`verdict ${answer.winner ? 'ok' : 'bad'}`}>
              {answer.winner ? (
                <>
                  <strong>Winner:</strong>{' '}
                  <span data-testid="which-winner">
                    {answer.winner.method} {answer.winner.path}
                  </span>{' '}
                  (route #{answer.winner.index} in the config)
                </>
              ) : (
                <>
                  <strong>No route serves it:</strong>{' '}
                  <span data-testid="which-winner">{outcomeText(answer.outcome)}</span>
                </>
              )}
            </p>
            <pre class="explain">{answer.lines.join('\n')}</pre>
          </>
        )}
      </div>
    </section>
  );
}

function outcomeText(outcome: WhichRoute['outcome']): string {
  if (outcome === 'not-found') return '404 (no route matches the path)';
  if (outcome === 'method-not-allowed') return '405 (the path matches, the method does not)';
  if (outcome === 'bad-path') return '400 (the path is malformed)';
  return '';
}
