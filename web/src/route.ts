import { useCallback, useSyncExternalStore } from 'react';

/** The deployment page's tabs. */
const VIEWS = ['live', 'drills', 'alerts'] as const;
export type View = (typeof VIEWS)[number];

/** View state lives in the URL (`?d=deployment&view=drills&node=addr`), so a link reproduces the view. */
export interface Route {
  deployment: string | null;
  node: string | null;
  view?: View;
}

function isView(value: string | null): value is View {
  return (VIEWS as readonly (string | null)[]).includes(value);
}

function read(): Route {
  const params = new URLSearchParams(window.location.search);
  const view = params.get('view');
  return {
    deployment: params.get('d'),
    node: params.get('node'),
    view: isView(view) ? view : 'live',
  };
}

/** The link that reproduces a route (`?` for the overview). */
export function routeHref(route: Route): string {
  const params = new URLSearchParams();
  if (route.deployment) params.set('d', route.deployment);
  if (route.view && route.view !== 'live') params.set('view', route.view);
  if (route.node) params.set('node', route.node);
  return `?${params.toString()}`;
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
    const href = routeHref(next);
    window.history.pushState(null, '', href === '?' ? window.location.pathname : href);
    current = read();
    for (const l of listeners) l();
  }, []);
  return [route, navigate];
}
