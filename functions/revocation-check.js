import cf from 'cloudfront';

// Denies client certificates whose serial is in the KeyValueStore of revoked serials.
// Keys are canonical serials: lowercase hex, no separators, no leading zero bytes (whole bytes, e.g. "0a", "9e2a").
// Every other spelling of a serial is reduced to that form first, so "00:9E:2A", "9e2a" and "0x009e2a" match the
// same key. Fails closed: no certificate, an unreadable serial or a store error all deny.

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

async function connectionHandler(connection) {
  const cert = connection.clientCertificate;
  const leaf = cert && cert.certificates && cert.certificates.leaf;
  if (!leaf) {
    connection.logCustomData('deny: no client certificate');
    connection.deny();
    return;
  }
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
