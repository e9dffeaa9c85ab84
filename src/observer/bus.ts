import { EventEmitter } from 'node:events';
import type { EventReport, QuorumEvent, Topology } from '../model/index.js';

/** What the observer pushes; every consumer (CLI, event log, later the dashboard) listens here. */
export interface BusEvents {
  /** A fresh observation of the deployment. */
  topology: [Topology];
  /** A new event (first report). */
  event: [QuorumEvent];
  /** Another sentinel reported an event already emitted. */
  report: [{ id: string; report: EventReport }];
}

/** A typed event emitter; listeners are plain functions. */
export class Bus extends EventEmitter<BusEvents> {}
