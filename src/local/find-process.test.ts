import { describe, expect, it } from 'vitest';
import { UserError } from '../model/index.js';
import { findProcess } from './find-process.js';
import { defaultSpec, planProcesses } from './spec.js';

const processes = planProcesses(defaultSpec()).map((plan) => ({ plan }));

describe('findProcess', () => {
  it('finds a process by name, address or port', () => {
    expect(findProcess(processes, 'redis-2').plan.port).toBe(6391);
    expect(findProcess(processes, '127.0.0.1:26392').plan.name).toBe('sentinel-3');
    expect(findProcess(processes, '6390').plan.name).toBe('redis-1');
  });

  it('finds a lab process by its own address', () => {
    const lab = planProcesses(
      defaultSpec({ network: 'lab', lab: { tag: 'abc123', subnet: '198.18.7.0/24' } }),
    ).map((plan) => ({ plan }));
    expect(findProcess(lab, '198.18.7.51:26391').plan.name).toBe('sentinel-2');
    expect(findProcess(lab, '198.18.7.10:6390').plan.netns).toBe('quorum-abc123-redis-1');
    expect(() => findProcess(lab, '127.0.0.1:6390')).toThrow(UserError);
  });

  it('refuses another host on the right port, and names every process it knows', () => {
    expect(() => findProcess(processes, '10.0.0.1:6390')).toThrow(UserError);
    const thrown = (() => {
      try {
        findProcess(processes, 'redis-9');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).exitCode).toBe(2);
    expect((thrown as UserError).message).toBe(
      "no process 'redis-9' in this deployment; use one of: redis-1 (127.0.0.1:6390), redis-2 (127.0.0.1:6391), redis-3 (127.0.0.1:6392), sentinel-1 (127.0.0.1:26390), sentinel-2 (127.0.0.1:26391), sentinel-3 (127.0.0.1:26392)",
    );
  });
});
