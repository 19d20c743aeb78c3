/**
 * Where a run happened: the real AWS or an emulator, which account, region and stage. Every report, ledger line and
 * JSON output carries it, so "verified in LIVE" against the emulator can never be read as a production result.
 */
export interface RunLocation {
  endpointKind: 'aws' | 'emulator';
  /** The endpoint URL (an emulator), or "AWS (cloudfront.amazonaws.com)". */
  endpoint: string;
  /** The account the stage's function belongs to (from its ARN); undefined before the stage has a function. */
  account?: string;
  region: string;
  stage: string;
}

/** The account in an ARN (`arn:aws:cloudfront::123456789012:...`), or undefined. */
export function accountFromArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * The location of a stage reached through `target`. An explicit endpoint is conngate's emulator (or another
 * CloudFront-compatible stand-in): only the absence of one means the real AWS.
 */
export function runLocation(stage: string, target: { endpoint?: string; region: string }, functionArn?: string): RunLocation {
  const account = accountFromArn(functionArn);
  return {
    endpointKind: target.endpoint ? 'emulator' : 'aws',
    endpoint: target.endpoint ?? 'AWS (cloudfront.amazonaws.com)',
    ...(account ? { account } : {}),
    region: target.region,
    stage,
  };
}

/** One line for text reports: `emulator http://127.0.0.1:4566 · account 123456789012 · region us-east-1 · stage dev`. */
export function locationLine(l: RunLocation): string {
  const kind = l.endpointKind === 'aws' ? 'AWS' : `emulator ${l.endpoint}`;
  return `${kind} · account ${l.account ?? 'unknown'} · region ${l.region} · stage ${l.stage}`;
}
