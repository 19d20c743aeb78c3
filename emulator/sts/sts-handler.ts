/**
 * The emulator's STS subset, mounted at `/sts`: what a stage with a role to assume needs (stage config
 * `aws.roleArn`). AssumeRole issues temporary credentials for a role of the emulator's own account and refuses a
 * role of any other account, as a trust policy that names only this account would; GetCallerIdentity names the
 * account and the caller the request was signed as. AWS query protocol: a form-encoded POST with `Action=`, XML
 * answers and `<ErrorResponse>` errors. Like the rest of the emulator it accepts any signature: it is a stand-in for
 * the account boundary, not an authority. Clients: the STS client inside `fromTemporaryCredentials` (aws/clients.ts),
 * endpoint `<emulator>/sts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MemoryBudget } from '../memory-budget';
import { readBody } from '../request-body';
import { ApiError, escapeXml, writeError } from '../wire/api-error';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** A query request is a handful of short fields; anything larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** How many issued sessions are remembered (for GetCallerIdentity); the oldest are forgotten first. */
const MAX_SESSIONS = 10_000;

interface Session { arn: string; userId: string; expires: number }

/** Sessions the emulator issued, by access key id. */
export class StsSessions {
  private readonly byKey = new Map<string, Session>();
  constructor(readonly accountId: string) {}

  issue(roleArn: string, sessionName: string, durationSeconds: number, now: number) {
    const m = ROLE_ARN.exec(roleArn)!;
    const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
    const roleId = `AROA${createIdPart(roleArn)}`;
    const session: Session = {
      arn: `arn:aws:sts::${m[1]}:assumed-role/${m[3]}/${sessionName}`, userId: `${roleId}:${sessionName}`,
      expires: now + durationSeconds * 1000,
    };
    if (this.byKey.size >= MAX_SESSIONS) this.byKey.delete(this.byKey.keys().next().value!);
    this.byKey.set(accessKeyId, session);
    return {
      accessKeyId, secretAccessKey: randomBytes(30).toString('base64'), sessionToken: randomBytes(48).toString('base64'),
      expiration: new Date(session.expires).toISOString(), ...session,
    };
  }

  caller(accessKeyId: string | undefined, now: number): { arn: string; userId: string } {
    const s = accessKeyId === undefined ? undefined : this.byKey.get(accessKeyId);
    if (s && s.expires > now) return s;
    return { arn: `arn:aws:iam::${this.accountId}:user/conngate-emulator`, userId: `AIDA${createIdPart(accessKeyId ?? 'anonymous')}` };
  }
}

/** A stable 17-character upper-case id part derived from a name (role and user ids look like AWS's). */
function createIdPart(name: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 17; round++) {
    for (const c of `${round}:${name}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(36).toUpperCase();
  }
  return out.slice(0, 17);
}

/** The paths the STS subset answers (the raw path, before the query). */
export const isStsPath = (pathname: string): boolean => pathname === '/sts' || pathname === '/sts/';

/** The access key id a SigV4 or SigV4A Authorization header names (`Credential=<key>/...`). */
export function accessKeyOf(authorization: string | string[] | undefined): string | undefined {
  const m = /Credential=([A-Za-z0-9_-]{1,128})\//.exec(String(authorization ?? ''));
  return m?.[1];
}


function respond(res: ServerResponse, requestId: string, action: string, result: string): void {
  const body = Buffer.from(`<${action}Response xmlns="${STS_NS}"><${action}Result>${result}</${action}Result>`
    + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
  res.writeHead(200, { 'x-amzn-RequestId': requestId, 'Content-Type': 'text/xml', 'Content-Length': String(body.length) });
  res.end(body);
}

/** Serves one STS request; never rejects (errors become STS error responses). */
export function handleStsRequest(sessions: StsSessions, req: IncomingMessage, res: ServerResponse, bodies: MemoryBudget,
  served: (operation: string) => void = () => undefined): Promise<void> {
  const requestId = randomUUID();
  return serve(sessions, req, res, requestId, bodies, served).catch((err: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const e = err instanceof ApiError ? err : new ApiError('InternalFailure', 500, `The emulator failed: ${(err as Error).message}`);
    const r = writeError('rest-xml', e);
    res.writeHead(r.status, { ...r.headers, 'x-amzn-RequestId': requestId, 'Content-Length': String(r.body.length) });
    res.end(r.body);
  });
}

async function serve(sessions: StsSessions, req: IncomingMessage, res: ServerResponse, requestId: string, bodies: MemoryBudget,
  served: (operation: string) => void): Promise<void> {
  if (req.method !== 'POST') throw new ApiError('InvalidAction', 400, `STS takes its actions as form-encoded POSTs, not ${req.method}.`);
  const read = await readBody(req, MAX_BODY_BYTES, MAX_BODY_BYTES, bodies);
  if (read.kind !== 'body') {
    // As the rest of the emulator: a body past what is drained is not read on; the answer closes the connection.
    res.setHeader('Connection', 'close');
    if (!read.drained) res.once('finish', () => req.socket.destroy());
    if (read.kind === 'over-budget') throw new ApiError('ServiceUnavailable', 503, 'The emulator holds as many request bodies as it may; retry the request.');
    throw new ApiError('ValidationError', 400, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  read.release();
  const form = new URLSearchParams(read.body.toString('utf8'));
  const action = form.get('Action') ?? '';
  served(action.slice(0, 64));
  const now = Date.now();
  if (action === 'GetCallerIdentity') {
    const who = sessions.caller(accessKeyOf(req.headers.authorization), now);
    respond(res, requestId, action, `<Arn>${escapeXml(who.arn)}</Arn><UserId>${escapeXml(who.userId)}</UserId><Account>${sessions.accountId}</Account>`);
    return;
  }
  if (action !== 'AssumeRole') throw new ApiError('InvalidAction', 400, `This emulator's STS subset has no action "${action.slice(0, 64)}" (AssumeRole and GetCallerIdentity only).`);
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  const duration = form.has('DurationSeconds') ? Number(form.get('DurationSeconds')) : 3600;
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new ApiError('ValidationError', 400, `1 validation error detected: Value '${roleArn.slice(0, 2048)}' at 'roleArn' failed to satisfy constraint: a role ARN arn:aws:iam::<12 digits>:role/<name>.`);
  if (!SESSION_NAME.test(sessionName)) throw new ApiError('ValidationError', 400, `1 validation error detected: Value '${sessionName.slice(0, 64)}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}.`);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
    throw new ApiError('ValidationError', 400, `1 validation error detected: Value '${form.get('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200.`);
  }
  // The emulator stands for one account: a role of another account does not trust it.
  if (m[1] !== sessions.accountId) {
    const caller = sessions.caller(accessKeyOf(req.headers.authorization), now);
    throw new ApiError('AccessDenied', 403, `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn} (this emulator stands for account ${sessions.accountId})`);
  }
  const c = sessions.issue(roleArn, sessionName, duration, now);
  respond(res, requestId, action, `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId>`
    + `<SecretAccessKey>${escapeXml(c.secretAccessKey)}</SecretAccessKey><SessionToken>${escapeXml(c.sessionToken)}</SessionToken>`
    + `<Expiration>${c.expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>${escapeXml(c.userId)}</AssumedRoleId>`
    + `<Arn>${escapeXml(c.arn)}</Arn></AssumedRoleUser>`);
}
