/** What a pipeline run is given: the clients, the stages, the state folder and the options of the run. */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { S3Client } from '@aws-sdk/client-s3';
import type { EvidenceKeyring } from '../signing/evidence-signing';
import type { WaitOptions } from '../stage/function-stages';
import type { InterruptGuard } from './interrupt-guard';
import type { OutputsStore } from '../stage/outputs-store';
import type { Progress } from '../reports/progress';
import type { PolicyOverride } from '../policies/promotion-policies';
import type { RateLimiter } from '../stage/rate-limiter';
import type { NotifyOptions } from '../reports/stage-notifier';
import type { StageOutputs } from '../stage/stage-outputs';
import type { StageSpec } from '../stage/stage-spec';

/** Applies a stage's Terraform (for real through cdktf, or the local stand-in against the emulator). */
export interface Applier {
  readonly kind: string;
  /** Applies the stage; `associate: false` leaves the distribution's function association out (first deploy). */
  apply(stage: string, opts: { associate: boolean }): Promise<StageOutputs>;
}

export interface PipelineContext {
  cf: CloudFrontClient;
  /** The KeyValueStore data plane: the stage's lease and rollback target live in its store. */
  kvs: CloudFrontKeyValueStoreClient;
  stages: StageSpec[];
  outputs: OutputsStore;
  limiter: RateLimiter;
  /** Folder for the ledger, reports and locks (default .conngate). */
  stateDir: string;
  progress: Progress;
  /** Which cases verify LIVE: the suite's smoke subset (falls back to all when none is marked) or every case. */
  liveSuite: 'smoke' | 'full';
  interrupt: InterruptGuard;
  /** The key evidence is signed with and the keys it is verified with. */
  keys: EvidenceKeyring | Promise<EvidenceKeyring>;
  /** Break another runner's lock and lease on the stage (logged in the ledger). */
  forceUnlock?: boolean;
  /** Lifetime of the stage's lease without renewal. @default 120000 */
  leaseTtlMs?: number;
  wait?: WaitOptions;
  /** Promote past unmet promotion policies (an emergency; recorded in the ledger). */
  policyOverride?: PolicyOverride;
  /** The clock promotion policies are judged by. @default new Date() */
  now?: () => Date;
  /** Deadlines and retries of the stage's webhook notification. */
  notify?: NotifyOptions;
  /** The client for another stage's account (the gate reads the upstream stage with it); default `cf`. */
  cfFor?: (stage: string) => CloudFrontClient;
  /** The KeyValueStore client for another stage's account (its evidence head, its approvals); default `kvs`. */
  kvsFor?: (stage: string) => CloudFrontKeyValueStoreClient;
  /** `--allow-rollback-to <sha256>`: a stored rollback target older than the stage's newest verified code may be restored. */
  allowRollbackTo?: string;
  /** The S3 client of a stage's account, for a replay gate whose logs are in S3 (`s3://bucket/prefix`). */
  s3For?: (stage: string) => S3Client;
  /** Where a stage is reached (its endpoint, none for AWS, and region), named in every report and ledger line. */
  targetOf?: (stage: string) => { endpoint?: string; region: string };
}
