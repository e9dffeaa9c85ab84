import { describe, expect, it } from 'vitest';
import { startDeployment } from './helpers.js';
import { DOWN_AFTER_MS, drill, healthy } from './drill-support.js';

describe('the split-brain restart, with and without preset safe', () => {
  it('loses the writes an empty restarted master acknowledged, and none with min-replicas-to-write', async () => {
    // started one after the other: each picks its free ports before it binds them
    const plain = await startDeployment('split', [
      '--no-dashboard',
      '--down-after',
      String(DOWN_AFTER_MS),
    ]);
    const safe = await startDeployment('split-safe', [
      '--no-dashboard',
      '--down-after',
      String(DOWN_AFTER_MS),
      '--preset',
      'safe',
    ]);
    try {
      expect(plain.up.code).toBe(0);
      expect(safe.up.code).toBe(0);
      const [lossy, guarded] = (
        await Promise.all([drill(plain, 'split-brain-restart'), drill(safe, 'split-brain-restart')])
      ).map((r) => r.runs[0]);
      if (!lossy || !guarded) throw new Error('no run');
      console.log(
        `split-brain-restart: two masters for ${lossy.twoMastersMs} ms, ${lossy.ackedLost}/${lossy.acknowledged} acknowledged writes lost; with preset safe ${guarded.ackedLost}/${guarded.acknowledged} lost, ${guarded.failed} refused`,
      );
      for (const run of [lossy, guarded]) {
        expect(run.via).toBe('role-check');
        expect(run.failover).toBe(true);
        // detected: the observer saw the old master claim role:master next to the new one
        expect(run.twoMastersMs).toBeGreaterThan(1000);
        expect(run.events.some((e) => e.type === '+convert-to-slave')).toBe(true);
        expect(run.violations).toEqual([]);
      }
      expect(lossy.minReplicasToWrite).toBe(0);
      expect(lossy.ackedLost).toBeGreaterThan(100);
      expect(guarded.minReplicasToWrite).toBe(1);
      // at most the kill's own replication window; the empty master took nothing
      expect(guarded.ackedLost).toBeLessThanOrEqual(20);
      expect(await healthy(plain)).toBe(true);
      expect(await healthy(safe)).toBe(true);
    } finally {
      await plain.down();
      await safe.down();
    }
  });
});
