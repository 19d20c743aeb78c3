import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkLogSource, openLogSource } from '../../orchestrator/replay/log-sources';

async function names(spec: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of openLogSource(spec)) out.push(path.relative(spec, f.name));
  return out;
}

describe('replay log sources: a folder of logs, read as logs and nothing else', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-log-sources-'));
    const logs = path.join(dir, 'logs');
    for (const f of ['2026/12/07/b.jsonl', '2026/12/06/a.jsonl.gz', 'top.jsonl', '.hidden.jsonl']) {
      fs.mkdirSync(path.dirname(path.join(logs, f)), { recursive: true });
      fs.writeFileSync(path.join(logs, f), '{}\n');
    }
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the logs folder\n');
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(logs, 'link.jsonl'));
    fs.symlinkSync(logs, path.join(logs, '2026', 'loop'));
    execFileSync('mkfifo', [path.join(logs, 'pipe.jsonl')]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists regular files in name order through date folders, and skips hidden files, symbolic links and pipes', async () => {
    expect(await names(path.join(dir, 'logs'))).toEqual(['2026/12/06/a.jsonl.gz', '2026/12/07/b.jsonl', 'top.jsonl']);
  });

  it('refuses, before reading, what is not a log file, folder or s3:// prefix', () => {
    expect(() => checkLogSource(path.join(dir, 'nope'))).toThrow(/nope: no such log file or folder \(fix: /);
    expect(() => checkLogSource(path.join(dir, 'logs', 'pipe.jsonl'))).toThrow(/is neither a regular file nor a folder/);
    expect(() => checkLogSource('s3://x/')).toThrow(/not an s3:\/\/bucket\/prefix URL/);
    expect(() => checkLogSource('s3://my-logs/cloudfront/')).not.toThrow();
  });
});
