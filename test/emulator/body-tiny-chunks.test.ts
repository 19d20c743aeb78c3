/**
 * A chunked body sent as many tiny chunks must not cost the emulator far more memory than the bytes its body budget
 * counts: each chunk Node hands over is an object of its own, so keeping them one by one multiplies the cost.
 */
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator, type RunningEmulator } from '../../emulator';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;
const TAGS = '/2020-05-31/tagging?Operation=Tag&Resource=arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution%2FEXAMPLE';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Memory in use once garbage is collected: what is held, not what was passed through. */
const held = () => { gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

describe('a body of tiny chunks', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, connectionLimits: { maxBodyBytes: 8 * MiB, requestTimeoutMs: 60_000 } });
  });
  afterAll(async () => emu.close(0));

  it('costs about what the budget counts while it is held', async () => {
    const chunks = 2 * MiB;
    const wire = Buffer.from('1\r\nx\r\n'.repeat(chunks));
    const socket = connect(emu.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    const before = held();
    socket.write(`POST ${TAGS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n`);
    await new Promise<void>((r) => socket.write(wire, () => r()));
    // Let the emulator read it all (the body is not finished: it is held).
    await new Promise((r) => setTimeout(r, 1500));
    const grown = held() - before;
    socket.destroy();
    // 2 MiB counted (held in 1 MiB-ish of 16 KiB buffers); kept chunk by chunk it was some 350 MiB.
    expect(grown).toBeLessThan(16 * MiB);
  });
});

describe('a body kept in pieces', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => emu.close(0));

  /** One request on a raw connection, its body written in the pieces given; resolves with the whole answer. */
  function send(head: string, pieces: Buffer[]): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(emu.port, '127.0.0.1');
      const got: Buffer[] = [];
      socket.on('data', (c: Buffer) => got.push(c));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
      socket.write(head);
      const next = (i: number) => {
        if (i === pieces.length) return;
        socket.write(pieces[i], () => setTimeout(() => next(i + 1), 2));
      };
      next(0);
    });
  }
  const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

  it('is the body sent, byte for byte, whatever the chunk sizes', async () => {
    await send('PUT /s3/pieces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', []);
    const sizes = [1, 5, 20_000, 3, 16_384, 16_383, 2, 70_000, 1, 1, 9_000, 8_000];
    const parts = sizes.map((n, i) => bytes(n, i));
    const chunked = parts.map((p) => Buffer.concat([Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]));
    const put = await send('PUT /s3/pieces/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      [...chunked, Buffer.from('0\r\n\r\n')]);
    expect(put).toMatch(/^HTTP\/1\.1 200 /);
    const whole = Buffer.concat(parts);
    // The same bytes with a Content-Length, written in odd pieces.
    const put2 = await send(`PUT /s3/pieces/sized HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${whole.length}\r\nConnection: close\r\n\r\n`,
      parts);
    expect(put2).toMatch(/^HTTP\/1\.1 200 /);
    for (const key of ['chunked', 'sized']) {
      const got = await send(`GET /s3/pieces/${key} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, []);
      const body = Buffer.from(got.slice(got.indexOf('\r\n\r\n') + 4), 'latin1');
      expect(body.equals(whole)).toBe(true);
    }
  });
});
