import type { StageNotify } from '../../stacks/stage-workflow-config';
import { shortSha } from '../stage/candidate';
import type { StageOutcome, StageRunReport } from './stage-run-report';
import type { StageSpec } from '../stage/stage-spec';

export type NotifyEvent = 'verified' | 'failed' | 'rolled-back' | 'refused';

const EVENTS: Record<StageOutcome, NotifyEvent> = {
  verified: 'verified', 'failed-development': 'failed', failed: 'failed', 'rolled-back': 'rolled-back', refused: 'refused',
};

export interface NotifyOptions {
  /** Deadline of one POST. @default 5000 */
  timeoutMs?: number;
  /** Attempts (timeouts, network errors, 429 and 5xx are retried). @default 4 */
  attempts?: number;
  /** First backoff, doubled each time. @default 500 */
  backoffMs?: number;
  /** Where a delivery that finally failed is reported. @default stderr */
  warn?: (line: string) => void;
}

/** Deliveries still under way; a notification never delays a run, but tests and a closing CLI can wait for them. */
const pending = new Set<Promise<void>>();

export async function settleNotifications(): Promise<void> {
  while (pending.size) await Promise.allSettled([...pending]);
}

export function notificationBody(n: StageNotify, r: StageRunReport): unknown {
  const event = EVENTS[r.outcome];
  if (n.format === 'slack') {
    const mark = event === 'verified' ? ':white_check_mark:' : event === 'refused' ? ':no_entry:' : ':x:';
    return { text: `${mark} conngate ${r.stage}: ${event} (candidate ${shortSha(r.candidateSha256)}): ${r.message}` };
  }
  return { event, stage: r.stage, outcome: r.outcome, candidateSha256: r.candidateSha256, finalLiveSha256: r.finalLiveSha256, message: r.message, finishedAt: r.finishedAt };
}

async function deliver(n: StageNotify, body: unknown, o: Required<Omit<NotifyOptions, 'warn'>>): Promise<string | undefined> {
  let last = '';
  for (let i = 0; i < o.attempts; i++) {
    if (i > 0) await new Promise((res) => setTimeout(res, o.backoffMs * 2 ** (i - 1)));
    try {
      const res = await fetch(n.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(o.timeoutMs), redirect: 'error' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return undefined;
      last = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) break;
    } catch (e) {
      last = (e as Error).name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : (e as Error).message;
    }
  }
  return last;
}

/**
 * Tells the stage's webhook how a run ended, in the background: retried with backoff, each attempt under a deadline,
 * the whole bounded; a failure is a warning line, never the run's failure. Returns the delivery (tests await it).
 */
export function notifyStageOutcome(spec: StageSpec, r: StageRunReport, opts: NotifyOptions = {}): Promise<void> | undefined {
  if (!spec.notify) return undefined;
  const n = spec.notify;
  const warn = opts.warn ?? ((l: string) => process.stderr.write(l + '\n'));
  const p = deliver(n, notificationBody(n, r), { timeoutMs: opts.timeoutMs ?? 5000, attempts: Math.max(1, opts.attempts ?? 4), backoffMs: opts.backoffMs ?? 500 })
    .then((problem) => { if (problem) warn(`conngate: ${spec.name}: notification to ${new URL(n.url).host} not delivered: ${problem}`); })
    .catch(() => undefined)
    .finally(() => pending.delete(p));
  pending.add(p);
  return p;
}
