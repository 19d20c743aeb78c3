#!/usr/bin/env node
'use strict';
// The CLI is compiled by `npm install` (the `prepare` script) into dist/.
try {
  require.resolve('../dist/cli/program.js');
} catch {
  process.stderr.write('conngate: not built yet; run `npm install` (or `npm run build`) in the conngate folder first.\n');
  process.exit(2);
}
// conngate needs Node >= 22 (package.json engines); on an older Node the AWS SDK's notice that its 2027 releases
// need Node 22 would repeat on every run, so it is turned off here (the SDK's own switch) and engines speaks instead.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
// The watchdog (a worker thread) ends the process at the deadline plus a grace even when the main thread is stuck.
require('../dist/cli/program.js').main(process.argv, { watchdog: true }).then((code) => { process.exitCode = code; });
