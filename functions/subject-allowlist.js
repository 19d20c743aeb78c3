// Allows only client certificates issued by an accepted CA to an accepted organization.
// Both subject and issuer are compared as parsed RDN values, never as raw substrings, so
// "O=Example Corp Evil" does not pass for "O=Example Corp".

const ACCEPTED_ISSUERS = ['Example Corp Intermediate CA'];
const ACCEPTED_ORGANIZATIONS = ['Example Corp'];

// "C=US, O=Example Corp, CN=client.example.com" -> { C: ["US"], O: ["Example Corp"], CN: [...] }
function parseName(name) {
  const out = {};
  if (typeof name !== 'string') return out;
  const parts = name.split(/,\s*(?=[A-Za-z][A-Za-z0-9.]*=)/);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toUpperCase();
    (out[key] = out[key] || []).push(part.slice(eq + 1).trim());
  }
  return out;
}

function oneOf(values, accepted) {
  return Array.isArray(values) && values.length === 1 && accepted.indexOf(values[0]) >= 0;
}

function connectionHandler(connection) {
  const cert = connection.clientCertificate;
  const leaf = cert && cert.certificates && cert.certificates.leaf;
  if (!leaf) {
    connection.deny();
    return;
  }
  const issuer = parseName(leaf.issuer);
  const subject = parseName(leaf.subject);
  if (!oneOf(issuer.CN, ACCEPTED_ISSUERS)) {
    console.log('issuer not accepted: ' + leaf.issuer);
    connection.deny();
    return;
  }
  if (!oneOf(subject.O, ACCEPTED_ORGANIZATIONS)) {
    console.log('organization not accepted: ' + leaf.subject);
    connection.deny();
    return;
  }
  connection.allow();
}
