import { describe, expect, it } from 'vitest';
import { childArgs } from './up-detach.js';

describe('childArgs', () => {
  it('moves secret flags, spaced or with =, into environment variables', () => {
    const { args, env } = childArgs([
      'up',
      '--dir',
      'd',
      '--password',
      's3cret',
      '--token=tok-123',
      '--viewer-token',
      'v',
      '--replicas',
      '1',
    ]);
    expect(args).toEqual(['up', '--dir', 'd', '--replicas', '1']);
    expect(env).toEqual({
      QUORUM_PASSWORD: 's3cret',
      QUORUM_TOKEN: 'tok-123',
      QUORUM_VIEWER_TOKEN: 'v',
    });
  });

  it('leaves other flags alone, including ones that merely start alike', () => {
    const { args, env } = childArgs(['up', '--password-file', 'x', '--tokenish']);
    expect(args).toEqual(['up', '--password-file', 'x', '--tokenish']);
    expect(env).toEqual({});
  });
});
