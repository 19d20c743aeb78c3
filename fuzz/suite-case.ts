import { canonicalSerial } from '../revocation/canonical-serial';
import type { SuiteProperty } from '../runtime/suite';
import type { FuzzFinding } from './fuzz-types';

/**
 * The suite case of a finding, ready to paste into (or be saved to) the function's suite: the counterexample as an
 * inline connection, the run's frozen time, the store entry of the leaf's serial when the store held it, and the
 * decision the property asks for. For a run that threw, ran over a budget or decided two ways there is no decision
 * the property names: the case expects `deny` (fail closed), to be changed to the decision the fixed function makes.
 */
export function suiteCaseFor(f: Omit<FuzzFinding, 'suiteCase'>, ctx: { seed: number; now: Date; store: Map<string, string>; declared: SuiteProperty[] }): Record<string, unknown> {
  const leaf = (f.counterexample.clientCertificate as { certificates?: { leaf?: { serialNumber?: unknown } } } | undefined)?.certificates?.leaf;
  const serial = typeof leaf?.serialNumber === 'string' ? canonicalSerial(leaf.serialNumber) : undefined;
  const stored = serial !== undefined ? ctx.store.get(serial) : undefined;
  const declared = ctx.declared.find((p) => p.name === f.property);
  const decision = declared ? declared.expect : 'deny';
  return {
    name: `fuzz: ${f.property} (seed ${ctx.seed}, case ${f.caseIndex + 1})`,
    description: `found by conngate fuzz --seed ${ctx.seed}: ${f.reason}`.slice(0, 1000),
    connection: f.counterexample,
    now: ctx.now.toISOString(),
    ...(stored !== undefined ? { store: { [serial as string]: stored } } : {}),
    expect: { decision },
  };
}
