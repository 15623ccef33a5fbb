import type { ConfigView as ConfigData, ShownProblem } from '../api.js';
import { useJson } from '../use-fetch.js';

/** The served config: source, hash, load time, warnings, and the last reload's outcome. */
export function ConfigView() {
  const { data, error } = useJson<ConfigData>('/api/config', 5000);
  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const reload = data.lastReload;
  return (
    <>
      <section class="card" aria-labelledby="served-title">
        <h2 id="served-title">Served config</h2>
        <dl class="facts" data-testid="config-facts">
          <dt>Source</dt>
          <dd>
            <code>{data.source}</code>
          </dd>
          {data.title && (
            <>
              <dt>Title</dt>
              <dd>{data.title}</dd>
            </>
          )}
          <dt>Hash</dt>
          <dd>
            <code data-testid="config-hash">{data.hash}</code>{' '}
            <span class="muted">(the hash label of gatehouse_config_info)</span>
          </dd>
          <dt>Loaded</dt>
          <dd>
            <time dateTime={new Date(data.loadedAt).toISOString()}>{when(data.loadedAt)}</time>
          </dd>
          <dt>Routes</dt>
          <dd>{data.routes}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="warnings-title">
        <h2 id="warnings-title">Warnings</h2>
        <Problems problems={data.warnings} empty="No warnings." testId="warnings" />
      </section>
      <section class="card" aria-labelledby="reload-title">
        <h2 id="reload-title">Last reload</h2>
        {!reload && <p class="muted">No reload since the gateway started.</p>}
        {reload && (
          <>
            <p class={`verdict ${reload.outcome === 'ok' ? 'ok' : 'bad'}`} data-testid="reload-outcome">
              {reload.outcome === 'ok'
                ? `Reloaded ${when(reload.at)}: the new config is served.`
                : `Refused ${when(reload.at)}: the previous config keeps serving.`}
            </p>
            {reload.outcome === 'refused' && (
              <Problems problems={reload.problems} empty="No problems reported." testId="reload-problems" />
            )}
          </>
        )}
      </section>
    </>
  );
}

function Problems(props: { problems: readonly ShownProblem[]; empty: string; testId: string }) {
  if (props.problems.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="problems" data-testid={props.testId}>
      {props.problems.map((p, i) => (
        <li key={i} class={p.severity}>
          <code>{p.pointer || '/'}</code> {p.message}
        </li>
      ))}
    </ul>
  );
}

function when(ms: number): string {
  const seconds = Math.round((Date.now() - ms) / 1000);
  const ago =
    seconds < 60
      ? `${seconds} s ago`
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min ago`
        : `${Math.round(seconds / 3600)} h ago`;
  return `${new Date(ms).toLocaleString()} (${ago})`;
}
