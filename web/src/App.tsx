import { useEffect, useState } from 'react';
import type { Session } from '../../src/server/contract.js';
import { forgetToken, login, saveToken, takeToken } from './api.js';
import { connect, useLive } from './live.js';
import { Login } from './components/Login.js';
import { DeploymentPage } from './pages/Deployment.js';
import { Overview } from './pages/Overview.js';
import { useRoute } from './route.js';

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(
    () =>
      localStorage.getItem('quorum.theme') ??
      (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('quorum.theme', theme);
  }, [theme]);
  return [theme, () => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))];
}

export function App() {
  const [token, setToken] = useState<string | null>(() => takeToken());
  const [session, setSession] = useState<Session | null>(null);
  const [rejected, setRejected] = useState(false);
  const [theme, toggleTheme] = useTheme();
  const [route, navigate] = useRoute();
  const live = useLive();

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // trade the token for a session; again whenever the stream is refused (the server restarted)
    const start = () => {
      login(token).then(
        (s) => {
          if (cancelled) return;
          if (!s) {
            forgetToken();
            setRejected(true);
            setSession(null);
            setToken(null);
            return;
          }
          setSession(s);
          connect(() => {
            if (!cancelled) retry = setTimeout(start, 1000);
          });
        },
        () => {
          // the server is not reachable right now: try again
          if (!cancelled) retry = setTimeout(start, 2000);
        },
      );
    };
    start();
    return () => {
      cancelled = true;
      clearTimeout(retry);
    };
  }, [token]);

  if (!token || !session) {
    if (token && !rejected) return <main className="muted">connecting…</main>;
    return (
      <Login
        rejected={rejected}
        onSubmit={(t) => {
          saveToken(t);
          setRejected(false);
          setToken(t);
        }}
      />
    );
  }

  const deployments = Object.values(live.deployments);
  const selected = route.deployment
    ? live.deployments[route.deployment]
    : deployments.length === 1
      ? deployments[0]
      : undefined;
  return (
    <>
      <header className="top">
        <a
          className="brand"
          href="?"
          onClick={(e) => (e.preventDefault(), navigate({ deployment: null, node: null }))}
        >
          quorum
        </a>
        {selected && <span className="muted">/ {selected.name}</span>}
        <span className="spacer" />
        <span
          className="pill"
          title={live.connected ? 'live updates are flowing' : 'reconnecting to the server'}
        >
          <span className={`dot ${live.connected ? 'ok' : 'bad'}`} />{' '}
          {live.connected ? 'live' : 'reconnecting'}
        </span>
        <span
          className="pill"
          title={session.readOnly ? 'this dashboard runs with --read-only' : undefined}
        >
          {session.role}
          {session.readOnly ? ' · read-only' : ''}
        </span>
        <button onClick={toggleTheme} aria-label="toggle theme">
          {theme === 'dark' ? 'light' : 'dark'}
        </button>
      </header>
      <main>
        {selected ? (
          <DeploymentPage
            key={selected.name}
            token={token}
            session={session}
            deployment={selected}
            route={route}
            navigate={navigate}
          />
        ) : (
          <Overview
            deployments={deployments}
            open={(name, view) => navigate({ deployment: name, node: null, view })}
          />
        )}
      </main>
    </>
  );
}
