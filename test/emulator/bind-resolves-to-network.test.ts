import dns from 'node:dns';
import { startEmulator } from '../../emulator';
import { rawRequest } from './raw-http';

/** `localhost` resolves to the wildcard address, as a hosts file entry for a network interface would expose the port. */
function localhostResolvesToWildcard(): void {
  const real = dns.lookup;
  jest.spyOn(dns, 'lookup').mockImplementation(((host: string, options: unknown, cb: unknown) => {
    const callback = (typeof options === 'function' ? options : cb) as (e: Error | null, a: string, f: number) => void;
    if (host === 'localhost') return process.nextTick(() => callback(null, '0.0.0.0', 4));
    return (real as (...a: unknown[]) => void)(host, options, cb);
  }) as unknown as typeof dns.lookup);
}

describe('a loopback name is judged by the address it resolves to', () => {
  afterEach(() => jest.restoreAllMocks());

  test('"localhost" that resolves to a network address (a changed /etc/hosts) is refused without --allow-non-loopback', async () => {
    localhostResolvesToWildcard();
    await expect(startEmulator({ port: 0, host: 'localhost' })).rejects.toMatchObject({ name: 'UserError', message: expect.stringMatching(/non-loopback/) });
  });

  test('with --allow-non-loopback it is exposed like any network bind: a Host that is an IP address is served', async () => {
    localhostResolvesToWildcard();
    const emu = await startEmulator({ port: 0, host: 'localhost', allowNonLoopback: true });
    try {
      // What the CLI's exposure warning is printed on.
      expect(emu.exposed).toBe(true);
      // What a client on the network sends when it reaches the emulator by this machine's address.
      const r = await rawRequest(emu.port, 'GET', '/2020-05-31/distribution', { Host: `192.0.2.10:${emu.port}` });
      expect(r.status).toBe(200);
      const named = await rawRequest(emu.port, 'GET', '/2020-05-31/distribution', { Host: `attacker.example:${emu.port}` });
      expect(named.status).toBe(403);
    } finally {
      await emu.close();
    }
  });

  test('"localhost" resolving to loopback is served as before', async () => {
    const emu = await startEmulator({ port: 0, host: 'localhost' });
    expect(emu.endpoint).toMatch(/^http:\/\/localhost:\d+$/);
    expect(emu.exposed).toBe(false);
    await emu.close();
  });
});
