import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { parseHash, viewHref, VIEWS, type Location } from './route-hash.js';
import { ConfigView } from './views/config.js';
import { DoctorView } from './views/doctor.js';
import { RoutesView } from './views/routes.js';
import { TrafficView } from './views/traffic.js';

/**
 * The Gatehouse web console (docs/CONSOLE.md): four read-only views of the running gateway.
 * Served by the admin listener; talks only to its `/api/` endpoints.
 */
function App() {
  const [location, setLocation] = useState<Location>(() => parseHash(window.location.hash));
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  useEffect(() => {
    const onHash = () => setLocation(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Moving to another view moves focus to its heading, so a screen reader announces it.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [location.view]);

  const title = VIEWS.find((v) => v.name === location.view)?.title ?? '';
  useEffect(() => {
    document.title = `${title} · Gatehouse console`;
  }, [title]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Gatehouse console</span>
        <nav aria-label="Console views">
          <ul>
            {VIEWS.map((v) => (
              <li key={v.name}>
                <a href={viewHref(v.name)} aria-current={v.name === location.view ? 'page' : undefined}>
                  {v.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <form method="post" action="/logout" class="logout">
          <button type="submit" class="quiet">
            Sign out
          </button>
        </form>
      </header>
      <main id="main" tabIndex={-1}>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {location.view === 'routes' && <RoutesView />}
        {location.view === 'traffic' && <TrafficView />}
        {location.view === 'doctor' && <DoctorView params={location.params} />}
        {location.view === 'config' && <ConfigView />}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
