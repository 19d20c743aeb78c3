import { LIMITS } from '../limits';
import { ApiError } from '../wire/api-error';

interface Named { id: string; name: string }

/**
 * Checks the name of a resource about to be created: CloudFront's name pattern (shared by connection functions,
 * key value stores and trust stores), and not taken by another resource of the same kind.
 */
export function checkNewName(name: unknown, existing: Map<string, Named>, kind: string): string {
  if (typeof name !== 'string' || !LIMITS.namePattern.test(name)) {
    throw new ApiError('InvalidArgument', 400,
      `Name must be 1-64 characters from a-z, A-Z, 0-9, hyphen and underscore, got "${String(name ?? '')}".`);
  }
  for (const r of existing.values()) {
    if (r.name === name) throw new ApiError('EntityAlreadyExists', 409, `A ${kind} named ${name} already exists.`);
  }
  return name;
}

/** Finds a resource by ID or by name, as the `Identifier` parameters of Describe/Get operations accept both. */
export function findByIdOrName<T extends Named>(all: Map<string, T>, identifier: string): T | undefined {
  const byId = all.get(identifier);
  if (byId) return byId;
  for (const r of all.values()) if (r.name === identifier) return r;
  return undefined;
}
