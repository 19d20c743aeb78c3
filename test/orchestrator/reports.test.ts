import { summarize } from '../../orchestrator/suite/case-result';
import { junitXml } from '../../orchestrator/reports/junit-report';
import { judgeCase } from '../../orchestrator/suite/remote-suite';
import { readTestResult } from '../../orchestrator/suite/test-output';

describe('case judgement and reports', () => {
  const c = { name: 'canary <denied> & "quoted"', connection: {}, expect: { decision: 'deny' as const, logs: ['revoked'], maxComputeUtilization: 40 } };

  it('passes a case only when decision, logs and utilization all match', () => {
    const ok = judgeCase(c, readTestResult({ ConnectionFunctionOutput: '{"decision":"deny"}', ComputeUtilization: '10', ConnectionFunctionExecutionLogs: ['revoked serial 0b'] }), 3);
    expect(ok.passed).toBe(true);
    const slow = judgeCase(c, readTestResult({ ConnectionFunctionOutput: '{"decision":"deny"}', ComputeUtilization: '55', ConnectionFunctionExecutionLogs: ['revoked serial 0b'] }), 3);
    expect(slow.passed).toBe(false);
    expect(slow.message).toMatch(/compute utilization 55 over the maximum 40/);
    const noLog = judgeCase(c, readTestResult({ ConnectionFunctionOutput: '{"decision":"deny"}', ConnectionFunctionExecutionLogs: [] }), 3);
    expect(noLog.message).toMatch(/expected a log line containing "revoked"/);
    const wrong = judgeCase(c, readTestResult({ ConnectionFunctionOutput: '{"decision":"allow"}', ConnectionFunctionExecutionLogs: ['revoked'] }), 3);
    expect(wrong.message).toMatch(/expected deny, got allow/);
  });

  it('writes well-formed JUnit XML with escaped names and failures', () => {
    const results = [
      judgeCase(c, readTestResult({ ConnectionFunctionOutput: 'weird', ConnectionFunctionExecutionLogs: ['revoked'] }), 1),
      judgeCase({ ...c, name: 'ok', expect: { decision: 'deny' } }, readTestResult({ ConnectionFunctionOutput: '{"decision":"deny"}' }), 2),
    ];
    const xml = junitXml('conngate.dev', [summarize('DEVELOPMENT', results)]);
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain('name="canary &lt;denied&gt; &amp; &quot;quoted&quot;"');
    expect(xml).toContain('raw output: weird');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
  });
});
