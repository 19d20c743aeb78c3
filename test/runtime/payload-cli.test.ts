// `conngate payload` with --chain and the OCSP flags, through the built CLI and real fixture certificates.
import * as path from 'node:path';
import { runCli } from '../support/conngate-cli';

const FIX = path.join(__dirname, '..', '..', 'functions', 'fixtures');
const f = (n: string) => path.join(FIX, n);

it('emits intermediates and revocationStatus', async () => {
  const r = await runCli(['payload', f('client-ocsp.pem'), '--chain', f('ocsp-intermediate.pem'), '--ocsp', 'Error',
    '--ocsp-error-type', 'OCSP response verification failed: SignatureFailure', '--ocsp-intermediates', 'Good']);
  expect(r.code).toBe(0);
  const obj = JSON.parse(r.stdout);
  expect(obj.connectionId).toMatch(/^[A-Za-z0-9_-]{56}$/);
  expect(obj.clientCertificate.certificates.leaf).toMatchObject({ san: 'DNS:client.example.com,DNS:api.example.com', ocspEndpoint: 'http://ocsp.example.com/issuing' });
  expect(obj.clientCertificate.certificates.intermediates.map((c: { subject: string }) => c.subject)).toEqual(['C=US, O=Example Corp, CN=Example Corp OCSP Issuing CA']);
  expect(obj.clientCertificate.revocationStatus).toEqual({
    chainValidity: 'Unknown',
    certificates: {
      leaf: { method: 'OCSP', status: 'Error', serialNumber: '0c:c5', errorType: 'OCSP response verification failed: SignatureFailure' },
      intermediates: [{ method: 'OCSP', status: 'Good', serialNumber: '0c:5b' }],
    },
  });
}, 60_000);

it.each([
  [['--ocsp', 'Maybe'], /^conngate: --ocsp: unknown OCSP status "Maybe" \(fix: use one of Good, Revoked, Unknown, Error\)$/],
  [['--ocsp-error-type', 'InternalError'], /^conngate: --ocsp-error-type\/--ocsp-intermediates: given without --ocsp/],
  [['--chain', f('partner-ca.pem')], /--chain \(certificate 1\): did not issue the leaf/],
  [['--chain', f('missing.pem')], /--chain .*missing\.pem: cannot be read/],
])('refuses %j as bad input: one line, exit 2', async (flags, msg) => {
  const r = await runCli(['payload', f('client-ocsp.pem'), ...flags as string[]]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toMatch(msg as RegExp);
  expect(r.stdout).toBe('');
}, 60_000);

it('refuses --ocsp for a certificate without an OCSP URL (CloudFront would not run the function)', async () => {
  const r = await runCli(['payload', f('client-valid.pem'), '--ocsp', 'Good']);
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toMatch(/has no OCSP responder URL/);
}, 60_000);
