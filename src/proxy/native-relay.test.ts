import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRelay } from './native-relay.js';

describe('createRelay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-relay-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the compiled relay that make build puts in native/build', () => {
    const { relay, note } = createRelay('native', 2);
    try {
      expect(note).toBeNull();
      expect(relay.kind).toBe('native');
      expect(relay.threads).toBe(2);
    } finally {
      relay.stop();
    }
  });

  it('falls back to the JavaScript relay, saying why, when the addon is not built', () => {
    const missing = join(dir, 'missing.node');
    const { relay, note } = createRelay('native', 2, { addon: missing });
    expect(relay.kind).toBe('js');
    expect(relay.threads).toBe(0);
    expect(note).toBe(
      `relaying in JavaScript, slower: ${missing} is not built (make build compiles it)`,
    );
  });

  it('falls back, saying why, when the addon file does not load', () => {
    const broken = join(dir, 'broken.node');
    writeFileSync(broken, 'not a shared object');
    const { relay, note } = createRelay('native', 1, { addon: broken });
    expect(relay.kind).toBe('js');
    expect(note?.startsWith(`relaying in JavaScript, slower: ${broken} does not load: `)).toBe(
      true,
    );
  });

  it('gives the JavaScript relay without a note when it is asked for', () => {
    const { relay, note } = createRelay('js', 4);
    expect(relay.kind).toBe('js');
    expect(note).toBeNull();
  });
});
