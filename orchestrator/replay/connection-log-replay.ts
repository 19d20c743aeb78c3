/**
 * Replays connection logs against two versions of a stage's function: every logged connection that reached the
 * function is rebuilt (connection-logs/connection-from-log.ts) and run through the LIVE code and the candidate, in
 * the sandbox, with the same store; the connections whose decision changes are grouped by certificate and decision
 * pair. Reading, rebuilding and running are streamed in batches, so memory stays bounded by the batch and the
 * groups, whatever the size of the logs.
 */
import { connectionFromLogRecord, FIELDS_NO_LOG_CARRIES } from '../../connection-logs/connection-from-log';
import { readConnectionLog } from '../../connection-logs/connection-log-reader';
import { printable } from '../../diagnostics/untrusted-text';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { compileConnectionFunction, MapKvsBackend, type ConnectionRunResult } from '../../runtime';
import { isExpectedChange, type ExpectedChange } from './expected-changes';
import type { LogFile } from './log-sources';
import type { ReplayDecision, ReplayExample, ReplayGroup, ReplayLineProblem, ReplayReport } from './replay-report';

/**
 * Connections per batch: the sandbox's message size (runtime/worker-pool.ts), so each function's batch is one
 * message to one worker and LIVE and the candidate each keep their own worker, side by side.
 */
export const REPLAY_BATCH = 500;
/** Problem lines kept in the report (all are counted). */
export const MAX_REPORTED_PROBLEMS = 100;
/** Groups kept (changes beyond them are counted in `ungrouped`). */
export const MAX_GROUPS = 10_000;
/** Examples kept per group. */
export const EXAMPLES_PER_GROUP = 3;
/**
 * Characters of a logged name or id kept in the report (matching and grouping use the whole value). A real DN is
 * well under it; a log may hold 8 KiB fields, which over MAX_GROUPS groups would make reports of gigabytes.
 */
export const MAX_SHOWN_CHARS = 256;

export interface ReplayInput {
  /** The code LIVE runs, and the candidate's (what deploy would publish). */
  live: { code: string; where?: string };
  candidate: { code: string; where?: string };
  /** The stage's store contents (its snapshot), seen by both. */
  store: Iterable<[string, string]>;
  /** The logs, one file after the other (log-sources.ts). */
  logs: AsyncIterable<LogFile>;
  /** Names the source in the report. */
  logsName: string;
  expected?: readonly ExpectedChange[];
  /** @default 0 */
  maxChangedDecisions?: number;
  /** The time a record without eventTimestamp runs at. @default now */
  now?: Date;
  /**
   * The stage's distribution: a record that names another one is not replayed (logs of another distribution say
   * nothing of this stage's traffic, and a log writer could hide the changes that matter among them).
   */
  distributionId?: string;
  progress?: (line: string) => void;
}

interface Pending { file: string; line: number; connection: Record<string, unknown>; at?: Date; logged: ReplayDecision }

function leafOf(c: Record<string, unknown>): { issuer?: string; serialNumber?: string; subject?: string } {
  return ((c.clientCertificate as { certificates?: { leaf?: object } } | undefined)?.certificates?.leaf ?? {}) as { issuer?: string; serialNumber?: string; subject?: string };
}

/** Untrusted text kept for the report, cut to MAX_SHOWN_CHARS. */
function shown<T extends string | undefined>(text: T): T {
  return (text !== undefined && text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text) as T;
}

function short(message: string | undefined): string | undefined {
  return message === undefined ? undefined : printable(message.length > 200 ? `${message.slice(0, 200)}…` : message);
}

/** Runs the replay; never throws for what the logs hold (bad lines are counted and reported). */
export async function replayConnectionLogs(input: ReplayInput): Promise<ReplayReport> {
  const started = Date.now();
  const live = compileConnectionFunction(input.live.code, input.live.where ?? 'LIVE code');
  const candidate = compileConnectionFunction(input.candidate.code, input.candidate.where ?? 'candidate code');
  const kvs = new MapKvsBackend(input.store);
  const now = input.now ?? new Date();
  const expected = input.expected ?? [];
  const maxChanged = input.maxChangedDecisions ?? 0;
  const r: ReplayReport = {
    schema: 'conngate.replay/1', liveSha256: live.sha256, candidateSha256: candidate.sha256, logs: input.logsName,
    files: 0, lines: 0, records: 0, replayed: 0, notReplayable: { total: 0, byReason: {} }, problems: { total: 0, first: [] },
    missingFields: {}, fieldsNoLogCarries: [...FIELDS_NO_LOG_CARRIES], liveDisagreesWithLog: 0,
    changed: 0, expectedChanged: 0, unexpectedChanged: 0, maxChangedDecisions: maxChanged, groups: [], ungrouped: 0,
    verdict: 'no-change', recordsPerSecond: 0, durationMs: 0,
  };
  const groups = new Map<string, ReplayGroup>();
  const problem = (p: ReplayLineProblem) => {
    r.problems.total++;
    if (r.problems.first.length < MAX_REPORTED_PROBLEMS) r.problems.first.push({ ...p, file: printable(p.file) });
  };

  const judge = (batch: Pending[], a: ConnectionRunResult[], b: ConnectionRunResult[]) => {
    batch.forEach((p, i) => {
      r.replayed++;
      if (a[i].decision !== p.logged) r.liveDisagreesWithLog++;
      if (a[i].decision === b[i].decision) return;
      r.changed++;
      const leaf = leafOf(p.connection);
      const change = { issuer: leaf.issuer, serial: leaf.serialNumber, subject: leaf.subject, live: a[i].decision, candidate: b[i].decision };
      const allowed = isExpectedChange(expected, change);
      if (allowed) r.expectedChanged++;
      else r.unexpectedChanged++;
      const key = JSON.stringify([change.issuer, change.serial === undefined ? undefined : canonicalSerial(change.serial) ?? change.serial, change.subject, change.live, change.candidate]);
      let g = groups.get(key);
      if (!g) {
        if (groups.size >= MAX_GROUPS) { r.ungrouped++; return; }
        g = { ...change, issuer: shown(change.issuer), serial: shown(change.serial), subject: shown(change.subject), count: 0, expected: allowed, examples: [] };
        groups.set(key, g);
      }
      g.count++;
      if (g.examples.length < EXAMPLES_PER_GROUP) {
        const ex: ReplayExample = { file: printable(p.file), line: p.line };
        if (typeof p.connection.connectionId === 'string') ex.connectionId = shown(p.connection.connectionId);
        if (typeof p.connection.clientIp === 'string') ex.clientIp = shown(p.connection.clientIp);
        if (p.at) ex.at = p.at.toISOString();
        if (a[i].decision === 'error') ex.liveError = short(a[i].errorMessage);
        if (b[i].decision === 'error') ex.candidateError = short(b[i].errorMessage);
        g.examples.push(ex);
      }
    });
  };

  // One batch runs in the workers while the next is read: the reading overlaps the running.
  let running: Promise<void> = Promise.resolve();
  const flush = async (batch: Pending[]) => {
    await running;
    // The JSON text once for both functions (the sandbox takes the connection as JSON text).
    const items = batch.map((p) => ({ connection: JSON.stringify(p.connection), at: p.at }));
    running = Promise.all([live.runBatchAt(items, { kvs, now }), candidate.runBatchAt(items, { kvs, now })])
      .then(([a, b]) => judge(batch, a, b));
    // Awaited at the next batch or at the end; until then a failure must not count as an unhandled rejection.
    running.catch(() => undefined);
  };

  let batch: Pending[] = [];
  for await (const file of input.logs) {
    r.files++;
    for await (const l of readConnectionLog(file.chunks, file.name)) {
      r.lines++;
      if ('problem' in l) {
        problem(l);
        continue;
      }
      r.records++;
      const other = input.distributionId !== undefined && l.record.distributionId !== undefined && l.record.distributionId !== input.distributionId;
      const rebuilt = other ? { replayable: false as const, reason: `another distribution's connection (not ${input.distributionId})` } : connectionFromLogRecord(l.record);
      if (!rebuilt.replayable) {
        r.notReplayable.total++;
        const reason = printable(rebuilt.reason);
        r.notReplayable.byReason[reason] = (r.notReplayable.byReason[reason] ?? 0) + 1;
        continue;
      }
      for (const f of rebuilt.missing) r.missingFields[f] = (r.missingFields[f] ?? 0) + 1;
      batch.push({ file: file.name, line: l.line, connection: rebuilt.connection as Record<string, unknown>, at: rebuilt.at, logged: rebuilt.logged });
      if (batch.length >= REPLAY_BATCH) {
        await flush(batch);
        batch = [];
        if (r.replayed > 0 && r.replayed % 50_000 === 0) input.progress?.(`replayed ${r.replayed} connections`);
      }
    }
  }
  if (batch.length > 0) await flush(batch);
  await running;

  r.groups = [...groups.values()].sort((x, y) => y.count - x.count || Number(x.expected) - Number(y.expected));
  r.verdict = r.changed === 0 ? 'no-change' : r.unexpectedChanged > maxChanged ? 'over-limit' : 'within-limit';
  r.durationMs = Date.now() - started;
  r.recordsPerSecond = r.durationMs > 0 ? Math.round((r.replayed / r.durationMs) * 1000) : r.replayed;
  return r;
}
