'use strict';
// Preloaded with `node -r` by tests: once the process writes a line containing BUSY_LOOP_AFTER_OUTPUT (so the
// command is running, its deadline and watchdog set), the main thread spins for ever, as a rendering loop that
// never returns would. Nothing on the main thread (timers, signal handlers, --timeout) can run after that.
const marker = process.env.BUSY_LOOP_AFTER_OUTPUT || 'listening on';
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    const result = write(chunk, ...rest);
    if (String(chunk).includes(marker)) setImmediate(() => { for (;;) { /* stuck */ } });
    return result;
  };
}
