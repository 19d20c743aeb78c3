/** One attribute as cdktf's HCL renderer expects it from synthesizeHclAttributes. */
export interface HclAttribute {
  value: unknown;
  isBlock: boolean;
  type: 'simple' | 'list' | 'set' | 'map' | 'struct';
  storageClassType: string;
}

/** Drops attributes whose value is undefined, as the generated bindings do before cdktf renders HCL. */
export function definedHclAttributes(attrs: Record<string, HclAttribute | undefined>): Record<string, any> {
  return Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined && v.value !== undefined));
}
