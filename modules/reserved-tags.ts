/**
 * Tag keys with this prefix on a connection function belong to the orchestrator (its evidence). The stacks tell
 * the aws provider to ignore them, and refuse user tags that use it.
 */
export const RESERVED_TAG_PREFIX = 'conngate:';
