#!/usr/bin/env node
'use strict';
// The CLI is compiled by `npm install` (the `prepare` script) into dist/.
try {
  require.resolve('../dist/orchestrator/cli.js');
} catch {
  process.stderr.write('conngate: not built yet; run `npm install` (or `npm run build`) in the conngate folder first.\n');
  process.exit(2);
}
require('../dist/orchestrator/cli.js').main(process.argv).then((code) => { process.exitCode = code; });
