/** Connection functions that keep state between evaluations, as an attack on sampling would (shared by tests). */

/** Allows the first connection it ever sees, slowly (so that sample is never the fastest), and denies every later one. */
export const ALLOWS_FIRST_THEN_DENIES = `function connectionHandler(connection) {
  globalThis.evaluations = (globalThis.evaluations || 0) + 1;
  if (globalThis.evaluations === 1) {
    let x = 0;
    for (let i = 0; i < 1e6; i++) x += i;
    connection.logCustomData('first ' + x);
    connection.allow();
  } else connection.deny();
}
`;

/** Always denies, but takes far over the 5 ms budget the first time (it keeps a table in a global after that). */
export const SLOW_FIRST_THEN_FAST = `function connectionHandler(connection) {
  if (!globalThis.table) {
    const t = [];
    for (let i = 0; i < 1e6; i++) t[i & 1023] = i;
    globalThis.table = t;
  }
  connection.deny();
}
`;
