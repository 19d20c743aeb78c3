import { createSpinner, type Spinner } from 'nanospinner';
import { currentCall, noteStep } from '../diagnostics/operation-context';

/**
 * Progress for long work: a spinner with live counts on a terminal, plain timestamped lines elsewhere (CI logs,
 * pipes), and nothing at all when quiet. Every pipeline step reports through this, never through console.log.
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

class TerminalProgress implements Progress {
  private spinner?: Spinner;
  private text = '';
  constructor(private readonly stream: NodeJS.WriteStream) {}
  start(text: string) {
    this.spinner?.stop();
    this.text = text;
    this.spinner = createSpinner(text, { stream: this.stream }).start();
  }
  update(text: string) {
    this.spinner?.update({ text: `${this.text} ${text}` });
  }
  done(text?: string) {
    this.spinner?.success({ text: text ?? this.text });
    this.spinner = undefined;
  }
  fail(text?: string) {
    this.spinner?.error({ text: text ?? this.text });
    this.spinner = undefined;
  }
  info(text: string) {
    if (this.spinner) this.spinner.clear();
    this.stream.write(text + '\n');
    if (this.spinner) this.spinner.render();
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
  return noting(stream.isTTY && !process.env.CI ? new TerminalProgress(stream) : new LineProgress(stream));
}

export const silentProgress = silent;
