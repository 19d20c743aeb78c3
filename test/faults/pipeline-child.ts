/**
 * A pipeline runner that kills itself (SIGKILL, no clean-up of any kind) at a chosen point: the crash half of the
 * fault runs. Run with `node --import tsx pipeline-child.ts '<json>'`; exits 0/1 when it never reached the point.
 */
import * as path from 'node:path';
import { runStagePipeline } from '../../orchestrator/pipeline/pipeline';
import { silentProgress, type Progress } from '../../orchestrator/reports/progress';
import { loadRevocationSource } from '../../revocation/load-source';
import { syncRevocations } from '../../revocation/sync';
import { CampaignProject } from './campaign-project';

export interface ChildOrder {
  dir: string;
  endpoint: string;
  stage: string;
  op: 'deploy' | 'sync';
  /**
   * Which progress event arms the kill: a step starting, finishing, a case finishing in a step, or a sync line.
   * `afterRequests: n` kills when the n-th AWS response after that event has arrived and before the code that sent
   * it sees it (the call took effect; the runner never learns); 0 or absent kills at the event itself. Counting
   * requests instead of milliseconds puts the kill at the same instant of the run on a fast or a loaded machine.
   */
  kill?: { on: 'start' | 'done' | 'update' | 'sync'; match: string; nth?: number; afterRequests?: number };
  serialFile?: string;
}

/** AWS requests (attempts, retries included) this runner sent: printed at the end of a run that was not killed. */
let requests = 0;
/** Requests sent since the kill point was reached (when it was): printed too, to choose `afterRequests`. */
let sincePoint: number | undefined;
const die = (): never => { process.kill(process.pid, 'SIGKILL'); throw new Error('unreachable'); };

/** Arms the kill at the order's progress event; counts the AWS responses after it on the given clients. */
function killer(order: ChildOrder, clients: { middlewareStack: { add: (...a: never[]) => void } }[]): (on: string, text: string) => void {
  let seen = 0;
  let left: number | undefined;
  for (const c of clients) {
    (c.middlewareStack.add as unknown as (mw: unknown, o: unknown) => void)(
      (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        requests++;
        if (sincePoint !== undefined) sincePoint++;
        try {
          return await next(args);
        } finally {
          if (left !== undefined && --left <= 0) die();
        }
      }, { step: 'finalizeRequest', name: 'conngateCrashPoint', priority: 'low' });
  }
  return (on, text) => {
    const k = order.kill;
    if (!k || left !== undefined || k.on !== on || !new RegExp(k.match).test(text)) return;
    if (++seen !== (k.nth ?? 1)) return;
    if (!k.afterRequests) die();
    left = k.afterRequests;
    sincePoint = 0;
  };
}

const sinceText = (): string => sincePoint === undefined ? ' (kill point never reached)' : ` (${sincePoint} after the kill point)`;

async function main(): Promise<number> {
  const order = JSON.parse(process.argv[2]) as ChildOrder;
  const p = CampaignProject.open(order.dir);
  p.connect(order.endpoint, { fastRetries: true });
  const kill = killer(order, [p.cf, p.kvs]);
  if (order.op === 'sync') {
    const o = p.context().outputs.read(order.stage)!;
    const source = await loadRevocationSource({ serialFiles: [order.serialFile!] });
    await syncRevocations({ client: p.kvs, kvsArn: o.kvsArn, source, protectedKeys: [o.canarySerial!].filter(Boolean),
      snapshotDir: path.join(p.stateDir, 'revocation-snapshots'), maxDeleteShare: 1, onProgress: (l) => kill('sync', l) });
    process.stdout.write(`synced after ${requests} requests${sinceText()}\n`);
    return 0;
  }
  let step = '';
  const progress: Progress = {
    ...silentProgress,
    start: (t) => { step = t; kill('start', t); },
    update: () => kill('update', step),
    done: (t) => kill('done', t ?? step),
  };
  const r = await runStagePipeline(p.context({ progress }), order.stage, p.applier());
  process.stdout.write(`${r.outcome} after ${requests} requests${sinceText()}: ${r.message}\n`);
  return r.outcome === 'verified' ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
