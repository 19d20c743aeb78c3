/**
 * conngate's public API (`import ... from 'conngate'`): the CDKTF constructs, the stage stack with its config
 * loader, and the orchestrator's entry points for running a stage's pipeline from a program. Anything not exported
 * here is internal and may change between versions.
 */
// First: binds the `cdktf` imports below to the project's own framework (cdktn or cdktf) before any is loaded.
import './framework/bind-framework';
export { RevocationStore, ConnectionFunction, ConnectionFunctionCode, MtlsDistribution, ViewerTrustStore } from './modules';
export type { RevocationStoreProps } from './modules/revocation-store';
export type { ConnectionFunctionProps } from './modules/connection-function';
export type { MtlsDistributionProps } from './modules/mtls-distribution';
export { StageStack, type StageStackProps } from './stacks/stage-stack';
export {
  loadStageConfigs, findStageConfig, resolveStageConfigs, stageFunctionName, STAGE_CONFIG_FILE, DEFAULT_STAGE_NAMES,
  type StageConfig, type StageBackend, type StageTrustStore, type StageMtlsConfig,
} from './stacks/stage-config';
export { synthStages } from './stacks/synth-stages';
export { runStagePipeline, type PipelineContext, type Applier, type StageRunReport, type StageOutcome, type StepRecord } from './orchestrator/pipeline/pipeline';
export { setupPipeline, type PipelineSetup, type PipelineFlags } from './setup/pipeline-setup';
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator';
export { main as runCli } from './cli/program';
export { UserError, isUserError } from './diagnostics/user-error';
