import * as fs from 'node:fs';
import * as path from 'node:path';
import { findStageConfig, loadStageConfigs, resolveStageConfigs } from '../../stacks/stage-config';
import { makeTempProject } from './support/temp-project';

const resolve = (doc: unknown) => resolveStageConfigs(doc, '/proj');

describe('stage config defaults', () => {
  it('gives dev -> staging -> prod with local backends, us-east-1, the default canary and required mTLS', () => {
    const dir = makeTempProject();
    const stages = loadStageConfigs(dir);
    expect(stages.map((s) => [s.name, s.promotesFrom])).toEqual([['dev', undefined], ['staging', 'dev'], ['prod', 'staging']]);
    const dev = stages[0];
    expect(dev).toEqual({
      name: 'dev',
      namePrefix: 'conngate-dev',
      region: 'us-east-1',
      tags: { project: 'conngate', stage: 'dev' },
      backend: { type: 'local', path: path.join(dir, 'terraform.dev.tfstate') },
      functionFile: path.join(dir, 'functions', 'revocation-check.js'),
      canarySerial: '0badc0de0badc0de',
      mtls: {
        mode: 'required',
        trustStore: { type: 's3', name: 'conngate-dev-trust-store', bucket: 'conngate-dev-trust-store', key: 'ca-bundle.pem', region: 'us-east-1', ocsp: false, placeholder: true },
        ignoreCertificateExpiry: false,
        advertiseTrustStoreCaNames: false,
      },
      origin: { domainName: 'example.com' },
    });
    expect(stages[2].backend).toEqual({ type: 'local', path: path.join(dir, 'terraform.prod.tfstate') });
  });
});

describe('conngate.config.json overrides', () => {
  it('applies defaults, then per-stage values, with backends of each kind', () => {
    const stages = resolve({
      defaults: { region: 'eu-west-1', tags: { team: 'edge' }, mtls: { advertiseTrustStoreCaNames: true } },
      stages: {
        dev: { canarySerial: '00:FF:01', mtls: { mode: 'optional' } },
        staging: { backend: { type: 's3', bucket: 'acme-tf' } },
        prod: { backend: { type: 'cloud', organization: 'acme' }, mtls: { trustStore: { trustStoreId: 'ts-1' } }, tags: { tier: 'prod' } },
      },
    });
    const [dev, staging, prod] = stages;
    expect(dev.region).toBe('eu-west-1');
    expect(dev.canarySerial).toBe('ff01');
    expect(dev.mtls).toMatchObject({ mode: 'optional', advertiseTrustStoreCaNames: true });
    expect(dev.backend).toEqual({ type: 'local', path: '/proj/terraform.dev.tfstate' });
    expect(staging.backend).toEqual({ type: 's3', bucket: 'acme-tf', key: 'conngate/staging/terraform.tfstate', region: 'eu-west-1', encrypt: true });
    expect(prod.backend).toEqual({ type: 'cloud', organization: 'acme', workspace: 'conngate-prod', hostname: 'app.terraform.io' });
    expect(prod.mtls.trustStore).toEqual({ type: 'existing', trustStoreId: 'ts-1' });
    expect(prod.tags).toEqual({ project: 'conngate', stage: 'prod', team: 'edge', tier: 'prod' });
  });

  it('lets stages be renamed and chained in listed order; null ends the chain', () => {
    const stages = resolve({ stages: { qa: { promotesFrom: null }, live: {} } });
    expect(stages.map((s) => [s.name, s.promotesFrom])).toEqual([['qa', undefined], ['live', 'qa']]);
    expect(findStageConfig(stages, 'live').namePrefix).toBe('conngate-live');
    expect(() => findStageConfig(stages, 'prod')).toThrow('stage "prod": no such stage (fix: use one of: qa, live');
  });

  it('resolves functionFile and suiteFile against the project folder', () => {
    const [dev] = resolve({ stages: { dev: { functionFile: 'fns/a.js', suiteFile: 'fns/a.suite.json' } } });
    expect(dev.functionFile).toBe('/proj/fns/a.js');
    expect(dev.suiteFile).toBe('/proj/fns/a.suite.json');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['unknown top-level field', { stagez: {} }, /^conngate\.config\.json: unknown field "stagez" \(fix: /],
    ['unknown stage field', { stages: { dev: { regoin: 'x' } } }, /^conngate\.config\.json stages\.dev: unknown field "regoin"/],
    ['bad backend type', { stages: { dev: { backend: { type: 'gcs' } } } }, /stages\.dev\.backend\.type: backend type must be "local", "s3" or "cloud"/],
    ['s3 without bucket', { stages: { dev: { backend: { type: 's3' } } } }, /stages\.dev\.backend: missing field "bucket"/],
    ['bad mode', { stages: { dev: { mtls: { mode: 'maybe' } } } }, /stages\.dev\.mtls\.mode: must be one of "required", "optional"/],
    ['bad region', { defaults: { region: 'mars' } }, /defaults\.region: value does not match .*\(fix: use an AWS region/],
    ['bad stage name', { stages: { Dev: {} } }, /stage name "Dev" is invalid/],
    ['unknown promotesFrom', { stages: { dev: {}, prod: { promotesFrom: 'qa' } } }, /stages\.prod\.promotesFrom: unknown stage "qa" \(fix: use one of: dev\)/],
    ['promotion cycle', { stages: { a: { promotesFrom: 'b' }, b: {} } }, /promotion cycle/],
    ['bad canary', { stages: { dev: { canarySerial: 'zz' } } }, /stages\.dev\.canarySerial: "zz" is not a hex certificate serial/],
    ['two trust stores', { stages: { dev: { mtls: { trustStore: { trustStoreId: 'x', caBundle: { bucket: 'bbb', key: 'k' } } } } } }, /both caBundle and trustStoreId/],
    ['reserved tag', { defaults: { tags: { 'conngate:x': 'y' } } }, /tags\.conngate:x: the "conngate:" tag prefix is reserved/],
    ['aliases without certificate', { stages: { dev: { aliases: ['a.example.com'] } } }, /stages\.dev\.aliases: aliases need a certificate/],
    ['shared prefix', { stages: { a: { namePrefix: 'x' }, b: { namePrefix: 'x' } } }, /stages\.b\.namePrefix: namePrefix "x" is used by another stage/],
    // Different prefixes can still name one function: the orchestrator finds a stage's function by that name, so
    // one stage's run would confirm and act on the other's.
    ['function name of another stage', { stages: { a: { namePrefix: 'x', functionFile: 'f/y-check.js' }, b: { namePrefix: 'x-y', functionFile: 'f/check.js' } } },
      /stages\.b\.namePrefix: the function name "x-y-check" is stage a's too \(fix: give each stage/],
    ['prefixes differing only in case', { stages: { a: { namePrefix: 'x' }, b: { namePrefix: 'X' } } }, /stages\.b\.namePrefix: namePrefix "X" is used by another stage/],
  ];
  it.each(bad)('rejects %s with a one-line message', (_name, doc, message) => {
    let err: Error | undefined;
    try {
      resolve(doc);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).toBe('UserError');
    expect(err?.message).toMatch(message);
    expect(err?.message).toContain('(fix: ');
    expect(err?.message).not.toContain('\n');
  });

  it('reports invalid JSON with the file name', () => {
    const dir = makeTempProject();
    fs.writeFileSync(path.join(dir, 'conngate.config.json'), '{ "stages": ');
    expect(() => loadStageConfigs(dir)).toThrow(/^conngate\.config\.json: not valid JSON/);
  });
});
