import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeRedis } from '../redis/fake-resp.fixture.js';
import { OPEN_ACCESS } from '../redis/index.js';
import { ClusterLinks } from './links.js';
import { migrateKeys } from './move.js';

/**
 * A source node whose GETKEYSINSLOT answers something other than a list of keys: read as "no
 * key left", the slot would be committed to the target with its keys behind. It must stop.
 */
describe('moving a slot from a node whose replies have the wrong shape', () => {
  let fake: FakeRedis;
  let links: ClusterLinks;

  beforeEach(async () => {
    fake = new FakeRedis();
    await fake.listen();
    links = new ClusterLinks(OPEN_ACCESS, 5000);
  });

  afterEach(async () => {
    await links.close();
    await fake.stop();
  });

  it('stops with the command and what came, instead of taking the slot for empty', async () => {
    const source = { id: 'a'.repeat(40), addr: fake.addr };
    const target = { id: 'b'.repeat(40), addr: '127.0.0.1:1' };
    // FakeRedis answers +OK to GETKEYSINSLOT
    await expect(migrateKeys(links, 42, source, target)).rejects.toThrow(
      'CLUSTER GETKEYSINSLOT replied with',
    );
  });

  it('moves nothing from a slot whose GETKEYSINSLOT is an empty list', async () => {
    fake.answer('CLUSTER GETKEYSINSLOT', '*0\r\n');
    const source = { id: 'a'.repeat(40), addr: fake.addr };
    const target = { id: 'b'.repeat(40), addr: '127.0.0.1:1' };
    await expect(migrateKeys(links, 42, source, target)).resolves.toBe(0);
  });
});
