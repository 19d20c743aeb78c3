export function buildConnectionObject(): void {}
export type ConnectionObjectOptions = object;
export type ConnectionObject = object;
