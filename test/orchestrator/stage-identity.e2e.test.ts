import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateConnectionFunctionCommand, ListTagsForResourceCommand, UpdateConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { DescribeKeyValueStoreCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { startEmulator } from '../../emulator';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { readFunctionStage } from '../../orchestrator/stage/function-stages';
import { useEmulatorProject } from '../support/emulator-project';

jest.setTimeout(300_000);

/**
 * Inputs select, CloudFront decides: an outputs file (or anything else that names resources) that names another
 * stage's function, store or distribution, or a function in another account, is refused before anything is tested,
 * published, tagged or written.
 */
describe('stage identity: outputs that name another stage\'s resources are refused', () => {
  const p = useEmulatorProject('conngate-identity');
  let good: string;
  let candidateB: string;
  const outputsFile = () => path.join(p.dir, '.conngate', 'outputs.json');
  const allOutputs = () => JSON.parse(fs.readFileSync(outputsFile(), 'utf8')) as Record<string, Record<string, unknown>>;
  const forged = (name: string, doc: unknown): string => {
    const f = path.join(p.dir, name);
    fs.writeFileSync(f, JSON.stringify(doc));
    return f;
  };
  const tagsOf = async (arn: string) => (await p.cf().send(new ListTagsForResourceCommand({ Resource: arn }))).Tags?.Items;

  beforeAll(async () => {
    good = fs.readFileSync(p.fnFile, 'utf8');
    for (const args of [['deploy', 'dev'], ['promote', 'dev', 'staging'], ['promote', 'staging', 'prod']]) {
      const r = await p.cli(...args, '--quiet');
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 0, '']);
    }
    // prod's DEVELOPMENT gets candidate B, as a plain `cdktf deploy prod` leaves it (staging never ran B).
    candidateB = good.replace('await kvs.exists(serial)', 'false');
    const prod = await readFunctionStage(p.cf(), p.outputs().read('prod')!.functionId, 'DEVELOPMENT');
    await p.cf().send(new UpdateConnectionFunctionCommand({ Id: prod.summary.Id!, IfMatch: prod.etag, ConnectionFunctionConfig: prod.summary.ConnectionFunctionConfig,
      ConnectionFunctionCode: Buffer.from(candidateB) }));
  });

  it('verify dev with an outputs file whose dev entry names prod\'s function publishes nothing to prod LIVE', async () => {
    const prodOut = p.outputs().read('prod')!;
    const liveBefore = await p.live('prod');
    const tagsBefore = await tagsOf(prodOut.functionArn);
    const devLiveBefore = await p.live('dev');
    const file = forged('forged-outputs.json', { dev: { ...allOutputs().prod, stage: 'dev' } });
    const r = await p.cli('verify', 'dev', '--outputs', file);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(
      new RegExp(`^conngate: dev: identity: refused: .*forged-outputs\\.json names function ${prodOut.functionName} \\(${prodOut.functionId}, .*\\), but the dev stage's function is ${p.outputs().read('dev')!.functionName} \\(${p.outputs().read('dev')!.functionId}, .*nothing was tested, published or written \\(fix: `))]);
    const liveAfter = await p.live('prod');
    expect(liveAfter.sha256).toBe(liveBefore.sha256);
    expect(liveAfter.sha256).not.toBe(candidateSha256(candidateB));
    expect(liveAfter.etag).toBe(liveBefore.etag);
    expect(await tagsOf(prodOut.functionArn)).toEqual(tagsBefore);
    expect((await p.live('dev')).etag).toBe(devLiveBefore.etag);
  });

  it('other spellings of another function are refused too: terraform output -json form, a name differing in case or by a trailing space, no distribution', async () => {
    const all = allOutputs();
    const prodLive = await p.live('prod');
    const wrapped = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { value: v, type: typeof v, sensitive: false }]));
    const variants: [string, Record<string, unknown>, RegExp][] = [
      ['json-form.json', wrapped({ ...all.prod, stage: 'dev' }), /names function \S+ \(\S+, \S+\), but the dev stage's function is/],
      ['mixed-ids.json', { ...all.dev, function_id: all.prod.function_id }, /names function \S+ \(\S+, \S+\), but the dev stage's function is/],
      ['upper-name.json', { ...all.dev, function_name: String(all.dev.function_name).toUpperCase() }, /names function [A-Z0-9-]+ \(/],
      ['spaced-name.json', { ...all.dev, function_name: `${String(all.dev.function_name)} ` }, /names function \S+  \(/],
      ['no-distribution.json', { ...all.prod, stage: 'dev', distribution_id: undefined }, /names function \S+ \(\S+, \S+\), but the dev stage's function is/],
      ['empty-distribution.json', { ...all.prod, stage: 'dev', distribution_id: '' }, /names function \S+ \(\S+, \S+\), but the dev stage's function is/],
    ];
    for (const [name, dev, message] of variants) {
      const r = await p.cli('verify', 'dev', '--outputs', forged(name, { dev }));
      expect([name, r.code]).toEqual([name, 2]);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    }
    expect((await p.live('prod')).etag).toBe(prodLive.etag);
  });

  it('the right function but another stage\'s store, or a distribution that is not the stage\'s, is refused too', async () => {
    const all = allOutputs();
    const wrongStore = forged('wrong-store.json', { dev: { ...all.dev, kvs_arn: all.prod.kvs_arn } });
    let r = await p.cli('verify', 'dev', '--outputs', wrongStore);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/names store .*, but the dev stage's KeyValueStore \S+ is arn:/);
    const wrongDistribution = forged('wrong-distribution.json', { dev: { ...all.dev, distribution_id: all.prod.distribution_id } });
    r = await p.cli('verify', 'dev', '--outputs', wrongDistribution);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/names distribution \S+ \("conngate prod viewer-mTLS distribution"\), which is not the dev stage's/);
    // The association waits for the trust store the outputs name: another stage's (active) store must not stand in for this one's.
    expect(all.prod.trust_store_id).toMatch(/\S/);
    expect(all.prod.trust_store_id).not.toBe(all.dev.trust_store_id);
    const wrongTrustStore = forged('wrong-trust-store.json', { dev: { ...all.dev, trust_store_id: all.prod.trust_store_id } });
    r = await p.cli('verify', 'dev', '--outputs', wrongTrustStore);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(
      new RegExp(`names trust store ${all.prod.trust_store_id}, but the dev stage's distribution ${all.dev.distribution_id} validates with ${all.dev.trust_store_id};`))]);
    const trustStoreAlone = forged('trust-store-alone.json', { dev: { ...all.dev, distribution_id: '', trust_store_id: all.prod.trust_store_id } });
    r = await p.cli('verify', 'dev', '--outputs', trustStoreAlone);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/names trust store \S+ but no distribution, which the dev stack never outputs/);
    // The stage's own outputs still verify (and converge: nothing to publish).
    r = await p.cli('verify', 'dev', '--quiet');
    expect(r.code).toBe(0);
  });

  it('an outputs file naming a function in another account is refused', async () => {
    const other = await startEmulator({ port: 0, accountId: '210987654321' });
    try {
      const cf = createCloudFrontClient({ endpoint: other.endpoint, region: 'us-east-1' });
      const dev = p.outputs().read('dev')!;
      const created = await cf.send(new CreateConnectionFunctionCommand({ Name: dev.functionName,
        ConnectionFunctionConfig: { Comment: 'elsewhere', Runtime: 'cloudfront-js-2.0' }, ConnectionFunctionCode: Buffer.from(candidateB) }));
      const s = created.ConnectionFunctionSummary!;
      expect(s.ConnectionFunctionArn).toMatch(/::210987654321:/);
      const file = forged('other-account.json', { dev: { ...allOutputs().dev, function_id: s.Id, function_arn: s.ConnectionFunctionArn } });
      const r = await p.cli('verify', 'dev', '--outputs', file);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`names function ${dev.functionName} \\(${s.Id}, arn:aws:cloudfront::210987654321:.*\\), but the dev stage's function is .*arn:aws:cloudfront::123456789012:`));
    } finally {
      await other.close();
    }
  });

  it('revocations sync refuses a store that outputs name for a stage but is another stage\'s; --kvs-arn is named as the operator\'s choice', async () => {
    const all = allOutputs();
    const kvs = createKvsClient({ endpoint: p.emulator.endpoint, region: 'us-east-1' });
    const prodStore = all.prod.kvs_arn as string;
    const etagBefore = (await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: prodStore }))).ETag;
    const serials = path.join(p.dir, 'revoked.txt');
    fs.writeFileSync(serials, '0a1b2c3d\n');
    const file = forged('sync-forged.json', { dev: { ...all.dev, kvs_arn: prodStore } });
    let r = await p.cli('revocations', 'sync', 'dev', '--outputs', file, '--serials', serials);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: dev: identity: refused: .*sync-forged\.json names store arn:\S+, but the dev stage's KeyValueStore \S+ is arn:\S+; nothing was written \(fix: /)]);
    expect((await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: prodStore }))).ETag).toBe(etagBefore);
    // The stage's own store from its outputs syncs; an explicit --kvs-arn is the operator's choice and says so.
    r = await p.cli('revocations', 'sync', 'dev', '--serials', serials, '--dry-run');
    expect(r.code).toBe(0);
    r = await p.cli('revocations', 'sync', 'dev', '--kvs-arn', prodStore, '--serials', serials, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`store ${prodStore} (--kvs-arn: your choice, not checked against the dev stage's store)`);
  });
});
