import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRecord } from './job-types.js';
import { jobRecordSchema } from './job-types.js';

/** Ended jobs kept per deployment; older records are removed. */
const JOBS_KEPT = 50;

/**
 * The ended jobs of one deployment: one JSON file each under `<dir>/jobs/`, or in memory for an
 * attached deployment (no dir). Ids sort by start time, so the oldest go first.
 */
export class JobArchive {
  private readonly memory: JobRecord[] = [];
  private readonly folder: string | null;

  constructor(
    dir: string | null,
    private readonly kept = JOBS_KEPT,
  ) {
    this.folder = dir === null ? null : join(dir, 'jobs');
  }

  keep(record: JobRecord): void {
    if (this.folder === null) {
      this.memory.push(record);
      this.memory.splice(0, Math.max(0, this.memory.length - this.kept));
      return;
    }
    mkdirSync(this.folder, { recursive: true });
    const file = join(this.folder, `${record.id}.json`);
    // written whole then renamed, so a reader never sees half a record
    writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
    const names = this.names();
    for (const old of names.slice(0, Math.max(0, names.length - this.kept)))
      rmSync(join(this.folder, old), { force: true });
  }

  /** One record; null when there is none (or it is not a record). */
  read(id: string): JobRecord | null {
    if (this.folder === null) return this.memory.find((r) => r.id === id) ?? null;
    if (!/^[\w-]+$/.test(id)) return null;
    return this.parse(join(this.folder, `${id}.json`));
  }

  /** Every record kept, newest first. */
  list(): JobRecord[] {
    if (this.folder === null) return [...this.memory].reverse();
    const folder = this.folder;
    return this.names()
      .reverse()
      .map((name) => this.parse(join(folder, name)))
      .filter((r): r is JobRecord => r !== null);
  }

  private names(): string[] {
    if (this.folder === null) return [];
    try {
      return readdirSync(this.folder)
        .filter((n) => n.endsWith('.json'))
        .sort();
    } catch {
      return [];
    }
  }

  private parse(file: string): JobRecord | null {
    try {
      const parsed = jobRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}
