import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_DIR } from '../support/conngate-cli';

/**
 * The composite action and the example workflows, checked against GitHub Actions' structure: what the runner needs
 * to load them, every `with:` naming a declared input, required inputs given, no input spliced into a script, the
 * prod workflow behind an environment, and no run cancelled between publish and LIVE verification.
 */
const read = (f: string) => parse(fs.readFileSync(path.join(PROJECT_DIR, f), 'utf8'));
const action = read('action.yml');
const workflowDir = path.join(PROJECT_DIR, 'examples', 'github-workflows');
const workflows = fs.readdirSync(workflowDir).filter((f) => f.endsWith('.yml')).map((f) => ({ file: f, doc: read(path.join('examples', 'github-workflows', f)) }));
const EXPR = /\$\{\{\s*([^}]*?)\s*\}\}/g;

describe('action.yml', () => {
  it('is a composite action whose steps the runner can load', () => {
    expect(typeof action.name).toBe('string');
    expect(typeof action.description).toBe('string');
    expect(action.runs.using).toBe('composite');
    for (const step of action.runs.steps) {
      expect(Boolean(step.run) !== Boolean(step.uses)).toBe(true); // exactly one of run / uses
      if (step.run) expect(['bash', 'sh', 'pwsh', 'python']).toContain(step.shell); // composite run steps need a shell
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w.-]+$/);
    }
    for (const [name, input] of Object.entries<any>(action.inputs)) {
      expect(typeof input.description).toBe('string');
      if (!input.required) expect(input.default).toBeDefined();
      expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });

  it('refers only to inputs it declares and never splices an input into a script (script injection)', () => {
    const text = fs.readFileSync(path.join(PROJECT_DIR, 'action.yml'), 'utf8');
    for (const m of text.matchAll(EXPR)) {
      const ref = /inputs\.([\w-]+)/.exec(m[1]);
      if (ref) expect(Object.keys(action.inputs)).toContain(ref[1]);
    }
    for (const step of action.runs.steps) if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
    const outputRef = /steps\.([\w-]+)\.outputs/.exec(action.outputs['exit-code'].value)![1];
    expect(action.runs.steps.map((s: any) => s.id)).toContain(outputRef);
  });

  it('installs, runs deploy / verify / promote, writes the summary and uploads the reports even when conngate fails', () => {
    const steps = action.runs.steps;
    expect(steps.some((s: any) => s.uses?.startsWith('actions/setup-node@'))).toBe(true);
    expect(steps.some((s: any) => s.run?.trim() === 'npm ci')).toBe(true);
    const main = steps.find((s: any) => s.id === 'conngate').run;
    for (const c of ['deploy)', 'verify)', 'promote)']) expect(main).toContain(c);
    expect(steps.find((s: any) => s.name === 'Job summary')).toMatchObject({ if: 'always()' });
    expect(steps.find((s: any) => s.uses?.startsWith('actions/upload-artifact@'))).toMatchObject({ if: 'always()' });
  });
});

describe('example workflows', () => {
  it('there are the dev, staging and prod workflows', () => {
    expect(workflows.map((w) => w.file).sort()).toEqual(['conngate-dev.yml', 'conngate-prod.yml', 'conngate-staging.yml']);
  });

  it.each(workflows.map((w) => [w.file, w.doc]))('%s is a loadable workflow using the action with declared, complete inputs', (_f, doc: any) => {
    expect(typeof doc.name).toBe('string');
    expect(doc.on).toBeDefined();
    expect(doc.permissions).toBeDefined(); // least privilege, never the default token scope
    expect(doc.concurrency?.['cancel-in-progress']).toBe(false);
    for (const [id, job] of Object.entries<any>(doc.jobs)) {
      expect(id).toMatch(/^[A-Za-z_][\w-]*$/);
      expect(job['runs-on']).toBeDefined();
      expect(job['timeout-minutes']).toBeGreaterThan(0);
      if (job.needs) for (const n of [job.needs].flat()) expect(Object.keys(doc.jobs)).toContain(n);
      for (const step of job.steps) {
        expect(Boolean(step.run) !== Boolean(step.uses)).toBe(true);
        if (!step.uses?.startsWith('conngate/conngate@')) continue;
        const given = Object.keys(step.with ?? {});
        for (const k of given) expect(Object.keys(action.inputs)).toContain(k);
        for (const [k, input] of Object.entries<any>(action.inputs)) if (input.required) expect(given).toContain(k);
        expect(['deploy', 'verify', 'promote']).toContain(step.with.command);
        if (step.with.command === 'promote') expect(step.with.from).toBeTruthy();
        expect(step.with['evidence-key']).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }
    }
  });

  it('dev deploys on push, staging promotes from dev on merge to main, prod promotes from staging through a reviewed environment', () => {
    const by = Object.fromEntries(workflows.map((w) => [w.file, w.doc]));
    const conngateSteps = (doc: any) => Object.values<any>(doc.jobs).flatMap((j) => j.steps).filter((s) => s.uses?.startsWith('conngate/conngate@')).map((s) => s.with);
    expect(by['conngate-dev.yml'].on.push).toBeDefined();
    expect(conngateSteps(by['conngate-dev.yml'])).toEqual([expect.objectContaining({ command: 'deploy', stage: 'dev' })]);
    expect(by['conngate-staging.yml'].on.push.branches).toEqual(['main']);
    expect(conngateSteps(by['conngate-staging.yml'])).toContainEqual(expect.objectContaining({ command: 'promote', from: 'dev', stage: 'staging' }));
    const prod = by['conngate-prod.yml'];
    expect(prod.on.push).toBeUndefined();
    expect(prod.on.workflow_dispatch).toBeDefined();
    expect(Object.values<any>(prod.jobs).every((j) => j.environment === 'production')).toBe(true);
    expect(conngateSteps(prod)).toEqual([expect.objectContaining({ command: 'promote', from: 'staging', stage: 'prod' })]);
  });
});
