import { runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY, useEmulatorProject } from '../support/emulator-project';

jest.setTimeout(300_000);

/** The evidence key as the CLI takes it: required, loud when opted out, and shown per stage by `status`. */
describe('conngate CLI: evidence keys and status', () => {
  const p = useEmulatorProject('conngate-cli-evidence');
  const cliWith = (env: Record<string, string>, ...args: string[]) =>
    runCli([...args, '--dir', p.dir, '--endpoint', p.emulator.endpoint], { env: { CONNGATE_EVIDENCE_KEY: '', ...env } });

  it('deploy without a key is bad input: one line, exit 2, nothing applied', async () => {
    const r = await cliWith({}, 'deploy', 'dev');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: evidence key: no key to sign evidence with \(fix: set CONNGATE_EVIDENCE_KEY .*--insecure-unsigned-evidence/)]);
    expect(p.outputs().read('dev')).toBeUndefined();
  });

  it('--insecure-unsigned-evidence says so loudly; a pipeline with a key refuses what it wrote', async () => {
    const r = await cliWith({}, 'deploy', 'dev', '--insecure-unsigned-evidence');
    expect(r.stderr).toMatch(/WARNING: --insecure-unsigned-evidence: evidence is NOT signed/);
    expect(r.code).toBe(0);
    const keyed = await cliWith({ CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY }, 'promote', 'dev', 'staging');
    expect(keyed.code).toBe(1);
    expect(keyed.stdout).toMatch(/staging: refused: .*the evidence is refused: it is not signed/);
  });

  it('status shows whether each stage\'s evidence verifies, and says when it has no key to check with', async () => {
    expect((await p.cli('deploy', 'dev')).code).toBe(0);
    const table = await cliWith({ CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY }, 'status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/dev .*verifies \(passed [0-9a-f]{12}, key hmac-[0-9a-f]{16}\)/);
    const json = JSON.parse((await cliWith({ CONNGATE_EVIDENCE_KEY: 'another-key-that-signed-nothing' }, 'status', '--json')).stdout) as { stages: { stage: string; verified: boolean; evidenceCheck: string }[] };
    expect(json.stages.find((s) => s.stage === 'dev')).toMatchObject({ verified: false, evidenceCheck: expect.stringMatching(/which this pipeline does not trust/) });
    const noKey = await cliWith({}, 'status');
    expect(noKey.code).toBe(0);
    expect(noKey.stdout).toMatch(/dev .*unchecked: no evidence key set/);
  });
});
