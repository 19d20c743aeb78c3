/**
 * The one rule behind the folder order and the orchestrator's room order: a file may import files of its own layer
 * and of the layers before it in the list, never of one after it. `layerOf` names a file's layer (or throws when a
 * file is in none); imports it gives undefined for are outside the layers checked.
 */
export function backwardImports(graph: Record<string, string[]>, layers: readonly string[], layerOf: (file: string) => string | undefined): string[] {
  const wrong: string[] = [];
  for (const [file, deps] of Object.entries(graph)) {
    const from = layerOf(file);
    if (from === undefined) continue;
    for (const dep of deps) {
      const to = layerOf(dep);
      if (to !== undefined && layers.indexOf(to) > layers.indexOf(from)) wrong.push(`${file} -> ${dep}`);
    }
  }
  return wrong;
}
