/**
 * Whether a stream is a terminal conngate may draw on (a spinner that rewrites its line, colours), and the
 * environment that keeps child tools (cdktf, Terraform) from drawing where it may not. A pseudo-terminal can
 * report a width of 0 (`script`, `docker exec -t` before a resize, some CI runners and IDE terminals): anything
 * that divides by the width or wraps to it must not run there, so such a stream gets plain lines.
 */

/** Narrower than this, a one-line spinner cannot show its step, so plain lines are clearer. */
export const MIN_DRAWING_COLUMNS = 20;

interface TerminalChoice {
  progress: boolean;
  color: boolean;
}

/** Set once from the global --no-progress / --no-color flags before a command runs. */
const choice: TerminalChoice = { progress: true, color: true };

export function setTerminalChoice(opts: Partial<TerminalChoice>): void {
  if (opts.progress === false) choice.progress = false;
  if (opts.color === false) choice.color = false;
}

/** NO_COLOR (no-color.org): set to anything but the empty string. */
function noColorEnv(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

/** Why `stream` gets plain lines instead of a spinner, or undefined when it is a usable terminal right now. */
export function plainReason(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const s = stream as Partial<NodeJS.WriteStream>;
  if (!choice.progress) return '--no-progress';
  if (!choice.color) return '--no-color';
  if (!s.isTTY) return 'not a terminal';
  if (env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false') return 'CI';
  if (env.TERM === 'dumb') return 'TERM=dumb';
  if (noColorEnv(env)) return 'NO_COLOR';
  const cols = s.columns;
  if (typeof cols !== 'number' || !Number.isFinite(cols) || cols < MIN_DRAWING_COLUMNS) return `width ${cols ?? 'unknown'}`;
  return undefined;
}

export function usableTerminal(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return plainReason(stream, env) === undefined;
}

/** Whether colour codes may be written to `stream`. */
export function colorAllowed(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return usableTerminal(stream, env);
}

/**
 * Environment for a child tool whose output conngate relays or logs: when conngate's own stderr is not a usable
 * terminal, the child is told so too (CI, NO_COLOR, FORCE_COLOR=0), so its spinner and colour codes do not land in
 * logs. cdktf's telemetry check is always off: it prints an [ERROR] when offline and sends nothing conngate needs.
 */
export function childToolEnv(stream: NodeJS.WritableStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { CHECKPOINT_DISABLE: '1' };
  if (!usableTerminal(stream, env)) Object.assign(out, { CI: env.CI || '1', NO_COLOR: '1', FORCE_COLOR: '0', TERM: 'dumb' });
  return out;
}
