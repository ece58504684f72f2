/**
 * Ends every run with the plain line CI reads ("N passed, N failed, N skipped") and names the
 * suites that were skipped, for example because Redis or Postgres was not reachable.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skippedSuites = results.testResults
      .filter((r) => r.numPassingTests === 0 && r.numFailingTests === 0 && r.numPendingTests > 0)
      .map((r) => r.testFilePath.replace(process.cwd() + '/', ''));
    if (skippedSuites.length) process.stdout.write(`\nSkipped suites:\n${skippedSuites.map((s) => `  - ${s}`).join('\n')}\n`);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
