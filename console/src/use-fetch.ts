import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';

/** Fetches `url` now and every `refreshMs` (when given) while the view is shown. */
export function useJson<T>(
  url: string,
  refreshMs?: number,
): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const load = () =>
      getJson<T>(url).then(
        (value) => {
          if (!live) return;
          setData(value);
          setError(undefined);
        },
        (reason: unknown) => live && setError(String(reason)),
      );
    void load();
    const timer = refreshMs === undefined ? undefined : window.setInterval(() => void load(), refreshMs);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [url, refreshMs, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}
