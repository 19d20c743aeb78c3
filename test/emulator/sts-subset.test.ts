/**
 * The emulator's STS subset (a stage's role to assume): through the real SDK credential provider that the
 * orchestrator's clients use, and as a hostile client or a web page would call it.
 */
import { ListConnectionFunctionsCommand } from '@aws-sdk/client-cloudfront';
import { createCloudFrontClient } from '../../aws/clients';
import { RunningEmulator, startEmulator } from '../../emulator';
import { rawRequest, xmlErrorCode } from './raw-http';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };
const form = (fields: Record<string, string>) => new URLSearchParams({ Version: '2011-06-15', ...fields }).toString();

describe('emulator STS subset', () => {
  let emu: RunningEmulator;
  beforeAll(async () => { emu = await startEmulator({ port: 0, accountId: '210987654321' }); });
  afterAll(async () => emu.close());

  it('assumes a role of its own account through the SDK, and requests signed with the session are counted by its key', async () => {
    const cf = createCloudFrontClient({ endpoint: emu.endpoint, region: 'us-east-1', roleArn: 'arn:aws:iam::210987654321:role/path/deployer', roleSessionName: 'conngate-prod' });
    await cf.send(new ListConnectionFunctionsCommand({}));
    await cf.send(new ListConnectionFunctionsCommand({}));
    const keys = Object.entries(emu.requestsByAccessKey());
    // One session for both calls (the provider is memoised), and no request signed with anything else.
    expect(keys).toEqual([[expect.stringMatching(/^ASIA[0-9A-F]{16}$/), 2]]);
    const who = await rawRequest(emu.port, 'POST', '/sts', { ...FORM, Authorization: `AWS4-HMAC-SHA256 Credential=${keys[0][0]}/20261201/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00` }, form({ Action: 'GetCallerIdentity' }));
    expect(who.status).toBe(200);
    expect(who.body).toContain('<Arn>arn:aws:sts::210987654321:assumed-role/deployer/conngate-prod</Arn>');
    expect(who.body).toContain('<Account>210987654321</Account>');
    expect(who.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a role of another account with AccessDenied, which the client reports as its failure to assume it', async () => {
    const cf = createCloudFrontClient({ endpoint: emu.endpoint, region: 'us-east-1', roleArn: 'arn:aws:iam::111111111111:role/deployer' });
    const err = await cf.send(new ListConnectionFunctionsCommand({})).then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe('AccessDenied');
    expect(err?.message).toMatch(/not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role\/deployer/);
    expect((err as unknown as Record<string, unknown>).$conngateAssumedRole).toBe('arn:aws:iam::111111111111:role/deployer');
  });

  it.each([
    ['a malformed role ARN', 400, 'ValidationError', { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:user/x', RoleSessionName: 'ok-name' }],
    ['a role ARN with markup', 400, 'ValidationError', { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:role/<x>', RoleSessionName: 'ok-name' }],
    ['a session name with a space', 400, 'ValidationError', { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:role/x', RoleSessionName: 'a b' }],
    ['a duration under 15 minutes', 400, 'ValidationError', { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:role/x', RoleSessionName: 'ok', DurationSeconds: '10' }],
    ['a duration that is not a number', 400, 'ValidationError', { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:role/x', RoleSessionName: 'ok', DurationSeconds: '1e3x' }],
    ['an action it does not serve', 400, 'InvalidAction', { Action: 'CreateUser' }],
  ])('answers %s with a %s %s and issues nothing', async (_what, status, code, fields) => {
    const r = await rawRequest(emu.port, 'POST', '/sts', FORM, form(fields as Record<string, string>));
    expect([r.status, xmlErrorCode(r.body)]).toEqual([status, code]);
    expect(r.body).not.toContain('<x>');
    expect(r.body).not.toContain('AccessKeyId');
  });

  it('refuses a body over 64 KB, a GET, and a form posted by a web page of another site', async () => {
    const big = await rawRequest(emu.port, 'POST', '/sts', FORM, form({ Action: 'GetCallerIdentity', Pad: 'x'.repeat(70_000) }));
    expect([big.status, xmlErrorCode(big.body)]).toEqual([400, 'ValidationError']);
    const get = await rawRequest(emu.port, 'GET', '/sts?Action=GetCallerIdentity');
    expect(get.status).toBe(400);
    const page = await rawRequest(emu.port, 'POST', '/sts', { ...FORM, Origin: 'https://attacker.example', 'Sec-Fetch-Site': 'cross-site' },
      form({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:role/x', RoleSessionName: 'page' }));
    expect([page.status, xmlErrorCode(page.body)]).toEqual([403, 'AccessDenied']);
    expect(page.body).not.toContain('AccessKeyId');
    // A form body is STS's format only: the CloudFront API under the same emulator still refuses one.
    const cfForm = await rawRequest(emu.port, 'POST', '/2020-05-31/connection-function', FORM, 'a=b');
    expect(cfForm.status).toBe(403);
  });
});
