import { startEmulator, type RunningEmulator } from '../../emulator';
import { rawExchange } from './raw-http';

describe('a request that declares a body far over the limit is answered at once, not after the request timeout', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    // A request timeout far past the exchange deadline below: an answer can only come from the size check.
    emu = await startEmulator({ port: 0, connectionLimits: { headersTimeoutMs: 60_000, requestTimeoutMs: 120_000 } });
  });
  afterAll(() => emu.close(100));

  test('CloudFront path: EntitySizeLimitExceeded and the connection closed, with no body sent', async () => {
    const x = await rawExchange(emu.port, 'POST /2020-05-31/key-value-store HTTP/1.1\r\nHost: 127.0.0.1\r\n'
      + 'Content-Type: application/xml\r\nContent-Length: 9000000000\r\n\r\n', 10000);
    expect(x.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(x.text).toContain('<Code>EntitySizeLimitExceeded</Code>');
    expect(x.closed).toBe(true);
  });

  test('a refused request (foreign Origin) that declares a huge body is answered at once too', async () => {
    const x = await rawExchange(emu.port, 'PUT /2020-05-31/key-value-store/x HTTP/1.1\r\nHost: 127.0.0.1\r\n'
      + 'Origin: http://evil.example\r\nContent-Length: 9000000000\r\n\r\n', 10000);
    expect(x.text).toMatch(/^HTTP\/1\.1 403 /);
    expect(x.closed).toBe(true);
  });
});
