// Regenerates test/infra/fixtures/cdktn-provider-aws-schema.json: the attribute schema of the resources conngate
// emits, as the generated `@cdktn/provider-aws` bindings (which bundle a newer hashicorp/aws schema) declare it.
// The package is ~46 MB packed and ~5,000 files, too heavy for a devDependency, so its schema is extracted once:
//
//   npx tsx test/infra/support/provider-schema-fixture.ts [version]      (default: the version in the fixture)
//
// It fetches the package with `npm pack` (the ordinary npm client), reads the five generated index.js files and
// records, per attribute path, what their synthesizeHclAttributes / *ToHclTerraform functions say: block or not,
// the HCL type and the storage class type.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FIXTURE = path.join(__dirname, '..', 'fixtures', 'cdktn-provider-aws-schema.json');
const RESOURCES: Record<string, string> = {
  aws_cloudfront_connection_function: 'cloudfront-connection-function',
  aws_cloudfront_trust_store: 'cloudfront-trust-store',
  aws_cloudfront_distribution: 'cloudfront-distribution',
  aws_cloudfront_key_value_store: 'cloudfront-key-value-store',
  aws_cloudfrontkeyvaluestore_key: 'cloudfrontkeyvaluestore-key',
};

export interface AttributeSchema { isBlock: boolean; type: string; storageClassType: string }
export interface SchemaFixture {
  package: string;
  version: string;
  providerVersion: string;
  /** resource type -> dotted attribute path -> schema */
  resources: Record<string, Record<string, AttributeSchema>>;
}

/** The `attrs` entries of one function or method body. */
function attrsOf(body: string): Record<string, AttributeSchema> {
  const out: Record<string, AttributeSchema> = {};
  const re = /\n\s+(\w+): \{\s*value: [^\n]*\n\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",/g;
  for (const m of body.matchAll(re)) out[m[1]] = { isBlock: m[2] === 'true', type: m[3], storageClassType: m[4] };
  return out;
}

/** The body of the function or method starting at `start` (up to the matching close at the same indentation). */
function bodyFrom(js: string, start: number): string {
  const open = js.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < js.length; i++) {
    if (js[i] === '{') depth++;
    else if (js[i] === '}' && --depth === 0) return js.slice(open, i + 1);
  }
  throw new Error('unbalanced braces');
}

export function extractResource(js: string): Record<string, AttributeSchema> {
  const cls = js.search(/class \w+ extends cdktn\.TerraformResource/);
  const top = attrsOf(bodyFrom(js, js.indexOf('synthesizeHclAttributes() {', cls)));
  const flat: Record<string, AttributeSchema> = {};
  const walk = (attrs: Record<string, AttributeSchema>, prefix: string, seen: Set<string>) => {
    for (const [name, a] of Object.entries(attrs)) {
      const at = prefix + name;
      flat[at] = a;
      if (!a.isBlock) continue;
      const struct = a.storageClassType.replace(/(List|OutputReference)$/, '');
      const fn = `function ${struct[0].toLowerCase()}${struct.slice(1)}ToHclTerraform(struct) {`;
      const i = js.indexOf(fn);
      if (i < 0 || seen.has(struct)) continue;
      walk(attrsOf(bodyFrom(js, i)), `${at}.`, new Set([...seen, struct]));
    }
  };
  walk(top, '', new Set());
  return flat;
}

function main(): void {
  const current = fs.existsSync(FIXTURE) ? (JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as SchemaFixture).version : undefined;
  const version = process.argv[2] ?? current;
  if (!version) throw new Error('give the @cdktn/provider-aws version to extract');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktn-schema-'));
  try {
    execFileSync('npm', ['pack', `@cdktn/provider-aws@${version}`, '--silent'], { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'] });
    const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'))!;
    const files = Object.values(RESOURCES).map((d) => `package/lib/${d}/index.js`);
    execFileSync('tar', ['xzf', tgz, ...files], { cwd: tmp });
    const resources: SchemaFixture['resources'] = {};
    let providerVersion = '';
    for (const [type, dir] of Object.entries(RESOURCES)) {
      const js = fs.readFileSync(path.join(tmp, 'package', 'lib', dir, 'index.js'), 'utf8');
      resources[type] = extractResource(js);
      providerVersion ||= /providerVersion: '([\d.]+)'/.exec(js)?.[1] ?? '';
    }
    const fixture: SchemaFixture = { package: '@cdktn/provider-aws', version, providerVersion, resources };
    fs.writeFileSync(FIXTURE, JSON.stringify(fixture, null, 1) + '\n');
    process.stdout.write(`wrote ${FIXTURE} (@cdktn/provider-aws ${version}, hashicorp/aws ${providerVersion})\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
