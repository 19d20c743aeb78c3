#!/usr/bin/env node
'use strict';
const fs = require('node:fs');
const path = require('node:path');
// conngate needs Node >= 22 (package.json engines); on an older Node the AWS SDK's notice that its 2027 releases
// need Node 22 would repeat on every run, so it is turned off here (the SDK's own switch) and engines speaks instead.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
// A packed package (npm pack / publish / a git install, built by `prepack`) runs its compiled dist/. A checkout
// that was not built yet runs its TypeScript sources through tsx (a dependency), so the package itself needs no
// install-time script.
const root = path.join(__dirname, '..');
let program;
if (fs.existsSync(path.join(root, 'dist', 'cli', 'program.js'))) {
  program = require('../dist/cli/program.js');
} else if (fs.existsSync(path.join(root, 'cli', 'program.ts'))) {
  require('tsx/cjs');
  program = require('../cli/program.ts');
} else {
  process.stderr.write('conngate: not built: dist/ is missing (fix: run `npm run build` in the conngate folder, or reinstall the package)\n');
  process.exit(2);
}
// The watchdog (a worker thread) ends the process at the deadline plus a grace even when the main thread is stuck.
program.main(process.argv, { watchdog: true }).then((code) => { process.exitCode = code; });
