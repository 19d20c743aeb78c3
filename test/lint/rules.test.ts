// One bad and one good example per lint rule, plus connection functions shaped like the examples printed in
// AWS's CloudFront developer guide (revocation tutorial, advanced revocation scenarios, the minimal allow example).
import { formatDiagnostic, type LintDiagnostic } from '../../lint/diagnostic';
import { LINT_RULES, lintSource } from '../../lint/lint-source';
import { CODE_SIZE_LIMIT } from '../../lint/rules/code-size';
import { runConnectionFunction, stopSandboxWorkers } from '../../runtime';
import { REQUIRABLE_MODULES } from '../../runtime/sandbox-prelude';

afterAll(() => stopSandboxWorkers());

const lint = (code: string) => lintSource('f.js', code);
const rules = (code: string) => lint(code).map((d) => `${d.severity} ${d.rule}`);
const only = (code: string, rule: string): LintDiagnostic[] => lint(code).filter((d) => d.rule === rule);

const OK = `import cf from 'cloudfront';
function canonicalSerial(s) {
  const hex = String(s).replace(/[^0-9a-fA-F]/g, '').toLowerCase().replace(/^0+/, '');
  return hex.length % 2 === 1 ? '0' + hex : hex || '00';
}
async function connectionHandler(connection) {
  const cert = connection.clientCertificate;
  const leaf = cert && cert.certificates && cert.certificates.leaf;
  if (!leaf) {
    connection.deny();
    return;
  }
  const revoked = await cf.kvs().exists(canonicalSerial(leaf.serialNumber));
  if (revoked) {
    connection.logCustomData('revoked');
    connection.deny();
    return;
  }
  connection.allow();
}
`;

describe('a clean function', () => {
  it('has no findings', () => {
    expect(lint(OK)).toEqual([]);
  });
  it('reports as file:line:col severity rule message', () => {
    const [d] = lint('function handler(event) {\n  return event.request;\n}\n');
    expect(formatDiagnostic(d)).toBe('f.js:1:1 error entry-point handler(event) is the entry point of a viewer request/response function; a connection function declares function connectionHandler(connection)');
  });
});

describe('syntax', () => {
  it('bad: reports the parse error at its position', () => {
    expect(lint('function connectionHandler(c) {\n  c.allow(;\n}\n')).toEqual([
      { file: 'f.js', line: 2, column: 11, severity: 'error', rule: 'syntax', message: 'Unexpected token' }]);
  });
  it('good', () => expect(only(OK, 'syntax')).toEqual([]));
  it('hostile: nesting deep enough to exhaust the walkers (inside 10 KB) is a finding, not a crash', () => {
    const depth = 1400;
    const code = `function connectionHandler(c) {\n${'if(c){'.repeat(depth)}c.allow();${'}'.repeat(depth)}\n}\n`;
    expect(Buffer.byteLength(code)).toBeLessThan(CODE_SIZE_LIMIT);
    expect(lint(code).map((d) => [d.severity, d.rule])).toContainEqual(['error', 'syntax']);
    // The walkers' own stack limit, not a parse error: the parser takes this depth.
    expect(lint(code).map((d) => d.message)).toContainEqual(expect.stringMatching(/^nested too deeply to analyse/));
  });
});

describe('code-size', () => {
  it('bad: over 10 KB is an error, over 90 % a warning', () => {
    expect(rules(`${OK}// ${'x'.repeat(CODE_SIZE_LIMIT)}\n`)).toContain('error code-size');
    expect(rules(`${OK}// ${'x'.repeat(Math.ceil(CODE_SIZE_LIMIT * 0.92) - OK.length)}\n`)).toEqual(['warning code-size']);
  });
  it('counts UTF-8 bytes, not characters', () => {
    expect(rules(`${OK}// ${'é'.repeat(CODE_SIZE_LIMIT / 2)}\n`)).toContain('error code-size');
  });
  it('good', () => expect(only(OK, 'code-size')).toEqual([]));
});

describe('entry-point', () => {
  it('bad: an HTTP function handler(event), no handler at all, a handler without parameter', () => {
    expect(rules('function handler(event) {\n  return event.request;\n}\n')).toEqual(['error entry-point']);
    expect(only('function main(connection) { connection.allow(); }\n', 'entry-point')[0].message).toMatch(/no top-level function connectionHandler/);
    expect(only('function connectionHandler() {}\n', 'entry-point')[0].message).toMatch(/takes the connection object/);
  });
  it('good', () => expect(only(OK, 'entry-point')).toEqual([]));
});

describe('no-decision', () => {
  it('bad: never deciding is an error', () => {
    expect(only('function connectionHandler(connection) {\n  console.log(connection.clientIp);\n}\n', 'no-decision'))
      .toMatchObject([{ severity: 'error', line: 1 }]);
  });
  it('bad: a path that returns or ends without a decision is a warning at that point', () => {
    const code = 'function connectionHandler(connection) {\n  if (!connection.clientCertificate) return;\n  if (connection.clientIp === "10.0.0.1") {\n    connection.allow();\n  }\n}\n';
    expect(only(code, 'no-decision').map((d) => [d.severity, d.line])).toEqual([['warning', 2], ['warning', 6]]);
  });
  it('good: if/else, switch with default, try/catch and deciding helpers all count', () => {
    const code = `function deny(c, why) { c.logCustomData(why); c.deny(); }
function connectionHandler(connection) {
  switch (connection.clientIp) {
    case '10.0.0.1': connection.allow(); return;
    default: break;
  }
  try {
    if (connection.endpoint === 'x') { connection.allow(); } else { deny(connection, 'endpoint'); }
  } catch (e) {
    connection.deny();
  }
}
`;
    expect(only(code, 'no-decision')).toEqual([]);
    expect(only(OK, 'no-decision')).toEqual([]);
  });
});

describe('decision-then-continue', () => {
  it('bad: deny in a branch, then allow for everyone (both called)', () => {
    const code = 'function connectionHandler(connection) {\n  if (connection.clientIp === "10.0.0.1") {\n    connection.deny();\n  }\n  connection.allow();\n}\n';
    expect(only(code, 'decision-then-continue')).toMatchObject([{ severity: 'error', line: 5, message: expect.stringMatching(/^a second decision after connection\.allow\(\)\/deny\(\) on some path/) }]);
  });
  it('bad: code that can throw after the decision (the connection then fails)', () => {
    const code = 'function connectionHandler(connection) {\n  connection.allow();\n  const cn = connection.clientCertificate.certificates.leaf.subject.split("CN=")[1];\n}\n';
    expect(only(code, 'decision-then-continue')).toMatchObject([{ line: 3, message: expect.stringMatching(/^code that can throw/) }]);
  });
  it('good: return after the decision; logging after it is harmless', () => {
    const code = 'function connectionHandler(connection) {\n  if (connection.clientIp === "10.0.0.1") {\n    connection.deny();\n    console.log("denied");\n    return;\n  }\n  connection.allow();\n}\n';
    expect(only(code, 'decision-then-continue')).toEqual([]);
    expect(only(OK, 'decision-then-continue')).toEqual([]);
  });
});

describe('cf-import', () => {
  it('bad: cf without its import, and any other import', () => {
    expect(only('async function connectionHandler(connection) {\n  const kvs = cf.kvs();\n  connection.allow();\n}\n', 'cf-import'))
      .toMatchObject([{ line: 2, column: 15, message: "cf is used but not imported: add import cf from 'cloudfront' at the top" }]);
    expect(only("import crypto from 'crypto';\nfunction connectionHandler(connection) { connection.allow(); }\n", 'cf-import'))
      .toMatchObject([{ line: 1, message: expect.stringMatching(/^unsupported import/) }]);
  });
  it('good', () => expect(only(OK, 'cf-import')).toEqual([]));
});

describe('connection-field', () => {
  it('bad: clientCertInfo (two AWS pages), a misspelt leaf field, an unknown field through a destructured variable', () => {
    const code = `function connectionHandler(connection) {
  const serial = connection.clientCertInfo.serialNumber;
  const leaf = connection.clientCertificate.certificates.leaf;
  const { sni } = connection;
  if (leaf.serial === serial || sni) connection.deny(); else connection.allow();
}
`;
    const found = only(code, 'connection-field');
    expect(found.map((d) => [d.line, d.column])).toEqual([[2, 29], [4, 11], [5, 12]]);
    expect(found[0].message).toMatch(/"clientCertInfo" is not a field of the documented connection object \(two AWS pages .* likely a doc error/);
    expect(found[2].message).toMatch(/"serial" is not a field .*the field is serialNumber/);
  });
  it('good: every documented field, intermediates and revocationStatus included', () => {
    const code = `function connectionHandler(connection) {
  const cc = connection.clientCertificate;
  const leaf = cc.certificates.leaf;
  const first = cc.certificates.intermediates[0];
  const rs = cc.revocationStatus;
  const ok = leaf.san + leaf.sanHex + leaf.spki + leaf.ocspEndpoint + leaf.validity.notAfter + first.spki
    + rs.chainValidity + rs.certificates.leaf.status + rs.certificates.intermediates[0].errorType
    + connection.connectionId + connection.distributionId + connection.endpoint;
  if (ok.length > 0) connection.allow(); else connection.deny();
}
`;
    expect(only(code, 'connection-field')).toEqual([]);
  });
});

describe('kvs-serial-key', () => {
  const handler = (key: string) => `import cf from 'cloudfront';
async function connectionHandler(connection) {
  const kvs = cf.kvs();
  const leaf = connection.clientCertificate.certificates.leaf;
  const serial = leaf.serialNumber;
  if (await kvs.exists(${key})) { connection.deny(); return; }
  connection.allow();
}
`;
  it.each([
    ['the raw field', 'leaf.serialNumber', /keyed by the raw serialNumber/],
    ['a variable holding the raw field', 'serial', /keyed by the raw serialNumber/],
    ['colons stripped only (AWS tutorial)', "serial.replace(/:/g, '')", /not the canonical form/],
    ['uppercased', 'serial.toUpperCase()', /not the canonical form/],
    ['an issuer+serial composite key (AWS multi-CA example)', '`${leaf.issuer}_${serial}`', /not the canonical form/],
  ])('bad: %s', (_what, key, msg) => {
    expect(only(handler(key), 'kvs-serial-key')).toMatchObject([{ severity: 'error', line: 6, message: expect.stringMatching(msg) }]);
  });
  it('good: through a canonicalizing function, also with get()', () => {
    expect(only(OK, 'kvs-serial-key')).toEqual([]);
    expect(only(handler('canonicalSerial(serial)').replace('kvs.exists', 'kvs.get'), 'kvs-serial-key')).toEqual([]);
    // Lookups not keyed by a serial are not this rule's business.
    expect(only(handler('connection.clientIp'), 'kvs-serial-key')).toEqual([]);
  });
});

describe('runtime-syntax', () => {
  it('bad: export and ES2021+ syntax are errors; ES2020-only syntax is a warning (AWS pages disagree)', () => {
    expect(rules('export function connectionHandler(connection) { connection.allow(); }\n')).toContain('error runtime-syntax');
    expect(only('function connectionHandler(connection) { let x; x ??= 1; connection.allow(); }\n', 'runtime-syntax'))
      .toMatchObject([{ severity: 'error', message: expect.stringMatching(/logical assignment/) }]);
    const disputed = only('function connectionHandler(connection) {\n  const ip = connection?.clientIp ?? "";\n  connection.allow();\n}\n', 'runtime-syntax');
    expect(disputed.map((d) => d.severity)).toEqual(['warning', 'warning']);
    expect(only('function connectionHandler(connection) { [1].forEach(async (x) => x); connection.allow(); }\n', 'runtime-syntax'))
      .toMatchObject([{ severity: 'warning', message: expect.stringMatching(/async closures/) }]);
  });
  it('good: the features the runtime 2.0 page lists', () => {
    const code = "function connectionHandler(connection) {\n  const f = (a, ...rest) => `${a}${rest.length}` + 2 ** 3;\n  let m = /(?<y>\\d+)/.exec('2026');\n  connection.logCustomData(f(m.groups.y).padStart(4, '0'));\n  connection.allow();\n}\n";
    expect(only(code, 'runtime-syntax')).toEqual([]);
  });
});

describe('runtime-builtin', () => {
  it('bad: timers, eval, process, network and require of other modules', () => {
    const code = `function connectionHandler(connection) {
  setTimeout(function () {}, 1);
  eval('1');
  const fs = require('fs');
  const env = process.env;
  connection.allow();
}
`;
    expect(only(code, 'runtime-builtin').map((d) => d.line)).toEqual([2, 3, 4, 5]);
    expect(only('function connectionHandler(connection) { console.log("a", connection.clientIp); connection.allow(); }\n', 'runtime-builtin'))
      .toMatchObject([{ severity: 'warning', message: expect.stringMatching(/console.log takes one argument/) }]);
  });
  it('good: require of crypto and querystring, console.log with one argument', () => {
    const code = "const crypto = require('crypto');\nconst qs = require('querystring');\nfunction connectionHandler(connection) {\n  console.log(crypto.createHash('sha256').update(connection.clientIp).digest('hex'));\n  connection.allow();\n}\n";
    expect(only(code, 'runtime-builtin')).toEqual([]);
  });
  it('agrees with the local runtime: every module its require() serves is clean, the next name is not', async () => {
    for (const m of [...REQUIRABLE_MODULES, 'fs']) {
      const code = `const m = require('${m}');\nfunction connectionHandler(connection) {\n  console.log(typeof m);\n  connection.allow();\n}\n`;
      const run = await runConnectionFunction(code, {});
      expect([m, only(code, 'runtime-builtin').length, run.decision]).toEqual(m === 'fs' ? [m, 1, 'error'] : [m, 0, 'allow']);
    }
  }, 30_000);
});

describe("connection functions shaped like AWS's developer-guide examples", () => {
  it('the revocation tutorial (clientCertInfo, serial with only colons stripped) fails on both counts', () => {
    const code = `import cf from 'cloudfront';
async function connectionHandler(connection) {
    const kvsHandle = cf.kvs();
    const serial = connection.clientCertInfo.serialNumber.replace(/:/g, "");
    const isRevoked = await kvsHandle.exists(serial);
    if (isRevoked) {
        console.log(\`Certificate \${serial} is revoked\`);
        connection.logCustomData(\`REVOKED:\${serial}\`);
        connection.deny();
    } else {
        connection.allow();
    }
}
`;
    expect(rules(code)).toEqual(['error connection-field', 'error kvs-serial-key']);
  });
  it('the multi-CA example (issuer+serial composite key from clientCertInfo) fails on both counts', () => {
    const code = `import cf from 'cloudfront';
async function connectionHandler(connection) {
    const kvsHandle = cf.kvs();
    const clientCert = connection.clientCertInfo;
    const issuer = clientCert.issuer.replace(/[^a-zA-Z0-9]/g, '').substring(0, 20);
    const serialno = clientCert.serialNumber;
    const compositeKey = \`\${issuer}_\${serialno}\`;
    const revoked = await kvsHandle.exists(compositeKey);
    if (revoked) {
        connection.deny();
    } else {
        connection.allow();
    }
}
`;
    expect(rules(code)).toEqual(['error connection-field', 'error kvs-serial-key']);
  });
  it('the minimal allow-everything example is clean', () => {
    expect(lint('function connectionHandler(connection) {\n    connection.allow();\n}\n')).toEqual([]);
  });
  it('an IP allow-list example with a template-literal log is clean', () => {
    const code = "function connectionHandler(connection) {\n    const allowed = ['203.0.113.10', '203.0.113.11'];\n    if (allowed.includes(connection.clientIp)) {\n        connection.allow();\n    } else {\n        console.log(`blocked ${connection.clientIp}`);\n        connection.deny();\n    }\n}\n";
    expect(lint(code)).toEqual([]);
  });
});

it('every rule has a test block in this file and a section in docs/lint.md', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const doc = fs.readFileSync(require('node:path').join(__dirname, '..', '..', 'docs', 'lint.md'), 'utf8');
  for (const r of LINT_RULES) expect(doc).toContain(`### \`${r}\``);
});
