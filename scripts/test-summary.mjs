// Prints vitest's JSON results as one plain closing line: "N passed, N failed, N skipped",
// after a line per failed test (file, name, the first lines of its error), so that the end of
// the output alone says what failed. The second argument is vitest's exit status: a run that
// failed outside every test (an unhandled error, a process that outlived the suite) never
// closes with "0 failed".
//
//   node scripts/test-summary.mjs RESULTS.json [VITEST_EXIT_STATUS]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const file = process.argv[2];
const vitestStatus = Number(process.argv[3] ?? '0');
const results = JSON.parse(readFileSync(file, 'utf8'));

// the message's first lines and where in the project it failed, not the frames inside packages
const gist = (text) => {
  const lines = stripVTControlCharacters(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const message = lines.filter((line) => !line.startsWith('at ')).slice(0, 3);
  const frame = lines.find((line) => line.startsWith('at ') && !line.includes('node_modules'));
  return [message[0], frame, ...message.slice(1)]
    .filter((line) => line !== undefined)
    .join(' | ')
    .slice(0, 2000);
};

for (const suite of results.testResults ?? []) {
  const where = relative(process.cwd(), suite.name ?? '');
  const failedHere = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
  for (const test of failedHere)
    console.log(
      `FAILED ${where} > ${test.fullName}: ${gist((test.failureMessages ?? []).join('\n'))}`,
    );
  // a file that fails outside its tests (an import, a beforeAll) has its message on the file
  if (failedHere.length === 0 && suite.status === 'failed')
    console.log(`FAILED ${where}: ${gist(suite.message ?? '')}`);
}

const passed = results.numPassedTests ?? 0;
// a suite that fails outside its tests (in beforeAll, say) fails the run too
const failedTests = results.numFailedTests ?? 0;
const failed = failedTests > 0 ? failedTests : (results.numFailedTestSuites ?? 0);
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
const outside = failed === 0 && (vitestStatus !== 0 || results.success === false);
if (outside)
  console.log(
    `FAILED outside every test: vitest exited with status ${vitestStatus} (an unhandled error, or a process that outlived the suite: see the lines above)`,
  );
console.log(
  `${passed} passed, ${outside ? 'the run FAILED outside the tests' : `${failed} failed`}, ${skipped} skipped`,
);
if (passed + failed === 0) {
  console.error('no test ran');
  process.exit(1);
}
if (outside) process.exit(1);
