import { describe, expect, it } from 'vitest';
import { healthProblems } from './health.js';
import { downNode, downSentinel } from './topology.js';
import {
  MASTER,
  master,
  R1,
  R2,
  replica,
  S1,
  S2,
  S3,
  sentinel,
  topology,
} from './topology.fixture.js';

describe('healthProblems', () => {
  it('finds nothing wrong with a healthy deployment', () => {
    expect(healthProblems(topology())).toEqual([]);
  });

  it('reports a sentinel that is down, with the reason', () => {
    const sentinels = [
      sentinel(S1),
      sentinel(S2),
      downSentinel(S3, `${S3} refused the connection (nothing listens there)`),
    ];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      `sentinel ${S3} is down: ${S3} refused the connection (nothing listens there)`,
    ]);
  });

  it('reports a sentinel that believes in another master', () => {
    const sentinels = [sentinel(S1), sentinel(S2), sentinel(S3, { masterAddr: R1 })];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      `sentinel ${S3} believes the master is ${R1}, not ${MASTER}`,
    ]);
  });

  it('reports a replica whose replication link is down', () => {
    const nodes = [
      master(MASTER),
      replica(R1, MASTER),
      replica(R2, MASTER, {
        replication: { ...replica(R2, MASTER).replication, linkUp: false, syncInProgress: true },
      }),
    ];
    expect(healthProblems(topology({ nodes }))).toEqual([`${R2} has its replication link down`]);
  });

  it('reports a replica following the wrong master', () => {
    const nodes = [master(MASTER), replica(R1, MASTER), replica(R2, R1)];
    expect(healthProblems(topology({ nodes }))).toEqual([
      `${R2} replicates from ${R1}, not ${MASTER}`,
    ]);
  });

  it('reports a second node that claims to be a master', () => {
    const nodes = [master(MASTER), replica(R1, MASTER), master(R2)];
    expect(healthProblems(topology({ nodes }))).toEqual([
      `${R2} reports role master but the sentinels' master is ${MASTER}`,
    ]);
  });

  it('reports an agreed master that says it is a replica', () => {
    const nodes = [replica(MASTER, R1), replica(R1, MASTER), replica(R2, MASTER)];
    expect(healthProblems(topology({ nodes }))).toEqual([
      `${MASTER} is the agreed master but reports role replica`,
    ]);
  });

  it('reports a data node that is down', () => {
    const nodes = [
      master(MASTER),
      replica(R1, MASTER),
      downNode(R2, `${R2} did not answer in time`),
    ];
    expect(healthProblems(topology({ nodes }))).toEqual([
      `${R2} is down: ${R2} did not answer in time`,
    ]);
  });

  it('reports a sentinel in TILT mode', () => {
    const sentinels = [sentinel(S1, { tilt: true }), sentinel(S2), sentinel(S3)];
    expect(healthProblems(topology({ sentinels }))).toEqual([`sentinel ${S1} is in TILT mode`]);
  });

  it('reports a sentinel failing CKQUORUM, with its message', () => {
    const message =
      'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master';
    const sentinels = [
      sentinel(S1),
      sentinel(S2, { ckquorum: { ok: false, message } }),
      sentinel(S3),
    ];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      `sentinel ${S2} fails CKQUORUM: ${message}`,
    ]);
  });

  it('reports a sentinel flagging the master s_down', () => {
    const sentinels = [
      sentinel(S1, { masterFlags: ['master', 's_down'] }),
      sentinel(S2),
      sentinel(S3),
    ];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      `sentinel ${S1} flags the master s_down`,
    ]);
  });

  it('reports a sentinel that knows fewer peers than there are', () => {
    const sentinels = [sentinel(S1), sentinel(S2), sentinel(S3, { knownSentinels: 1 })];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      `sentinel ${S3} knows 1 of 2 other sentinels`,
    ]);
  });

  it('compares known peers and replicas with the expectation when given', () => {
    expect(healthProblems(topology(), { sentinels: 5, replicas: 3 })).toEqual([
      `sentinel ${S1} knows 2 of 4 other sentinels`,
      `sentinel ${S1} knows 2 of 3 replicas`,
      `sentinel ${S2} knows 2 of 4 other sentinels`,
      `sentinel ${S2} knows 2 of 3 replicas`,
      `sentinel ${S3} knows 2 of 4 other sentinels`,
      `sentinel ${S3} knows 2 of 3 replicas`,
    ]);
  });

  it('reports a sentinel that knows fewer replicas than there are', () => {
    const sentinels = [sentinel(S1, { knownReplicas: 1 }), sentinel(S2), sentinel(S3)];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      `sentinel ${S1} knows 1 of 2 replicas`,
    ]);
  });

  it('reports sentinels that agree on no master, naming the candidates', () => {
    const sentinels = [
      sentinel(S1, { masterAddr: MASTER }),
      sentinel(S2, { masterAddr: R1 }),
      sentinel(S3, { masterAddr: R2 }),
    ];
    const t = topology({ sentinels });
    expect(t.agreement.master).toBeNull();
    expect(healthProblems(t)).toEqual([
      `the sentinels do not agree on a master (named: ${[MASTER, R1, R2].join(', ')})`,
    ]);
  });

  it('says "none" when no reachable sentinel names a master', () => {
    const sentinels = [
      sentinel(S1, { masterAddr: null }),
      sentinel(S2, { masterAddr: null }),
      sentinel(S3, { masterAddr: null }),
    ];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      'the sentinels do not agree on a master (named: none)',
    ]);
  });

  it('reports only the down sentinels when none is reachable', () => {
    const sentinels = [downSentinel(S1, 'a'), downSentinel(S2, 'b'), downSentinel(S3, 'c')];
    expect(healthProblems(topology({ sentinels }))).toEqual([
      `sentinel ${S1} is down: a`,
      `sentinel ${S2} is down: b`,
      `sentinel ${S3} is down: c`,
    ]);
  });

  it('reports a deployment without sentinels', () => {
    expect(healthProblems(topology({ sentinels: [] }))).toEqual(['no sentinel is known']);
  });

  it('reports several problems at once', () => {
    const sentinels = [sentinel(S1, { tilt: true }), sentinel(S2), downSentinel(S3, 'refused')];
    const nodes = [master(MASTER), replica(R1, R2), downNode(R2, 'refused')];
    expect(healthProblems(topology({ nodes, sentinels }))).toEqual([
      `sentinel ${S1} is in TILT mode`,
      `sentinel ${S3} is down: refused`,
      `${R1} replicates from ${R2}, not ${MASTER}`,
      `${R2} is down: refused`,
    ]);
  });
});
