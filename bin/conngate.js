#!/usr/bin/env node
'use strict';
// The CLI is compiled by `npm install` (the `prepare` script) into dist/.
try {
  require.resolve('../dist/orchestrator/cli.js');
} catch {
  process.stderr.write('conngate: not built yet; run `npm install` (or `npm run build`) in the conngate folder first.\n');
  process.exit(2);
}
// The AWS SDK warns on every run that its 2027 releases will need Node 22; conngate supports Node 20 with the
// SDK versions it locks, so that notice is noise in pipeline logs (the SDK's own switch turns it off).
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
require('../dist/orchestrator/cli.js').main(process.argv).then((code) => { process.exitCode = code; });
