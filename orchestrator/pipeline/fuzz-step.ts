import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { DEFAULT_FUZZ_CASES, runFuzz, type FuzzReport } from '../../fuzz/fuzz-run';
import { selectProperties } from '../../fuzz/property-selection';
import { readStageRevokedInput } from '../../fuzz/stage-revoked-set';
import type { Suite } from '../../runtime/suite';
import { STAGE_CONFIG_FILE } from '../../stacks/stage-config';
import type { StageSpec } from '../stage/stage-spec';

/** A stage's fuzz step, checked when the run starts (an unknown property name is bad input before anything changes). */
export interface FuzzStep {
  cases: number;
  properties: string[];
  /** Runs the candidate's code against the stage's revoked set, read from its store. */
  run(code: string, candidateSha256: string, kvs: CloudFrontKeyValueStoreClient, kvsArn: string, snapshotDir: string): Promise<FuzzReport>;
}

/** The seed of a candidate: its SHA-256's first 32 bits, so a re-run of the same candidate meets the same cases. */
export function candidateSeed(sha256: string): number {
  return parseInt(sha256.slice(0, 8), 16) | 0;
}

/** `suite`: the stage's suite as the run read it (orchestrator/suite/suite-cases.ts), not read again. */
export function prepareFuzzStep(spec: StageSpec, suite: Suite): FuzzStep | undefined {
  if (!spec.fuzz) return undefined;
  const where = `${STAGE_CONFIG_FILE} stages.${spec.name}.fuzz.properties`;
  const properties = selectProperties(suite, spec.fuzz.properties ? { only: spec.fuzz.properties } : {}, { only: where, skip: where });
  const cases = spec.fuzz.cases ?? DEFAULT_FUZZ_CASES;
  const seed = spec.fuzz.seed;
  return {
    cases,
    properties,
    run: async (code, candidateSha256, kvs, kvsArn, snapshotDir) => runFuzz({
      functionFile: spec.functionFile, code, suite, cases, seed: seed ?? candidateSeed(candidateSha256),
      now: suite.now ?? new Date(Math.floor(Date.now() / 1000) * 1000), properties,
      revoked: await readStageRevokedInput(kvs, kvsArn, snapshotDir, spec.name),
    }),
  };
}
