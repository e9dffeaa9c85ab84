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
function changed(): void {
  current = read();
  for (const l of listeners) l();
}
window.addEventListener('popstate', changed);

/** Whether this history entry was pushed by opening a drawer (so going back closes it). */
function openedDrawer(): boolean {
  const state: unknown = window.history.state;
  return typeof state === 'object' && state !== null && 'drawer' in state && state.drawer === true;
}

function go(next: Route, replace: boolean): void {
  const href = routeHref(next);
  const url = href === '?' ? window.location.pathname : href;
  // opening a drawer pushes an entry, so the back button (or gesture) closes it
  const state = {
    drawer: next.node !== null && (replace ? openedDrawer() : current.node === null),
  };
  if (replace) window.history.replaceState(state, '', url);
  else window.history.pushState(state, '', url);
  changed();
}

/** Closes the node drawer of `route`: back to the entry it was opened from, if it was opened here. */
export function closeDrawer(route: Route): void {
  if (openedDrawer()) window.history.back();
  else go({ ...route, node: null }, true);
}

export function useRoute(): [Route, (next: Route) => void] {
  const route = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
  const navigate = useCallback((next: Route) => {
    // another node while a drawer is open: the drawer shows it, without a history entry of its own
    go(next, next.node !== null && current.node !== null && next.deployment === current.deployment);
  }, []);
  return [route, navigate];
}
