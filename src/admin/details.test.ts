import { describe, expect, it } from 'vitest';
import { redactConfig } from './details.js';

describe('redactConfig', () => {
  it('hides every password-like value that is set, and keeps the rest', () => {
    expect(
      redactConfig({
        requirepass: 'x',
        masterauth: 'y',
        'tls-key-file-pass': 'z',
        masteruser: 'u',
        port: '6379',
        requirepass2: '',
      }),
    ).toEqual({
      masterauth: '(redacted)',
      masteruser: 'u',
      port: '6379',
      requirepass: '(redacted)',
      requirepass2: '',
      'tls-key-file-pass': '(redacted)',
    });
  });
});
