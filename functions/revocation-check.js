import cf from 'cloudfront';

// Denies client certificates whose serial is in the KeyValueStore of revoked serials.
// Keys are canonical serials: lowercase hex, no separators, no leading zero bytes (whole bytes, e.g. "0a", "9e2a").
// Every other spelling of a serial is reduced to that form first, so "00:9E:2A", "9e2a" and "0x009e2a" match the
// same key. Fails closed: no certificate, an unreadable serial or a store error all deny.
//
// With CloudFront's own OCSP checking on (trust store UseClientCertificateOCSPEndpoint), the result arrives in
// clientCertificate.revocationStatus and is combined with the store:
//   - OCSP Revoked for the leaf or any intermediate, or chainValidity Invalid: deny, whatever the store says;
//   - OCSP Good: the store is still checked, since it revokes at once while OCSP answers lag behind the CA;
//   - OCSP Unknown or Error: the store decides (an unreachable responder must not lock every client out, and
//     must not let a serial the store lists through).
// Without revocationStatus (OCSP off, or passthrough) the store alone decides.

const kvs = cf.kvs();

function canonicalSerial(serial) {
  if (typeof serial !== 'string') return null;
  let s = serial.trim();
  if (s.slice(0, 2) === '0x' || s.slice(0, 2) === '0X') s = s.slice(2);
  s = s.replace(/[: \-]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(s)) return null;
  s = s.toLowerCase().replace(/^0+/, '');
  if (s === '') return '00';
  return s.length % 2 === 1 ? '0' + s : s;
}

// The first OCSP verdict that denies on its own, or null.
function ocspDenial(status) {
  if (!status || typeof status !== 'object') return null;
  const certs = status.certificates || {};
  const all = [certs.leaf].concat(Array.isArray(certs.intermediates) ? certs.intermediates : []);
  for (let i = 0; i < all.length; i++) {
    if (all[i] && all[i].status === 'Revoked') return 'OCSP revoked ' + all[i].serialNumber;
  }
  if (status.chainValidity === 'Invalid') return 'OCSP chain invalid';
  return null;
}

async function connectionHandler(connection) {
  const cert = connection.clientCertificate;
  const leaf = cert && cert.certificates && cert.certificates.leaf;
  if (!leaf) {
    connection.logCustomData('deny: no client certificate');
    connection.deny();
    return;
  }
  const denial = ocspDenial(cert.revocationStatus);
  if (denial !== null) {
    console.log(denial);
    connection.logCustomData('deny: ' + denial);
    connection.deny();
    return;
  }
  const ocsp = cert.revocationStatus && cert.revocationStatus.certificates && cert.revocationStatus.certificates.leaf;
  if (ocsp && ocsp.status !== 'Good') console.log('OCSP ' + ocsp.status + (ocsp.errorType ? ' (' + ocsp.errorType + ')' : '') + ': the store decides');
  const serial = canonicalSerial(leaf.serialNumber);
  if (serial === null) {
    connection.logCustomData('deny: unreadable serial');
    connection.deny();
    return;
  }
  let revoked;
  try {
    revoked = await kvs.exists(serial);
  } catch (err) {
    console.log('revocation lookup failed for ' + serial + ': ' + err.message);
    connection.logCustomData('deny: revocation lookup failed');
    connection.deny();
    return;
  }
  if (revoked) {
    console.log('revoked serial ' + serial);
    connection.logCustomData('deny: revoked ' + serial);
    connection.deny();
    return;
  }
  connection.allow();
}
