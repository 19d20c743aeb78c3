// Denies certificates that are not yet valid, already expired, or expire within MIN_REMAINING_DAYS,
// so clients rotate before the trust store (with IgnoreCertificateExpiry) would let them run out.
// Uses the frozen Date of the connection, and fails closed on missing or unreadable validity.

const MIN_REMAINING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

function connectionHandler(connection) {
  const cert = connection.clientCertificate;
  const leaf = cert && cert.certificates && cert.certificates.leaf;
  const validity = leaf && leaf.validity;
  if (!validity) {
    connection.deny();
    return;
  }
  const notBefore = Date.parse(validity.notBefore);
  const notAfter = Date.parse(validity.notAfter);
  if (isNaN(notBefore) || isNaN(notAfter)) {
    console.log('unreadable validity');
    connection.deny();
    return;
  }
  const now = Date.now();
  if (now < notBefore) {
    console.log('not yet valid until ' + validity.notBefore);
    connection.deny();
    return;
  }
  const remainingDays = Math.floor((notAfter - now) / DAY_MS);
  if (remainingDays < MIN_REMAINING_DAYS) {
    console.log('expires in ' + remainingDays + ' days (minimum ' + MIN_REMAINING_DAYS + ')');
    connection.logCustomData('deny: expiring ' + validity.notAfter);
    connection.deny();
    return;
  }
  connection.allow();
}
