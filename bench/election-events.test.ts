import { describe, expect, it } from 'vitest';
import { aboutKilledMaster } from './election-events.js';

const killed = '127.0.0.1:18300';

describe('lost-election event matching', () => {
  it('takes a +switch-master away from the killed master', () => {
    const e = { type: '+switch-master', message: 'mymaster 127.0.0.1 18300 127.0.0.1 18301' };
    expect(aboutKilledMaster(e, killed)).toBe(true);
  });

  it('does not take a +switch-master to the killed master', () => {
    // an earlier run's late report, or a later switch back: the killed node is the new master
    const e = { type: '+switch-master', message: 'mymaster 127.0.0.1 18301 127.0.0.1 18300' };
    expect(aboutKilledMaster(e, killed)).toBe(false);
  });

  it('does not take a master on another port that starts with the same digits', () => {
    const e = { type: '+switch-master', message: 'mymaster 127.0.0.1 183001 127.0.0.1 18301' };
    expect(aboutKilledMaster(e, killed)).toBe(false);
  });

  it('takes -failover-abort-not-elected only for the killed master', () => {
    const about = (message: string) =>
      aboutKilledMaster({ type: '-failover-abort-not-elected', message }, killed);
    expect(about('master mymaster 127.0.0.1 18300')).toBe(true);
    expect(about('master mymaster 127.0.0.1 18301')).toBe(false);
  });

  it('ignores other events about the killed master', () => {
    const e = { type: '+odown', message: 'master mymaster 127.0.0.1 18300 #quorum 2/2' };
    expect(aboutKilledMaster(e, killed)).toBe(false);
  });
});
