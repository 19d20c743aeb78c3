import { UserError } from '../../diagnostics/user-error';

/**
 * The Terraform outputs of one stage stack, as `cdktf output <stage> --outputs-file <file>` writes them
 * (`{ "<stage>": { "<output>": value } }`). The stage stack declares these names at stack scope.
 */
export interface StageOutputs {
  stage: string;
  candidateSha256: string;
  functionId: string;
  functionName: string;
  functionArn: string;
  functionEtag: string;
  kvsName: string;
  kvsArn: string;
  distributionId?: string;
  distributionDomain?: string;
  trustStoreId?: string;
  canarySerial?: string;
  /** false when the stack was applied without the connection-function association (first deploy). */
  functionAssociated: boolean;
}

/** Terraform output name for each field of StageOutputs. */
export const OUTPUT_NAMES = {
  stage: 'stage',
  candidateSha256: 'candidate_sha256',
  functionId: 'function_id',
  functionName: 'function_name',
  functionArn: 'function_arn',
  functionEtag: 'function_etag',
  kvsName: 'kvs_name',
  kvsArn: 'kvs_arn',
  distributionId: 'distribution_id',
  distributionDomain: 'distribution_domain',
  trustStoreId: 'trust_store_id',
  canarySerial: 'canary_serial',
  functionAssociated: 'function_associated',
} as const satisfies Record<keyof StageOutputs, string>;

const REQUIRED: (keyof StageOutputs)[] = ['candidateSha256', 'functionId', 'functionName', 'functionArn', 'kvsArn'];

/** A stage's outputs as Terraform names them (the inverse of parseStageOutputs for one stage). */
export function formatStageOutputs(o: StageOutputs): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [k, name] of Object.entries(OUTPUT_NAMES)) {
    const v = o[k as keyof StageOutputs];
    if (v !== undefined) raw[name] = v;
  }
  return raw;
}

/** Parses an outputs JSON document (already read) for one stage. */
export function parseStageOutputs(doc: unknown, stage: string, where: string): StageOutputs {
  if (!doc || typeof doc !== 'object') {
    throw new UserError(where, 'not a JSON object of Terraform outputs', `write it with \`cdktf output ${stage} --outputs-file ${where}\``);
  }
  const byStage = (doc as Record<string, unknown>)[stage];
  // Accept both the multi-stack form {stage: {...}} and a bare map of one stack's outputs.
  const raw = (byStage && typeof byStage === 'object' ? byStage : doc) as Record<string, unknown>;
  const get = (k: keyof StageOutputs): unknown => {
    const v = raw[OUTPUT_NAMES[k]];
    // `terraform output -json` wraps values as {value, type, sensitive}.
    return v && typeof v === 'object' && 'value' in (v as object) ? (v as { value: unknown }).value : v;
  };
  for (const k of REQUIRED) {
    if (typeof get(k) !== 'string' || !(get(k) as string)) {
      throw new UserError(where, `no output "${OUTPUT_NAMES[k]}" for stage "${stage}"`,
        `apply the ${stage} stack and write its outputs with \`cdktf output ${stage} --outputs-file ${where}\``);
    }
  }
  const str = (k: keyof StageOutputs): string | undefined => {
    const v = get(k);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const assoc = get('functionAssociated');
  return {
    stage: str('stage') ?? stage,
    candidateSha256: str('candidateSha256')!,
    functionId: str('functionId')!,
    functionName: str('functionName')!,
    functionArn: str('functionArn')!,
    functionEtag: str('functionEtag') ?? '',
    kvsName: str('kvsName') ?? '',
    kvsArn: str('kvsArn')!,
    distributionId: str('distributionId'),
    distributionDomain: str('distributionDomain'),
    trustStoreId: str('trustStoreId'),
    canarySerial: str('canarySerial'),
    functionAssociated: assoc === true || assoc === 'true',
  };
}
