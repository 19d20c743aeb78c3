import { readTestResult } from '../../orchestrator/suite/test-output';

describe('reading TestConnectionFunction output (fail closed)', () => {
  it.each([
    ['{"decision":"allow"}', 'allow'],
    ['{"decision":"deny"}', 'deny'],
    ['{"connection":{"action":"ALLOW"}}', 'allow'],
    ['"deny"', 'deny'],
    ['deny', 'deny'],
    ['{"result":"denied"}', 'deny'],
  ])('reads %s as %s', (out, want) => {
    expect(readTestResult({ ConnectionFunctionOutput: out }).decision).toBe(want);
  });

  it.each([
    [''],
    ['{}'],
    ['{"decision":"maybe"}'],
    ['{"decision":"allow","status":"deny"}'],
    ['{"statusCode":200}'],
    ['garbage'],
  ])('refuses to guess from %j and keeps the raw output', (out) => {
    const r = readTestResult({ ConnectionFunctionOutput: out });
    expect(r.decision).toBe('unreadable');
    expect(r.rawOutput).toBe(out);
    expect(r.message).toMatch(/cannot read allow\/deny/);
  });

  it('reports an execution error as an error, whatever the output says', () => {
    const r = readTestResult({ ConnectionFunctionErrorMessage: 'TypeError: x is undefined', ConnectionFunctionOutput: '{"decision":"allow"}', ComputeUtilization: '12' });
    expect(r).toMatchObject({ decision: 'error', message: 'TypeError: x is undefined', computeUtilization: 12 });
  });

  it('treats a missing result as unreadable', () => {
    expect(readTestResult(undefined).decision).toBe('unreadable');
  });
});
