import { PassThrough } from 'node:stream';
import { noteWaitingFor, resetOperationContext, currentlyWaitingFor } from '../../diagnostics/operation-context';
import { createProgress, WAITING_NOTICE_MS } from '../../orchestrator/progress';

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
