/** Whether the observer's polls succeed: `ok` (or none yet), or `failing` with the last reason. */
export type PollHealthState = { state: 'ok' } | { state: 'failing'; reason: string };

/** A move between the two states, to be said once in the event log. */
export type PollHealthChange =
  { kind: 'failing'; reason: string } | { kind: 'recovered'; failedPolls: number };

/**
 * Counts failed polls and tells when polling starts failing and when it recovers, so a run of
 * failures is one event and not one per poll (pure).
 */
export class PollHealth {
  private current: PollHealthState = { state: 'ok' };
  private total = 0;
  /** Failures since polling last succeeded. */
  private run = 0;

  get state(): PollHealthState {
    return this.current;
  }

  /** Failed polls since start. */
  get failures(): number {
    return this.total;
  }

  /** A poll failed; a change when the one before succeeded. */
  failed(reason: string): PollHealthChange | null {
    this.total += 1;
    this.run += 1;
    const was = this.current.state;
    this.current = { state: 'failing', reason };
    return was === 'ok' ? { kind: 'failing', reason } : null;
  }

  /** A poll succeeded; a change when the ones before failed. */
  succeeded(): PollHealthChange | null {
    const failedPolls = this.run;
    this.run = 0;
    if (this.current.state === 'ok') return null;
    this.current = { state: 'ok' };
    return { kind: 'recovered', failedPolls };
  }
}

/** Why a poll in which no node and no sentinel answered failed; null when something answered. */
export function nothingAnswered(reads: number, failedReads: number): string | null {
  if (reads === 0 || failedReads < reads) return null;
  return `no node or sentinel answered (${failedReads} of ${reads} reads failed)`;
}
