import { mapOperationalError, notePathFlag, NotCloudFrontError, SDK_CALL_INFO } from '../../diagnostics/operational-error';
import { noteIdentifierSource, resetOperationContext } from '../../diagnostics/operation-context';
import { UserError } from '../../diagnostics/user-error';

/** SDK-shaped errors the emulator cannot produce on demand (real AWS answers): each maps to one line and a code. */
const sdk = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} message\nsecond line`), {
  name, $metadata: { httpStatusCode: status, attempts: 3 },
  [SDK_CALL_INFO]: { operation: 'GetConnectionFunction', endpoint: 'AWS (cloudfront.amazonaws.com)', identifier: 'E123' }, ...extra,
});
const fsError = (code: string, p: string, syscall = 'open') => Object.assign(new Error(`${code}: ${syscall} '${p}'`), { code, path: p, syscall });

describe('operational error mapping', () => {
  beforeEach(() => resetOperationContext());

  it.each([
    ['AccessDenied', 403, 1, /during GetConnectionFunction: access denied: AccessDenied message \(fix/],
    ['AccessDeniedException', 403, 1, /access denied/],
    ['Throttling', 400, 1, /throttled after 3 attempts/],
    ['TooManyRequestsException', 429, 1, /throttled after 3 attempts/],
    ['InvalidClientTokenId', 403, 2, /AWS rejected the credentials \(InvalidClientTokenId\)/],
    ['ExpiredToken', 400, 2, /AWS rejected the credentials/],
    ['InternalError', 500, 1, /server error 500/],
    ['EntityNotFound', 404, 1, /E123 does not exist/],
    ['PreconditionFailed', 412, 1, /PreconditionFailed: PreconditionFailed message/],
  ])('%s (HTTP %d) -> exit %d', (name, status, code, says) => {
    const m = mapOperationalError(sdk(name, status))!;
    expect(m).toBeInstanceOf(UserError);
    expect(m.exitCode).toBe(code);
    expect(m.message).toMatch(says);
    expect(m.message).toMatch(/\(fix: .+\)$/);
    expect(m.message).not.toContain('\n');
  });

  it('names the outputs file an unknown id came from', () => {
    noteIdentifierSource('E123', '/p/.conngate/outputs.json');
    const m = mapOperationalError(sdk('EntityNotFound', 404))!;
    expect(m.message).toMatch(/^\/p\/.conngate\/outputs.json: E123 does not exist at AWS .*stale/);
    expect(m.exitCode).toBe(2);
  });

  it('names the flag a failing path belongs to', () => {
    notePathFlag('--state-dir', '/p/.conngate');
    expect(mapOperationalError(fsError('EACCES', '/p/.conngate/reports/dev/x.md'))!.message)
      .toMatch(/^--state-dir \/p\/.conngate\/reports\/dev\/x.md: permission denied \(open\) \(fix: pass --state-dir/);
    expect(mapOperationalError(fsError('ENOTDIR', '/elsewhere/x', 'mkdir'))!.message).toMatch(/^\/elsewhere\/x: a part of the path is a file/);
    expect(mapOperationalError(fsError('ENOSPC', '/elsewhere/x', 'write'))!.exitCode).toBe(1);
  });

  it('recognises a happy-eyeballs AggregateError as a refused connection', () => {
    const agg = Object.assign(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'x'), {
      [SDK_CALL_INFO]: { operation: 'ListKeys', endpoint: 'http://localhost:4566' },
    });
    expect(mapOperationalError(agg)!.message).toMatch(/^endpoint http:\/\/localhost:4566: refused the connection .* during ListKeys/);
  });

  it('maps a non-CloudFront answer and leaves bugs unmapped', () => {
    expect(mapOperationalError(new NotCloudFrontError('http://x', 'HTTP 404 text/html'))!.exitCode).toBe(2);
    expect(mapOperationalError(new TypeError('cannot read properties of undefined'))).toBeUndefined();
    expect(mapOperationalError('a string')).toBeUndefined();
  });
});
