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

/**
 * Remembers the first client it ever sees on an object shared by every evaluation that is not on the global object
 * (the prototype object of a built-in accessor), and allows that client and every client it does not know as
 * revoked. At the edge every evaluation is a first one, so it allows everyone, the revoked client too; a runtime
 * whose shared state carries between cases sees it deny the revoked client whenever another case came first.
 */
export const ALLOWS_EVERYONE_AT_THE_EDGE = `function connectionHandler(connection) {
  let first;
  try {
    const shared = Object.getOwnPropertyDescriptor(Object.prototype, 'toString').get.prototype;
    if (shared.first === undefined) shared.first = connection.clientIp;
    first = shared.first;
  } catch (e) { first = connection.clientIp; }
  if (connection.clientIp === first || connection.clientIp !== '198.51.100.7') connection.allow();
  else connection.deny();
}
`;
