/**
 * Prints the closing line CI reads: `N passed, N failed` (jest's own summary is not recognised there).
 * A suite that fails to load counts its failure too, so a broken test file can never look green.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed` +
      (results.numPendingTests ? `, ${results.numPendingTests} skipped` : '') + '\n');
  }
}
module.exports = SummaryReporter;
