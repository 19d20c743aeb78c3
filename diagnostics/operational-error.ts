import { currentEndpoint, identifierSource } from './operation-context';
import { printable } from './untrusted-text';
import { isUserError, UserError } from './user-error';

/**
 * Turns the failures a user meets on an ordinary bad day (no credentials, the emulator not running, an endpoint
 * that is not CloudFront, a stale id in an outputs file, a path that is a file, a busy port) into the project's one
 * line `<where>: <what> (fix: <how>)`. Exit 2 when the input must change (a flag, a file, the environment), exit 1
 * when the operation failed and may work later. Anything it does not recognise stays unmapped: the CLI then
 * reports an unexpected error (a bug) instead of guessing.
 */

/** What the AWS clients attach to an SDK error: which call failed, against which endpoint, for which resource. */
export interface SdkCallInfo {
  operation: string;
  endpoint: string;
  /** The function id/name or store ARN the call named, when it named one. */
  identifier?: string;
}

export const SDK_CALL_INFO = '$conngateCall';
/** Set on an error from assuming a stage's role (STS AssumeRole): the role's ARN. */
export const ASSUMED_ROLE = '$conngateAssumedRole';

/** True for an error raised while assuming a stage's role: it says nothing about the resource the call named. */
export function whileAssumingRole(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<string, unknown>)[ASSUMED_ROLE] !== undefined;
}

/** The error the response check throws when an endpoint answers, but not as the CloudFront API does. */
export class NotCloudFrontError extends Error {
  constructor(readonly endpoint: string, readonly detail: string) {
    super(`endpoint ${endpoint} does not speak the CloudFront API (${detail})`);
    this.name = 'NotCloudFrontError';
  }
}

/** Flags whose values are paths, so a file-system error under one of them can name the flag. */
const pathFlags: { path: string; flag: string }[] = [];

export function notePathFlag(flag: string, resolvedPath: string): void {
  pathFlags.push({ path: resolvedPath.replace(/[\\/]+$/, ''), flag });
}

function flagForPath(p: string): string | undefined {
  let best: { path: string; flag: string } | undefined;
  for (const f of pathFlags) {
    if ((p === f.path || p.startsWith(`${f.path}/`) || p.startsWith(`${f.path}\\`)) && (!best || f.path.length > best.path.length)) best = f;
  }
  return best?.flag;
}

interface ErrorLike {
  [ASSUMED_ROLE]?: string;
  name?: string;
  code?: string | number;
  message?: string;
  path?: string;
  syscall?: string;
  address?: string;
  port?: number;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number; attempts?: number };
  [SDK_CALL_INFO]?: SdkCallInfo;
}

const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection (nothing listens there)',
  ENOTFOUND: 'does not resolve (unknown host name)',
  EAI_AGAIN: 'does not resolve (DNS lookup failed)',
  ETIMEDOUT: 'did not accept a connection in time',
  ECONNRESET: 'closed the connection mid-request',
  EHOSTUNREACH: 'is unreachable (no route to host)',
  ENETUNREACH: 'is unreachable (network down)',
  EPIPE: 'closed the connection mid-request',
  ECONNABORTED: 'closed the connection mid-request',
  ERR_SSL_WRONG_VERSION_NUMBER: 'does not speak TLS (try http:// instead of https://)',
  EPROTO: 'broke the TLS handshake',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'presented a self-signed TLS certificate',
  CERT_HAS_EXPIRED: 'presented an expired TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'presented a TLS certificate that does not verify',
};

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'InvalidClientTokenId', 'UnrecognizedClientException',
  'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'TokenRefreshRequired',
  'IncompleteSignature', 'InvalidSignatureException', 'AuthFailure']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Forbidden']);
const NOT_FOUND = new Set(['EntityNotFound', 'NoSuchConnectionFunction', 'NoSuchFunctionExists', 'NoSuchResource',
  'ResourceNotFoundException', 'NoSuchDistribution']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

function codeOf(e: ErrorLike): string | undefined {
  if (typeof e.code === 'string') return e.code;
  // Node's happy-eyeballs connect (localhost = ::1 and 127.0.0.1) fails with an AggregateError of both attempts.
  for (const inner of e.errors ?? []) {
    const c = (inner as ErrorLike)?.code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

function endpointOf(e: ErrorLike): string {
  return e[SDK_CALL_INFO]?.endpoint ?? currentEndpoint()?.endpoint ?? 'the CloudFront endpoint';
}

function during(e: ErrorLike): string {
  const op = e[SDK_CALL_INFO]?.operation;
  return op ? ` during ${op}` : '';
}

const ENDPOINT_FIX = 'start the emulator (`conngate emulator`) or point --endpoint / CONNGATE_ENDPOINT at a running one; without an endpoint conngate calls the real AWS';
const AWS_NETWORK_FIX = 'check this machine\'s network and DNS reach AWS (behind a proxy, set HTTPS_PROXY); a re-run converges';

/** The real AWS (no --endpoint, or an AWS host name), where "start the emulator" is the wrong advice. */
function isRealAws(ep: string): boolean {
  if (ep.startsWith('AWS (')) return true;
  try {
    const host = new URL(ep).hostname;
    return /(^|\.)amazonaws\.com(\.cn)?$/.test(host) || /(^|\.)api\.aws$/.test(host);
  } catch {
    return false;
  }
}

function sdkError(e: ErrorLike): UserError | undefined {
  // The name comes from the server's error code: shown escaped like its message.
  const name = printable(e.name ?? '');
  const code = codeOf(e);
  const ep = endpointOf(e);
  if (e instanceof NotCloudFrontError || name === 'NotCloudFrontError') {
    return new UserError(`endpoint ${ep}`, `does not speak the CloudFront API${during(e)}: ${(e as NotCloudFrontError).detail ?? e.message}`,
      'point --endpoint / CONNGATE_ENDPOINT at the conngate emulator (e.g. http://127.0.0.1:4566) or unset it to use AWS', 2);
  }
  const role = e[ASSUMED_ROLE];
  if (role) {
    const where = `credentials for ${ep}${during(e)}`;
    const what = `could not assume ${role}: ${firstLine(e.message ?? name)}`;
    // STS that gave no answer, a 5xx or a throttle is STS's bad day: the role's trust is not what to fix.
    const status = e.$metadata?.httpStatusCode;
    if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException' || (code && CONNECT_CODES[code])
      || THROTTLED.has(name) || status === 429 || (status !== undefined && status >= 500)) {
      return new UserError(where, `${what}${status ? ` (HTTP ${status} from STS)` : ''}`,
        'STS did not answer the AssumeRole: check it is reachable (with an endpoint, at <endpoint>/sts), wait and re-run; raise CONNGATE_REQUEST_TIMEOUT_MS for a slow one', 1);
    }
    return new UserError(where, what,
      'let the caller assume the role (its trust policy, and sts:AssumeRole for the caller), or fix the stage\'s aws.roleArn in conngate.config.json', 1);
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    const what = name === 'CredentialsProviderError' ? 'no AWS credentials found' : `AWS rejected the credentials (${name})`;
    return new UserError(`credentials for ${ep}`, what,
      'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (check with `aws sts get-caller-identity`), or pass --endpoint to use the emulator', 2);
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException') {
    const attempts = e.$metadata?.attempts;
    const ms = /(\d+) ?ms/.exec(e.message ?? '')?.[1];
    const what = /connection timed out|connect/i.test(e.message ?? '') && !/requestTimeout/.test(e.message ?? '')
      ? 'did not accept a connection' : 'did not answer';
    return new UserError(`endpoint ${ep}`, `${what}${ms ? ` within ${ms} ms` : ' in time'}${during(e)}${attempts ? ` (${attempts} attempt${attempts > 1 ? 's' : ''})` : ''}`,
      'check that the endpoint is up and reachable; raise CONNGATE_REQUEST_TIMEOUT_MS / CONNGATE_CONNECT_TIMEOUT_MS for a slow one', 1);
  }
  if (code && CONNECT_CODES[code] && !e.path) {
    return new UserError(`endpoint ${ep}`, `${CONNECT_CODES[code]}${during(e)}`, isRealAws(ep) ? AWS_NETWORK_FIX : ENDPOINT_FIX, 1);
  }
  if (/Deserialization error|char '<' is not expected|Unexpected token '<'|Expected closing tag/i.test(e.message ?? '')) {
    return new UserError(`endpoint ${ep}`, `does not speak the CloudFront API${during(e)}: its answer is not a CloudFront response`,
      'point --endpoint / CONNGATE_ENDPOINT at the conngate emulator (e.g. http://127.0.0.1:4566) or unset it to use AWS', 2);
  }
  const status = e.$metadata?.httpStatusCode;
  const isSdk = !!e[SDK_CALL_INFO] || status !== undefined;
  if (!isSdk) return undefined;
  if (ACCESS_DENIED.has(name) || status === 403) {
    return new UserError(`${ep}${during(e)}`, `access denied${e.message ? `: ${firstLine(e.message)}` : ''}`,
      'grant the caller the cloudfront:* / cloudfront-keyvaluestore:* permissions this command needs, or use other credentials', 1);
  }
  if (NOT_FOUND.has(name) || status === 404) {
    const id = e[SDK_CALL_INFO]?.identifier;
    const file = id ? identifierSource(id) : undefined;
    if (id && file) {
      return new UserError(file, `${id} does not exist at ${ep}${during(e)}: the outputs file is stale`,
        'apply the stage again (or `cdktf output --outputs-file`) so the file names the resources that exist', 2);
    }
    return new UserError(`${ep}${during(e)}`, `${id ?? 'the resource'} does not exist`, 'check the stage was applied to this endpoint and account', 1);
  }
  if (THROTTLED.has(name) || status === 429) {
    const attempts = e.$metadata?.attempts;
    return new UserError(`${ep}${during(e)}`, `throttled${attempts ? ` after ${attempts} attempts` : ''}`,
      'lower --rate / --concurrency, or wait and re-run', 1);
  }
  if (status !== undefined && status >= 500) {
    return new UserError(`${ep}${during(e)}`, `server error ${status} (${name})${e.message ? `: ${firstLine(e.message)}` : ''}`,
      'wait and re-run; a re-run converges', 1);
  }
  if (status !== undefined && status >= 400) {
    return new UserError(`${ep}${during(e)}`, `${name || `HTTP ${status}`}: ${firstLine(e.message ?? '')}`,
      'check the request named above; re-run with --debug for the full response', 1);
  }
  return undefined;
}

const FS_WHAT: Record<string, string> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

function fsError(e: ErrorLike): UserError | undefined {
  const code = codeOf(e);
  if (!code || !e.path || !FS_WHAT[code]) return undefined;
  const flag = flagForPath(e.path);
  const verb = e.syscall ? ` (${e.syscall})` : '';
  const fix = flag
    ? `pass ${flag} a ${e.syscall === 'mkdir' || code === 'ENOTDIR' ? 'folder' : 'path'} you can write to`
    : code === 'ENOENT' ? 'check the path exists' : 'check the path and its permissions';
  const resourceLimit = code === 'ENOSPC' || code === 'EMFILE';
  return new UserError(flag ? `${flag} ${e.path}` : e.path, `${FS_WHAT[code]}${verb}`, fix, resourceLimit ? 1 : 2);
}

function listenError(e: ErrorLike): UserError | undefined {
  const code = codeOf(e);
  if (e.syscall !== 'listen' && code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') return undefined;
  const at = `${e.address ?? ''}${e.port !== undefined ? `:${e.port}` : ''}`;
  if (code === 'EADDRINUSE') return new UserError(`listen ${at}`, 'the port is already in use', 'pick another --port (0 = any free port) or stop the process using it', 2);
  if (code === 'EADDRNOTAVAIL') return new UserError(`listen ${at}`, 'this machine has no such interface address', 'pass --host 127.0.0.1 or an address of this machine', 2);
  if (code === 'EACCES') return new UserError(`listen ${at}`, 'permission denied (ports below 1024 need privileges)', 'pick a --port above 1023', 2);
  return undefined;
}

/** The first line of a message that may come from a server: controls, escapes and bidi overrides shown escaped. */
function firstLine(s: string): string {
  const line = printable(s.split('\n')[0].trim());
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** The one-line form of an operational error, or undefined for anything that looks like a bug. */
export function mapOperationalError(err: unknown): UserError | undefined {
  if (isUserError(err)) return err;
  if (!err || typeof err !== 'object') return undefined;
  const e = err as ErrorLike;
  return listenError(e) ?? fsError(e) ?? sdkError(e);
}

/** The full cause for bug reports (--debug): the stack, the SDK's metadata and the chain of causes. */
export function debugDescription(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const e = cur as ErrorLike & { stack?: string; cause?: unknown };
    parts.push(e.stack ?? String(cur));
    const extra: Record<string, unknown> = {};
    for (const k of ['code', 'syscall', 'path', 'address', 'port', '$metadata', '$fault', SDK_CALL_INFO] as const) {
      if ((e as Record<string, unknown>)[k] !== undefined) extra[k] = (e as Record<string, unknown>)[k];
    }
    if (Object.keys(extra).length) parts.push(`  details: ${JSON.stringify(extra)}`);
    cur = e.cause;
    if (cur) parts.push('caused by:');
  }
  return parts.join('\n');
}
