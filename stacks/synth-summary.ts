import { readStackJson, stackFilePath } from './synth-output';

/** What one synthesized stage declares, read back from its cdk.tf.json. */
export interface StageSynthSummary {
  /** Stage (stack) name. */
  stage: string;
  /** Resource count per Terraform type, types sorted by name. */
  resources: Record<string, number>;
  /** Total number of resources. */
  resourceCount: number;
  /** Connection function name, when the stage declares one. */
  functionName?: string;
  /** Candidate SHA-256 (the `candidate_sha256` output). */
  candidateSha256?: string;
  /** Where the state lives: type plus a one-line description. */
  backend: { type: 'local' | 's3' | 'cloud' | string; description: string };
  /** Whether the distribution declares the connection-function association. */
  functionAssociated: boolean;
  /** The `required_providers` constraint for aws. */
  awsProviderConstraint?: string;
}

type Json = Record<string, any>;

/** Summarizes a parsed cdk.tf.json document (pure; no file access). */
export function summarizeStackJson(stage: string, doc: unknown): StageSynthSummary {
  const d = (doc && typeof doc === 'object' ? doc : {}) as Json;
  const resourceBlocks = (d.resource ?? {}) as Record<string, Record<string, Json>>;
  const resources: Record<string, number> = {};
  let resourceCount = 0;
  for (const type of Object.keys(resourceBlocks).sort()) {
    const n = Object.keys(resourceBlocks[type] ?? {}).length;
    resources[type] = n;
    resourceCount += n;
  }
  const outputs = (d.output ?? {}) as Record<string, { value?: unknown }>;
  const outputString = (name: string): string | undefined => {
    const v = outputs[name]?.value;
    return typeof v === 'string' ? v : undefined;
  };
  const fn = firstOf(resourceBlocks.aws_cloudfront_connection_function);
  const distributions = Object.values(resourceBlocks.aws_cloudfront_distribution ?? {});
  const functionAssociated = distributions.some((r) => r.connection_function_association !== undefined);

  return {
    stage,
    resources,
    resourceCount,
    functionName: outputString('function_name') ?? (typeof fn?.name === 'string' ? fn.name : undefined),
    candidateSha256: outputString('candidate_sha256'),
    backend: describeBackend(d.terraform ?? {}),
    functionAssociated,
    awsProviderConstraint: d.terraform?.required_providers?.aws?.version,
  };
}

/** Reads and summarizes `<outdir>/stacks/<stage>/cdk.tf.json`. */
export function readSynthSummary(outdir: string, stage: string): StageSynthSummary {
  return summarizeStackJson(stage, readStackJson(stackFilePath(outdir, stage)));
}

/** Human-readable lines for one stage's summary. */
export function formatSynthSummary(s: StageSynthSummary): string {
  const lines = [
    `stage ${s.stage}: ${s.resourceCount} resources`,
    ...Object.entries(s.resources).map(([type, n]) => `  ${String(n).padStart(3)} ${type}`),
    `  function     ${s.functionName ?? '-'}`,
    `  candidate    ${s.candidateSha256 ?? '-'}`,
    `  association  ${s.functionAssociated ? 'on' : 'off (first deploy: publish, then apply again with it)'}`,
    `  backend      ${s.backend.type}: ${s.backend.description}`,
    `  aws provider ${s.awsProviderConstraint ?? '-'}`,
  ];
  return lines.join('\n');
}

function firstOf(block: Record<string, Json> | undefined): Json | undefined {
  return block ? Object.values(block)[0] : undefined;
}

function describeBackend(terraform: Json): StageSynthSummary['backend'] {
  if (terraform.cloud) {
    const c = terraform.cloud as Json;
    const ws = c.workspaces?.name ?? (Array.isArray(c.workspaces?.tags) ? `tags ${c.workspaces.tags.join(',')}` : '?');
    return { type: 'cloud', description: `${c.hostname ?? 'app.terraform.io'} organization ${c.organization} workspace ${ws}` };
  }
  const backend = (terraform.backend ?? {}) as Record<string, Json>;
  const [type, cfg] = Object.entries(backend)[0] ?? ['local', {}];
  switch (type) {
    case 'local':
      return { type, description: cfg.path ?? 'terraform.tfstate' };
    case 's3':
      return { type, description: `s3://${cfg.bucket}/${cfg.key} (${cfg.region ?? 'default region'}${cfg.use_lockfile ? ', lockfile' : ''})` };
    default:
      return { type, description: JSON.stringify(cfg) };
  }
}
