import * as fs from 'node:fs';
import * as path from 'node:path';

/** A connection object with a client certificate, the shape every corpus case runs against. */
export const CONNECTION = {
  connectionId: 'Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy',
  clientIp: '203.0.113.9',
  endpoint: 'd111111abcdef8.cloudfront.net',
  distributionId: 'E1NXS4MQZH501R',
  clientCertificate: { certificates: { leaf: {
    subject: 'C=US, O=Example Corp, CN=client.example.com', issuer: 'C=US, O=Example Corp, CN=Example CA',
    serialNumber: '0a:bc', validity: { notBefore: '2025-01-01T00:00:00Z', notAfter: '2035-01-01T00:00:00Z' },
    sha256Fingerprint: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=',
  } } },
};

export interface CorpusFunction { name: string; code: string; store?: Record<string, string>; storeFailure?: boolean }

/** Writes each function as functions/<name>.js with a one-case suite expecting `decision`; returns the folder. */
export function writeCorpus(dir: string, entries: CorpusFunction[], decision: 'allow' | 'deny'): string {
  const functions = path.join(dir, 'functions');
  fs.mkdirSync(functions, { recursive: true });
  for (const e of entries) {
    fs.writeFileSync(path.join(functions, `${e.name}.js`), e.code);
    const kase: Record<string, unknown> = { name: e.name, connection: CONNECTION, expect: { decision } };
    if (e.store) kase.store = e.store;
    if (e.storeFailure) kase.storeFailure = true;
    fs.writeFileSync(path.join(functions, `${e.name}.suite.json`), JSON.stringify({ cases: [kase] }, null, 2));
  }
  return functions;
}

/** Every file under `dir`, recursively (to prove no marker file appeared anywhere in the scratch folder). */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true } as { withFileTypes: true })
    .filter((d) => d.isFile()).map((d) => d.name);
}
