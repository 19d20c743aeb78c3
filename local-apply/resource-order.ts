/**
 * Orders resources so that each one comes after every resource it references (Kahn's algorithm). Among resources
 * that are ready at the same time the address order decides, so an apply is deterministic.
 */
export function orderByDependencies(dependencies: Map<string, Set<string>>): string[] {
  const remaining = new Map([...dependencies].map(([a, deps]) => [a, new Set([...deps].filter((d) => d !== a))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([a]) => a).sort();
    if (ready.length === 0) {
      throw new DependencyCycleError([...remaining.keys()].sort());
    }
    for (const a of ready) {
      order.push(a);
      remaining.delete(a);
      for (const deps of remaining.values()) deps.delete(a);
    }
  }
  return order;
}

/** The resources left when no further one can be ordered: a cycle and whatever depends on it. */
export class DependencyCycleError extends Error {
  constructor(readonly addresses: string[]) {
    super(`resources reference each other in a cycle (or depend on one): ${addresses.join(', ')}`);
    this.name = 'DependencyCycleError';
  }
}
