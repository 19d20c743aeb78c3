/** `--name <number>` from the command line, or `fallback`; a value that is not a number stops the bench. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got ${JSON.stringify(process.argv[i + 1])}`);
  return v;
}
