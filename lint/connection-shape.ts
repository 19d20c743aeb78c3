/**
 * The connection object as AWS documents it (the "connection-functions" page, plus revocationStatus with OCSP
 * checking on). A shape is an object of named fields, an array of a shape, a string or a method.
 */
export type Shape = { fields: Record<string, Shape> } | { items: Shape } | 'string' | 'method';

const str = 'string' as const;
const CERTIFICATE: Shape = {
  fields: {
    subject: str, issuer: str, serialNumber: str, sha256Fingerprint: str, san: str, sanHex: str, spki: str, ocspEndpoint: str,
    validity: { fields: { notBefore: str, notAfter: str } },
  },
};
const REVOCATION: Shape = { fields: { method: str, status: str, serialNumber: str, errorType: str } };

export const CONNECTION_SHAPE: Shape = {
  fields: {
    connectionId: str, clientIp: str, endpoint: str, distributionId: str,
    allow: 'method', deny: 'method', logCustomData: 'method',
    clientCertificate: {
      fields: {
        certificates: { fields: { leaf: CERTIFICATE, intermediates: { items: CERTIFICATE } } },
        revocationStatus: {
          fields: { chainValidity: str, certificates: { fields: { leaf: REVOCATION, intermediates: { items: REVOCATION } } } },
        },
      },
    },
  },
};

/** Fields AWS pages use that the documented object does not have, with what to use instead. */
export const KNOWN_MISSPELLINGS: Record<string, string> = {
  clientCertInfo: 'two AWS pages (revocation tutorial, advanced revocation) use it, but the documented object has no such field; likely a doc error: use connection.clientCertificate.certificates.leaf',
  clientCert: 'use connection.clientCertificate.certificates.leaf',
  certificate: 'use connection.clientCertificate.certificates.leaf',
  sni: 'no SNI field is documented',
  tlsVersion: 'no TLS version field is documented',
  cipher: 'no cipher field is documented',
  serial: 'the field is serialNumber',
  fingerprint: 'the field is sha256Fingerprint',
};
