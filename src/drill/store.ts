import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../model/index.js';
import { renderReport } from './report.js';
import { scenarioResultSchema } from './schema.js';
import type { ScenarioResult } from './summary.js';

/** One stored drill: a scenario's runs, kept as `<dir>/drills/<id>.json` with `<id>.html`. */
export interface DrillRecord {
  id: string;
  deployment: string;
  startedAtMs: number;
  result: ScenarioResult;
}

/** What a list of past drills shows of each. */
export interface DrillListing {
  id: string;
  deployment: string;
  startedAtMs: number;
  scenario: string;
  runs: number;
  switchMasterP50Ms: number | null;
  writeUnavailableP50Ms: number | null;
  ackedLostMax: number | null;
  violations: number;
  deviations: number;
}

/** What a list shows of one stored drill (pure). */
export function listingOf(record: DrillRecord): DrillListing {
  const { result } = record;
  return {
    id: record.id,
    deployment: record.deployment,
    startedAtMs: record.startedAtMs,
    scenario: result.scenario,
    runs: result.runs.length,
    switchMasterP50Ms: result.summary.switchMasterMs?.p50 ?? null,
    writeUnavailableP50Ms: result.summary.writeUnavailableMs?.p50 ?? null,
    ackedLostMax: result.summary.ackedLost?.max ?? null,
    violations: result.summary.violations,
    deviations: result.summary.deviations,
  };
}

const recordSchema = z.object({
  id: z.string(),
  deployment: z.string(),
  startedAtMs: z.number(),
  result: scenarioResultSchema,
});

const runningSchema = z.object({
  pid: z.number().int(),
  what: z.string(),
  startedAtMs: z.number(),
});

const ID = /^[0-9]{8}-[0-9]{6}-[0-9]{3}-[a-z0-9-]+$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `20261124-041503-120-kill-master`: sorts by time, readable in a directory listing. */
export function drillId(startedAtMs: number, scenario: string): string {
  const d = new Date(startedAtMs);
  const date = `${String(d.getUTCFullYear())}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${date}-${time}-${pad(d.getUTCMilliseconds(), 3)}-${scenario}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The drills of one data directory: results on disk, and a lock so that two drills (from the CLI
 * and the dashboard, say) never break the same deployment at once.
 */
export class DrillStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'drills');
  }

  private lockFile(): string {
    return join(this.dir, 'running.json');
  }

  /** What runs now, if a live process holds the lock. */
  running(): { pid: number; what: string; startedAtMs: number } | null {
    try {
      const lock = runningSchema.parse(JSON.parse(readFileSync(this.lockFile(), 'utf8')));
      return alive(lock.pid) ? lock : null;
    } catch {
      return null;
    }
  }

  /** Takes the lock (created exclusively; a dead holder's lock is taken over) or says who holds it. */
  lock(what: string): () => void {
    mkdirSync(this.dir, { recursive: true });
    const body = JSON.stringify({ pid: process.pid, what, startedAtMs: Date.now() });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockFile(), body, { flag: 'wx' });
        return () => rmSync(this.lockFile(), { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = this.running();
        if (holder) {
          throw new UserError(
            `a drill (${holder.what}) is already running in process ${String(holder.pid)}; wait for it to finish or stop it with Ctrl-C`,
          );
        }
        rmSync(this.lockFile(), { force: true });
      }
    }
    throw new UserError(
      `could not take the drill lock ${this.lockFile()}; remove it and try again`,
    );
  }

  /** Writes the result and its HTML report; returns the record. */
  save(deployment: string, startedAtMs: number, result: ScenarioResult): DrillRecord {
    mkdirSync(this.dir, { recursive: true });
    const record: DrillRecord = {
      id: drillId(startedAtMs, result.scenario),
      deployment,
      startedAtMs,
      result,
    };
    writeFileSync(join(this.dir, `${record.id}.json`), JSON.stringify(record) + '\n');
    writeFileSync(
      join(this.dir, `${record.id}.html`),
      renderReport([result], { deployment, generatedAt: new Date(startedAtMs) }),
    );
    return record;
  }

  private cached: { mtimeMs: number; listings: DrillListing[] } | null = null;

  /**
   * The listing, read again only when the folder changed (a drill saved, here or by another
   * process): cheap enough to ask on every metrics scrape.
   */
  listCached(): DrillListing[] {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.dir).mtimeMs;
    } catch {
      return [];
    }
    if (this.cached?.mtimeMs !== mtimeMs) this.cached = { mtimeMs, listings: this.list() };
    return this.cached.listings;
  }

  /** Past drills, newest first; unreadable files are skipped. */
  list(): DrillListing[] {
    if (!existsSync(this.dir)) return [];
    const listings: DrillListing[] = [];
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json') || !ID.test(file.slice(0, -5))) continue;
      const record = this.read(file.slice(0, -5));
      if (!record) continue;
      listings.push(listingOf(record));
    }
    return listings.sort((a, b) => b.startedAtMs - a.startedAtMs);
  }

  read(id: string): DrillRecord | null {
    if (!ID.test(id)) return null;
    try {
      return recordSchema.parse(JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')));
    } catch {
      return null;
    }
  }

  report(id: string): string | null {
    if (!ID.test(id)) return null;
    try {
      return readFileSync(join(this.dir, `${id}.html`), 'utf8');
    } catch {
      return null;
    }
  }
}
