import { describe, expect, it } from 'vitest';
import type { Addr, DataNode } from '../model/index.js';
import { downNode } from '../model/index.js';
import { computeLag, nodeFromInfo } from './node-reader.js';

const MASTER = '127.0.0.1:6390';
const R1 = '127.0.0.1:6391';
const R2 = '127.0.0.1:6392';
const NOW = 1_700_000_000_000;

function info(sections: Record<string, string[]>): string {
  return (
    Object.entries(sections)
      .map(([name, lines]) => [`# ${name}`, ...lines].join('\r\n'))
      .join('\r\n\r\n') + '\r\n'
  );
}

const SERVER = (port: number, runId: string) => [
  'redis_version:7.0.15',
  'redis_mode:standalone',
  'os:Linux 6.1.0-18-amd64 x86_64',
  `run_id:${runId}`,
  `tcp_port:${port}`,
  'uptime_in_seconds:1234',
];

/** INFO of a Redis 7.0 master with replicas on 6391 and 6392. */
function masterInfo(offset = 422, slaves = ['offset=422,lag=0', 'offset=408,lag=3']): string {
  return info({
    Server: SERVER(6390, '8e4a1c1a0b3f4e0c9d7a6b5c4d3e2f1a0b9c8d7e'),
    Clients: ['connected_clients:3', 'blocked_clients:0'],
    Memory: ['used_memory:1153968', 'used_memory_human:1.10M', 'maxmemory:104857600'],
    Persistence: ['loading:0'],
    Stats: [
      'total_connections_received:40',
      'total_commands_processed:9000',
      'instantaneous_ops_per_sec:7',
      'rejected_connections:2',
      'expired_keys:5',
      'evicted_keys:0',
      'keyspace_hits:70',
      'keyspace_misses:30',
    ],
    Replication: [
      'role:master',
      `connected_slaves:${slaves.length}`,
      ...slaves.map((s, i) => `slave${i}:ip=127.0.0.1,port=${6391 + i},state=online,${s}`),
      'master_failover_state:no-failover',
      `master_repl_offset:${offset}`,
      'second_repl_offset:-1',
    ],
    Keyspace: ['db0:keys=3,expires=0,avg_ttl=0', 'db2:keys=10,expires=4,avg_ttl=9000'],
  });
}

/** INFO of a Redis 7.0 replica of 6390. */
function replicaInfo(
  port: number,
  offset: number,
  extra: { link?: string; sync?: string; lastIo?: string } = {},
): string {
  return info({
    Server: SERVER(port, `${port}e4a1c1a0b3f4e0c9d7a6b5c4d3e2f1a0b9c8d`),
    Clients: ['connected_clients:2'],
    Memory: ['used_memory:1061712', 'maxmemory:0'],
    Persistence: ['loading:0'],
    Stats: ['instantaneous_ops_per_sec:1'],
    Replication: [
      'role:slave',
      'master_host:127.0.0.1',
      'master_port:6390',
      `master_link_status:${extra.link ?? 'up'}`,
      `master_last_io_seconds_ago:${extra.lastIo ?? '1'}`,
      `master_sync_in_progress:${extra.sync ?? '0'}`,
      `slave_read_repl_offset:${offset}`,
      `slave_repl_offset:${offset}`,
      'slave_priority:100',
      'slave_read_only:1',
      'replica_announced:1',
      'connected_slaves:0',
      'master_failover_state:no-failover',
      `master_repl_offset:${offset}`,
    ],
  });
}

describe('nodeFromInfo', () => {
  it('reads a master', () => {
    expect(nodeFromInfo(MASTER, masterInfo(), NOW)).toEqual({
      addr: MASTER,
      role: 'master',
      up: true,
      downReason: null,
      replication: {
        masterAddr: null,
        linkUp: null,
        offset: 422,
        lagBytes: null,
        lagSeconds: null,
        connectedReplicas: 2,
        syncInProgress: false,
      },
      memoryUsedBytes: 1153968,
      memoryMaxBytes: 104857600,
      connectedClients: 3,
      opsPerSec: 7,
      uptimeSeconds: 1234,
      version: '7.0.15',
      runId: '8e4a1c1a0b3f4e0c9d7a6b5c4d3e2f1a0b9c8d7e',
      loading: false,
      sdownBy: [],
      odown: false,
      lastSeenMs: NOW,
      stats: {
        mode: 'standalone',
        commandsProcessed: 9000,
        connectionsReceived: 40,
        rejectedConnections: 2,
        keyspaceHits: 70,
        keyspaceMisses: 30,
        expiredKeys: 5,
        evictedKeys: 0,
        blockedClients: 0,
        keyspace: { db0: { keys: 3, expires: 0 }, db2: { keys: 10, expires: 4 } },
      },
    } satisfies DataNode);
  });

  it('reads a replica: its master, link, offset and last contact', () => {
    const node = nodeFromInfo(R1, replicaInfo(6391, 408, { lastIo: '2' }), NOW);
    expect(node.role).toBe('replica');
    expect(node.up).toBe(true);
    expect(node.replication).toEqual({
      masterAddr: MASTER,
      linkUp: true,
      offset: 408,
      lagBytes: null,
      lagSeconds: 2,
      connectedReplicas: 0,
      syncInProgress: false,
    });
    expect(node.memoryMaxBytes).toBe(0);
    expect(node.runId).toBe('6391e4a1c1a0b3f4e0c9d7a6b5c4d3e2f1a0b9c8d');
  });

  it('reads a replica whose link is down while it syncs', () => {
    const node = nodeFromInfo(
      R1,
      replicaInfo(6391, 0, { link: 'down', sync: '1', lastIo: '-1' }),
      NOW,
    );
    expect(node.replication.linkUp).toBe(false);
    expect(node.replication.syncInProgress).toBe(true);
    expect(node.replication.offset).toBe(0);
    // Redis says -1 while it never heard from the master: no contact, not a lag of -1 s
    expect(node.replication.lagSeconds).toBeNull();
  });

  it('brackets an IPv6 master_host', () => {
    const text = '# Replication\r\nrole:slave\r\nmaster_host:::1\r\nmaster_port:6390\r\n';
    expect(nodeFromInfo('[::1]:6391', text, NOW).replication.masterAddr).toBe('[::1]:6390');
  });

  it('reads a node that is loading its dataset', () => {
    const text = masterInfo().replace('loading:0', 'loading:1');
    expect(nodeFromInfo(MASTER, text, NOW).loading).toBe(true);
  });

  it('reports role unknown for INFO without a role, and leaves numbers null', () => {
    const node = nodeFromInfo(MASTER, '# Server\r\nredis_version:7.0.15\r\n', NOW);
    expect(node.up).toBe(true);
    expect(node.role).toBe('unknown');
    expect(node.replication.offset).toBeNull();
    expect(node.memoryUsedBytes).toBeNull();
    expect(node.connectedClients).toBeNull();
    expect(node.runId).toBeNull();
  });
});

describe('computeLag', () => {
  function observe(replicaOffsets: [number, number], masterOffset = 422) {
    const nodes: DataNode[] = [
      nodeFromInfo(MASTER, masterInfo(masterOffset), NOW),
      nodeFromInfo(R1, replicaInfo(6391, replicaOffsets[0]), NOW),
      nodeFromInfo(R2, replicaInfo(6392, replicaOffsets[1]), NOW),
    ];
    return nodes;
  }

  function replicaNode(nodes: DataNode[], addr: Addr): DataNode {
    const node = nodes.find((n) => n.addr === addr);
    if (!node) throw new Error(`no node ${addr}`);
    return node;
  }

  it("computes lag bytes from the offsets and lag seconds from the master's lag=", () => {
    const nodes = observe([422, 400]);
    computeLag(nodes, new Map([[MASTER, masterInfo(422)]]));
    expect(replicaNode(nodes, R1).replication).toMatchObject({ lagBytes: 0, lagSeconds: 0 });
    expect(replicaNode(nodes, R2).replication).toMatchObject({ lagBytes: 22, lagSeconds: 3 });
  });

  it('clamps lag bytes at 0 when the replica was read after the master', () => {
    const nodes = observe([500, 422]);
    computeLag(nodes, new Map([[MASTER, masterInfo(422)]]));
    expect(replicaNode(nodes, R1).replication.lagBytes).toBe(0);
  });

  it('leaves the master without lag', () => {
    const nodes = observe([422, 400]);
    computeLag(nodes, new Map([[MASTER, masterInfo(422)]]));
    expect(replicaNode(nodes, MASTER).replication).toMatchObject({
      lagBytes: null,
      lagSeconds: null,
    });
  });

  it("keeps the replica's own last-contact seconds when the master does not list it", () => {
    const nodes = observe([422, 400]);
    computeLag(nodes, new Map([[MASTER, masterInfo(422, ['offset=422,lag=0'])]]));
    expect(replicaNode(nodes, R1).replication.lagSeconds).toBe(0);
    expect(replicaNode(nodes, R2).replication).toMatchObject({ lagBytes: 22, lagSeconds: 1 });
  });

  it("keeps the replica's own last-contact seconds without the master's INFO", () => {
    const nodes = observe([422, 400]);
    computeLag(nodes, new Map());
    expect(replicaNode(nodes, R2).replication).toMatchObject({ lagBytes: 22, lagSeconds: 1 });
  });

  it('leaves lag bytes unknown when the master is down', () => {
    const nodes = observe([422, 400]);
    nodes[0] = downNode(MASTER, 'refused');
    computeLag(nodes, new Map());
    expect(replicaNode(nodes, R1).replication.lagBytes).toBeNull();
    expect(replicaNode(nodes, R2).replication.lagBytes).toBeNull();
  });

  it('leaves lag bytes unknown when the master is not among the nodes', () => {
    const nodes = observe([422, 400]).slice(1);
    computeLag(nodes, new Map());
    expect(replicaNode(nodes, R1).replication.lagBytes).toBeNull();
  });
});
