import { currentCall, noteStep } from '../../diagnostics/operation-context';
import { usableTerminal } from './terminal';

/**
 * Progress for long work: a spinner with live counts on a usable terminal, plain timestamped lines elsewhere (CI
 * logs, pipes, TERM=dumb, NO_COLOR, a terminal of width 0, --no-progress), and nothing at all when quiet. Every
 * pipeline step reports through this, never through console.log.
 */
export interface Progress {
  /** Starts a step; `update` refines its text (e.g. case counts); `done`/`fail` close it. */
  start(text: string): void;
  update(text: string): void;
  done(text?: string): void;
  fail(text?: string): void;
  /** A standalone line (a warning, a notice, streamed tool output). */
  info(text: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 120;

/** Cuts `text` to `width` characters (code points), so a redrawn line never wraps and never needs a wrap count. */
function fit(text: string, width: number): string {
  const chars = Array.from(text.replace(/[\r\n\x1b]/g, ' '));
  return chars.length <= width ? chars.join('') : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * A one-line spinner. It redraws only its own line (carriage return, erase line), cut to the width it reads before
 * every frame, so it never counts wrapped lines (a count that divides by the width, which a pseudo-terminal can
 * report as 0). When the stream stops being a usable terminal mid-run (resized to 0, say) it ends the line and
 * carries on as plain lines.
 */
class TerminalProgress implements Progress {
  private timer?: NodeJS.Timeout;
  private base = '';
  private text = '';
  private frame = 0;
  private drawn = false;
  private fallback?: LineProgress;
  constructor(private readonly stream: NodeJS.WriteStream) {}
  private plain(): LineProgress | undefined {
    if (!this.fallback && !usableTerminal(this.stream)) {
      const running = this.timer !== undefined;
      this.stopTimer();
      if (this.drawn) this.stream.write('\n');
      this.drawn = false;
      this.fallback = new LineProgress(this.stream);
      // The step in progress carries on as a plain line, so its later updates and notices keep its name.
      if (running) this.fallback.start(this.base);
    }
    return this.fallback;
  }
  private stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
  private draw() {
    if (this.plain()) return;
    const width = this.stream.columns - 1;
    this.stream.write(`\r\x1b[2K\x1b[33m${FRAMES[this.frame]}\x1b[0m ${fit(this.text, width - 2)}`);
    this.drawn = true;
    this.frame = (this.frame + 1) % FRAMES.length;
  }
  private clearLine() {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
  private finish(mark: string, text: string) {
    this.stopTimer();
    const plain = this.plain();
    if (plain) return mark === 'ok' ? plain.done(text) : plain.fail(text);
    this.clearLine();
    const colored = mark === 'ok' ? '\x1b[32m✔\x1b[0m' : '\x1b[31m✖\x1b[0m';
    this.stream.write(`${colored} ${fit(text, this.stream.columns - 3)}\n`);
  }
  start(text: string) {
    this.stopTimer();
    const plain = this.plain();
    if (plain) return plain.start(text);
    this.base = text;
    this.text = text;
    this.draw();
    this.timer = setInterval(() => this.draw(), FRAME_MS);
    this.timer.unref();
  }
  update(text: string) {
    const plain = this.plain();
    if (plain) return plain.update(text);
    this.text = `${this.base} ${text}`;
  }
  done(text?: string) {
    this.finish('ok', text ?? this.base);
  }
  fail(text?: string) {
    this.finish('!!', text ?? this.base);
  }
  info(text: string) {
    const plain = this.plain();
    if (plain) return plain.info(text);
    const wasDrawn = this.drawn;
    this.clearLine();
    this.stream.write(text + '\n');
    if (wasDrawn && this.timer) this.draw();
  }
}

class LineProgress implements Progress {
  private text = '';
  private lastUpdate = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  private line(mark: string, text: string) {
    this.stream.write(`${new Date().toISOString().slice(11, 19)} ${mark} ${text}\n`);
  }
  start(text: string) {
    this.text = text;
    this.line('..', text);
  }
  update(text: string) {
    // Plain logs get at most one progress line every 2 s, so a 1,000-case suite does not flood CI output.
    const now = Date.now();
    if (now - this.lastUpdate < 2000) return;
    this.lastUpdate = now;
    this.line('..', `${this.text} ${text}`);
  }
  done(text?: string) {
    this.line('ok', text ?? this.text);
  }
  fail(text?: string) {
    this.line('!!', text ?? this.text);
  }
  info(text: string) {
    this.stream.write(text + '\n');
  }
}

const silent: Progress = { start() {}, update() {}, done() {}, fail() {}, info() {} };

/** How often a step that shows no progress of its own says what it is still waiting for. */
export const WAITING_NOTICE_MS = 15_000;

/**
 * Also records the running step, so a missed deadline or a timeout can say what the command was waiting for, and
 * while a step runs without news, says every WAITING_NOTICE_MS which call it waits for (so a slow endpoint never
 * looks like a hang).
 */
function noting(p: Progress): Progress {
  let timer: NodeJS.Timeout | undefined;
  let since = 0;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return {
    start(text) {
      stop();
      noteStep(text);
      since = Date.now();
      const started = since;
      timer = setInterval(() => {
        if (Date.now() - since < WAITING_NOTICE_MS - 500) return;
        const call = currentCall();
        p.update(`(still waiting${call ? ` for ${call}` : ''}, ${Math.round((Date.now() - started) / 1000)} s in)`);
      }, WAITING_NOTICE_MS);
      timer.unref();
      p.start(text);
    },
    update(text) { since = Date.now(); p.update(text); },
    done(text) { stop(); noteStep(undefined); p.done(text); },
    fail(text) { stop(); noteStep(undefined); p.fail(text); },
    info(text) { p.info(text); },
  };
}

export function createProgress(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  if (opts.quiet) return noting(silent);
  const stream = opts.stream ?? process.stderr;
  return noting(usableTerminal(stream) ? new TerminalProgress(stream) : new LineProgress(stream));
}

export const silentProgress = silent;
