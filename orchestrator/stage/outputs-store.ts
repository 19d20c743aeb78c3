import * as fs from 'node:fs';
import * as path from 'node:path';
import { noteIdentifierSource } from '../../diagnostics/operation-context';
import { UserError } from '../../diagnostics/user-error';
import { formatStageOutputs, parseStageOutputs, type StageOutputs } from './stage-outputs';
import { jsonSyntaxProblem } from '../../diagnostics/json-syntax';
import { makeFolder } from '../../host/make-folder';

/**
 * The outputs file shared by all stages ({ "<stage>": { "<output>": value } }, the form `cdktf output` writes),
 * read per stage and merged on write so one stage's apply never drops another's outputs.
 */
export class OutputsStore {
  /** `given`: the file was named by --outputs, so the fix does not suggest passing it. */
  constructor(readonly file: string, private readonly given = false) {}

  private readAll(): Record<string, Record<string, unknown>> {
    if (!fs.existsSync(this.file)) return {};
    const text = fs.readFileSync(this.file, 'utf8');
    try {
      return JSON.parse(text);
    } catch (e) {
      // Never silently start over: a later write would drop every other stage's outputs.
      throw new UserError(this.file, `not a readable outputs JSON file (${jsonSyntaxProblem(text, e)})`, `fix or delete it, then re-apply (\`cdktf output --outputs-file ${this.file}\`)`);
    }
  }

  /** The stage's outputs, or undefined when the stage has none recorded. */
  read(stage: string): StageOutputs | undefined {
    const all = this.readAll();
    if (!all[stage]) return undefined;
    const o = parseStageOutputs(all, stage, this.file);
    // So a "not found" from the API can name this file as the stale source of the id.
    for (const id of [o.functionId, o.functionArn, o.kvsArn]) noteIdentifierSource(id, this.file);
    return o;
  }

  /** The stage's outputs; a UserError naming the file when it or the stage's entry is missing. */
  require(stage: string): StageOutputs {
    if (!fs.existsSync(this.file)) {
      throw new UserError(this.file, 'outputs file not found',
        this.given ? `check the --outputs path, or write the file with \`cdktf output ${stage} --outputs-file ${this.file}\` after applying the stage`
          : `write it with \`cdktf output ${stage} --outputs-file ${this.file}\` after applying the stage, or pass --outputs <file>`);
    }
    const o = this.read(stage);
    if (!o) {
      throw new UserError(this.file, `no outputs for stage "${stage}"`, `write them with \`cdktf output ${stage} --outputs-file ${this.file}\``);
    }
    return o;
  }

  write(stage: string, o: StageOutputs): void {
    const all = this.readAll();
    all[stage] = formatStageOutputs(o);
    makeFolder(path.dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n');
    fs.renameSync(tmp, this.file);
  }
}
