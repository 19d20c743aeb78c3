import * as fs from 'node:fs';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { UserError } from '../diagnostics/user-error';
import { readStackJson, stackFilePath } from '../stacks/synth-output';
import { summarizeStackJson } from '../stacks/synth-summary';
import { parseStageOutputs, type StageOutputs } from '../orchestrator/stage/stage-outputs';
import { fileStateStore, type LocalState, type LocalStateStore, type StateResource } from './local-state';
import type { ApplyAction, ApplyContext } from './resource-applier';
import { DESTROY_RANK, RESOURCE_APPLIERS } from './resource-appliers';
import { effectiveTags } from './resource-tags';
import { parseStackDocument, type StackDocument } from './stack-document';
import { synthesizeStacks } from './stack-synthesis';
import { resolveValue, type AttributeReference } from './terraform-references';

export interface LocalApplierOptions {
  cf: CloudFrontClient;
  kvs: CloudFrontKeyValueStoreClient;
  /** Where the synthesized stacks are (cdktf.out). */
  outdir: string;
  /** conngate's state folder (.conngate); the local state goes to `<stateDir>/local-state/<stage>.json` by default. */
  stateDir: string;
  /** Where the local state lives instead, e.g. the stage's S3 backend (s3-state-store.ts), so it outlives the folder. */
  stateStore?: LocalStateStore;
  progress?: (line: string) => void;
  /** The cdktf project folder, for re-synthesis. @default process.cwd() */
  cwd?: string;
  /**
   * When `apply` runs `cdktf synth` first: 'always' like `cdktf deploy` (a changed function or config is never
   * applied stale), or only 'when-association-changes' for callers that synthesized themselves just before.
   * @default 'always'
   */
  resynthesize?: 'always' | 'when-association-changes';
  /** Polling of status transitions. @default { intervalMs: 250, timeoutMs: 600000 } */
  wait?: { intervalMs: number; timeoutMs: number };
}

/** What one apply did, per resource address (also in progress output). */
export interface LocalApplyChange { address: string; action: ApplyAction | 'delete' }

/**
 * A stand-in for `terraform apply` against the CloudFront emulator (the hashicorp/aws provider cannot target it):
 * applies a stage's synthesized stack (`<outdir>/stacks/<stage>/cdk.tf.json`, from the real `cdktf synth`)
 * through the AWS SDK clients it is given, creating exactly what the stack declares and refusing anything it
 * does not support. Create-or-update like Terraform: a local state per stage records what was applied; a re-apply
 * changes only what differs, recreates what is gone and deletes what the stack no longer declares.
 * See docs/local-apply.md.
 */
export class LocalApplier {
  readonly kind = 'local apply (emulator)';
  /** The changes of the last `apply`, in order. */
  lastChanges: LocalApplyChange[] = [];
  private readonly progress: (line: string) => void;
  private readonly cwd: string;

  constructor(private readonly opts: LocalApplierOptions) {
    this.progress = opts.progress ?? (() => undefined);
    this.cwd = opts.cwd ?? process.cwd();
  }

  /** Runs the real `cdktf synth` into the outdir; `unassociated` stages leave the function association out. */
  async synthesize(stages: string[], opts: { unassociated: string[] }): Promise<void> {
    // Always into this applier's own project and outdir: a synthesis anywhere else would never be applied.
    await synthesizeStacks(stages, { unassociated: opts.unassociated, cwd: this.cwd, outdir: this.opts.outdir, progress: this.progress });
  }

  /**
   * Applies the stage's stack to the target and returns its outputs. When the synthesized stack's association
   * state differs from `associate`, the stacks are synthesized again first (with the first-deploy context).
   */
  async apply(stage: string, opts: { associate: boolean }): Promise<StageOutputs> {
    const file = stackFilePath(this.opts.outdir, stage);
    const associated = (stack: unknown) => summarizeStackJson(stage, stack).functionAssociated;
    // The stack on disk is read first only where it can spare a synthesis; 'always' synthesizes regardless.
    let raw = this.opts.resynthesize === 'when-association-changes' && fs.existsSync(file) ? readStackJson(file) : undefined;
    if (raw === undefined || associated(raw) !== opts.associate) {
      await this.synthesize([stage], { unassociated: opts.associate ? [] : [stage] });
      raw = readStackJson(file);
      if (associated(raw) !== opts.associate) {
        throw new UserError(file, `the stack ${opts.associate ? 'declares no' : 'still declares the'} connection-function association after synthesis`,
          'check that the stage stack honours CONNGATE_UNASSOCIATED_STAGES (stacks/first-deploy-context.ts)');
      }
    }
    const doc = parseStackDocument(raw, file, RESOURCE_APPLIERS);
    this.progress(`local apply of ${stage} to the emulator: ${doc.order.length} resources from ${file}`);
    const state = await this.applyDocument(stage, doc);
    const values = Object.fromEntries(Object.entries(doc.outputs).map(([name, v]) => [name, resolveValue(v, lookupIn(state, doc.file))]));
    return parseStageOutputs(values, stage, file);
  }

  /** Brings the target to `doc`: applies its resources in dependency order, then deletes what it no longer declares. */
  private async applyDocument(stage: string, doc: StackDocument): Promise<LocalState> {
    const store = this.opts.stateStore ?? fileStateStore(this.opts.stateDir);
    const stateFile = store.where;
    const state = await store.read(stage);
    state.stackFile = doc.file;
    const ctx: ApplyContext = {
      cf: this.opts.cf, kvs: this.opts.kvs, defaultTags: doc.defaultTags, progress: this.progress,
      wait: this.opts.wait ?? { intervalMs: 250, timeoutMs: 600_000 },
    };
    this.lastChanges = [];
    const record = (address: string, action: LocalApplyChange['action']) => {
      this.lastChanges.push({ address, action });
      this.progress(`   ${action === 'no-op' ? 'unchanged' : action.padEnd(9)} ${address}`);
    };

    for (const address of doc.order) {
      const decl = doc.resources.get(address)!;
      const applier = RESOURCE_APPLIERS.get(decl.type)!;
      const config = resolveValue(decl.config, lookupIn(state, doc.file)) as Record<string, unknown>;
      const prior = state.resources[address];
      const result = await step(doc.file, address, () => applier.apply(ctx, address, config, prior));
      const applied = 'tags' in applier.schema.block ? { ...config, tags_all: effectiveTags(ctx, config) } : config;
      state.resources[address] = { type: decl.type, attributes: result.attributes, applied };
      if (result.retired) state.retired.push({ ...result.retired, address });
      await store.write(state);
      record(address, result.action);
    }

    const removed: { address: string; resource: StateResource; retired: boolean }[] = [
      ...Object.entries(state.resources).filter(([a]) => !doc.resources.has(a)).map(([address, resource]) => ({ address, resource, retired: false })),
      ...state.retired.map((r) => ({ address: r.address, resource: r, retired: true })),
    ].sort((a, b) => (DESTROY_RANK[a.resource.type] ?? 0) - (DESTROY_RANK[b.resource.type] ?? 0));
    for (const { address, resource, retired } of removed) {
      const applier = RESOURCE_APPLIERS.get(resource.type);
      if (!applier) {
        throw new UserError(`${stateFile} ${address}`, `recorded resource type ${resource.type} is not supported`, 'delete the entry from the local state');
      }
      await step(doc.file, address, () => applier.destroy(ctx, address, resource));
      if (retired) state.retired = state.retired.filter((r) => r !== resource);
      else delete state.resources[address];
      await store.write(state);
      record(retired ? `${address} (replaced)` : address, 'delete');
    }
    return state;
  }
}

/** Reads `${type.name.attr}` from what was applied so far. */
function lookupIn(state: LocalState, file: string) {
  return (ref: AttributeReference): unknown => {
    const v = state.resources[ref.address]?.attributes[ref.attribute];
    if (v === undefined) {
      // Validation and ordering make this unreachable for a well-formed document; say so if it happens anyway.
      throw new UserError(file, `${ref.address}.${ref.attribute} has no value yet`, 'report this: the apply order did not put the referenced resource first');
    }
    return v;
  };
}

/** Runs one resource step and turns any failure into a one-line error naming the stack file and the resource. */
async function step<T>(file: string, address: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    const code = e.$metadata?.httpStatusCode ? `${e.name} (${e.$metadata.httpStatusCode}): ` : '';
    const message = `${code}${e.message}`;
    const fix = /published|LIVE function/i.test(message)
      ? 'publish the function first (conngate deploy does this on a first deploy), or apply without the association'
      : 'fix the cause and re-run: the local state records what was applied, so the apply resumes from there';
    throw new UserError(`${file} ${address}`, message, fix);
  }
}
