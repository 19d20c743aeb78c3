import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCloudFrontClient, createKvsClient, createS3Client } from '../aws/clients';
import { localEdgeCa } from '../edge/edge-ca';
import { startEdge, type RunningEdge } from '../edge/edge-server';
import { startEmulator } from '../emulator';
import { readCrlFile } from '../revocation/crl-source';
import { loadRevocationSource } from '../revocation/load-source';
import { syncRevocations } from '../revocation/sync';
import { buildConnectionObject } from '../runtime/payload';
import { detectFramework } from '../framework/cdk-framework';
import { loadStageConfigs } from '../stacks/stage-config';
import { formatSynthSummary, readSynthSummary } from '../stacks/synth-summary';
import { shortSha } from '../orchestrator/stage/candidate';
import { DEFAULT_STATE_DIR, stageSpecsFrom } from '../orchestrator/stage/stage-spec';
import { readFunctionStage } from '../orchestrator/stage/function-stages';
import { htmlReport, type RevocationSyncSection } from '../orchestrator/reports/html-report';
import type { ReplayReport } from '../orchestrator/replay/replay-report';
import { replayFromLogs, replayGroupLine, stageStoreEntries } from '../orchestrator/replay/stage-replay';
import { canonicalSerial } from '../revocation/canonical-serial';
import { EvidenceKeyring, ed25519Signer } from '../orchestrator/signing/evidence-signing';
import { InterruptGuard } from '../orchestrator/pipeline/interrupt-guard';
import { LocalApplier } from '../local-apply/local-applier';
import { OutputsStore } from '../orchestrator/stage/outputs-store';
import { runStagePipeline, type PipelineContext, type StageRunReport } from '../orchestrator/pipeline/pipeline';
import type { Progress } from '../orchestrator/reports/progress';
import { RateLimiter } from '../orchestrator/stage/rate-limiter';
import { runRemoteSuite } from '../orchestrator/suite/remote-suite';
import { readStageStatuses } from '../orchestrator/reports/stage-status';
import { createDemoPki } from './demo-pki';
import { prepareWorkdir } from './demo-workdir';
import { connectThroughEdge, demoEdgeClients, loadDemoCaIntoTrustStore } from './demo-edge';
import { runLocation } from '../orchestrator/stage/run-location';
import { makeFolder } from '../host/make-folder';

export interface DemoOptions {
  /** The conngate project (main.ts, functions/). */
  projectDir: string;
  /** Scratch folder for the demo's cdktf project, state and reports; emptied first. */
  workdir: string;
  progress: Progress;
  /** Port for the embedded emulator (0 = any free port). */
  port?: number;
  /** Milliseconds of added latency per emulator request, to make the run feel like the real API. */
  latencyMs?: number;
  /** Told every API operation the embedded emulator serves (EmulatorOptions.onOperation). */
  onEmulatorOperation?: (operation: string) => void;
}

/** One expectation of the story; the demo fails when any did not hold. */
export interface DemoCheck { what: string; ok: boolean; detail: string }

export interface DemoResult {
  ok: boolean;
  checks: DemoCheck[];
  runs: StageRunReport[];
  reportFile: string;
  ledgerFile: string;
  /** The connection logs the demo's TLS clients left through the local edge (JSON lines, one file per distribution). */
  connectionLogs: string[];
}

/**
 * A breaking change a developer might well write: look the serial up as the certificate spells it. It passes
 * review at a glance, and the suite's canary case (a revoked serial spelled with colons) catches it.
 */
export function breakCandidate(code: string): string {
  const broken = code.replace(/await kvs\.exists\(serial\)/, 'await kvs.exists(leaf.serialNumber)');
  if (broken === code) throw new Error('demo: could not find the store lookup in revocation-check.js to break it');
  return broken;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { progress } = opts;
  const workdir = path.resolve(opts.workdir);
  const stateDir = path.join(workdir, DEFAULT_STATE_DIR);
  const checks: DemoCheck[] = [];
  const runs: StageRunReport[] = [];
  /** The broken candidate's runs, meant to be stopped: the report shows them as intended, not as failures. */
  const intended: StageRunReport[] = [];
  const syncs: RevocationSyncSection[] = [];
  const check = (what: string, ok: boolean, detail: string) => {
    checks.push({ what, ok, detail });
    progress.info(`   ${ok ? '✔' : '✖'} ${what}: ${detail}`);
  };
  const act = (title: string) => progress.info(`\n━━ ${title}`);

  prepareWorkdir(opts.projectDir, workdir);
  // The demo also plays the CA operator (uploading a CA bundle, rotating a trust store to it): those calls are not
  // conngate's, so they are not reported as the operations a conngate run makes (what the IAM policies must cover).
  let operator = false;
  const emulator = await startEmulator({ port: opts.port ?? 0, faults: { latencyMs: opts.latencyMs ?? 0 },
    onOperation: (op) => { if (!operator) opts.onEmulatorOperation?.(op); } });
  const interrupt = new InterruptGuard().install();
  let edge: RunningEdge | undefined;
  const connectionLogs: string[] = [];
  try {
    const target = { endpoint: emulator.endpoint, region: 'us-east-1' };
    const cf = createCloudFrontClient(target);
    const kvs = createKvsClient(target);
    const configs = loadStageConfigs(workdir);
    const applier = new LocalApplier({ cf, kvs, cwd: workdir, outdir: path.join(stateDir, 'cdktf.out'), stateDir,
      progress: (line: string) => progress.info(`   │ ${line}`) });
    // The demo's own evidence key, made fresh for this run: evidence is signed as in any real pipeline.
    const keyFile = path.join(stateDir, 'evidence-key.pem');
    makeFolder(stateDir);
    fs.writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const keys = new EvidenceKeyring(ed25519Signer(fs.readFileSync(keyFile, 'utf8'), keyFile));
    // Named from where the user stands (the work folder is printed after this line, so a path relative to it misleads).
    const fromCwd = path.relative(process.cwd(), keyFile);
    progress.info(`evidence key: ${fromCwd.startsWith('..') || path.isAbsolute(fromCwd) ? keyFile : fromCwd} (Ed25519, key id ${keys.signer.keyId})`);
    const ctx: PipelineContext = {
      cf, kvs, keys, stages: stageSpecsFrom(configs), outputs: new OutputsStore(path.join(stateDir, 'outputs.json')),
      limiter: new RateLimiter({ concurrency: 8, ratePerSecond: 50 }), stateDir, progress, liveSuite: 'smoke',
      interrupt, wait: { intervalMs: 200 }, targetOf: () => target,
    };
    const deploy = async (stage: string) => {
      const r = await runStagePipeline(ctx, stage, applier);
      runs.push(r);
      return r;
    };
    const names = configs.map((c) => c.name);
    progress.info(`conngate demo: ${names.join(' -> ')} against the embedded CloudFront emulator at ${emulator.endpoint}`);
    progress.info(`work folder: ${workdir}`);

    act(`1. Synthesize every stage with the real ${detectFramework(workdir).framework} CLI`);
    await applier.synthesize(names, { unassociated: [] });
    for (const n of names) progress.info(formatSynthSummary(readSynthSummary(path.join(stateDir, 'cdktf.out'), n)).replace(/^/gm, '   '));

    act('2. A revocation list from the CA: a fresh demo CA, two client certificates, a signed CRL revoking one');
    const pki = await createDemoPki(path.join(workdir, 'pki'));
    const source = await loadRevocationSource({ crlFiles: [pki.crlFile], caFiles: [pki.caFile] });
    progress.info(`   CRL ${path.relative(workdir, pki.crlFile)} verified against ${path.relative(workdir, pki.caFile)}: ${source.entries.size} revoked serial(s)`);

    const syncStage = async (stage: string) => {
      const o = ctx.outputs.read(stage)!;
      const r = await syncRevocations({ client: kvs, kvsArn: o.kvsArn, source, protectedKeys: o.canarySerial ? [o.canarySerial] : [],
        snapshotDir: path.join(stateDir, 'revocation-snapshots'), onProgress: (l) => progress.info(`   │ ${l}`) });
      progress.info(`   ${stage}: store ${o.kvsName} synced: +${r.puts} -${r.deletes}, ${r.storeKeysAfter} keys (canary kept)`);
      syncs.push({ stage, store: o.kvsName ?? o.kvsArn, added: r.puts, removed: r.deletes, storeKeys: r.storeKeysAfter, storeBytes: r.storeBytesAfter,
        sources: readCrlFile(pki.crlFile).map((c) => ({ file: path.relative(workdir, pki.crlFile), issuer: c.issuer,
          thisUpdate: c.thisUpdate.toISOString(), nextUpdate: c.nextUpdate?.toISOString() })) });
      // The function in LIVE now denies the revoked certificate and still allows the good one.
      const live = await readFunctionStage(cf, o.functionId, 'LIVE');
      const cases = ([['revoked laptop-lost certificate', pki.revokedCertFile, 'deny'], ['api-client certificate', pki.goodCertFile, 'allow']] as const)
        .map(([name, file, decision]) => ({ name, connection: buildConnectionObject(fs.readFileSync(file), { distributionId: o.distributionId }), expect: { decision } }));
      const results = await runRemoteSuite({ cf, functionId: o.functionId, etag: live.etag, stage: 'LIVE', cases, limiter: ctx.limiter });
      for (const [i, res] of results.entries()) {
        const serial = cases[i].connection.clientCertificate?.certificates.leaf.serialNumber;
        check(`${stage} LIVE: ${res.name}`, res.passed, `${res.expected === 'deny' ? 'revoked' : 'valid'}, serial ${serial} -> ${res.actual}`);
      }
    };

    const functionFile = path.join(workdir, 'functions', 'revocation-check.js');
    const goodCode = fs.readFileSync(functionFile, 'utf8');
    for (const [i, stage] of names.entries()) {
      act(`${3 + i}. ${i === 0 ? `Deploy ${stage} (a brand-new stage: apply, test, publish, then associate)` : `Promote ${configs[i].promotesFrom} -> ${stage} (gate, then the same pipeline)`}`);
      const r = await deploy(stage);
      check(`${stage} verified`, r.outcome === 'verified', r.message);
      if (r.outcome !== 'verified') break;
      await syncStage(stage);
    }

    const last = names[names.length - 1];
    const lastOutputs = ctx.outputs.read(last);
    if (runs.every((r) => r.outcome === 'verified') && lastOutputs?.distributionId && lastOutputs.distributionDomain && lastOutputs.trustStoreId) {
      act(`${3 + names.length}. Real TLS clients through the local edge: ${last}'s distribution, its LIVE function deciding`);
      const s3 = createS3Client(target);
      operator = true;
      try {
        await loadDemoCaIntoTrustStore(cf, s3, configs[names.length - 1], lastOutputs.trustStoreId, pki.caFile);
      } finally {
        operator = false;
        s3.destroy();
      }
      edge = await startEdge({ readState: emulator.readState, certificates: await localEdgeCa(path.join(stateDir, 'edge-ca')),
        connectionLogDir: path.join(workdir, 'connection-logs') });
      progress.info(`   edge on 127.0.0.1:${edge.port}, server CA ${path.relative(workdir, edge.caFile!)}, SNI ${lastOutputs.distributionDomain}`);
      for (const client of demoEdgeClients(pki)) {
        const o = await connectThroughEdge(edge, lastOutputs.distributionDomain, lastOutputs.distributionId, client);
        const status = o.record?.connectionStatus ?? 'no log record';
        check(`edge: ${client.name}`, status === client.expect && o.answered === (client.expect === 'Success'),
          `${o.answered ? 'served' : 'connection closed'}, log: ${status}${o.record?.connectionLogCustomData ? ` (${o.record.connectionLogCustomData})` : ''}`);
      }
      connectionLogs.push(edge.logFileOf(lastOutputs.distributionId));
      progress.info(`   connection log: ${path.relative(workdir, connectionLogs[0])}`);
    }

    const first = names[0];
    const second = names[1];
    act(`${4 + names.length}. A broken candidate: a "simplified" serial lookup, deployed to ${first}`);
    const liveBefore = await readFunctionStage(cf, ctx.outputs.read(first)!.functionId, 'LIVE');
    fs.writeFileSync(functionFile, breakCandidate(goodCode));
    const broken = await deploy(first);
    intended.push(broken);
    const liveAfter = await readFunctionStage(cf, ctx.outputs.read(first)!.functionId, 'LIVE');
    check('broken candidate stopped in DEVELOPMENT', broken.outcome === 'failed-development', broken.message);
    check(`${first} LIVE unchanged`, liveAfter.sha256 === liveBefore.sha256, `LIVE still ${shortSha(liveAfter.sha256)}`);
    if (second) {
      const refused = await deploy(second);
      intended.push(refused);
      check(`promotion of the broken candidate to ${second} refused`, refused.outcome === 'refused', refused.message);
    }

    // The broken candidate judged on real traffic: the connections the edge logged for the last stage, replayed
    // through that stage's LIVE code and the broken code with the stage's store. It must name exactly the revoked
    // client (LIVE denied it, the broken lookup would let it in) and nothing else.
    const replays: ReplayReport[] = [];
    if (connectionLogs.length > 0 && lastOutputs) {
      act(`${5 + names.length}. Replay the broken candidate against ${last}'s connection logs`);
      const lastLive = await readFunctionStage(cf, lastOutputs.functionId, 'LIVE');
      const replay = await replayFromLogs({ liveCode: Buffer.from(lastLive.code).toString('utf8'), candidateCode: breakCandidate(goodCode),
        store: await stageStoreEntries(kvs, lastOutputs.kvsArn, undefined), logs: path.dirname(connectionLogs[0]),
        ...(lastOutputs.distributionId ? { distributionId: lastOutputs.distributionId } : {}) });
      replays.push(replay);
      for (const g of replay.groups) progress.info(`   ${replayGroupLine(g)}`);
      const only = replay.groups.length === 1 ? replay.groups[0] : undefined;
      check('replay: the broken candidate changes exactly the revoked client\'s decision',
        replay.changed === 1 && only?.live === 'deny' && only.candidate === 'allow' && only.serial !== undefined && canonicalSerial(only.serial) === canonicalSerial(pki.revokedSerial),
        `${replay.replayed} of ${replay.records} logged connections replayed (${replay.notReplayable.total} refused by the handshake), ${replay.changed} decision${replay.changed === 1 ? '' : 's'} changed`);
    }

    act(`${(connectionLogs.length > 0 ? 6 : 5) + names.length}. Revert the change: ${first} converges back to the verified candidate`);
    fs.writeFileSync(functionFile, goodCode);
    const reverted = await deploy(first);
    check(`${first} back on the verified candidate`, reverted.outcome === 'verified' && !reverted.published, reverted.message);

    const statuses = await readStageStatuses({ cf, kvs }, ctx.stages, keys);
    const reportFile = path.join(workdir, 'report.html');
    fs.writeFileSync(reportFile, htmlReport({
      title: 'conngate demo: dev -> staging -> prod on the embedded emulator', statuses, runs, revocationSyncs: syncs,
      intendedFailures: intended, replays,
      where: { ...(runs.find((r) => r.where)?.where ?? runLocation(names[0], target)), stage: names.join(', ') },
      notes: checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.what}: ${c.detail}`),
      links: [{ label: 'evidence ledger', href: path.relative(workdir, path.join(stateDir, 'ledger.jsonl')) },
        ...connectionLogs.map((file) => ({ label: `connection log ${path.basename(file)} (local edge, JSON lines)`, href: path.relative(workdir, file) })),
        ...runs.flatMap((r, i) => (r.reports ? [{ label: `#${i + 1} ${r.stage} JUnit`, href: path.relative(workdir, r.reports.junit) },
          { label: `#${i + 1} ${r.stage} Markdown`, href: path.relative(workdir, r.reports.markdown) }] : []))],
    }));
    act('Summary');
    for (const s of statuses) {
      progress.info(`   ${s.stage.padEnd(8)} LIVE ${shortSha(s.live)}  ${s.verified ? 'verified' : 'NOT verified'}${s.evidence?.time ? ` at ${s.evidence.time}` : ''}`);
    }
    return { ok: checks.every((c) => c.ok), checks, runs, reportFile, ledgerFile: path.join(stateDir, 'ledger.jsonl'), connectionLogs };
  } finally {
    interrupt.uninstall();
    await edge?.close();
    await emulator.close();
  }
}
