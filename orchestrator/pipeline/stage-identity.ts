import { DescribeConnectionFunctionCommand, GetDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { stageDistributionComment } from '../../stacks/stage-config';
import { arnAccount } from '../signing/evidence-signing';
import { isNotFound } from '../stage/function-stages';
import type { StageOutputs } from '../stage/stage-outputs';
import type { StageSpec } from '../stage/stage-spec';
import { findStoreArn } from '../records/stage-store';
import { StepError } from '../stage/step-error';

/** What CloudFront itself says the stage's resources are, read through the stage's own clients by their declared names. */
export interface StageIdentity {
  functionId: string;
  functionArn: string;
  functionName: string;
  account: string;
  storeArn: string;
}

/**
 * Inputs select, CloudFront decides. Outputs files, HCP workspace outputs, run-task payloads and Terraform state only
 * say which resources a run should act on; anyone who can write them (or apply another workspace) could name another
 * stage's function, and a run would then test it with this stage's suite and publish it to that stage's LIVE. So
 * before any test, publish, tag or store write, the run asks CloudFront, through the stage's own credentials, for
 * the function by the name the stage's stack declares and the store by its declared name, and refuses unless the
 * outputs name exactly those: the same function id and ARN (so the same account), the stage's store, associated
 * with the function, and a distribution that is the stage's, validating with the trust store they name. Costs three
 * reads (two without a distribution).
 */
export async function confirmStageIdentity(cf: CloudFrontClient, spec: StageSpec, outputs: StageOutputs, source: string): Promise<StageIdentity> {
  const where = `${spec.name}: identity`;
  const refuse = (what: string): never => {
    throw new StepError(where, `refused: ${source} names ${what}; nothing was tested, published or written`,
      `use the outputs of the ${spec.name} stack (\`cdktf output ${spec.name} --outputs-file <file>\`), or fix the stage config if the stage really moved`, 2);
  };
  const named = `function ${outputs.functionName} (${outputs.functionId}, ${outputs.functionArn})`;
  let actual;
  try {
    actual = (await cf.send(new DescribeConnectionFunctionCommand({ Identifier: spec.functionName, Stage: 'DEVELOPMENT' }))).ConnectionFunctionSummary;
  } catch (e) {
    if (isNotFound(e)) refuse(`${named}, but the ${spec.name} stage's function ${spec.functionName} does not exist in the account its credentials reach`);
    throw e;
  }
  if (!actual) throw new StepError(where, `DescribeConnectionFunction for ${spec.functionName} returned no summary`);
  const id = { functionId: actual.Id ?? '', functionArn: actual.ConnectionFunctionArn ?? '', functionName: actual.Name ?? spec.functionName };
  if (outputs.functionId !== id.functionId || outputs.functionArn !== id.functionArn || outputs.functionName !== spec.functionName) {
    refuse(`${named}, but the ${spec.name} stage's function is ${id.functionName} (${id.functionId}, ${id.functionArn})`);
  }
  const storeArn = await findStoreArn(cf, spec.storeName);
  if (!storeArn) refuse(`store ${outputs.kvsArn}, but the ${spec.name} stage's KeyValueStore ${spec.storeName ?? '-'} does not exist`);
  if (outputs.kvsArn !== storeArn) refuse(`store ${outputs.kvsArn}, but the ${spec.name} stage's KeyValueStore ${spec.storeName} is ${storeArn}`);
  const associated = (actual.ConnectionFunctionConfig?.KeyValueStoreAssociations?.Items ?? []).map((a) => a.KeyValueStoreARN);
  if (!associated.includes(storeArn!)) {
    refuse(`function ${id.functionId}, whose KeyValueStore is ${associated.join(', ') || 'none'}, not the ${spec.name} stage's store ${storeArn}`);
  }
  const dist = outputs.distributionId;
  const wrongDistribution = dist ? await notStageDistribution(cf, spec, dist, id.functionId, outputs.trustStoreId) : undefined;
  if (wrongDistribution) refuse(wrongDistribution);
  // The stack outputs a trust store only with its distribution.
  if (!dist && outputs.trustStoreId && !spec.externalDistribution) refuse(`trust store ${outputs.trustStoreId} but no distribution, which the ${spec.name} stack never outputs`);
  return { ...id, account: arnAccount(id.functionArn), storeArn: storeArn! };
}

/**
 * Why `dist` is not the stage's distribution (what the refusal names), or undefined when CloudFront says it is: the
 * one the stage config names when someone else manages it, else the one with the stage's comment, running the
 * stage's function when `functionId` is known, and validating with `trustStoreId` when one is named (the
 * association waits for that trust store to be active: it must be the one this distribution validates with).
 */
export async function notStageDistribution(cf: CloudFrontClient, spec: StageSpec, dist: string, functionId?: string, trustStoreId?: string): Promise<string | undefined> {
  if (spec.externalDistribution) {
    return spec.externalDistribution.id && dist !== spec.externalDistribution.id
      ? `distribution ${dist}, but the ${spec.name} stage config names ${spec.externalDistribution.id}` : undefined;
  }
  let config;
  try {
    config = (await cf.send(new GetDistributionCommand({ Id: dist }))).Distribution?.DistributionConfig;
  } catch (e) {
    if (isNotFound(e)) return `distribution ${dist}, which does not exist in the account the ${spec.name} stage's credentials reach`;
    throw e;
  }
  const expected = stageDistributionComment(spec.name);
  const runs = config?.ConnectionFunctionAssociation?.Id;
  if (config?.Comment !== expected) return `distribution ${dist} ("${config?.Comment ?? ''}"), which is not the ${spec.name} stage's ("${expected}")`;
  if (functionId !== undefined && runs && runs !== functionId) return `distribution ${dist}, which runs function ${runs}, not the ${spec.name} stage's ${functionId}`;
  const validates = config?.ViewerMtlsConfig?.TrustStoreConfig?.TrustStoreId;
  if (trustStoreId && trustStoreId !== validates) {
    return `trust store ${trustStoreId}, but the ${spec.name} stage's distribution ${dist} validates with ${validates ?? 'no trust store'}`;
  }
  return undefined;
}

/**
 * For an explicit store of the operator's own choice (`revocations sync --kvs-arn`): nothing to confirm, but a store
 * taken from outputs must be the stage's, by its declared name.
 */
export async function confirmStageStore(cf: CloudFrontClient, spec: Pick<StageSpec, 'name' | 'storeName'>, kvsArn: string, source: string): Promise<void> {
  const storeArn = await findStoreArn(cf, spec.storeName);
  if (storeArn !== kvsArn) {
    throw new StepError(`${spec.name}: identity`,
      `refused: ${source} names store ${kvsArn}, but the ${spec.name} stage's KeyValueStore ${spec.storeName} is ${storeArn ?? 'not there'}; nothing was written`,
      `use the outputs of the ${spec.name} stack, or name a store of your own choice with --kvs-arn`, 2);
  }
}
