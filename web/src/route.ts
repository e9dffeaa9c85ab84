import { useCallback, useSyncExternalStore } from 'react';

/** The deployment page's tabs. */
export type View = 'live' | 'drills';

/** View state lives in the URL (`?d=deployment&view=drills&node=addr`), so a link reproduces the view. */
export interface Route {
  deployment: string | null;
  node: string | null;
  view?: View;
}

function read(): Route {
  const params = new URLSearchParams(window.location.search);
  return {
    deployment: params.get('d'),
    node: params.get('node'),
    view: params.get('view') === 'drills' ? 'drills' : 'live',
  };
}

let current = read();
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  current = read();
  for (const l of listeners) l();
});

export function useRoute(): [Route, (next: Route) => void] {
  const route = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
  const navigate = useCallback((next: Route) => {
    const params = new URLSearchParams();
    if (next.deployment) params.set('d', next.deployment);
    if (next.view === 'drills') params.set('view', 'drills');
    if (next.node) params.set('node', next.node);
    const search = params.toString();
    window.history.pushState(null, '', search ? `?${search}` : window.location.pathname);
    current = read();
    for (const l of listeners) l();
  }, []);
  return [route, navigate];
}
