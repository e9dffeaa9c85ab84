import { inject } from 'vitest';
import { MARK } from './leaks.js';

// every process this worker starts inherits the mark, so the suite's teardown finds it even when
// it detached or double-forked (test/global-setup.ts)
process.env[MARK] = inject('testRoot');
