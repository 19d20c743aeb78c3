import { Option, type Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../orchestrator/stage/stage-spec';

/** The options of the flags every pipeline command shares (PipelineFlags in setup/pipeline-setup.ts). */
export function addPipelineOptions(cmd: Command, opts: { applier?: boolean; locking?: boolean } = {}): Command {
  cmd
    .option('--endpoint <url>', 'CloudFront API endpoint, e.g. the emulator at http://127.0.0.1:4566 (default: $CONNGATE_ENDPOINT, else real AWS)')
    .option('--dir <path>', 'the cdktf project folder (cdktf.json, conngate.config.json)', '.')
    .option('--state-dir <path>', 'where outputs, the evidence ledger, reports and locks live (relative to --dir)', DEFAULT_STATE_DIR)
    .option('--outputs <file>', 'stage outputs JSON as `cdktf output --outputs-file` writes it (default: <state-dir>/outputs.json)')
    .option('--concurrency <n>', 'TestConnectionFunction calls in flight at once', '8')
    .option('--rate <n>', 'at most this many API requests started per second (0 = no ceiling)', '25')
    .addOption(new Option('--live-suite <which>', 'cases that verify LIVE: the smoke subset or the full suite').choices(['smoke', 'full']).default('smoke'))
    .option('--quiet', 'no progress output')
    .option('--insecure-unsigned-evidence', 'INSECURE: write unsigned evidence and let unsigned evidence open gates (no CONNGATE_EVIDENCE_KEY / _KEY_FILE / _KMS_KEY_ID); throwaway setups only');
  if (opts.locking) {
    cmd.option('--override-policy', 'EMERGENCY: promote past unmet promotion policies (soak, approval, deny window); needs --reason, recorded in the ledger');
    cmd.option('--reason <text>', 'why --override-policy is needed (recorded in the ledger)');
    cmd.option('--force-unlock', 'break another run\'s lock and lease on the stage first (logged in the ledger); only when that run is gone');
    cmd.option('--allow-rollback-to <sha256>', 'a rollback may restore this stored target although it is older than the stage\'s newest verified code (a downgrade you chose)');
    cmd.addHelpText('after', `
Evidence is signed with the key in the environment (exactly one):
  CONNGATE_EVIDENCE_KEY=<random secret>        HMAC-SHA256, e.g. \`openssl rand -base64 32\`
  CONNGATE_EVIDENCE_KEY_FILE=<private key PEM>  Ed25519, e.g. \`openssl genpkey -algorithm ed25519 -out evidence-key.pem\`
  CONNGATE_EVIDENCE_KMS_KEY_ID=<key ARN>        an AWS KMS ECC_NIST_P256 SIGN_VERIFY key
After a key rotation, CONNGATE_EVIDENCE_TRUSTED_KEYS lists the previous keys still trusted
(\`hmac:<old secret>\` or paths of PEM public keys, separated by commas).
`);
  }
  if (opts.applier) {
    cmd.addOption(new Option('--applier <kind>', 'how the stage is applied: cdktf = `cdktf deploy` (real Terraform); local = the stand-in against the emulator (default: local when an endpoint is set, else cdktf)').choices(['cdktf', 'local']));
  }
  return cmd;
}
