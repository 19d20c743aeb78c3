import { UserError } from '../diagnostics/user-error';
import type { ResourceApplier } from './resource-applier';
import { orderByDependencies, DependencyCycleError } from './resource-order';
import { normalizeConfig, SchemaError } from './resource-schema';
import { providerValidationError } from './provider-validation';
import { collectReferences, UnsupportedExpressionError, type AttributeReference } from './terraform-references';

/** One `resource` entry of the stack, checked against its applier's schema; references still unresolved. */
export interface ResourceDeclaration {
  /** `<type>.<name>`, as Terraform addresses it. */
  address: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  /** Addresses this resource must come after (its references plus `depends_on`). */
  dependsOn: string[];
}

/** A synthesized stage stack, validated as a whole before anything is applied. */
export interface StackDocument {
  file: string;
  resources: Map<string, ResourceDeclaration>;
  /** Addresses in apply order (every resource after what it references). */
  order: string[];
  /** Output name to its (unresolved) value. */
  outputs: Record<string, unknown>;
  /** The aws provider's `default_tags`. */
  defaultTags: Record<string, string>;
}

/** Top-level blocks of a Terraform JSON document and what the local applier does with them. */
const TOP_LEVEL: Record<string, 'read' | 'ignored'> = {
  '//': 'ignored', terraform: 'ignored', provider: 'read', resource: 'read', output: 'read',
};
const REFUSED_META_ARGUMENTS = ['count', 'for_each', 'lifecycle', 'provisioner', 'connection', 'provider'];
const TERRAFORM_FIX = 'apply this stack with real Terraform (`cdktf deploy`), or keep the stage stack to what docs/local-apply.md lists';

/**
 * Validates a Terraform JSON document for the local applier: every block, resource type, argument and expression
 * must be one it supports (anything else is refused with a UserError naming the file, the resource and the fix,
 * before any change is made), every reference must name a declared resource and an attribute that resource
 * exports, and the resources must not reference each other in a cycle.
 */
export function parseStackDocument(doc: unknown, file: string, appliers: ReadonlyMap<string, ResourceApplier>): StackDocument {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UserError(file, 'not a Terraform JSON document (expected an object)', 'synthesize the stack again with `cdktf synth`');
  }
  const d = doc as Record<string, any>;
  for (const key of Object.keys(d)) {
    if (!(key in TOP_LEVEL)) {
      const what = key === 'data' ? `data sources (${Object.keys(d.data ?? {}).join(', ')}) are not supported by the local applier`
        : `top-level block "${key}" is not supported by the local applier`;
      throw new UserError(file, what, TERRAFORM_FIX);
    }
  }

  const resources = new Map<string, ResourceDeclaration>();
  const referencesOf = new Map<string, AttributeReference[]>();
  for (const [type, byName] of Object.entries((d.resource ?? {}) as Record<string, Record<string, unknown>>)) {
    const applier = appliers.get(type);
    for (const [name, raw] of Object.entries(byName ?? {})) {
      const address = `${type}.${name}`;
      const where = `${file} ${address}`;
      if (!applier) {
        throw new UserError(where, `resource type ${type} is not supported by the local applier (supported: ${[...appliers.keys()].sort().join(', ')})`, TERRAFORM_FIX);
      }
      const { depends_on: dependsOnRaw, ...args } = (raw ?? {}) as Record<string, unknown>;
      for (const meta of REFUSED_META_ARGUMENTS) {
        if (meta in args) throw new UserError(where, `meta-argument "${meta}" is not supported by the local applier`, TERRAFORM_FIX);
      }
      // The provider's own value checks come first: a stack the real provider rejects fails with its message.
      const rejected = providerValidationError(type, args);
      if (rejected) throw new UserError(where, `hashicorp/aws would reject this: ${rejected}`, 'change the value in the stage config or construct that produced it, then synthesize again');
      let config: Record<string, unknown>;
      let refs: AttributeReference[];
      try {
        config = normalizeConfig(applier.schema, args);
        refs = collectReferences(config);
      } catch (err) {
        if (err instanceof SchemaError || err instanceof UnsupportedExpressionError) throw new UserError(where, err.message, TERRAFORM_FIX);
        throw err;
      }
      const dependsOn = new Set(refs.map((r) => r.address));
      for (const dep of (Array.isArray(dependsOnRaw) ? dependsOnRaw : []) as unknown[]) {
        if (typeof dep !== 'string' || !/^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/.test(dep)) {
          throw new UserError(where, `depends_on entry ${JSON.stringify(dep)} is not a resource address`, TERRAFORM_FIX);
        }
        dependsOn.add(dep);
      }
      resources.set(address, { address, type, name, config, dependsOn: [...dependsOn] });
      referencesOf.set(address, refs);
    }
  }

  const checkRefs = (where: string, refs: AttributeReference[]) => {
    for (const r of refs) {
      const target = resources.get(r.address);
      if (!target) throw new UserError(where, `references ${r.address}, which the stack does not declare`, 'synthesize the stack again with `cdktf synth`');
      const exported = appliers.get(target.type)!.exports;
      if (!exported.includes(r.attribute)) {
        throw new UserError(where, `references attribute "${r.attribute}" of ${r.address}, which the local applier does not provide (it provides: ${exported.join(', ')})`, TERRAFORM_FIX);
      }
    }
  };
  for (const decl of resources.values()) {
    checkRefs(`${file} ${decl.address}`, referencesOf.get(decl.address) ?? []);
    for (const dep of decl.dependsOn) {
      if (!resources.has(dep)) throw new UserError(`${file} ${decl.address}`, `depends on ${dep}, which the stack does not declare`, 'synthesize the stack again with `cdktf synth`');
    }
  }

  const outputs: Record<string, unknown> = {};
  for (const [name, out] of Object.entries((d.output ?? {}) as Record<string, { value?: unknown }>)) {
    const where = `${file} output.${name}`;
    try {
      checkRefs(where, collectReferences(out?.value));
    } catch (err) {
      if (err instanceof UnsupportedExpressionError) throw new UserError(where, err.message, TERRAFORM_FIX);
      throw err;
    }
    outputs[name] = out?.value;
  }

  let order: string[];
  try {
    order = orderByDependencies(new Map([...resources.values()].map((r) => [r.address, new Set(r.dependsOn)])));
  } catch (err) {
    if (err instanceof DependencyCycleError) throw new UserError(file, err.message, 'break the cycle in the stack');
    throw err;
  }
  return { file, resources, order, outputs, defaultTags: defaultTagsOf(d.provider) };
}

/** The aws provider's `default_tags { tags = ... }`; the rest of the provider block has no meaning for the emulator. */
function defaultTagsOf(provider: unknown): Record<string, string> {
  const aws = (provider as Record<string, unknown> | undefined)?.aws;
  const first = (Array.isArray(aws) ? aws[0] : aws) as Record<string, unknown> | undefined;
  const dt = first?.default_tags;
  const block = (Array.isArray(dt) ? dt[0] : dt) as { tags?: Record<string, string> } | undefined;
  return { ...(block?.tags ?? {}) };
}
