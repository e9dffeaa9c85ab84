/**
 * SENTINEL MASTER / REPLICAS / SENTINELS reply with flat `[k1, v1, k2, v2, ...]` arrays (RESP2).
 * These turn them into records; anything malformed becomes an empty record, never an exception.
 */
export function pairsToRecord(reply: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (!Array.isArray(reply)) return record;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const key: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (typeof key === 'string' && (typeof value === 'string' || typeof value === 'number')) {
      record[key] = String(value);
    }
  }
  return record;
}

export function flagsOf(record: Record<string, string>): string[] {
  return (record.flags ?? '').split(',').filter((f) => f !== '');
}
