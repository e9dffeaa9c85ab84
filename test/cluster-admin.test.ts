import { OPEN_ACCESS } from '../src/redis/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReshardResult, RebalanceResult } from '../src/cluster/index.js';
import {
  checkCluster,
  ClusterLinks,
  commitSlot,
  readCluster,
  reshard,
  ReshardCancelled,
} from '../src/cluster/index.js';
import type { ClusterState } from '../src/model/index.js';
import { keySlot, parseAddr, parseClusterNodes, shardOfSlot } from '../src/model/index.js';
import { readState } from '../src/local/index.js';
import type { RunResult, TestDeployment, TestServer } from './helpers.js';
import {
  clusterPorts,
  freePorts,
  quorum,
  startCluster,
  startServer,
  tempDir,
  waitFor,
} from './helpers.js';

const run = promisify(execFile);
const SEED_KEYS = 2000;
/** redis-cli colours its output even into a pipe. */
const COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** `redis-cli --cluster check`, the real one: its output and whether it found the cluster OK. */
async function redisCliCheck(port: number): Promise<{ ok: boolean; out: string }> {
  const { stdout } = await run('redis-cli', ['--cluster', 'check', `127.0.0.1:${port}`], {
    timeout: 20_000,
  }).catch((err: unknown) => ({
    stdout: typeof err === 'object' && err !== null && 'stdout' in err ? String(err.stdout) : '',
  }));
  const out = stdout.replace(COLOURS, '');
  const ok =
    out.includes('[OK] All nodes agree about slots configuration.') &&
    out.includes('[OK] All 16384 slots covered.') &&
    !out.includes('[WARNING]') &&
    !out.includes('[ERR]');
  return { ok, out };
}

/** One sentence on stderr, no stack trace. */
function oneSentence(result: RunResult): string {
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return lines[0] ?? '';
}

/** The cluster id of the node at `addr` in a cluster state ('' when it has none). */
function idOf(state: ClusterState, addr: string): string {
  return Object.entries(state.addrs).find(([, a]) => a === addr)?.[0] ?? '';
}

describe('cluster administration', () => {
  let cluster: TestDeployment;
  let port = 0;
  let dir = '';
  let client: Cluster;
  const servers: TestServer[] = [];
  const links = new ClusterLinks(OPEN_ACCESS);
  const seed = () => [`127.0.0.1:${port}`];
  const cli = (args: string[], timeoutMs = 60_000) =>
    quorum(['cluster', ...args, '--dir', dir], { timeoutMs });

  async function expectEveryKey(): Promise<void> {
    const keys = Array.from({ length: SEED_KEYS }, (_, i) => `seed:${i}`);
    const values = await Promise.all(keys.map((k) => client.get(k)));
    expect(values.filter((v, i) => v !== String(i))).toEqual([]);
  }

  async function expectChecksPass(): Promise<void> {
    const ours = await cli(['check', '--json']);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const theirs = await redisCliCheck(port);
    expect(theirs.ok, theirs.out).toBe(true);
  }

  /** Starts a cluster-enabled redis-server of the test's own, not yet a member; its address. */
  async function startEmptyNode(name: string): Promise<string> {
    const p = await clusterPorts(1);
    const args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${p}.conf`];
    servers.push(
      await startServer('redis-server', tempDir(name), p, [
        ...args,
        '--cluster-node-timeout',
        '2000',
      ]),
    );
    return `127.0.0.1:${p}`;
  }

  beforeAll(async () => {
    cluster = await startCluster('cluster-admin', ['--node-timeout', '2000']);
    ({ port, dir } = cluster);
    expect(cluster.up.code, cluster.up.stderr).toBe(0);
    client = new Cluster([{ host: '127.0.0.1', port }], {
      redisOptions: { connectTimeout: 2000, commandTimeout: 3000 },
    });
    for (let i = 0; i < SEED_KEYS; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => i + j);
      await Promise.all(batch.map((n) => client.set(`seed:${n}`, String(n))));
    }
  });

  afterAll(async () => {
    client.disconnect();
    await links.close();
    for (const s of servers) await s.stop();
    const down = await cluster.down();
    expect(down.code).toBe(0);
  });

  it('up --mode cluster passes redis-cli --cluster check, and cluster check agrees', async () => {
    await expectChecksPass();
    const info = await cli(['info']);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/redis-1\s+127\.0\.0\.1:\d+\s+master\s+ok\s+16384/);
    const slots = await cli(['keyslot', 'foo', '{user1}.a', '--json']);
    const json = JSON.parse(slots.stdout) as { keys: { slot: number; hashTag: string | null }[] };
    expect(json.keys).toMatchObject([
      { slot: 12182, hashTag: null },
      { slot: keySlot('user1'), hashTag: 'user1' },
    ]);
    const offline = await quorum(['cluster', 'keyslot', 'foo', '--dir', `${dir}-none`]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('12182');
  });

  it('reshards 500 slots under write load without losing an acknowledged write', async () => {
    // half the writes go to keys in the slots being moved, so they meet ASK and MOVED
    const hot = Array.from({ length: 20_000 }, (_, i) => `w:${i}`).filter((k) => keySlot(k) < 500);
    const acked = new Map<string, string>();
    let failed = 0;
    let attempted = 0;
    // acknowledged writes to the moving slots, by when they were acknowledged
    const hotAckedAt: number[] = [];
    const writing = { stop: false };
    const writer = (async () => {
      for (let n = 0; !writing.stop; n++) {
        const key = n % 2 === 0 ? (hot[n % hot.length] ?? 'w:0') : `w:${n}`;
        attempted++;
        try {
          await client.set(key, String(n));
          acked.set(key, String(n));
          if (n % 2 === 0) hotAckedAt.push(Date.now());
        } catch {
          failed++;
        }
      }
    })();
    const result = await cli([
      'reshard',
      '--from',
      'redis-1',
      '--to',
      'redis-2',
      '--slots',
      '500',
      '--yes',
      '--json',
    ]);
    const endedAt = Date.now();
    writing.stop = true;
    await writer;
    expect(result.code, result.stderr).toBe(0);
    const r = JSON.parse(result.stdout) as ReshardResult;
    expect(r).toMatchObject({ slotsMoved: 500, from: `127.0.0.1:${port}` });
    console.log(
      `reshard of 500 slots, ${r.keysMoved} keys under write load: ${r.ms} ms (${Math.round(r.slotsMoved / (r.ms / 1000))} slots/s, ${Math.round(r.keysMoved / (r.ms / 1000))} keys/s); ${acked.size} keys written meanwhile, ${failed} writes failed`,
    );
    // the writes went on through the move: the moving slots took writes within the reshard's
    // span before the CLI returned (the move itself, less the CLI's exit), and almost none failed
    const during = hotAckedAt.filter((t) => t >= endedAt - r.ms && t <= endedAt);
    expect(during.length).toBeGreaterThan(0);
    expect(acked.size).toBeGreaterThan(100);
    expect(failed / attempted).toBeLessThan(0.01);
    const keys = [...acked.keys()];
    const values = await Promise.all(keys.map((k) => client.get(k)));
    const lost = keys.filter((k, i) => values[i] !== acked.get(k));
    expect(lost).toEqual([]);
    await expectEveryKey();
    await expectChecksPass();
  });

  it('an interrupted reshard leaves no slot open; a slot left open by hand fails check until fixed', async () => {
    const abort = new AbortController();
    const moving = reshard(links, seed(), {
      from: `127.0.0.1:${port + 1}`,
      to: `127.0.0.1:${port + 2}`,
      slots: 200,
      signal: abort.signal,
      progress: (p) => {
        if (p.slotsDone === 20) abort.abort();
      },
    });
    const cancelled = await moving.then(
      () => null,
      (err: unknown) => err,
    );
    expect(cancelled).toBeInstanceOf(ReshardCancelled);
    const { message, result } = cancelled as ReshardCancelled;
    expect(message).toContain('cancelled after 20 of 200 slots');
    expect(message).toContain(
      `'quorum cluster reshard --from 127.0.0.1:${port + 1} --to 127.0.0.1:${port + 2} --slots 180 --yes'`,
    );
    expect(result).toMatchObject({ slotsMoved: 20, remaining: 180 });
    const after = await checkCluster(links, seed());
    expect(after.problems).toEqual([]);

    // a move that died inside a slot: both sides flagged, some keys already on the target
    const { state } = await readCluster(links, seed());
    const id = (p: number) => idOf(state, `127.0.0.1:${p}`);
    const open = async (slot: number) => {
      const from = `127.0.0.1:${port + 2}`;
      await links.call(`127.0.0.1:${port}`, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', id(port + 2));
      await links.call(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', id(port));
      const [key] = (await links.call(from, 'CLUSTER', 'GETKEYSINSLOT', slot, 1)) as string[];
      await links.call(from, 'MIGRATE', '127.0.0.1', port, key ?? '', 0, 5000);
    };
    const slotOf = (n: number) => keySlot(`seed:${n}`);
    const inRedis3 = Array.from({ length: SEED_KEYS }, (_, n) => slotOf(n)).filter(
      (s) => s >= 10_923 + 500,
    );
    const [first = 0, second = 0] = [...new Set(inRedis3)];
    await open(first);
    const check = await cli(['check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`problem: slot ${first} is open`);
    expect((await redisCliCheck(port)).out).toContain(`The following slots are open: ${first}`);
    const fixed = await cli(['check', '--fix']);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toContain(`fixed: slot ${first}: finished the move`);
    await expectChecksPass();

    // and a new reshard closes an open slot before it moves anything
    await open(second);
    const moved = await cli([
      'reshard',
      '--from',
      'redis-1',
      '--to',
      'redis-2',
      '--slots',
      '10',
      '--yes',
    ]);
    expect(moved.code, moved.stderr).toBe(0);
    await expectEveryKey();
    await expectChecksPass();
  });

  it('adds an empty node, rebalances onto it, refuses to delete it until emptied', async () => {
    const node = await startEmptyNode('cluster-admin-node');
    const added = await cli(['add-node', node, '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ addr: node, role: 'master' });
    const again = await cli(['add-node', node]);
    expect(again.code).toBe(2);
    expect(oneSentence(again)).toContain('already a member');

    // an empty master holding keys (a move closed by hand after some reached it): not removed
    const { state: now } = await readCluster(links, seed());
    const redis1 = `127.0.0.1:${port}`;
    const n = Array.from({ length: SEED_KEYS }, (_, i) => i).find(
      (i) => shardOfSlot(now, keySlot(`seed:${i}`))?.master === redis1,
    );
    const slot = keySlot(`seed:${n ?? 0}`);
    await links.call(node, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', idOf(now, redis1));
    await links.call(node, 'ASKING');
    await links.call(node, 'SET', `{seed:${n ?? 0}}:stray`, 'x');
    await links.call(node, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
    const holding = await cli(['del-node', node]);
    expect(holding.code, holding.stderr).toBe(1);
    expect(oneSentence(holding)).toContain('owns no slot but holds 1 key,');
    await links.call(node, 'FLUSHALL');

    // the target of a move cut short after a key reached it: not removed, check --fix finishes it
    await links.call(node, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', idOf(now, redis1));
    await links.call(redis1, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', idOf(now, node));
    await links.call(
      redis1,
      'MIGRATE',
      '127.0.0.1',
      parseAddr(node)?.port ?? 0,
      `seed:${n ?? 0}`,
      0,
      5000,
    );
    const inFlight = await cli(['del-node', node]);
    expect(inFlight.code).toBe(1);
    expect(oneSentence(inFlight)).toContain(
      "finish the move first with 'quorum cluster check --fix'",
    );
    const fixed = await cli(['check', '--fix']);
    expect(fixed.code, fixed.stdout).toBe(0);
    await expectEveryKey();

    // like reshard, rebalance moves nothing unless told --yes (or answered y on a terminal)
    const slotsOf = async () =>
      (await readCluster(links, seed())).state.shards.map((s) => [s.master, s.slotCount]);
    const before = await slotsOf();
    const unbalanced = await cli(['rebalance', '--use-empty-masters']);
    expect(unbalanced.code).toBe(2);
    expect(oneSentence(unbalanced)).toMatch(
      /this would move \d+ slots \(.* -> .*\); pass --yes to go ahead$/,
    );
    expect(await slotsOf()).toEqual(before);
    const balanced = await cli(['rebalance', '--use-empty-masters', '--yes', '--json'], 120_000);
    expect(balanced.code, balanced.stderr).toBe(0);
    const r = JSON.parse(balanced.stdout) as RebalanceResult;
    expect(r.moves.every((m) => m.to === node)).toBe(true);
    const owned = (await readCluster(links, seed())).state.shards.find((s) => s.master === node);
    expect(owned?.slotCount).toBeGreaterThanOrEqual(4000);
    console.log(
      `rebalance onto an empty 4th master: ${owned?.slotCount} slots, ${r.keysMoved} keys in ${r.ms} ms`,
    );
    await expectEveryKey();

    const refused = await cli(['del-node', node]);
    expect(refused.code).toBe(1);
    expect(oneSentence(refused)).toContain(`quorum cluster reshard --from ${node} --to`);
    const emptied = await cli(
      ['reshard', '--from', node, '--to', 'redis-1', '--slots', String(owned?.slotCount), '--yes'],
      120_000,
    );
    expect(emptied.code, emptied.stderr).toBe(0);

    const unasked = await cli(['del-node', node]);
    expect(unasked.code).toBe(2);
    expect(oneSentence(unasked)).toMatch(
      /this would remove .+ from the cluster \(every node forgets it\); pass --yes to go ahead$/,
    );
    expect(Object.values((await readCluster(links, seed())).state.addrs)).toContain(node);
    const removed = await cli(['del-node', node, '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    const { state } = await readCluster(links, seed());
    expect(Object.values(state.addrs)).not.toContain(node);
    await expectEveryKey();
    await expectChecksPass();
  });

  it("commits a master's last slot when that master already turned itself into a replica of the target", async () => {
    const node = await startEmptyNode('cluster-admin-last');
    expect((await cli(['add-node', node])).code).toBe(0);
    const given = await cli([
      'reshard',
      '--from',
      'redis-1',
      '--to',
      node,
      '--slots',
      '1',
      '--yes',
    ]);
    expect(given.code, given.stderr).toBe(0);
    const { state } = await readCluster(links, seed());
    const redis1 = `127.0.0.1:${port}`;
    const slot = state.shards.find((s) => s.master === node)?.slots[0]?.[0];
    if (slot === undefined) throw new Error(`${node} owns no slot after the reshard`);

    // the move back, by hand up to the target taking the slot: the source hears of it by
    // gossip before it is told, and (cluster-allow-replica-migration) follows its new owner
    await links.call(redis1, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', idOf(state, node));
    await links.call(node, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', idOf(state, redis1));
    const keys = (await links.call(node, 'CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[];
    if (keys.length > 0)
      await links.call(node, 'MIGRATE', '127.0.0.1', port, '', 0, 5000, 'KEYS', ...keys);
    await links.call(redis1, 'CLUSTER', 'SETSLOT', slot, 'NODE', idOf(state, redis1));
    await waitFor(`${node} to follow redis-1`, 20_000, async () => {
      const nodes = parseClusterNodes(String(await links.call(node, 'CLUSTER', 'NODES')));
      const myself = nodes.find((n) => n.flags.includes('myself'));
      return myself?.role === 'replica' && myself.masterId === idOf(state, redis1)
        ? true
        : undefined;
    });
    // it refuses SETSLOT now ("only with masters"), which is the outcome wanted: no error
    const masters = new Set(state.shards.flatMap((s) => (s.master === null ? [] : [s.master])));
    await commitSlot(
      links,
      slot,
      { id: idOf(state, node), addr: node },
      { id: idOf(state, redis1), addr: redis1 },
      masters,
    );
    await expectEveryKey();
    const removed = await cli(['del-node', node, '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    await expectChecksPass();
  });

  it('starts a node through the supervisor and joins it as a replica', async () => {
    // a wrong master is refused before any process starts
    const wrong = await cli(['add-node', '--replica-of', '10.9.9.9:1']);
    expect(wrong.code).toBe(2);
    expect(readState(dir)?.spec).toMatchObject({ extraNodes: 0 });
    const added = await cli(['add-node', '--replica-of', 'redis-1', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const json = JSON.parse(added.stdout) as { name: string; addr: string; role: string };
    expect(json).toMatchObject({ name: 'redis-7', role: 'replica' });
    const { state } = await readCluster(links, seed());
    const shard = state.shards.find((s) => s.master === `127.0.0.1:${port}`);
    expect(shard?.replicas.map((r) => r.addr)).toContain(json.addr);
    await waitFor('the checks to pass with the new replica', 20_000, async () =>
      (await cli(['check'])).code === 0 ? true : undefined,
    );

    // removed again: quorum stops its own process and keeps it out of later starts
    const removed = await cli(['del-node', 'redis-7', '--yes', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ name: 'redis-7', stopped: true });
    expect(readState(dir)?.spec).toMatchObject({ removedNodes: ['redis-7'] });
    expect(readState(dir)?.processes.map((p) => p.name)).not.toContain('redis-7');
    await waitFor('status healthy without redis-7', 20_000, async () => {
      const status = await quorum(['status', '--json', '--dir', dir]);
      return status.code === 0 ? true : undefined;
    });
  });

  it('fails over to a replica with CLUSTER FAILOVER', async () => {
    const { state } = await readCluster(links, seed());
    const shard = state.shards.find((s) => s.master === `127.0.0.1:${port + 1}`);
    const replica = shard?.replicas[0]?.addr ?? '';
    const result = await cli(['failover', replica, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      replica,
      oldMaster: `127.0.0.1:${port + 1}`,
    });
    expect(await links.call(replica, 'ROLE')).toContain('master');
    const master = await cli(['failover', replica]);
    expect(master.code).toBe(2);
    expect(oneSentence(master)).toContain('is already a master');
    await expectEveryKey();
    await waitFor('every node to see the new master', 20_000, async () =>
      (await redisCliCheck(port)).ok ? true : undefined,
    );
  });

  it('refuses bad input with one sentence', async () => {
    const unknown = await cli([
      'reshard',
      '--from',
      'nosuch',
      '--to',
      'redis-1',
      '--slots',
      '5',
      '--yes',
    ]);
    expect(unknown.code).toBe(2);
    expect(oneSentence(unknown)).toContain(
      "no cluster node is 'nosuch'; the cluster knows redis-1",
    );
    const tooMany = await cli([
      'reshard',
      '--from',
      'redis-3',
      '--to',
      'redis-1',
      '--slots',
      '9000',
      '--yes',
    ]);
    expect(tooMany.code).toBe(2);
    expect(oneSentence(tooMany)).toMatch(/owns \d+ slots, so it cannot give 9000/);
    const same = await cli([
      'reshard',
      '--from',
      'redis-3',
      '--to',
      'redis-3',
      '--slots',
      '1',
      '--yes',
    ]);
    expect(same.code).toBe(2);
    expect(oneSentence(same)).toContain('pick two different masters');
    const { state } = await readCluster(links, seed());
    const replica = state.shards.find((s) => s.slotCount > 0)?.replicas[0]?.addr ?? '';
    const toReplica = await cli([
      'reshard',
      '--from',
      'redis-3',
      '--to',
      replica,
      '--slots',
      '1',
      '--yes',
    ]);
    expect(toReplica.code).toBe(2);
    expect(oneSentence(toReplica)).toContain('is a replica');

    const plainDir = tempDir('cluster-admin-plain');
    const p = await freePorts(1);
    servers.push(await startServer('redis-server', plainDir, p, []));
    const plain = await quorum(['cluster', 'check', '--cluster', `127.0.0.1:${p}`]);
    expect(plain.code).toBe(1);
    expect(oneSentence(plain)).toContain('is not cluster-enabled');
    const joinPlain = await cli(['add-node', `127.0.0.1:${p}`]);
    expect(joinPlain.code).toBe(1);
    expect(oneSentence(joinPlain)).toContain('is not cluster-enabled');
  });
});
