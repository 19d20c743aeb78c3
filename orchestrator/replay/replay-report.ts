/** What a replay of connection logs found: the input to the CLI's output, the JSON, the HTML section and the gate. */

export type ReplayDecision = 'allow' | 'deny' | 'error';

/** Where a replayed connection came from in the logs, and what it was. */
export interface ReplayExample {
  file: string;
  line: number;
  connectionId?: string;
  clientIp?: string;
  /** The handshake's time (ISO 8601), when the record has it. */
  at?: string;
  /** The function's error, for a side that decided `error`. */
  liveError?: string;
  candidateError?: string;
}

/** Connections of one certificate whose decision changed the same way. */
export interface ReplayGroup {
  issuer?: string;
  /** As the log spells it. */
  serial?: string;
  subject?: string;
  live: ReplayDecision;
  candidate: ReplayDecision;
  count: number;
  /** Listed in the expected-changes file: allowed, not counted against maxChangedDecisions. */
  expected: boolean;
  /** The first few connections of the group. */
  examples: ReplayExample[];
}

/** One line of a log that is not a replayable record, with why. */
export interface ReplayLineProblem { file: string; line: number; problem: string }

export interface ReplayReport {
  schema: 'conngate.replay/1';
  liveSha256: string;
  candidateSha256: string;
  /** Where the logs came from (a file, a folder or an s3:// prefix). */
  logs: string;
  files: number;
  /** Lines that held a record (blank lines excluded) or a problem. */
  lines: number;
  /** Records read (replayable or not). */
  records: number;
  /** Records run through both LIVE and the candidate. */
  replayed: number;
  /** Records of handshakes that never reached the function, by reason. */
  notReplayable: { total: number; byReason: Record<string, number> };
  /** Lines that are not records: the total, and the first ones (MAX_REPORTED_PROBLEMS). */
  problems: { total: number; first: ReplayLineProblem[] };
  /** Per connection-object field, how many replayed records lacked it (fields no log carries are listed apart). */
  missingFields: Record<string, number>;
  /** Connection-object fields no connection log carries: no replayed connection has them. */
  fieldsNoLogCarries: string[];
  /** Replayed records where LIVE decided otherwise than the log says it did (other code or store then). */
  liveDisagreesWithLog: number;
  /** Connections whose decision the candidate changes: all, those the expected-changes file allows, the rest. */
  changed: number;
  expectedChanged: number;
  unexpectedChanged: number;
  /** Changes beyond the expected ones the replay may find and still pass. */
  maxChangedDecisions: number;
  /** Changed connections, grouped, most frequent first (at most MAX_GROUPS; the rest counted in `ungrouped`). */
  groups: ReplayGroup[];
  ungrouped: number;
  /** `no-change`; `within-limit`: changes, all expected or within maxChangedDecisions; `over-limit`: more. */
  verdict: 'no-change' | 'within-limit' | 'over-limit';
  /** Records replayed per second (both functions), and the wall time. */
  recordsPerSecond: number;
  durationMs: number;
}

/** The replay's exit code: 0 no change beyond what is allowed, 1 more. */
export function replayExitCode(r: ReplayReport): 0 | 1 {
  return r.verdict === 'over-limit' ? 1 : 0;
}

/** One line saying what the replay found. */
export function replaySummaryLine(r: ReplayReport): string {
  const skipped = r.notReplayable.total ? `, ${r.notReplayable.total} not replayable (never reached the function)` : '';
  const bad = r.problems.total ? `, ${r.problems.total} unreadable line${r.problems.total === 1 ? '' : 's'}` : '';
  const changes = r.changed === 0 ? 'no decision changes'
    : `${r.changed} decision${r.changed === 1 ? '' : 's'} change (${r.expectedChanged} expected, ${r.unexpectedChanged} unexpected; at most ${r.maxChangedDecisions} unexpected allowed)`;
  return `replayed ${r.replayed} of ${r.records} logged connections${skipped}${bad}: ${changes}`;
}
