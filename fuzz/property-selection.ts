import { UserError } from '../diagnostics/user-error';
import type { Suite } from '../runtime/suite';
import { BUILT_IN_PROPERTIES } from './fuzz-properties';

/**
 * The properties a run checks: every built-in one and every one the suite declares, or only `only`, less `skip`.
 * A name that is neither, or a declared property named like a built-in one, is bad input naming `where`.
 */
export function selectProperties(suite: Suite | undefined, choice: { only?: string[]; skip?: string[] }, where: { only: string; skip: string }): string[] {
  const declared = suite?.properties.map((p) => p.name) ?? [];
  const clash = declared.find((n) => (BUILT_IN_PROPERTIES as readonly string[]).includes(n));
  if (clash !== undefined && suite) {
    throw new UserError(`${suite.file}: property "${clash}"`, 'has the name of a built-in property', `rename it (built-in: ${BUILT_IN_PROPERTIES.join(', ')})`);
  }
  const known = [...BUILT_IN_PROPERTIES, ...declared];
  const check = (names: string[], at: string) => {
    for (const n of names) {
      if (!known.includes(n)) {
        throw new UserError(at, `unknown property "${n}"`, `use one of: ${known.join(', ')}${suite ? '' : ' (a suite next to the function can declare more)'}`);
      }
    }
  };
  if (choice.only) check(choice.only, where.only);
  if (choice.skip) check(choice.skip, where.skip);
  const selected = (choice.only ?? known).filter((n) => !(choice.skip ?? []).includes(n));
  if (selected.length === 0) throw new UserError(where.skip, 'switches off every property', 'keep at least one property');
  return selected;
}

/** "a,b , c" -> ["a", "b", "c"]. */
export function propertyList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
