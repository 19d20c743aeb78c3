/**
 * The STS subset against a hostile local client: bodies past the limit on a kept-alive connection, floods of
 * sessions and of signing keys, and markup or control characters in the fields it echoes.
 */
import { connect } from 'node:net';
import { XMLValidator } from 'fast-xml-parser';
import { RunningEmulator, startEmulator } from '../../emulator';
import { rawExchange, rawRequest, xmlErrorCode } from './raw-http';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams({ Version: '2011-06-15', ...fields }).toString();
const signedBy = (key: string) => ({ Authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261201/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00` });

describe('the STS subset against a hostile local client', () => {
  let emu: RunningEmulator;
  beforeEach(async () => { emu = await startEmulator({ port: 0, accountId: '123456789012' }); });
  afterEach(async () => emu.close());

  it('a body over 64 KB is answered and the rest of it is not read as the next request on the connection', async () => {
    const smuggled = `GET /2020-05-31/connection-function HTTP/1.1\r\nHost: 127.0.0.1:${emu.port}\r\n\r\n`;
    const pad = 'x'.repeat(70_000);
    const body = `Action=GetCallerIdentity&Pad=${pad}${smuggled}`;
    const r = await rawExchange(emu.port, `POST /sts HTTP/1.1\r\nHost: 127.0.0.1:${emu.port}\r\nContent-Type: ${FORM['Content-Type']}\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 5000);
    expect(r.text).toMatch(/^HTTP\/1\.1 400/);
    // One answer only: the bytes inside the body never became a request of their own.
    expect(r.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it.each([['declared', true], ['chunked', false]])('a %s multi-gigabyte body is refused and the connection closed, not drained for minutes', async (_how, declared) => {
    const started = Date.now();
    const done = new Promise<{ text: string; closed: boolean; sentMb: number }>((resolve) => {
      const socket = connect(emu.port, '127.0.0.1');
      let text = '';
      let sent = 0;
      let stop = false;
      const chunk = Buffer.alloc(1 << 20, 0x61);
      socket.on('connect', () => {
        socket.write(`POST /sts HTTP/1.1\r\nHost: 127.0.0.1:${emu.port}\r\nContent-Type: ${FORM['Content-Type']}\r\n${declared ? 'Content-Length: 5000000000' : 'Transfer-Encoding: chunked'}\r\n\r\n`);
        const frame = declared ? chunk : Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
        const pump = () => {
          while (!stop && sent < 2000 && socket.write(frame)) sent++;
          if (!stop && sent < 2000) socket.once('drain', pump);
        };
        pump();
      });
      socket.on('data', (c) => { text += c.toString('latin1'); });
      socket.on('error', () => undefined);
      socket.on('close', () => { stop = true; resolve({ text, closed: true, sentMb: sent }); });
      setTimeout(() => { stop = true; socket.destroy(); resolve({ text, closed: false, sentMb: sent }); }, 8000);
    });
    const r = await done;
    expect(r.text).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect(r.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('sessions are capped: the oldest of 10,000 is forgotten, and memory for each is bounded whatever the ARN path', async () => {
    const longPath = 'p/'.repeat(10_000);
    const first = await rawRequest(emu.port, 'POST', '/sts', FORM,
      form({ Action: 'AssumeRole', RoleArn: `arn:aws:iam::123456789012:role/${longPath}r`, RoleSessionName: 'first' }));
    expect(first.status).toBe(200);
    // The long path is not kept: the session's ARN names the role's name only, as AWS's assumed-role ARN does.
    expect(first.body).toContain('<Arn>arn:aws:sts::123456789012:assumed-role/r/first</Arn>');
    const firstKey = /<AccessKeyId>([^<]+)</.exec(first.body)![1];
    const who = async (key: string) => /<Arn>([^<]+)</.exec((await rawRequest(emu.port, 'POST', '/sts', { ...FORM, ...signedBy(key) }, form({ Action: 'GetCallerIdentity' }))).body)![1];
    expect(await who(firstKey)).toBe('arn:aws:sts::123456789012:assumed-role/r/first');
    const issue = (i: number) => rawRequest(emu.port, 'POST', '/sts', FORM,
      form({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: `s-${i}` }));
    for (let i = 0; i < 10_000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => issue(i + j)));
    expect(await who(firstKey)).toBe('arn:aws:iam::123456789012:user/conngate-emulator');
  }, 120_000);

  it('distinct signing keys are counted up to 1,000 and the rest under "other"; a key named __proto__ is only a key', async () => {
    for (let i = 0; i < 1100; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => rawRequest(emu.port, 'GET', '/2020-05-31/connection-function', signedBy(`K${i + j}`))));
    }
    await rawRequest(emu.port, 'GET', '/2020-05-31/connection-function', signedBy('__proto__'));
    const counts = emu.requestsByAccessKey();
    expect(Object.keys(counts)).toHaveLength(1001);
    expect(counts.other).toBe(101);
    expect(Object.getPrototypeOf(counts)).toBe(Object.prototype);
  }, 60_000);

  it.each([
    ['markup and entities', 'arn:aws:iam::123456789012:role/<x>&amp;]]>"\''],
    ['control characters', 'arn:aws:iam::123456789012:role/a\u0000b\u0001\u001b[31m\u000b'],
    ['a lone surrogate', 'arn:aws:iam::123456789012:role/\ud800'],
    ['right-to-left and zero-width marks', 'arn:aws:iam::123456789012:role/\u202e\u200bgpj.exe'],
  ])('a role ARN with %s is refused in a well-formed XML error that echoes no markup', async (_what, roleArn) => {
    for (const fields of [{ RoleArn: roleArn, RoleSessionName: 'ok' }, { RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: roleArn.slice(28) }]) {
      const r = await rawRequest(emu.port, 'POST', '/sts', FORM, form({ Action: 'AssumeRole', ...fields }));
      expect([r.status, xmlErrorCode(r.body)]).toEqual([400, 'ValidationError']);
      expect(XMLValidator.validate(r.body)).toBe(true);
      expect(r.body).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      expect(r.body).not.toContain('<x>');
    }
  });

  it('an action name with markup or control characters is echoed escaped, in well-formed XML', async () => {
    const r = await rawRequest(emu.port, 'POST', '/sts', FORM, form({ Action: '<Assume\u0000Role>&' }));
    expect([r.status, xmlErrorCode(r.body)]).toEqual([400, 'InvalidAction']);
    expect(XMLValidator.validate(r.body)).toBe(true);
    expect(r.body).not.toContain('<Assume');
  });

  it('a session name that passes validation is echoed escaped in the AccessDenied of a later cross-account call', async () => {
    const s = await rawRequest(emu.port, 'POST', '/sts', FORM, form({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 'a@b=c,d+e' }));
    const key = /<AccessKeyId>([^<]+)</.exec(s.body)![1];
    const denied = await rawRequest(emu.port, 'POST', '/sts', { ...FORM, ...signedBy(key) },
      form({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::999999999999:role/r', RoleSessionName: 'x<y' }));
    expect(denied.status).toBe(400);
    const denied2 = await rawRequest(emu.port, 'POST', '/sts', { ...FORM, ...signedBy(key) },
      form({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::999999999999:role/r', RoleSessionName: 'ok' }));
    expect([denied2.status, xmlErrorCode(denied2.body)]).toEqual([403, 'AccessDenied']);
    expect(denied2.body).toContain('assumed-role/r/a@b=c,d+e');
    expect(XMLValidator.validate(denied2.body)).toBe(true);
  });
});
