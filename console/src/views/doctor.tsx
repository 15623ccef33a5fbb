import { useEffect, useState } from 'preact/hooks';
import { postJson, type DoctorAnswer, type RouteRow } from '../api.js';
import { useJson } from '../use-fetch.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/**
 * The 401 doctor: the running gateway's own check-by-check verdict on a token for a route. The
 * token lives only in this form's state and the POST body to /api/doctor: never in the URL,
 * storage, or a log.
 */
export function DoctorView(props: { params: URLSearchParams }) {
  const routes = useJson<{ routes: RouteRow[] }>('/api/routes').data?.routes ?? [];
  const [method, setMethod] = useState(props.params.get('method') ?? 'GET');
  const [path, setPath] = useState(props.params.get('path') ?? '/');
  const [token, setToken] = useState('');
  const [answer, setAnswer] = useState<DoctorAnswer | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const m = props.params.get('method');
    const p = props.params.get('path');
    if (m) setMethod(m.toUpperCase());
    if (p) setPath(p);
    setAnswer(undefined);
  }, [props.params.toString()]);

  const pick = (value: string) => {
    const [m = 'GET', p = '/'] = value.split(' ');
    setMethod(m === 'ANY' ? 'GET' : m);
    setPath(p);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await postJson<DoctorAnswer>('/api/doctor', { token, method, path }));
    } catch (reason) {
      setError(String(reason));
    } finally {
      setBusy(false);
    }
  };
  const protectedRoutes = routes.filter((r) => r.authorizer);
  const fromTail = props.params.get('check');

  return (
    <>
      <p class="hint">
        Paste the token a client sent and pick the route it called. The gateway's own authorizer checks it, as
        <code> gatehouse token check</code> does. The token is sent only to this admin listener and is never
        stored or logged.
      </p>
      {fromTail && (
        <p class="verdict neutral" data-testid="from-tail">
          The request from the live tail was refused with {props.params.get('code') ?? 'an auth error'} at
          check <strong>{fromTail}</strong>
          {props.params.get('reason') ? `: ${props.params.get('reason')}` : ''}. Paste the token it carried to
          see every check and the likely fix.
        </p>
      )}
      <form class="card doctor-form" onSubmit={submit}>
        <label for="doctor-token">Token (JWT, with or without “Bearer ”)</label>
        <textarea
          id="doctor-token"
          name="token"
          rows={4}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          spellcheck={false}
          autocomplete="off"
          aria-describedby="doctor-token-hint"
        />
        <p id="doctor-token-hint" class="hint">
          Leave it empty to see what a request without a token gets.
        </p>
        <div class="inline-form">
          <label>
            Route
            <select
              name="route"
              onChange={(e) => pick(e.currentTarget.value)}
              value={`${method} ${path}`}
              aria-describedby="route-pick-hint"
            >
              <option value={`${method} ${path}`}>
                {method} {path}
              </option>
              {protectedRoutes.map((r) => (
                <option key={r.index} value={`${r.method} ${r.path}`}>
                  {r.method} {r.path} ({r.authorizer})
                </option>
              ))}
            </select>
          </label>
          <label>
            Method
            <select name="method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
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
              spellcheck={false}
              autocomplete="off"
            />
          </label>
          <button type="submit" disabled={busy}>
            Diagnose
          </button>
        </div>
        <p id="route-pick-hint" class="hint">
          Pick a protected route, or type the method and a concrete path (<code>/orders/42</code>): the router
          decides which route that is.
        </p>
      </form>
      <div aria-live="polite" data-testid="doctor-result">
        {error && <p role="alert">{error}</p>}
        {answer && <Diagnosis answer={answer} />}
      </div>
    </>
  );
}

function Diagnosis({ answer }: { answer: DoctorAnswer }) {
  const report = answer.report;
  const failing = report?.checks.filter((c) => !c.ok) ?? [];
  return (
    <section class="card" aria-labelledby="diagnosis-title">
      <h2 id="diagnosis-title">Diagnosis</h2>
      <p>
        Route:{' '}
        {answer.route.winner ? (
          <code>
            {answer.route.winner.method} {answer.route.winner.path}
          </code>
        ) : (
          <span>none ({answer.route.lines[0]})</span>
        )}
        {answer.authorizer && (
          <>
            {' '}
            · authorizer <code>{answer.authorizer.name}</code> ({answer.authorizer.type})
            {answer.scopes && answer.scopes.length > 0 && <> · scopes {answer.scopes.join(' ')}</>}
          </>
        )}
      </p>
      {answer.note && <p class="verdict neutral">{answer.note}</p>}
      {answer.verdict && (
        <p class={`verdict ${answer.verdict.accepted ? 'ok' : 'bad'}`} data-testid="doctor-verdict">
          {answer.verdict.accepted
            ? 'Accepted: a request with this token passes the route’s auth.'
            : `Rejected with ${answer.verdict.status} ${answer.verdict.code ?? ''}`}
        </p>
      )}
      {failing.length > 0 && (
        <p data-testid="failing-check" class="failing">
          Failing check{failing.length > 1 ? 's' : ''}:{' '}
          {failing.map((c, i) => (
            <span key={c.name}>
              {i > 0 && ', '}
              <strong>{c.name}</strong>
            </span>
          ))}
        </p>
      )}
      {report?.hint && (
        <p class="fix" data-testid="likely-fix">
          <strong>Likely fix:</strong> {report.hint}
        </p>
      )}
      {report && (
        <table class="checks" data-testid="checks">
          <caption class="visually-hidden">Checks, in the order the gateway makes them</caption>
          <thead>
            <tr>
              <th scope="col">Result</th>
              <th scope="col">Check</th>
              <th scope="col">Expected vs actual</th>
            </tr>
          </thead>
          <tbody>
            {report.checks.map((c) => (
              <tr key={c.name} class={c.ok ? 'pass' : 'fail'} data-check={c.name}>
                <td>
                  <span class={`badge ${c.ok ? 'ok' : 'bad'}`}>{c.ok ? 'PASS' : 'FAIL'}</span>
                </td>
                <th scope="row">{c.name}</th>
                <td>{c.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {answer.expiresInSeconds !== undefined && (
        <p data-testid="expiry">
          {answer.expiresInSeconds < 0
            ? `Expired ${duration(-answer.expiresInSeconds)} ago.`
            : `Expires in ${duration(answer.expiresInSeconds)}.`}
        </p>
      )}
      {(answer.header || answer.payload || answer.report?.checks[0]?.name === 'format') && (
        <div class="decoded">
          <div>
            <h3>Header</h3>
            <pre>{answer.header ? JSON.stringify(answer.header, null, 2) : 'not decodable'}</pre>
          </div>
          <div>
            <h3>Payload {report && !report.ok && <span class="muted">(as sent, not trusted)</span>}</h3>
            <pre>{answer.payload ? JSON.stringify(answer.payload, null, 2) : 'not decodable'}</pre>
          </div>
        </div>
      )}
    </section>
  );
}

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
