import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabPlan } from '../src/local/index.js';
import { labLeftovers, labUnavailable, netnsName } from '../src/local/index.js';
import { hasNetem } from '../src/faults/index.js';
import { quorum, type TestDeployment } from './helpers.js';
import { startLab } from './lab-support.js';

const why = labUnavailable();
// probing needs root; without the lab the whole file is skipped anyway
const netem = why === null && hasNetem();
const LATENCY_MS = 200;

/**
 * The quickest of three `redis-cli -r 5 PING` runs from `from` to `addr`, in ms: one connection
 * and five round trips, plus the start of redis-cli (the minimum keeps the least of that noise).
 */
function pingTime(plan: LabPlan, from: string, addr: string): number {
  const [host, port] = addr.split(':');
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    const run = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        netnsName(plan, from),
        'timeout',
        '10',
        'redis-cli',
        '-h',
        host ?? '',
        '-p',
        port ?? '',
        '-r',
        '5',
        'PING',
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    if (
      run.stdout
        .trim()
        .split('\n')
        .filter((l) => l === 'PONG').length !== 5
    )
      throw new Error(`no 5 PONGs from ${addr}: ${run.stdout} ${run.stderr}`);
    times.push(Date.now() - started);
  }
  return Math.min(...times);
}

/** Whether `from` (a lab member) gets PONG from `addr` within 2 s, over a real connection. */
function reaches(plan: LabPlan, from: string, addr: string): boolean {
  const [host, port] = addr.split(':');
  const run = spawnSync(
    'ip',
    // redis-cli waits on a connection that never completes: `timeout` bounds it
    [
      'netns',
      'exec',
      netnsName(plan, from),
      'timeout',
      '2',
      'redis-cli',
      '-h',
      host ?? '',
      '-p',
      port ?? '',
      'PING',
    ],
    { encoding: 'utf8', timeout: 5000 },
  );
  return run.stdout.trim() === 'PONG';
}

describe.skipIf(why !== null)(`the lab network (${why ?? 'root, ip, nft and tc are here'})`, () => {
  let lab: TestDeployment;
  let plan: LabPlan;
  const addr: Record<string, string> = {};

  beforeAll(async () => {
    const started = await startLab('lab');
    ({ lab, plan } = started);
    const { state } = started;
    for (const p of state.processes) addr[p.name] = `${p.host ?? ''}:${String(p.port)}`;
  });

  afterAll(async () => {
    await lab.down();
  });

  it('puts every process on its own address, and every member reaches every process', () => {
    expect(new Set(Object.values(addr).map((a) => a.split(':')[0])).size).toBe(6);
    for (const a of Object.values(addr)) expect(a).toMatch(/^198\.1[89]\.\d+\.\d+:\d+$/);
    const members = [...Object.keys(addr), 'client-1', 'client-2'];
    const unreachable = members.flatMap((from) =>
      Object.entries(addr)
        .filter(([to]) => to !== from)
        .filter(([, a]) => !reaches(plan, from, a))
        .map(([to]) => `${from} -> ${to}`),
    );
    expect(unreachable).toEqual([]);
  });

  it('cuts exactly the named links, both ways, and heal restores them', async () => {
    const cut = await quorum([
      'fault',
      'partition',
      'redis-2,client-1 | redis-3,sentinel-1',
      '--dir',
      lab.dir,
    ]);
    expect(cut.code, cut.stderr).toBe(0);
    expect(reaches(plan, 'client-1', addr['redis-3'] ?? '')).toBe(false);
    expect(reaches(plan, 'redis-3', addr['redis-2'] ?? '')).toBe(false);
    expect(reaches(plan, 'sentinel-1', addr['redis-2'] ?? '')).toBe(false);
    // inside a group, and for anyone not named, nothing changes
    expect(reaches(plan, 'client-1', addr['redis-2'] ?? '')).toBe(true);
    expect(reaches(plan, 'client-2', addr['redis-2'] ?? '')).toBe(true);
    expect(reaches(plan, 'redis-1', addr['redis-3'] ?? '')).toBe(true);
    const again = await quorum(['fault', 'partition', 'redis-1 | redis-2', '--dir', lab.dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      'is already active; heal it first (quorum fault heal) or pass --replace',
    );
    const heal = await quorum(['fault', 'heal', '--dir', lab.dir]);
    expect(heal.stdout).toContain('healed partition redis-2,client-1 | redis-3,sentinel-1');
    expect(reaches(plan, 'client-1', addr['redis-3'] ?? '')).toBe(true);
    expect(reaches(plan, 'redis-3', addr['redis-2'] ?? '')).toBe(true);
    expect((await quorum(['fault', 'heal', '--dir', lab.dir])).stdout).toContain('nothing to heal');
  });

  it('cuts one way: A cannot reach B while B still reaches A', async () => {
    const cut = await quorum(['fault', 'one-way', 'client-1', 'client-2', '--dir', lab.dir]);
    expect(cut.code, cut.stderr).toBe(0);
    // client-2 hosts no server: test with processes that do
    const oneWay = await quorum([
      'fault',
      'one-way',
      'redis-1',
      'sentinel-3',
      '--replace',
      '--dir',
      lab.dir,
    ]);
    expect(oneWay.code, oneWay.stderr).toBe(0);
    expect(reaches(plan, 'redis-1', addr['sentinel-3'] ?? '')).toBe(false);
    expect(reaches(plan, 'sentinel-3', addr['redis-1'] ?? '')).toBe(true);
    await quorum(['fault', 'heal', '--dir', lab.dir]);
    expect(reaches(plan, 'redis-1', addr['sentinel-3'] ?? '')).toBe(true);
  });

  it('drops packets and limits bandwidth on one member only, until healed', async () => {
    expect((await quorum(['fault', 'loss', 'sentinel-2', '100', '--dir', lab.dir])).code).toBe(0);
    expect(reaches(plan, 'client-1', addr['sentinel-2'] ?? '')).toBe(false);
    expect(reaches(plan, 'client-1', addr['sentinel-1'] ?? '')).toBe(true);
    // 256 kbit/s is 32 KiB/s: 96 KiB cannot arrive in less than about 3 s, however fast the machine
    const master = addr['redis-1'] ?? '';
    const [host, port] = master.split(':');
    const value = 'x'.repeat(96 * 1024);
    const set = spawnSync(
      'redis-cli',
      ['-h', host ?? '', '-p', port ?? '', '-x', 'SET', 'lab:big'],
      {
        input: value,
        encoding: 'utf8',
      },
    );
    expect(set.stdout.trim()).toBe('OK');
    expect((await quorum(['fault', 'bandwidth', 'redis-1', '256', '--dir', lab.dir])).code).toBe(0);
    const started = Date.now();
    const got = spawnSync('redis-cli', ['-h', host ?? '', '-p', port ?? '', 'GET', 'lab:big'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(got.stdout.trim().length).toBe(value.length);
    expect(Date.now() - started).toBeGreaterThan(1500);
    const heal = await quorum(['fault', 'heal', '--dir', lab.dir]);
    expect(heal.stdout).toContain('100% packet loss on sentinel-2');
    expect(heal.stdout).toContain('redis-1 limited to 256 kbit/s');
    expect(reaches(plan, 'client-1', addr['sentinel-2'] ?? '')).toBe(true);
  });

  it('refuses latency where the kernel has no netem with exactly that reason, and names unknown members', async () => {
    const latency = await quorum(['fault', 'latency', 'redis-1', '50', '--dir', lab.dir]);
    if (latency.code !== 0)
      expect(latency.stderr).toContain('this kernel has no sch_netem (tc netem)');
    else await quorum(['fault', 'heal', '--dir', lab.dir]);
    const unknown = await quorum(['fault', 'isolate', 'redis-9', '--dir', lab.dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'redis-9' names no member of the lab; use one of: redis-1");
  });

  it.skipIf(!netem)(
    `latency adds its delay to every round trip to the member, and the heal takes it away${netem ? '' : ' (skipped: this kernel has no sch_netem, so tc cannot add latency)'}`,
    async () => {
      const master = addr['redis-1'] ?? '';
      const before = pingTime(plan, 'client-1', master);
      const other = pingTime(plan, 'client-1', addr['redis-2'] ?? '');
      const fault = await quorum([
        'fault',
        'latency',
        'redis-1',
        String(LATENCY_MS),
        '--dir',
        lab.dir,
      ]);
      expect(fault.code, fault.stderr).toBe(0);
      let during: number;
      let otherDuring: number;
      try {
        during = pingTime(plan, 'client-1', master);
        otherDuring = pingTime(plan, 'client-1', addr['redis-2'] ?? '');
      } finally {
        expect((await quorum(['fault', 'heal', '--dir', lab.dir])).code).toBe(0);
      }
      const after = pingTime(plan, 'client-1', master);
      console.log(
        `latency ${LATENCY_MS} ms on redis-1: 5 PINGs took ${before} ms before, ${during} ms during, ${after} ms after the heal; redis-2 ${other} ms, ${otherDuring} ms`,
      );
      // the member's replies are delayed: the connection's SYN-ACK and each of the 5 PONGs, so
      // 6 x the delay is added, which no noise on an idle link reaches (netem adds, never removes)
      const added = during - before;
      expect(added).toBeGreaterThanOrEqual(6 * LATENCY_MS * 0.9);
      expect(added).toBeLessThan(6 * LATENCY_MS + 1000);
      // only that member: another node's round trips are not delayed
      expect(otherDuring - other).toBeLessThan(LATENCY_MS);
      // healed: the delay is gone
      expect(after - before).toBeLessThan(LATENCY_MS);
    },
  );

  it('leaves nothing behind after down: no namespace, veth, bridge or qdisc', async () => {
    const down = await lab.down();
    expect(down.code).toBe(0);
    expect(labLeftovers(plan)).toEqual([]);
    const qdiscs = spawnSync('tc', ['qdisc', 'show'], { encoding: 'utf8' }).stdout;
    expect(qdiscs).not.toContain(`qv${plan.tag}`);
  });
});
