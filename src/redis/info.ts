/** INFO as sections of key -> raw string value; section names are lower-case. */
export type InfoSections = Record<string, Record<string, string>>;

/** Parses the text INFO returns. Unknown lines are skipped; never throws. */
export function parseInfo(text: string): InfoSections {
  // null-prototype records: a hostile server must not be able to write `__proto__` sections or keys
  const sections: InfoSections = Object.create(null) as InfoSections;
  let current: Record<string, string> = Object.create(null) as Record<string, string>;
  sections.default = current;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const name = line.slice(1).trim().toLowerCase();
      current = Object.hasOwn(sections, name)
        ? (sections[name] ?? current)
        : (Object.create(null) as Record<string, string>);
      sections[name] = current;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return sections;
}

/** All sections flattened into one map (INFO keys are unique across sections). */
export function flattenInfo(sections: InfoSections): Record<string, string> {
  return Object.assign(
    Object.create(null) as Record<string, string>,
    ...Object.values(sections),
  ) as Record<string, string>;
}

/** Parses `k=v,k=v` values such as `slave0:ip=...,port=...` and `db0:keys=...`. */
export function parseInfoFields(value: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return fields;
}

export function infoNumber(info: Record<string, string>, key: string): number | null {
  const value = info[key];
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export interface InfoReplica {
  ip: string;
  port: number;
  state: string;
  offset: number | null;
  lag: number | null;
}

/** The `slaveN:` lines of a master's INFO replication. */
export function infoReplicas(info: Record<string, string>): InfoReplica[] {
  const replicas: InfoReplica[] = [];
  for (const [key, value] of Object.entries(info)) {
    if (!/^slave\d+$/.test(key)) continue;
    const f = parseInfoFields(value);
    const port = Number(f.port);
    if (!f.ip || !Number.isInteger(port)) continue;
    const offset = Number(f.offset);
    const lag = Number(f.lag);
    replicas.push({
      ip: f.ip,
      port,
      state: f.state ?? 'unknown',
      offset: f.offset !== undefined && Number.isFinite(offset) ? offset : null,
      lag: f.lag !== undefined && Number.isFinite(lag) ? lag : null,
    });
  }
  return replicas;
}
