import { useEffect, useState } from 'react';
import { assertNever } from '../../src/model/never.js';
import { saveToken, takeToken } from './api.js';
import { start, stop, useConnection, useLive } from './live.js';
import { ConnectionBadge } from './components/ConnectionBadge.js';
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
  const connection = useConnection();
  const [theme, toggleTheme] = useTheme();
  const [route, navigate] = useRoute();
  const live = useLive();

  useEffect(() => {
    const token = takeToken();
    if (token) start(token);
    return stop;
  }, []);

  switch (connection.status) {
    case 'no-token':
    case 'rejected':
      return (
        <Login
          error={connection.status === 'rejected' ? connection.error : null}
          onSubmit={(t) => {
            saveToken(t);
            start(t);
          }}
        />
      );
    case 'logging-in':
      return (
        <main className="muted" data-testid="connecting">
          connecting…{connection.error && ` ${connection.error}; trying again.`}
        </main>
      );
    case 'live':
    case 'reconnecting':
      break;
    default:
      return assertNever(connection);
  }
  const { token, session } = connection;

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
        {selected && <span className="muted crumb">/ {selected.name}</span>}
        <span className="spacer" />
        <ConnectionBadge connection={connection} />
        <span
          className="pill"
          title={session.readOnly ? 'this dashboard runs with --read-only' : undefined}
        >
          {session.role}
          {session.readOnly ? ' · read-only' : ''}
        </span>
        <button
          className="theme"
          onClick={toggleTheme}
          aria-label="toggle theme"
          title={theme === 'dark' ? 'switch to the light theme' : 'switch to the dark theme'}
          data-theme-now={theme}
        >
          {theme === 'dark' ? '☀' : '☾'}
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
