/**
 * Stands in for the cdktf CLI where it would reach real AWS: `deploy` applies the stage to the emulator at
 * $CONNGATE_ENDPOINT with the local apply stand-in (after a real `cdktf synth`) and writes the outputs file as
 * `cdktf deploy --outputs-file` does; `synth` runs the real cdktf. Every call is appended to $FAKE_CDKTF_LOG, so a
 * test can check what conngate asked cdktf to do.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { cdktfCommand } from '../../orchestrator/cdktf/cdktf-cli';
import { LocalApplier } from '../../local-apply/local-applier';
import { formatStageOutputs } from '../../orchestrator/stage/stage-outputs';
import { UNASSOCIATED_STAGES_ENV, unassociatedStagesFrom } from '../../stacks/first-deploy-context';

async function main(argv: string[]): Promise<number> {
  fs.appendFileSync(process.env.FAKE_CDKTF_LOG!, JSON.stringify({ argv, unassociated: process.env[UNASSOCIATED_STAGES_ENV] ?? '' }) + '\n');
  const [command, stage] = argv;
  if (command === 'synth') {
    delete process.env.CONNGATE_CDKTF;
    const [cmd, ...pre] = cdktfCommand();
    return spawnSync(cmd, [...pre, ...argv], { stdio: 'inherit' }).status ?? 1;
  }
  if (command !== 'deploy') throw new Error(`fake cdktf: unexpected command ${argv.join(' ')}`);
  const outputsFile = argv[argv.indexOf('--outputs-file') + 1];
  const target = { endpoint: process.env.CONNGATE_ENDPOINT!, region: 'us-east-1' };
  delete process.env.CONNGATE_CDKTF;
  const applier = new LocalApplier({
    cf: createCloudFrontClient(target), kvs: createKvsClient(target), cwd: process.cwd(),
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cdktf-out-')), stateDir: path.join(process.cwd(), '.fake-terraform'),
  });
  const associate = !unassociatedStagesFrom(process.env[UNASSOCIATED_STAGES_ENV]).includes(stage);
  const o = await applier.apply(stage, { associate });
  fs.writeFileSync(outputsFile, JSON.stringify({ [stage]: formatStageOutputs(o) }));
  console.log(`fake cdktf: ${stage} deployed to ${target.endpoint}`);
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
