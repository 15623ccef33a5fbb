import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJson, type RouteSeries, type TailEntry, type TrafficSnapshot } from '../api.js';
import { Chart } from '../chart.js';
import { viewHref } from '../route-hash.js';

const SHOWN = 300;
const STATUS_COLORS = { '2xx': '#2e8540', '3xx': '#3b6fd4', '4xx': '#d08700', '5xx': '#c62828' } as const;

/** The live tail (Server-Sent Events) and the per-route charts of the last 15 minutes. */
export function TrafficView() {
  const [entries, setEntries] = useState<TailEntry[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<TailEntry[]>([]);
  const [connection, setConnection] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [snapshot, setSnapshot] = useState<TrafficSnapshot | undefined>(undefined);
  const [routeFilter, setRouteFilter] = useState('');
  const [statusFilter, setStatusFilter] = useState('');
  const [codeFilter, setCodeFilter] = useState('');
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    // Open the stream first, then read the recent entries, so nothing falls between the two.
    const source = new EventSource('/api/traffic/stream');
    const early: TailEntry[] = [];
    let loaded = false;
    const add = (incoming: TailEntry[]) => {
      if (pausedRef.current) setHeld((h) => [...incoming, ...h].slice(0, SHOWN));
      else setEntries((current) => merge(incoming, current));
    };
    source.onopen = () => setConnection('live');
    source.onerror = () => setConnection('reconnecting');
    source.onmessage = (event: MessageEvent<string>) => {
      const entry = JSON.parse(event.data) as TailEntry;
      if (!loaded) early.unshift(entry);
      else add([entry]);
    };
    void getJson<TrafficSnapshot>('/api/traffic').then((first) => {
      loaded = true;
      setSnapshot(first);
      setEntries((current) => merge([...early, ...[...first.recent].reverse()], current));
    });
    const timer = window.setInterval(
      () => void getJson<TrafficSnapshot>('/api/traffic').then(setSnapshot, () => undefined),
      5000,
    );
    return () => {
      source.close();
      window.clearInterval(timer);
    };
  }, []);

  const togglePause = () => {
    if (paused) {
      setEntries((current) => merge(held, current));
      setHeld([]);
    }
    setPaused(!paused);
  };

  const routesSeen = useMemo(() => {
    const names = new Set<string>();
    for (const e of entries) names.add(e.route ?? '(none)');
    for (const r of snapshot?.routes ?? []) names.add(r.route);
    return [...names].sort();
  }, [entries, snapshot]);
  const codesSeen = useMemo(
    () => [...new Set(entries.flatMap((e) => (e.code ? [e.code] : [])))].sort(),
    [entries],
  );
  const shown = entries.filter(
    (e) =>
      (routeFilter === '' || (e.route ?? '(none)') === routeFilter) &&
      (statusFilter === '' ||
        `${Math.floor(e.status / 100)}xx` === statusFilter ||
        String(e.status) === statusFilter) &&
      (codeFilter === '' || e.code === codeFilter),
  );

  return (
    <>
      <section aria-labelledby="tail-title">
        <div class="section-head">
          <h2 id="tail-title">Live tail</h2>
          <span class={`connection ${connection}`} role="status" data-testid="connection">
            {connection === 'live' ? 'Live' : connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
          </span>
        </div>
        <form class="inline-form filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the tail">
          <label>
            Route
            <select name="route" value={routeFilter} onChange={(e) => setRouteFilter(e.currentTarget.value)}>
              <option value="">All routes</option>
              {routesSeen.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select
              name="status"
              value={statusFilter}
              onChange={(e) => setStatusFilter(e.currentTarget.value)}
            >
              <option value="">Any</option>
              {['2xx', '3xx', '4xx', '5xx', '401', '403', '404', '429', '502', '504'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Error code
            <select name="code" value={codeFilter} onChange={(e) => setCodeFilter(e.currentTarget.value)}>
              <option value="">Any</option>
              {codesSeen.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <button type="button" onClick={togglePause} aria-pressed={paused} data-testid="pause">
            {paused ? `Resume${held.length ? ` (${held.length} new)` : ''}` : 'Pause'}
          </button>
        </form>
        <div class="table-wrap tail-wrap">
          <table class="tail" data-testid="tail">
            <caption class="visually-hidden">Latest requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Request</th>
                <th scope="col">Route</th>
                <th scope="col">Status</th>
                <th scope="col">Code</th>
                <th scope="col">Duration</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.requestId} data-status={e.status} class={e.status >= 400 ? 'failed' : undefined}>
                  <td>{new Date(e.at).toLocaleTimeString()}</td>
                  <td>
                    <span class={`method m-${e.method.toLowerCase()}`}>{e.method}</span> <code>{e.path}</code>
                  </td>
                  <td>{e.route ?? <span class="muted">no route</span>}</td>
                  <td>
                    <span class={`status s${Math.floor(e.status / 100)}`}>{e.status}</span>
                  </td>
                  <td>
                    <span data-testid="code">{e.code ?? ''}</span>
                    {e.check && (
                      <span class="why" title={e.reason}>
                        {' '}
                        failed check <strong data-testid="check">{e.check}</strong>
                        {e.reason && <span class="visually-hidden">: {e.reason}</span>}
                      </span>
                    )}
                  </td>
                  <td>{e.durationMs.toFixed(1)} ms</td>
                  <td>
                    {(e.status === 401 || e.status === 403) && e.route && (
                      <a
                        href={viewHref('doctor', {
                          method: e.method,
                          path: e.path,
                          ...(e.check ? { check: e.check } : {}),
                          ...(e.reason ? { reason: e.reason } : {}),
                          ...(e.code ? { code: e.code } : {}),
                        })}
                        aria-label={`Diagnose the ${e.status} of ${e.method} ${e.path}`}
                      >
                        Diagnose
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && (
            <p class="muted empty">No requests yet{entries.length ? ' match the filters' : ''}.</p>
          )}
        </div>
      </section>
      <Charts snapshot={snapshot} />
    </>
  );
}

function merge(incoming: TailEntry[], current: TailEntry[]): TailEntry[] {
  const seen = new Set(current.map((e) => e.requestId));
  const fresh = incoming.filter((e) => !seen.has(e.requestId));
  return fresh.length === 0 ? current : [...fresh, ...current].slice(0, SHOWN);
}

function Charts({ snapshot }: { snapshot: TrafficSnapshot | undefined }) {
  const routes = snapshot?.routes ?? [];
  const [chosen, setChosen] = useState('');
  const busiest = [...routes].sort((a, b) => b.total - a.total)[0];
  const series: RouteSeries | undefined = routes.find((r) => r.route === chosen) ?? busiest;
  const times = snapshot?.times ?? [];
  const last = (values: readonly (number | null)[]) => {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== 0) return values[i];
    return null;
  };
  return (
    <section aria-labelledby="charts-title">
      <div class="section-head">
        <h2 id="charts-title">Last 15 minutes</h2>
        <label>
          Route{' '}
          <select
            value={series?.route ?? ''}
            onChange={(e) => setChosen(e.currentTarget.value)}
            name="chart-route"
          >
            {routes.map((r) => (
              <option key={r.route}>{r.route}</option>
            ))}
          </select>
        </label>
      </div>
      {!series && <p class="muted">No traffic in the last 15 minutes.</p>}
      {series && (
        <div class="charts">
          <Chart
            title="Requests per second"
            unit="req/s"
            times={times}
            series={[{ label: 'rate', values: series.rate, color: '#3b6fd4' }]}
            summary={`${series.total} requests in the window; latest rate ${fmt(last(series.rate))} per second`}
          />
          <Chart
            title="Latency p50 / p99"
            unit="ms"
            times={times}
            series={[
              { label: 'p50', values: series.p50, color: '#2e8540' },
              { label: 'p99', values: series.p99, color: '#c62828' },
            ]}
            summary={`latest p50 ${fmt(last(series.p50))} ms, p99 ${fmt(last(series.p99))} ms`}
          />
          <Chart
            title="Status mix (requests per 10 s)"
            unit="requests"
            times={times}
            series={(['2xx', '3xx', '4xx', '5xx'] as const).map((name) => ({
              label: name,
              values: series.status[name],
              color: STATUS_COLORS[name],
            }))}
            summary={(['2xx', '3xx', '4xx', '5xx'] as const)
              .map((name) => `${name}: ${series.status[name].reduce((a, b) => a + b, 0)}`)
              .join(', ')}
          />
        </div>
      )}
      {routes.length > 0 && (
        <div class="table-wrap">
          <table class="summary" data-testid="route-summary">
            <caption>Per route, over the window</caption>
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col">Requests</th>
                <th scope="col">p50 (latest)</th>
                <th scope="col">p99 (latest)</th>
                <th scope="col">2xx</th>
                <th scope="col">4xx</th>
                <th scope="col">5xx</th>
              </tr>
            </thead>
            <tbody>
              {routes.map((r) => (
                <tr key={r.route}>
                  <th scope="row">{r.route}</th>
                  <td>{r.total}</td>
                  <td>{fmt(last(r.p50))} ms</td>
                  <td>{fmt(last(r.p99))} ms</td>
                  <td>{sum(r.status['2xx'])}</td>
                  <td>{sum(r.status['4xx'])}</td>
                  <td>{sum(r.status['5xx'])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2);
}
