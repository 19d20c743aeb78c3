import * as cf from '@aws-sdk/client-cloudfront';
import { runConnectionFunction } from '../../runtime';
import { judgeCaseRun } from '../../runtime/case-judgement';
import { readTestResult } from '../../orchestrator/suite/test-output';
import { ALLOWS_EVERYONE_AT_THE_EDGE, ALLOWS_FIRST_THEN_DENIES, SLOW_FIRST_THEN_FAST } from '../runtime/stateful-functions';
import {
  code, connectionWithSerial, createFunction, createStore, createTrustStore, distributionConfig, failure, RUNTIME,
  startHarness, stopHarness, type Harness,
} from './harness';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ALLOW = 'function connectionHandler(connection) { console.log("hello"); connection.allow(); }';
const DENY = 'function connectionHandler(connection) { connection.deny(); }';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(() => stopHarness(h));

describe('connection functions through the SDK', () => {
  test('create, describe, get, update, publish, list, delete with stage ETags and statuses', async () => {
    const created = await createFunction(h, 'lifecycle', ALLOW);
    const s = created.ConnectionFunctionSummary!;
    expect(s.Id).toMatch(/^cf_[A-Za-z0-9]{27}$/);
    expect(s.ConnectionFunctionArn).toBe(`arn:aws:cloudfront::123456789012:connection-function/${s.Id}`);
    expect(s).toMatchObject({ Name: 'lifecycle', Status: 'UNPUBLISHED', Stage: 'DEVELOPMENT' });
    expect(s.ConnectionFunctionConfig).toMatchObject({ Runtime: RUNTIME, Comment: 'lifecycle function' });
    expect(created.Location).toMatch(new RegExp(`/2020-05-31/connection-function/${s.Id}$`));
    const etag1 = created.ETag!;

    const byName = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'lifecycle' }));
    expect(byName.ETag).toBe(etag1);
    const got = await h.cf.send(new cf.GetConnectionFunctionCommand({ Identifier: s.Id! }));
    expect(Buffer.from(got.ConnectionFunctionCode!).toString()).toBe(ALLOW);
    expect(got.ETag).toBe(etag1);

    expect((await failure(h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: s.Id!, Stage: 'LIVE' })))).name)
      .toBe('EntityNotFound');

    const updated = await h.cf.send(new cf.UpdateConnectionFunctionCommand({ Id: s.Id!, IfMatch: etag1,
      ConnectionFunctionCode: code(DENY), ConnectionFunctionConfig: { Comment: 'v2', Runtime: RUNTIME } }));
    expect(updated.ETag).not.toBe(etag1);
    expect((await failure(h.cf.send(new cf.UpdateConnectionFunctionCommand({ Id: s.Id!, IfMatch: etag1,
      ConnectionFunctionCode: code(DENY), ConnectionFunctionConfig: { Comment: 'v3', Runtime: RUNTIME } })))))
      .toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect((await failure(h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: s.Id!, IfMatch: undefined as never })))))
      .toMatchObject({ name: 'InvalidIfMatchVersion', status: 400 });

    const published = await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: s.Id!, IfMatch: updated.ETag! }));
    expect(published.ConnectionFunctionSummary).toMatchObject({ Stage: 'LIVE', Status: 'PUBLISHING' });
    const live = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: s.Id!, Stage: 'LIVE' }));
    expect(live.ConnectionFunctionSummary!.Status).toBe('UNASSOCIATED');
    expect(live.ETag).not.toBe(updated.ETag);
    const dev = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: s.Id! }));
    expect(dev.ConnectionFunctionSummary!.Status).toBe('UNASSOCIATED');
    const liveCode = await h.cf.send(new cf.GetConnectionFunctionCommand({ Identifier: s.Id!, Stage: 'LIVE' }));
    expect(Buffer.from(liveCode.ConnectionFunctionCode!).toString()).toBe(DENY);

    const listedLive = await h.cf.send(new cf.ListConnectionFunctionsCommand({ Stage: 'LIVE' }));
    expect(listedLive.ConnectionFunctions!.map((f) => f.Id)).toContain(s.Id);

    expect((await failure(h.cf.send(new cf.DeleteConnectionFunctionCommand({ Id: s.Id!, IfMatch: 'E0000000000000' })))).name)
      .toBe('PreconditionFailed');
    await h.cf.send(new cf.DeleteConnectionFunctionCommand({ Id: s.Id!, IfMatch: dev.ETag! }));
    expect((await failure(h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: s.Id! })))))
      .toMatchObject({ name: 'EntityNotFound', status: 404 });
  });

  test('limits and validation: name pattern, duplicate name, code size, runtime, store association', async () => {
    expect((await failure(createFunction(h, 'bad name!', ALLOW))).name).toBe('InvalidArgument');
    expect((await failure(createFunction(h, 'x'.repeat(65), ALLOW))).name).toBe('InvalidArgument');
    await createFunction(h, 'dupe', ALLOW);
    expect(await failure(createFunction(h, 'dupe', ALLOW))).toMatchObject({ name: 'EntityAlreadyExists', status: 409 });
    const big = `function connectionHandler(c) { c.allow(); }\n//${'x'.repeat(10 * 1024)}`;
    expect(await failure(createFunction(h, 'toobig', big))).toMatchObject({ name: 'EntitySizeLimitExceeded', status: 413 });
    const exact = `function connectionHandler(c) { c.allow(); }\n//`;
    await createFunction(h, 'exactly10k', exact + 'x'.repeat(10 * 1024 - Buffer.byteLength(exact)));
    expect((await failure(h.cf.send(new cf.CreateConnectionFunctionCommand({ Name: 'oldruntime', ConnectionFunctionCode: code(ALLOW),
      ConnectionFunctionConfig: { Comment: '', Runtime: 'cloudfront-js-1.0' } })))).name).toBe('InvalidArgument');
    expect((await failure(createFunction(h, 'nostore', ALLOW,
      'arn:aws:cloudfront::123456789012:key-value-store/00000000-0000-0000-0000-000000000000'))).name).toBe('EntityNotFound');
  });

  test('list pages with Marker and MaxItems', async () => {
    for (let i = 0; i < 5; i++) await createFunction(h, `paged-${i}`, ALLOW);
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await h.cf.send(new cf.ListConnectionFunctionsCommand({ MaxItems: 2, Marker: marker }));
      expect(page.ConnectionFunctions!.length).toBeLessThanOrEqual(2);
      seen.push(...page.ConnectionFunctions!.map((f) => f.Name!));
      marker = page.NextMarker;
    } while (marker);
    expect(seen.filter((n) => n.startsWith('paged-'))).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);
    expect(new Set(seen).size).toBe(seen.length);
  });

  test('tagging: tag, list, untag; unknown resource', async () => {
    const f = await createFunction(h, 'tagged', ALLOW);
    const arn = f.ConnectionFunctionSummary!.ConnectionFunctionArn!;
    await h.cf.send(new cf.TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: 'stage', Value: 'dev' }, { Key: 'team', Value: 'edge' }] } }));
    await h.cf.send(new cf.UntagResourceCommand({ Resource: arn, TagKeys: { Items: ['team'] } }));
    const tags = await h.cf.send(new cf.ListTagsForResourceCommand({ Resource: arn }));
    expect(tags.Tags!.Items).toEqual([{ Key: 'stage', Value: 'dev' }]);
    expect(await failure(h.cf.send(new cf.ListTagsForResourceCommand({
      Resource: 'arn:aws:cloudfront::123456789012:connection-function/cf_missing' })))).toMatchObject({ name: 'NoSuchResource', status: 404 });
    expect((await failure(h.cf.send(new cf.TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: 'aws:x', Value: '1' }] } })))).name)
      .toBe('InvalidTagging');
  });

  test('TestConnectionFunction: every evaluation decides, so a function that decides differently after its first one fails the case', async () => {
    const object = code(JSON.stringify(connectionWithSerial('01')));
    const test = async (name: string, source: string) => {
      const f = await createFunction(h, name, source);
      return (await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
        ConnectionObject: object }))).ConnectionFunctionTestResult!;
    };
    // Allows the first connection it sees (slowly, so that sample is never the fastest), denies later ones.
    const flips = await test('allows-first', ALLOWS_FIRST_THEN_DENIES);
    expect(flips.ConnectionFunctionOutput ?? '').toBe('');
    expect(flips.ConnectionFunctionErrorMessage).toMatch(
      /^non-deterministic: samples decided allow(, allow)+; run again on the global state the first left, it decided deny/);
    // The orchestrator reads that result fail-closed: the case fails and its message shows both decisions.
    const judged = judgeCaseRun('revoked client is denied', { decision: 'deny' }, readTestResult(flips), 0);
    expect(judged).toMatchObject({ passed: false, actual: 'error' });
    expect(judged.message).toMatch(/^expected deny, got error \(non-deterministic: samples decided allow.*it decided deny/);

    // Slow the first time, fast after: every sample is a first evaluation, so it is over the budget.
    const slow = await test('slow-first', SLOW_FIRST_THEN_FAST);
    expect(slow.ConnectionFunctionErrorMessage).toMatch(/^exceeded the execution time limit \(fastest of 5 runs took/);
    expect(Number(slow.ComputeUtilization)).toBeGreaterThan(100);
    expect(judgeCaseRun('revoked client is denied', { decision: 'deny' }, readTestResult(slow), 0).passed).toBe(false);

    // A deterministic function still passes.
    const steady = await test('steady', DENY);
    expect(JSON.parse(steady.ConnectionFunctionOutput!).decision).toBe('deny');
    expect(judgeCaseRun('revoked client is denied', { decision: 'deny' }, readTestResult(steady), 0).passed).toBe(true);
  });

  test('TestConnectionFunction: state kept on a shared object off the global object does not reach the next test', async () => {
    const f = await createFunction(h, 'edge-allows-all', ALLOWS_EVERYONE_AT_THE_EDGE);
    const decide = async (clientIp: string) => {
      const object = code(JSON.stringify({ ...connectionWithSerial('01'), clientIp }));
      const r = (await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
        ConnectionObject: object }))).ConnectionFunctionTestResult!;
      return r.ConnectionFunctionErrorMessage || JSON.parse(r.ConnectionFunctionOutput!).decision;
    };
    // A known client first; then the revoked one is allowed too, as at the edge, where every evaluation is a first one.
    expect(await decide('198.51.100.8')).toBe('allow');
    expect(await decide('198.51.100.7')).toBe('allow');
  });

  test('TestConnectionFunction runs the stage code and reports decision, logs and utilization', async () => {
    const f = await createFunction(h, 'tested', ALLOW);
    const id = f.ConnectionFunctionSummary!.Id!;
    const object = code(JSON.stringify(connectionWithSerial('01')));
    const r = await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: f.ETag!, Stage: 'DEVELOPMENT', ConnectionObject: object }));
    const t = r.ConnectionFunctionTestResult!;
    expect(JSON.parse(t.ConnectionFunctionOutput!).decision).toBe('allow');
    expect(t.ConnectionFunctionExecutionLogs).toEqual(['hello']);
    expect(Number(t.ComputeUtilization)).toBeGreaterThanOrEqual(0);
    expect(t.ConnectionFunctionErrorMessage).toBeUndefined();
    expect(t.ConnectionFunctionSummary!.Id).toBe(id);

    expect(await failure(h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: 'EWRONG', Stage: 'DEVELOPMENT', ConnectionObject: object }))))
      .toMatchObject({ name: 'PreconditionFailed' });
    expect((await failure(h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: f.ETag!, Stage: 'LIVE', ConnectionObject: object })))).name)
      .toBe('EntityNotFound');
    expect((await failure(h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: f.ETag!, ConnectionObject: code('not json') })))).name)
      .toBe('InvalidArgument');
    expect((await failure(h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: f.ETag!,
      ConnectionObject: code(JSON.stringify({ pad: 'x'.repeat(41000) })) })))).name).toBe('InvalidArgument');

    const thrower = await createFunction(h, 'thrower', 'function connectionHandler(c) { throw new Error("boom"); }');
    const e = await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: thrower.ConnectionFunctionSummary!.Id!,
      IfMatch: thrower.ETag!, ConnectionObject: object }));
    expect(e.ConnectionFunctionTestResult!.ConnectionFunctionErrorMessage).toMatch(/boom/);
    expect(e.ConnectionFunctionTestResult!.ConnectionFunctionOutput ?? '').toBe('');
  });
});

describe('a function created, tested, published and associated through the SDK behaves as the runtime says', () => {
  test('revocation-check against the live store contents, DEVELOPMENT and LIVE, then DEPLOYED on a distribution', async () => {
    const source = readFileSync(join(__dirname, '../../functions/revocation-check.js'), 'utf8');
    const store = await createStore(h, 'revoked-serials');
    const d = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
    await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: store.ARN!, IfMatch: d.ETag!,
      Puts: [{ Key: '9e2a', Value: '1' }, { Key: '0badc0de0badc0de', Value: 'canary' }] }));
    const f = await createFunction(h, 'revocation-check', source, store.ARN!);
    const id = f.ConnectionFunctionSummary!.Id!;
    const contents = new Map([['9e2a', '1'], ['0badc0de0badc0de', 'canary']]);
    const serials = ['00:9e:2a', '9E2A', '0b:ad:c0:de:0b:ad:c0:de', '01:02', 'zz'];
    const viaEmulator = async (stage: 'DEVELOPMENT' | 'LIVE', etag: string, serial: string) => {
      const r = await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: etag, Stage: stage,
        ConnectionObject: code(JSON.stringify(connectionWithSerial(serial))) }));
      return r.ConnectionFunctionTestResult!;
    };
    for (const serial of serials) {
      const local = await runConnectionFunction(source, connectionWithSerial(serial), { kvs: { get: (k) => contents.get(k) } });
      const remote = await viaEmulator('DEVELOPMENT', f.ETag!, serial);
      expect({ serial, decision: JSON.parse(remote.ConnectionFunctionOutput!).decision, logs: remote.ConnectionFunctionExecutionLogs })
        .toEqual({ serial, decision: local.decision, logs: local.logs });
      expect(JSON.parse(remote.ConnectionFunctionOutput!).customData).toEqual(local.customData);
    }
    // The test reads the store as it is now: un-revoking a serial changes the verdict at once.
    const d2 = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
    await h.kvs.send(new kv.DeleteKeyCommand({ KvsARN: store.ARN!, Key: '9e2a', IfMatch: d2.ETag! }));
    expect(JSON.parse((await viaEmulator('DEVELOPMENT', f.ETag!, '00:9e:2a')).ConnectionFunctionOutput!).decision).toBe('allow');

    // Only a LIVE function can be associated.
    const ts = await createTrustStore(h, 'clients-ca');
    const tsId = ts.TrustStore!.Id!;
    expect(await failure(h.cf.send(new cf.CreateDistributionCommand({
      DistributionConfig: distributionConfig('unpublished', { trustStoreId: tsId, functionId: id }) }))))
      .toMatchObject({ name: 'InvalidArgument', message: expect.stringMatching(/LIVE/) });

    const pub = await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: id, IfMatch: f.ETag! }));
    expect(pub.ConnectionFunctionSummary!.Stage).toBe('LIVE');
    const liveEtag = (await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' }))).ETag!;
    const liveDeny = await viaEmulator('LIVE', liveEtag, '0b:ad:c0:de:0b:ad:c0:de');
    expect(JSON.parse(liveDeny.ConnectionFunctionOutput!).decision).toBe('deny');

    const dist = await h.cf.send(new cf.CreateDistributionCommand({
      DistributionConfig: distributionConfig('associated', { trustStoreId: tsId, functionId: id }) }));
    expect(dist.Distribution!.DistributionConfig!.ConnectionFunctionAssociation).toEqual({ Id: id });
    const live = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' }));
    expect(live.ConnectionFunctionSummary!.Status).toBe('DEPLOYED');
    const byFn = await h.cf.send(new cf.ListDistributionsByConnectionFunctionCommand({ ConnectionFunctionIdentifier: id }));
    expect(byFn.DistributionList!.Items!.map((x) => x.Id)).toEqual([dist.Distribution!.Id]);
    expect(byFn.DistributionList!.Quantity).toBe(1);

    const devEtag = (await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id }))).ETag!;
    expect(await failure(h.cf.send(new cf.DeleteConnectionFunctionCommand({ Id: id, IfMatch: devEtag }))))
      .toMatchObject({ name: 'CannotDeleteEntityWhileInUse', status: 409 });
    expect((await failure(h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: 'k', Value: 'v', IfMatch: d2.ETag! })))).name)
      .toBe('ConflictException');
  });
});
