/**
 * S3 and STS requests are requests being served like any other: close() gives them its grace period, instead of
 * cutting an upload of a CRL off the moment the emulator is asked to stop.
 */
import { startEmulator } from '../../emulator';
import { openHeldRequest, rawRequest } from './raw-http';

jest.setTimeout(30_000);

describe('close() with S3 and STS requests in flight', () => {
  it.each([
    ['an S3 upload', (n: number) => `PUT /s3/crls/ca.crl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkix-crl\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`, /^HTTP\/1\.1 200 /],
    ['an STS call', (n: number) => `POST /sts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`, /^HTTP\/1\.1 200 [\s\S]*<Account>123456789012<\/Account>/],
  ])('answers %s whose body arrives within the grace period', async (_what, head, answer) => {
    const emu = await startEmulator({ port: 0 });
    expect((await rawRequest(emu.port, 'PUT', '/s3/crls')).status).toBe(200);
    const body = _what === 'an STS call' ? 'Action=GetCallerIdentity&Version=2011-06-15' : 'x'.repeat(100_000);
    const held = openHeldRequest(emu.port, head(body.length), body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    const closed = emu.close(3000);
    await new Promise((r) => setTimeout(r, 300));
    held.finish(body.slice(10));
    expect(await held.answer).toMatch(answer);
    await closed;
  });
});
