import * as fs from 'node:fs';
import { parseDocument } from 'yaml';
import { UserError } from '../diagnostics/user-error';
import { loadSuite } from '../runtime/suite';

/** Index of the `]` closing the top-level "cases" array of a JSON text, found by scanning (strings skipped). */
function casesArrayEnd(text: string): number | undefined {
  let depth = 0;
  let inCases = false;
  let casesDepth = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const key = text.slice(i + 1, j);
      i = j;
      if (depth === 1 && key === 'cases' && /^\s*:\s*\[/.test(text.slice(j + 1))) inCases = true;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (inCases && c === '[' && casesDepth < 0) casesDepth = depth;
    } else if (c === '}' || c === ']') {
      if (c === ']' && depth === casesDepth) return i;
      depth--;
    }
  }
  return undefined;
}

/**
 * Appends a case to a suite file, keeping the rest of the file as it was written (JSON: the case goes in on a line of
 * its own before the end of "cases"; YAML: through the yaml library's document, comments kept). The suite is loaded
 * again afterwards; if it no longer loads, the file is put back and the error is thrown.
 */
export function saveSuiteCase(file: string, suiteCase: Record<string, unknown>): void {
  const before = fs.readFileSync(file, 'utf8');
  const existing = loadSuite(file);
  if (existing.cases.some((c) => c.name === suiteCase.name)) {
    throw new UserError(`${file}: case "${String(suiteCase.name)}"`, 'is in the suite already', 'nothing to save: run `conngate test --local` to see it fail');
  }
  let after: string;
  if (/\.ya?ml$/i.test(file)) {
    const doc = parseDocument(before);
    doc.addIn(['cases'], doc.createNode(suiteCase));
    after = String(doc);
  } else {
    const end = casesArrayEnd(before);
    if (end === undefined) throw new UserError(file, 'has no "cases" array to add the case to', 'add "cases": [] to the suite');
    const head = before.slice(0, end).replace(/\s+$/, '');
    const empty = head.endsWith('[');
    after = `${head}${empty ? '' : ','}\n    ${JSON.stringify(suiteCase)}\n  ${before.slice(end)}`;
  }
  fs.writeFileSync(file, after);
  try {
    loadSuite(file);
  } catch (e) {
    fs.writeFileSync(file, before);
    throw e;
  }
}
