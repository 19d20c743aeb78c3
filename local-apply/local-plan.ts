import { sameValue } from './resource-applier';
import { RESOURCE_APPLIERS } from './resource-appliers';
import { effectiveTags } from './resource-tags';
import type { LocalState } from './local-state';
import type { StackDocument } from './stack-document';
import { resolveValue, type AttributeReference } from './terraform-references';

/** What an apply of the document would do to one resource. */
export interface PlannedChange { address: string; action: 'create' | 'update' | 'delete' }

class Unknown extends Error {}

/**
 * What the stand-in would change, from its state alone (no API call): resources the state lacks are created, those
 * whose arguments differ from the ones last applied are updated, and those the document no longer declares (or a
 * replacement retired) are deleted. A resource changed behind the state's back (drift) shows only at apply time,
 * as with `terraform plan -refresh=false`.
 */
export function planDocument(doc: StackDocument, state: LocalState): PlannedChange[] {
  const changes: PlannedChange[] = [];
  const lookup = (ref: AttributeReference): unknown => {
    const v = state.resources[ref.address]?.attributes[ref.attribute];
    if (v === undefined) throw new Unknown();
    return v;
  };
  for (const address of doc.order) {
    const decl = doc.resources.get(address)!;
    const prior = state.resources[address];
    if (!prior) { changes.push({ address, action: 'create' }); continue; }
    let config: Record<string, unknown>;
    try {
      config = resolveValue(decl.config, lookup) as Record<string, unknown>;
    } catch (e) {
      // It references something only an apply will know (a resource about to be created): it changes too.
      if (e instanceof Unknown) { changes.push({ address, action: 'update' }); continue; }
      throw e;
    }
    const applier = RESOURCE_APPLIERS.get(decl.type)!;
    const applied = 'tags' in applier.schema.block ? { ...config, tags_all: effectiveTags({ defaultTags: doc.defaultTags } as Parameters<typeof effectiveTags>[0], config) } : config;
    if (!sameValue(applied, prior.applied)) changes.push({ address, action: 'update' });
  }
  for (const address of Object.keys(state.resources)) if (!doc.resources.has(address)) changes.push({ address, action: 'delete' });
  for (const r of state.retired) changes.push({ address: `${r.address} (replaced)`, action: 'delete' });
  return changes;
}
