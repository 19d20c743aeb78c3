/**
 * Runtime 2.0 additions (AWS developer guide, "JavaScript runtime 2.0 features"): the Buffer module, digest()
 * without an encoding returning a Buffer, TextEncoder.encodeInto and TextDecoder's fatal / ignoreBOM. The sandbox
 * builds these itself (the host's objects never enter it); each expression is checked against Node's own Buffer,
 * TextEncoder and TextDecoder, whose behaviour the guide refers to.
 */
import { createHash, createHmac } from 'node:crypto';
import { runConnectionFunction, stopSandboxWorkers } from '../../runtime';

afterAll(() => stopSandboxWorkers());

/** Evaluates each expression inside the sandbox; a thrown error becomes "throws <name>". */
async function inSandbox(exprs: string[]): Promise<string[]> {
  const body = exprs.map((e) => `try { console.log(JSON.stringify(${e})); } catch (e) { console.log('throws ' + e.name); }`).join('\n');
  const r = await runConnectionFunction(`function connectionHandler(c) {\n${body}\nc.allow();\n}`, {});
  expect(r.errorMessage).toBeUndefined();
  return r.logs;
}

/** The same expressions with Node's implementations. */
function inNode(exprs: string[]): string[] {
  return exprs.map((e) => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return JSON.stringify(new Function('Buffer', 'TextEncoder', 'TextDecoder', 'require', `return (${e});`)(Buffer, TextEncoder, TextDecoder,
        (m: string) => (m === 'buffer' ? { Buffer } : undefined)));
    } catch (err) {
      return `throws ${(err as Error).name}`;
    }
  });
}

describe('Buffer', () => {
  const exprs = [
    "typeof Buffer + ' ' + (require('buffer').Buffer === Buffer)",
    "Buffer.from('hello').toString('base64')",
    "Buffer.from('hello world!?').toString('base64url')",
    "Buffer.from('h\\u00e9llo \\u20ac').toString('hex')",
    "Buffer.from('aGVsbG8=', 'base64').toString()",
    "Buffer.from('aGVsbG8', 'base64url').toString('utf8')",
    "Buffer.from('68656c6c6f', 'hex').toString('latin1')",
    "Buffer.from([104, 105, 300]).toString()",
    "Buffer.from('\\u00ff', 'latin1')[0]",
    "Buffer.from('hi', 'utf16le').toString('hex')",
    "Buffer.byteLength('\\u20ac') + Buffer.byteLength('abc', 'base64')",
    "Buffer.alloc(5, 'ab').toString()",
    "Buffer.alloc(3).toString('hex')",
    "Buffer.concat([Buffer.from('ab'), Buffer.from('cd')]).toString()",
    "Buffer.concat([Buffer.from('ab'), Buffer.from('cd')], 3).toString()",
    "Buffer.from('abc').equals(Buffer.from('abc'))",
    "Buffer.compare(Buffer.from('a'), Buffer.from('b'))",
    "Buffer.from('abcdef').slice(1, 3).toString()",
    "(() => { const b = Buffer.from('abc'); b.subarray(1)[0] = 120; return b.toString(); })()",
    "Buffer.isBuffer(Buffer.from('a')) + ' ' + Buffer.isBuffer(new Uint8Array(1))",
    "Buffer.isEncoding('hex') + ' ' + Buffer.isEncoding('nope')",
    "Buffer.from('a').toJSON()",
    "Buffer.from([1, 2, 3, 4]).readUInt32BE(0) + ' ' + Buffer.from([1, 2, 3, 4]).readUInt16LE(1) + ' ' + Buffer.from([255]).readInt8(0)",
    "(() => { const b = Buffer.alloc(4); b.writeUInt16BE(258, 1); return b.toString('hex'); })()",
    "(() => { const b = Buffer.alloc(4); return b.write('hey', 1) + b.toString('hex'); })()",
    "Buffer.from('abcabc').indexOf('ca') + ' ' + Buffer.from('abc').includes('d') + ' ' + Buffer.from('abc').indexOf(99)",
    "Buffer.from([1, 2]).readUInt32BE(0)",
    "Buffer.from('x', 'nope')",
    "Buffer.from('abc') instanceof Uint8Array",
  ];
  it('behaves as Node documents it', async () => {
    const sandbox = await inSandbox(exprs);
    const node = inNode(exprs);
    expect(exprs.map((e, i) => [e, sandbox[i]])).toEqual(exprs.map((e, i) => [e, node[i]]));
  });
});

describe('crypto digest() without an encoding', () => {
  it('returns a Buffer (hash and hmac)', async () => {
    const logs = await inSandbox([
      "Buffer.isBuffer(require('crypto').createHash('sha256').update('abc').digest())",
      "require('crypto').createHash('sha256').update('abc').digest().toString('hex')",
      "require('crypto').createHmac('sha1', 'key').update('abc').digest().toString('base64')",
      "require('crypto').createHash('md5').update(Buffer.from('abc')).digest().length",
    ]);
    expect(logs).toEqual([
      'true',
      JSON.stringify(createHash('sha256').update('abc').digest('hex')),
      JSON.stringify(createHmac('sha1', 'key').update('abc').digest('base64')),
      '16',
    ]);
  });
});

describe('TextEncoder.encodeInto and TextDecoder fatal / ignoreBOM', () => {
  const exprs = [
    "(() => { const u = new Uint8Array(4); const r = new TextEncoder().encodeInto('h\\u20acllo', u); return [r.read, r.written, Array.from(u)]; })()",
    "(() => { const u = new Uint8Array(8); const r = new TextEncoder().encodeInto('a\\ud83d\\ude00b', u); return [r.read, r.written]; })()",
    "(() => { const u = new Uint8Array(3); const r = new TextEncoder().encodeInto('a\\ud83d\\ude00', u); return [r.read, r.written]; })()",
    "new TextDecoder().decode(new Uint8Array([0x61, 0xff, 0x62]))",
    "new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0x61, 0xff]))",
    "new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xed, 0xa0, 0x80]))",
    "new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xe2, 0x82, 0xac]))",
    "new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))",
    "new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))",
    "[new TextDecoder('utf-8', { fatal: true }).fatal, new TextDecoder().ignoreBOM, new TextDecoder().encoding]",
  ];
  it('behave as Node (the WHATWG Encoding standard) does', async () => {
    const sandbox = await inSandbox(exprs);
    const node = inNode(exprs);
    expect(exprs.map((e, i) => [e, sandbox[i]])).toEqual(exprs.map((e, i) => [e, node[i]]));
  });
});
