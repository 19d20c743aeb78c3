import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { UserError } from '../../diagnostics/user-error';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { findStageConfig, loadStageConfigs, stageFunctionName } from '../../stacks/stage-config';
import { LocalApplier } from '../../local-apply/local-applier';
import { localStatePath } from '../../local-apply/local-state';
import type { StageOutputs } from '../../orchestrator/stage/stage-outputs';

const REPO = path.resolve(__dirname, '../..');
const WRITES = /^(Create|Update|Put|Delete|Tag|Untag|Publish)/;

let emulator: RunningEmulator;
let client: cf.CloudFrontClient;
let kvs: kv.CloudFrontKeyValueStoreClient;
let tmp: string;
let outdir: string;
let applier: LocalApplier;
/** Every SDK command sent by either client, by name (an SDK middleware records them). */
const commands: string[] = [];
const progress: string[] = [];

function recordCommands(c: { middlewareStack: { add: (...a: any[]) => void } }): void {
  c.middlewareStack.add((next: any, context: any) => async (args: any) => {
    commands.push(String(context.commandName).replace(/Command$/, ''));
    return next(args);
  }, { step: 'initialize', name: 'recordCommands' });
}

const stackFile = () => path.join(outdir, 'stacks', 'dev', 'cdk.tf.json');
const readStack = () => JSON.parse(fs.readFileSync(stackFile(), 'utf8'));
const firstOf = (block: Record<string, any>) => Object.values(block)[0] as Record<string, any>;

async function applyCounting(associate: boolean): Promise<{ outputs: StageOutputs; writes: string[] }> {
  const from = commands.length;
  const outputs = await applier.apply('dev', { associate });
  return { outputs, writes: commands.slice(from).filter((c) => WRITES.test(c)) };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const target = { endpoint: emulator.endpoint, region: 'us-east-1' };
  client = createCloudFrontClient(target);
  kvs = createKvsClient(target);
  recordCommands(client);
  recordCommands(kvs);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-local-apply-'));
  outdir = path.join(tmp, 'cdktf.out');
  applier = new LocalApplier({ cf: client, kvs, outdir, stateDir: path.join(tmp, '.conngate'), cwd: REPO,
    progress: (l) => progress.push(l), wait: { intervalMs: 20, timeoutMs: 10_000 }, resynthesize: 'when-association-changes' });
  // One real synthesis for the first-deploy shape; later steps re-synthesize only when the association flips.
  await applier.synthesize(['dev'], { unassociated: ['dev'] });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('local apply of the synthesized dev stack to the emulator', () => {
  let first: StageOutputs;

  test('creates every declared resource with the declared values (first deploy, no association)', async () => {
    const stack = readStack();
    // The pipeline finds the function by the name the stage config gives; the synthesized stack must declare it.
    expect(stageFunctionName(findStageConfig(loadStageConfigs(REPO), 'dev'))).toBe(firstOf(stack.resource.aws_cloudfront_connection_function).name);
    const synthesisLines = progress.filter((l) => l.startsWith('synthesizing')).length;
    first = (await applyCounting(false)).outputs;
    expect(progress.filter((l) => l.startsWith('synthesizing')).length).toBe(synthesisLines); // already the right shape

    const fnDecl = firstOf(stack.resource.aws_cloudfront_connection_function);
    const storeDecl = firstOf(stack.resource.aws_cloudfront_key_value_store);
    const keyDecl = firstOf(stack.resource.aws_cloudfrontkeyvaluestore_key);
    const tsDecl = firstOf(stack.resource.aws_cloudfront_trust_store);
    const distDecl = firstOf(stack.resource.aws_cloudfront_distribution);

    const store = (await client.send(new cf.DescribeKeyValueStoreCommand({ Name: storeDecl.name }))).KeyValueStore!;
    expect(store).toMatchObject({ Name: storeDecl.name, Comment: storeDecl.comment, Status: 'READY', ARN: first.kvsArn });
    expect((await kvs.send(new kv.GetKeyCommand({ KvsARN: first.kvsArn, Key: keyDecl.key }))).Value).toBe(keyDecl.value);

    const ts = (await client.send(new cf.GetTrustStoreCommand({ Identifier: first.trustStoreId! }))).TrustStore!;
    expect(ts.Name).toBe(tsDecl.name);

    const dev = await client.send(new cf.DescribeConnectionFunctionCommand({ Identifier: first.functionId, Stage: 'DEVELOPMENT' }));
    expect(dev.ConnectionFunctionSummary).toMatchObject({
      Name: fnDecl.name,
      ConnectionFunctionConfig: { Comment: fnDecl.connection_function_config[0].comment, Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: first.kvsArn }] } },
    });
    const code = await client.send(new cf.GetConnectionFunctionCommand({ Identifier: first.functionId, Stage: 'DEVELOPMENT' }));
    expect(Buffer.from(code.ConnectionFunctionCode!).toString('utf8')).toBe(fnDecl.connection_function_code);
    expect(commands).not.toContain('PublishConnectionFunction');
    const tags = await client.send(new cf.ListTagsForResourceCommand({ Resource: first.functionArn }));
    expect(tags.Tags?.Items).toEqual(expect.arrayContaining([{ Key: 'project', Value: 'conngate' }, { Key: 'stage', Value: 'dev' }]));

    const dist = (await client.send(new cf.GetDistributionConfigCommand({ Id: first.distributionId! }))).DistributionConfig!;
    expect(dist).toMatchObject({
      Enabled: true, Comment: distDecl.comment, PriceClass: distDecl.price_class, HttpVersion: distDecl.http_version,
      Origins: { Quantity: 1, Items: [{ Id: 'origin', DomainName: distDecl.origin[0].domain_name,
        CustomOriginConfig: { HTTPSPort: 443, OriginProtocolPolicy: 'https-only', OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] } } }] },
      DefaultCacheBehavior: { TargetOriginId: 'origin', ViewerProtocolPolicy: 'https-only', CachePolicyId: distDecl.default_cache_behavior.cache_policy_id,
        AllowedMethods: { Quantity: 7, CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] } } },
      ViewerCertificate: { CloudFrontDefaultCertificate: true },
      Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
      ViewerMtlsConfig: { Mode: 'required', TrustStoreConfig: { TrustStoreId: first.trustStoreId, AdvertiseTrustStoreCaNames: false, IgnoreCertificateExpiry: false } },
    });
    expect(dist.ConnectionFunctionAssociation).toBeUndefined();

    expect(first).toMatchObject({
      stage: 'dev', functionName: fnDecl.name, functionEtag: dev.ETag, kvsName: storeDecl.name, canarySerial: keyDecl.key,
      candidateSha256: stack.output.candidate_sha256.value, functionAssociated: false,
    });
    const state = JSON.parse(fs.readFileSync(localStatePath(path.join(tmp, '.conngate'), 'dev'), 'utf8'));
    expect(Object.keys(state.resources).sort()).toEqual(Object.entries(stack.resource)
      .flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`)).sort());
  });

  test('a re-apply of the same stack writes nothing', async () => {
    const { outputs, writes } = await applyCounting(false);
    expect(writes).toEqual([]);
    expect(applier.lastChanges.every((c) => c.action === 'no-op')).toBe(true);
    expect(outputs).toEqual(first);
  });

  test('the association is refused while the function has no LIVE stage, naming the resource', async () => {
    const err = await applier.apply('dev', { associate: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).toMatch(/cdk\.tf\.json aws_cloudfront_distribution\.\S+: InvalidArgument \(400\): .*has not been published/);
    expect(message).toMatch(/fix: publish the function first/);
    expect(firstOf(readStack().resource.aws_cloudfront_distribution).connection_function_association).toBeDefined(); // re-synthesized with it
    const dist = (await client.send(new cf.GetDistributionConfigCommand({ Id: first.distributionId! }))).DistributionConfig!;
    expect(dist.ConnectionFunctionAssociation).toBeUndefined();
  }, 60_000);

  test('after publishing, the association is applied and the function is DEPLOYED', async () => {
    const dev = await client.send(new cf.DescribeConnectionFunctionCommand({ Identifier: first.functionId }));
    await client.send(new cf.PublishConnectionFunctionCommand({ Id: first.functionId, IfMatch: dev.ETag }));
    const { outputs, writes } = await applyCounting(true);
    expect(writes).toEqual(['UpdateDistribution']);
    expect(outputs.functionAssociated).toBe(true);
    const dist = (await client.send(new cf.GetDistributionConfigCommand({ Id: first.distributionId! }))).DistributionConfig!;
    expect(dist.ConnectionFunctionAssociation).toEqual({ Id: first.functionId });
    const live = await client.send(new cf.DescribeConnectionFunctionCommand({ Identifier: first.functionId, Stage: 'LIVE' }));
    expect(live.ConnectionFunctionSummary!.Status).toBe('DEPLOYED');
  });

  test('changed function code updates DEVELOPMENT only; LIVE stays as published', async () => {
    const liveBefore = await client.send(new cf.GetConnectionFunctionCommand({ Identifier: first.functionId, Stage: 'LIVE' }));
    const stack = readStack();
    const fn = firstOf(stack.resource.aws_cloudfront_connection_function);
    fn.connection_function_code += '// changed\n';
    fs.writeFileSync(stackFile(), JSON.stringify(stack));

    const { outputs, writes } = await applyCounting(true);
    expect(writes).toEqual(['UpdateConnectionFunction']);
    const devCode = await client.send(new cf.GetConnectionFunctionCommand({ Identifier: first.functionId, Stage: 'DEVELOPMENT' }));
    expect(Buffer.from(devCode.ConnectionFunctionCode!).toString('utf8')).toBe(fn.connection_function_code);
    expect(outputs.functionEtag).toBe(devCode.ETag);
    const liveAfter = await client.send(new cf.GetConnectionFunctionCommand({ Identifier: first.functionId, Stage: 'LIVE' }));
    expect(liveAfter.ETag).toBe(liveBefore.ETag);
    expect(Buffer.from(liveAfter.ConnectionFunctionCode!)).toEqual(Buffer.from(liveBefore.ConnectionFunctionCode!));
  });

  test('a resource gone from the emulator is recreated', async () => {
    const key = first.canarySerial!;
    const { ETag } = await kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: first.kvsArn }));
    await kvs.send(new kv.DeleteKeyCommand({ KvsARN: first.kvsArn, Key: key, IfMatch: ETag }));
    const { writes } = await applyCounting(true);
    expect(writes).toEqual(['PutKey']);
    expect(applier.lastChanges.find((c) => c.address.startsWith('aws_cloudfrontkeyvaluestore_key.'))!.action).toBe('recreate');
    expect((await kvs.send(new kv.GetKeyCommand({ KvsARN: first.kvsArn, Key: key }))).Value).toBe('conngate-canary');
  });

  test('a resource removed from the stack is deleted', async () => {
    const stack = readStack();
    const [keyAddress] = Object.keys(stack.resource.aws_cloudfrontkeyvaluestore_key);
    delete stack.resource.aws_cloudfrontkeyvaluestore_key;
    fs.writeFileSync(stackFile(), JSON.stringify(stack));
    const { writes } = await applyCounting(true);
    expect(writes).toEqual(['DeleteKey']);
    expect(applier.lastChanges.at(-1)).toEqual({ address: `aws_cloudfrontkeyvaluestore_key.${keyAddress}`, action: 'delete' });
    const err = await kvs.send(new kv.GetKeyCommand({ KvsARN: first.kvsArn, Key: first.canarySerial! })).catch((e: Error) => e);
    expect((err as Error).name).toBe('ResourceNotFoundException');
  });

  test('applying without the association again removes it from the distribution', async () => {
    const { outputs, writes } = await applyCounting(false);
    expect(writes).toContain('UpdateDistribution');
    expect(outputs.functionAssociated).toBe(false);
    const dist = (await client.send(new cf.GetDistributionConfigCommand({ Id: first.distributionId! }))).DistributionConfig!;
    expect(dist.ConnectionFunctionAssociation).toBeUndefined();
    expect(dist.ViewerMtlsConfig?.Mode).toBe('required');
  }, 60_000);

  test('an unsupported resource type is refused before anything is sent', async () => {
    const dir = path.join(outdir, 'stacks', 'handmade');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({
      resource: {
        aws_cloudfront_key_value_store: { Store: { name: 'handmade-store' } },
        aws_s3_bucket: { Bundle: { bucket: 'handmade-bundle' } },
      },
    }));
    const before = emulator.requestCount();
    const err = await applier.apply('handmade', { associate: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`${path.join(dir, 'cdk.tf.json')} aws_s3_bucket.Bundle: resource type aws_s3_bucket is not supported by the local applier `
      + '(supported: aws_cloudfront_connection_function, aws_cloudfront_distribution, aws_cloudfront_key_value_store, aws_cloudfront_trust_store, aws_cloudfrontkeyvaluestore_key, awscc_cloudfront_trust_store) '
      + '(fix: apply this stack with real Terraform (`cdktf deploy`), or keep the stage stack to what docs/local-apply.md lists)');
    expect(emulator.requestCount()).toBe(before);
  });
});
