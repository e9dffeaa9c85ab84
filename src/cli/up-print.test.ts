import { describe, expect, it } from 'vitest';
import { dashboardLine } from './up-print.js';

describe('dashboardLine', () => {
  it('says when the default port was taken and another picked, and only then', () => {
    expect(dashboardLine('http://127.0.0.1:41234/?token=t', true)).toBe(
      'dashboard: http://127.0.0.1:41234/?token=t\n(port 8390 was in use, so a free one was picked; --dashboard-port chooses)',
    );
    expect(dashboardLine('http://127.0.0.1:8390/?token=t', true)).toBe(
      'dashboard: http://127.0.0.1:8390/?token=t',
    );
    // a port asked for (0 included) is what the user chose
    expect(dashboardLine('http://127.0.0.1:41234/?token=t', false)).toBe(
      'dashboard: http://127.0.0.1:41234/?token=t',
    );
  });
});
