import { ListDistributionsByConnectionFunctionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { planDocument, type PlannedChange } from '../local-apply/local-plan';
import type { LocalStateStore } from '../local-apply/local-state';
import { RESOURCE_APPLIERS } from '../local-apply/resource-appliers';
import { parseStackDocument } from '../local-apply/stack-document';
import type { StageStatus } from '../orchestrator/reports/stage-status';
import type { StageConfig } from '../stacks/stage-config';

/** What a deploy (or promote) of a stage would do now, found without changing anything. */
export interface StagePlan {
  stage: string;
  candidateSha256: string;
  liveSha256: string | null;
  /** Whether the gate into the stage would open for the local candidate (first stage: always), and why. */
  gate: { open: boolean; reason: string };
  /** Promotion policies the stage has (soak, approval, deny windows); an unmet one closes the gate above. */
  policies: string[];
  /** Whether the apply would change resources: null when it could not be found out (reason says why). */
  terraform: { changes: boolean | null; how: string; resources: PlannedChange[] };
  publish: { yes: boolean; reason: string };
  association: { yes: boolean; reason: string };
}

export interface StagePlanInput {
  config: StageConfig;
  status: StageStatus;
  cf: CloudFrontClient;
  /** The stand-in's state (emulator targets); absent on AWS, where `terraformDiff` answers instead. */
  localState?: LocalStateStore;
  /** Asks Terraform (`cdktf diff`) whether the stage has changes; for AWS targets. */
  terraformDiff?: (associate: boolean) => Promise<{ changes: boolean | null; how: string }>;
}

async function associatedNow(cf: CloudFrontClient, functionName: string): Promise<boolean> {
  const out = await cf.send(new ListDistributionsByConnectionFunctionCommand({ ConnectionFunctionIdentifier: functionName }));
  return (out.DistributionList?.Items?.length ?? 0) > 0;
}

function policyNames(config: StageConfig): string[] {
  const p = config.promotion as Record<string, unknown> | undefined;
  return p ? Object.keys(p).filter((k) => p[k] !== undefined) : [];
}

/** The preview `conngate plan` prints: read-only calls and an in-process synthesis, nothing applied or published. */
export async function planStage(input: StagePlanInput): Promise<StagePlan> {
  const { config, status } = input;
  const verifiedLive = !!status.live && status.live === status.localCandidate && status.verified;
  const publish = !status.gate.open ? { yes: false, reason: `the gate is closed: ${status.gate.reason}` }
    : verifiedLive ? { yes: false, reason: 'LIVE already runs the local candidate with verified evidence' }
      : { yes: true, reason: status.live ? `LIVE runs ${status.live.slice(0, 12)}${status.live === status.localCandidate ? ' without verified evidence' : ''}; the candidate is ${status.localCandidate.slice(0, 12)}` : 'no LIVE function yet' };
  // As the pipeline decides: a stage keeps (or gets) its association once a verified LIVE exists.
  const associated = status.verified || (!!status.live && await associatedNow(input.cf, status.functionName!));
  const association = config.externalDistribution ? { yes: false, reason: 'the distribution is managed elsewhere' }
    : associated ? { yes: false, reason: 'already associated' }
      : !status.gate.open ? { yes: false, reason: 'the gate is closed' }
        : { yes: true, reason: 'first deploy: applied without the association, associated once LIVE verifies' };

  let terraform: StagePlan['terraform'];
  if (input.localState) {
    // Loaded here: cdktf and the provider bindings would otherwise slow every command's start.
    const { stageStackJson } = require('../stacks/stage-stack-json') as typeof import('../stacks/stage-stack-json');
    const raw = stageStackJson(config, { unassociated: !associated });
    const doc = parseStackDocument(raw, `stack ${config.name}`, RESOURCE_APPLIERS);
    const resources = planDocument(doc, await input.localState.read(config.name));
    terraform = { changes: resources.length > 0, how: `stack synthesized in process, compared with the state at ${input.localState.where}`, resources };
  } else if (input.terraformDiff) {
    terraform = { ...(await input.terraformDiff(associated)), resources: [] };
  } else {
    terraform = { changes: null, how: 'not checked', resources: [] };
  }
  return {
    stage: config.name, candidateSha256: status.localCandidate, liveSha256: status.live ?? null, gate: status.gate,
    policies: policyNames(config), terraform, publish, association,
  };
}
