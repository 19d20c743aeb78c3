import { PassThrough } from 'node:stream';
import { noteWaitingFor, resetOperationContext, currentlyWaitingFor } from '../../diagnostics/operation-context';
import { createProgress, WAITING_NOTICE_MS } from '../../orchestrator/reports/progress';

/** A step that hears nothing says what it waits for, and a missed deadline can name the step and the call. */
describe('progress while waiting', () => {
  beforeEach(() => { jest.useFakeTimers(); resetOperationContext(); });
  afterEach(() => jest.useRealTimers());

  function capture() {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => { out += d.toString(); });
    return { stream, text: () => out };
  }

  it('says which call a silent step waits for, and stops when the step ends', () => {
    const { stream, text } = capture();
    const p = createProgress({ stream });
    p.start('dev: publishing abc to LIVE');
    noteWaitingFor('DescribeConnectionFunction at http://127.0.0.1:4566');
    expect(currentlyWaitingFor()).toBe('DescribeConnectionFunction at http://127.0.0.1:4566 (step: dev: publishing abc to LIVE)');
    jest.advanceTimersByTime(WAITING_NOTICE_MS + 10);
    expect(text()).toMatch(/dev: publishing abc to LIVE \(still waiting for DescribeConnectionFunction at http:\/\/127.0.0.1:4566, 15 s in\)/);
    p.done('dev: published');
    const before = text();
    jest.advanceTimersByTime(WAITING_NOTICE_MS * 3);
    expect(text()).toBe(before);
    expect(currentlyWaitingFor()).toBe('DescribeConnectionFunction at http://127.0.0.1:4566');
  });

  it('stays quiet while the step reports progress of its own', () => {
    const { stream, text } = capture();
    const p = createProgress({ stream });
    p.start('dev: testing DEVELOPMENT (40 cases)');
    for (let i = 1; i <= 8; i++) {
      jest.advanceTimersByTime(WAITING_NOTICE_MS / 4);
      p.update(`${i}/40`);
    }
    expect(text()).not.toMatch(/still waiting/);
    p.fail();
  });
});

/** The spinner on a terminal whose width drops to 0 mid-run (what made the old spinner loop for ever). */
describe('progress on a terminal that becomes unusable', () => {
  const saved = { CI: process.env.CI, NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
  beforeEach(() => {
    jest.useFakeTimers();
    delete process.env.CI;
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm-256color';
  });
  afterEach(() => {
    jest.useRealTimers();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  });

  it('draws one cut line while the width allows, then ends it and carries on as plain lines with bounded output', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 40 }) as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => { out += d.toString(); });
    const p = createProgress({ stream });
    p.start('dev: testing DEVELOPMENT with a step text far longer than forty columns');
    jest.advanceTimersByTime(1000);
    expect(out).toContain('\r\x1b[2K');
    for (const frame of out.split('\r\x1b[2K').filter(Boolean)) expect(frame.replace(/\x1b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(40);
    (stream as { columns: number }).columns = 0;
    jest.advanceTimersByTime(200);
    const atFallback = out.length;
    // Ten minutes on a 0-column terminal: no frames at all, only the plain "still waiting" line every 15 s.
    jest.advanceTimersByTime(600_000);
    p.update('3/6');
    p.done('dev: DEVELOPMENT: 6/6 cases passed');
    const after = out.slice(atFallback);
    expect(after).not.toContain('\x1b[');
    const lines = after.split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(600 / 15 + 2);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^(\d\d:\d\d:\d\d \.\. dev: testing .*still waiting, \d+ s in\))?$/);
    expect(after).toMatch(/^\d\d:\d\d:\d\d ok dev: DEVELOPMENT: 6\/6 cases passed\n$/m);
  });
});
