import type { Connection } from '../connection.js';

/** The header's badge: "live" while pushes flow, "reconnecting" (and why) while they do not. */
export function ConnectionBadge({
  connection,
}: {
  connection: Extract<Connection, { status: 'live' | 'reconnecting' }>;
}) {
  const live = connection.status === 'live';
  return (
    <span
      className="pill"
      data-testid="connection"
      data-status={connection.status}
      title={live ? 'live updates are flowing' : `reconnecting to the server: ${connection.error}`}
      aria-live="polite"
    >
      <span className={`dot ${live ? 'ok' : 'bad'}`} /> {live ? 'live' : 'reconnecting'}
    </span>
  );
}
