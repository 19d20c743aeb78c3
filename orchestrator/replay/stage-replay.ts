/**
 * A replay as the CLI, the pipeline's gate and the demo run it: the logs named by a path or `s3://` URL, the stage's
 * store as it stands (its revocation snapshot when that is still current, else listed), the expected-changes file
 * and the stage's limit.
 */
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { S3Client } from '@aws-sdk/client-s3';
import { printable } from '../../diagnostics/untrusted-text';
import { UserError } from '../../diagnostics/user-error';
import { readStore } from '../../revocation/sync';
import { readSnapshot } from '../../revocation/store-snapshot';
import type { StageReplayConfig } from '../../stacks/stage-config';
import { replayConnectionLogs } from './connection-log-replay';
import { loadExpectedChanges } from './expected-changes';
import { checkLogSource, openLogSource } from './log-sources';
import type { ReplayGroup, ReplayReport } from './replay-report';

export interface ReplayFromLogsOptions {
  /** The LIVE code and the candidate's code. */
  liveCode: string;
  candidateCode: string;
  /** The store both run against: its entries. */
  store: Iterable<[string, string]>;
  /** A connection-log file or folder, or `s3://bucket/prefix` (then `s3` is needed). */
  logs: string;
  s3?: () => S3Client;
  /** The expected-changes file, if any (docs/replay.md). */
  expectedFile?: string;
  /** @default 0 */
  maxChangedDecisions?: number;
  /** The stage's distribution, when known: records of other distributions are not replayed. */
  distributionId?: string;
  progress?: (line: string) => void;
}

/**
 * Replays the logs at `opts.logs` against the LIVE code and the candidate: the library entry point (the demo calls
 * it after its promotions). Bad input (no such logs, a malformed expected-changes file, code that does not compile)
 * throws a UserError before anything runs; unreadable log lines are counted in the report.
 */
export async function replayFromLogs(opts: ReplayFromLogsOptions): Promise<ReplayReport> {
  checkLogSource(opts.logs);
  const expected = opts.expectedFile ? loadExpectedChanges(opts.expectedFile) : [];
  const report = await replayConnectionLogs({
    live: { code: opts.liveCode, where: 'LIVE code' }, candidate: { code: opts.candidateCode, where: 'candidate' },
    store: opts.store, logs: openLogSource(opts.logs, opts.s3), logsName: opts.logs, expected,
    maxChangedDecisions: opts.maxChangedDecisions ?? 0, ...(opts.progress ? { progress: opts.progress } : {}),
    ...(opts.distributionId ? { distributionId: opts.distributionId } : {}),
  });
  // Logs without a single record judge nothing: a replay that passed on them would pass any candidate.
  if (report.records === 0) {
    const first = report.problems.first[0];
    throw new UserError(printable(opts.logs), `holds no connection-log records (${report.files} file${report.files === 1 ? '' : 's'}, ${report.problems.total} unreadable line${report.problems.total === 1 ? '' : 's'}${first ? `; the first: ${first.file}:${first.line}: ${first.problem}` : ''})`,
      'point it at CloudFront connection logs delivered as JSON lines');
  }
  // Records none of which reached the function judge nothing either: anyone who can write to the logs could otherwise
  // open the gate with statuses the replay skips (`success`, `Failed:ClientCertUntrusted`).
  if (report.replayed === 0) {
    const reasons = Object.entries(report.notReplayable.byReason).slice(0, 3).map(([why, n]) => `${n} × ${why}`).join(', ');
    throw new UserError(printable(opts.logs), `holds ${report.records} connection-log record${report.records === 1 ? '' : 's'} but none reached the connection function (${reasons}): the replay judged nothing`,
      'point it at the connection logs of a distribution this function runs on (statuses Success, Failed:ConnectionFunctionDenied or Failed:ConnectionFunctionError)');
  }
  return report;
}

/**
 * The stage's store contents for a replay: read through the data plane, reusing the revocation sync's snapshot
 * while the store's ETag says it is still current (revocation/sync.ts readStore).
 */
export async function stageStoreEntries(kvs: CloudFrontKeyValueStoreClient, kvsArn: string, snapshotDir: string | undefined,
  progress: (line: string) => void = () => undefined): Promise<Map<string, string>> {
  const snap = snapshotDir ? readSnapshot(snapshotDir, kvsArn) : undefined;
  return (await readStore(kvs, kvsArn, snap, progress)).entries;
}

/** A stage's replay gate with its config: the replay of the stage's logs, judged by the stage's limit. */
export async function replayForStage(config: StageReplayConfig, opts: Omit<ReplayFromLogsOptions, 'logs' | 'expectedFile' | 'maxChangedDecisions'>): Promise<ReplayReport> {
  return replayFromLogs({ ...opts, logs: config.logs, maxChangedDecisions: config.maxChangedDecisions, ...(config.expected ? { expectedFile: config.expected } : {}) });
}

/** A group in one line: `allow -> deny x12: CN=..., serial 00:b1:..., issuer ...`. */
export function replayGroupLine(g: ReplayGroup): string {
  // The names come from the logs: shown escaped, so a subject cannot forge a line or a terminal sequence.
  return printable(`${g.live} -> ${g.candidate} ×${g.count}${g.expected ? ' (expected)' : ''}: ${g.subject ?? 'no certificate'}${g.serial ? `, serial ${g.serial}` : ''}${g.issuer ? `, issuer ${g.issuer}` : ''}`);
}
