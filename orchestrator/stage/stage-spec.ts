import { stageFunctionName, type StageConfig, type StageReplayConfig, type StageFuzzConfig } from '../../stacks/stage-config';
import type { PromotionPolicy, StageNotify } from '../../stacks/stage-workflow-config';

/** Where a project's pipeline state (outputs, ledger, reports, locks) lives by default, relative to the project. */
export const DEFAULT_STATE_DIR = '.conngate';

/** What the pipeline needs to know about a stage (derived from the stage config in stacks/). */
export interface StageSpec {
  name: string;
  /** The stage whose LIVE candidate this stage accepts; undefined for the first stage. */
  promotesFrom?: string;
  /** The connection function's name in this stage (what its stack declares). */
  functionName: string;
  /** Absolute path of the connection function's code. */
  functionFile: string;
  /** Absolute path of its case suite. */
  suiteFile: string;
  /** The stage's revocation KeyValueStore name (what its stack declares); its reserved keys hold the lease. */
  storeName?: string;
  /** The stage's canary revoked serial (canonical form). */
  canarySerial: string;
  /** Conditions the gate into this stage checks besides upstream evidence. */
  promotion?: PromotionPolicy;
  /** Webhook told of this stage's run outcomes. */
  notify?: StageNotify;
  /** The stage's trust store: the name its stack gives a store it creates, or the id of an existing one. */
  trustStore?: string;
  /** Someone else manages the distribution: no association step; `id` is the distribution to check. */
  externalDistribution?: { id?: string };
  /** Connection logs replayed against LIVE and the candidate before anything is applied or published. */
  replay?: StageReplayConfig;
  /** Generated connections the candidate must pass before it is published. */
  fuzz?: StageFuzzConfig;
}

/** Maps the stage configs to what the pipeline needs, with each function's suite located. */
export function stageSpecsFrom(configs: StageConfig[]): StageSpec[] {
  return configs.map((c) => ({
    name: c.name,
    promotesFrom: c.promotesFrom,
    functionName: stageFunctionName(c),
    functionFile: c.functionFile,
    suiteFile: c.suiteFile ?? c.functionFile.replace(/\.js$/, '') + '.suite.json',
    canarySerial: c.canarySerial,
    // The name stacks/stage-stack.ts gives the stage's store.
    storeName: `${c.namePrefix}-revoked-serials`,
    ...(c.promotion ? { promotion: c.promotion } : {}),
    ...(c.notify ? { notify: c.notify } : {}),
    ...(c.externalDistribution ? { externalDistribution: c.externalDistribution } : {}),
    ...(c.replay ? { replay: c.replay } : {}),
    ...(c.fuzz ? { fuzz: c.fuzz } : {}),
    ...(c.mtls.trustStore.type === 's3' ? { trustStore: c.mtls.trustStore.name } : c.mtls.trustStore.type === 'existing' ? { trustStore: c.mtls.trustStore.trustStoreId } : {}),
  }));
}
