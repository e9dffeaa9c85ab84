import { describe, expect, it } from 'vitest';
import type { SentinelView } from '../model/index.js';
import type { ListedInstance } from './sentinel-reader.js';
import { sentinelViewFrom } from './sentinel-reader.js';

const ADDR = '127.0.0.1:26390';
const SENTINEL_RUN_ID = '54c40256140637904b04d9d3016254572cb37edc';
const MASTER_RUN_ID = '8e4a1c1a0b3f4e0c9d7a6b5c4d3e2f1a0b9c8d7e';

const MASTER_RECORD: Record<string, string> = {
  name: 'mymaster',
  ip: '127.0.0.1',
  port: '6390',
  runid: MASTER_RUN_ID,
  flags: 'master',
  'down-after-milliseconds': '5000',
  'role-reported': 'master',
  'config-epoch': '0',
  'num-slaves': '2',
  'num-other-sentinels': '2',
  quorum: '2',
  'failover-timeout': '60000',
  'parallel-syncs': '1',
};

function sentinelInfo(tilt: string): string {
  return [
    '# Server',
    'redis_version:7.0.15',
    'redis_mode:sentinel',
    `run_id:${SENTINEL_RUN_ID}`,
    'tcp_port:26390',
    '',
    '# Clients',
    'connected_clients:3',
    '',
    '# Sentinel',
    'sentinel_masters:1',
    `sentinel_tilt:${tilt}`,
    'sentinel_tilt_since_seconds:-1',
    'sentinel_running_scripts:0',
    'sentinel_scripts_queue_length:0',
    'sentinel_simulate_failure_flags:0',
    'master0:name=mymaster,status=ok,address=127.0.0.1:6390,slaves=2,sentinels=3',
    '',
  ].join('\r\n');
}

const REPLICAS: ListedInstance[] = [
  { addr: '127.0.0.1:6391', flags: ['slave'] },
  { addr: '127.0.0.1:6392', flags: ['slave'] },
];
const CK_OK = {
  ok: true,
  message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached',
};

describe('sentinelViewFrom', () => {
  it("builds a sentinel's view from SENTINEL MASTER and INFO", () => {
    expect(sentinelViewFrom(ADDR, MASTER_RECORD, sentinelInfo('0'), REPLICAS, CK_OK)).toEqual({
      addr: ADDR,
      up: true,
      downReason: null,
      downKind: null,
      runId: SENTINEL_RUN_ID,
      masterAddr: '127.0.0.1:6390',
      masterFlags: ['master'],
      quorum: 2,
      knownSentinels: 2,
      knownReplicas: 2,
      okReplicas: 2,
      configEpoch: 0,
      downAfterMs: 5000,
      failoverTimeoutMs: 60000,
      tilt: false,
      ckquorum: CK_OK,
    } satisfies SentinelView);
  });

  it('reads TILT from sentinel_tilt:1', () => {
    expect(sentinelViewFrom(ADDR, MASTER_RECORD, sentinelInfo('1'), REPLICAS, CK_OK).tilt).toBe(
      true,
    );
  });

  it('leaves TILT unknown when INFO does not say', () => {
    expect(sentinelViewFrom(ADDR, MASTER_RECORD, '', REPLICAS, CK_OK).tilt).toBeNull();
  });

  it('keeps every flag the sentinel sets on the master', () => {
    const record = { ...MASTER_RECORD, flags: 'master,s_down,o_down' };
    expect(sentinelViewFrom(ADDR, record, sentinelInfo('0'), REPLICAS, CK_OK).masterFlags).toEqual([
      'master',
      's_down',
      'o_down',
    ]);
  });

  it('counts the replicas it lists, and passes a failed CKQUORUM through', () => {
    const ck = { ok: false, message: 'NOQUORUM 1 usable Sentinels' };
    const view = sentinelViewFrom(ADDR, MASTER_RECORD, sentinelInfo('0'), REPLICAS.slice(0, 1), ck);
    expect(view.knownReplicas).toBe(1);
    expect(view.ckquorum).toEqual(ck);
  });

  it('counts as ok only the replicas it does not flag down or disconnected', () => {
    const replicas: ListedInstance[] = [
      { addr: '127.0.0.1:6391', flags: ['slave', 's_down'] },
      { addr: '127.0.0.1:6392', flags: ['slave', 'disconnected'] },
      { addr: '127.0.0.1:6393', flags: ['slave'] },
    ];
    const view = sentinelViewFrom(ADDR, MASTER_RECORD, sentinelInfo('0'), replicas, CK_OK);
    expect(view.knownReplicas).toBe(3);
    expect(view.okReplicas).toBe(1);
  });

  it('brackets an IPv6 master address', () => {
    const record = { ...MASTER_RECORD, ip: '::1' };
    expect(sentinelViewFrom(ADDR, record, sentinelInfo('0'), [], CK_OK).masterAddr).toBe(
      '[::1]:6390',
    );
  });

  it('leaves unknown fields null for an empty record', () => {
    const view = sentinelViewFrom(ADDR, {}, sentinelInfo('0'), [], CK_OK);
    expect(view.masterAddr).toBeNull();
    expect(view.masterFlags).toEqual([]);
    expect(view.quorum).toBeNull();
    expect(view.knownSentinels).toBeNull();
    expect(view.configEpoch).toBeNull();
  });

  it('has no master address for a bad port', () => {
    for (const port of ['0', 'abc', '']) {
      const record = { ...MASTER_RECORD, port };
      expect(sentinelViewFrom(ADDR, record, '', [], CK_OK).masterAddr).toBeNull();
    }
  });

  it("does not take the master's run id for the sentinel's", () => {
    expect(sentinelViewFrom(ADDR, MASTER_RECORD, '', REPLICAS, CK_OK).runId).not.toBe(
      MASTER_RUN_ID,
    );
  });
});
