/**
 * A pipeline runner that kills itself (SIGKILL, no clean-up of any kind) at a chosen point: the crash half of the
 * fault runs. Run with `node --import tsx pipeline-child.ts '<json>'`; exits 0/1 when it never reached the point.
 */
import * as path from 'node:path';
import { runStagePipeline } from '../../orchestrator/pipeline';
import { silentProgress, type Progress } from '../../orchestrator/progress';
import { loadRevocationSource } from '../../revocation/load-source';
import { syncRevocations } from '../../revocation/sync';
import { CampaignProject } from './campaign-project';

export interface ChildOrder {
  dir: string;
  endpoint: string;
  stage: string;
  op: 'deploy' | 'sync';
  /** Which progress event kills the process: a step starting, finishing, a case finishing in a step, or a sync line. */
  kill?: { on: 'start' | 'done' | 'update' | 'sync'; match: string; nth?: number; delayMs?: number };
  serialFile?: string;
}

function killer(order: ChildOrder): (on: string, text: string) => void {
  let seen = 0;
  return (on, text) => {
    const k = order.kill;
    if (!k || k.on !== on || !new RegExp(k.match).test(text)) return;
    if (++seen !== (k.nth ?? 1)) return;
    if (k.delayMs) setTimeout(() => process.kill(process.pid, 'SIGKILL'), k.delayMs);
    else process.kill(process.pid, 'SIGKILL');
  };
}

async function main(): Promise<number> {
  const order = JSON.parse(process.argv[2]) as ChildOrder;
  const p = CampaignProject.open(order.dir);
  p.connect(order.endpoint, { fastRetries: true });
  const kill = killer(order);
  if (order.op === 'sync') {
    const o = p.context().outputs.read(order.stage)!;
    const source = await loadRevocationSource({ serialFiles: [order.serialFile!] });
    await syncRevocations({ client: p.kvs, kvsArn: o.kvsArn, source, protectedKeys: [o.canarySerial!].filter(Boolean),
      snapshotDir: path.join(p.stateDir, 'revocation-snapshots'), maxDeleteShare: 1, onProgress: (l) => kill('sync', l) });
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
  process.stdout.write(`${r.outcome}: ${r.message}\n`);
  return r.outcome === 'verified' ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
