import * as acorn from 'acorn';
import { UserError } from '../diagnostics/user-error';
import { MAX_CODE_BYTES } from './limits';

/** Identifiers with this prefix are reserved for the runtime's own parameters inside the compiled wrapper. */
const RESERVED_PREFIX = '__cg$';
/** Name of the wrapper parameter that receives the loop/function-entry deadline guard. */
const GUARD_NAME = `${RESERVED_PREFIX}guard`;
const DEFAULT_CF_NAME = `${RESERVED_PREFIX}cf`;

/** The result of checking and rewriting a connection function's source for the sandbox. */
export interface TransformedSource {
  /** A function expression `(function (<cf>, __cg$guard) { ... return connectionHandler })` for vm.Script. */
  wrapperSource: string;
  /** Size of the original code in UTF-8 bytes. */
  sizeBytes: number;
}

type AnyNode = acorn.Node & Record<string, unknown>;

interface Edit {
  pos: number;
  /** Number of original characters replaced (0 = pure insertion). */
  remove: number;
  text: string;
  /** A closing insertion: at one position, inner constructs must close before outer ones. */
  close?: boolean;
}

function fail(where: string, node: acorn.Node | undefined, code: string, what: string, fix: string): never {
  const loc = node ? acorn.getLineInfo(code, node.start) : undefined;
  throw new UserError(loc ? `${where}:${loc.line}:${loc.column + 1}` : where, what, fix);
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** Children of a node, in source order as acorn stores them. */
function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'range') continue;
    const v = node[key];
    if (Array.isArray(v)) for (const item of v) { if (isNode(item)) out.push(item); }
    else if (isNode(v)) out.push(v);
  }
  return out;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/**
 * Checks a connection function's source the way cloudfront-js-2.0 would refuse it (size, syntax, `export`, imports
 * other than `import cf from 'cloudfront'`), then rewrites it into a wrapper function for the sandbox:
 * the import becomes the wrapper's first parameter (hoisted like an import binding) and every loop body and
 * function body starts with a deadline guard call, so a runaway function is stopped without a per-call vm timeout.
 * Throws UserError naming the file, line and column, and the fix.
 */
export function transformSource(code: string, where = 'function code'): TransformedSource {
  const sizeBytes = Buffer.byteLength(code, 'utf8');
  if (sizeBytes > MAX_CODE_BYTES) {
    fail(where, undefined, code, `connection function code is ${sizeBytes} bytes, over CloudFront's 10 KB limit (over the ${MAX_CODE_BYTES}-byte maximum)`,
      `shrink the function (move data into the KeyValueStore, drop comments or minify) below ${MAX_CODE_BYTES} bytes`);
  }
  // In a Script (what V8 compiles) `<!--` and `-->` start line comments; in a Module (what is checked) they are
  // operators. Code hidden that way would run unchecked, so the one lexical difference is refused outright.
  const html = /<!--|-->/.exec(code);
  if (html) {
    fail(where, { start: html.index } as acorn.Node, code, `\`${html[0]}\` (an HTML-like comment) is not allowed in connection function code`,
      `remove it; inside a string write it as '${html[0].slice(0, 2)}' + '${html[0].slice(2)}', and write a decrement followed by > with a space: x-- >`);
  }
  let program: acorn.Program;
  try {
    program = acorn.parse(code, { ecmaVersion: 2022, sourceType: 'module', locations: false, allowHashBang: false });
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number; column: number } };
    const at = e.loc ? `${where}:${e.loc.line}:${e.loc.column + 1}` : where;
    const msg = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    throw new UserError(at, `connection function code does not parse as JavaScript: ${msg}`,
      e.loc ? `correct the syntax at line ${e.loc.line}, column ${e.loc.column + 1}` : 'correct the syntax');
  }

  const edits: Edit[] = [];
  let cfName = DEFAULT_CF_NAME;
  let hasHandler = false;

  for (const stmt of program.body as AnyNode[]) {
    if (stmt.type === 'ImportDeclaration') {
      const source = (stmt.source as AnyNode).value;
      const specs = stmt.specifiers as AnyNode[];
      if (source !== 'cloudfront' || specs.length !== 1 || specs[0].type !== 'ImportDefaultSpecifier') {
        fail(where, stmt, code, `unsupported import: cloudfront-js-2.0 only allows \`import cf from 'cloudfront'\``,
          `remove the import (use require('crypto') or require('querystring') for those modules)`);
      }
      if (cfName !== DEFAULT_CF_NAME) fail(where, stmt, code, `'cloudfront' is imported twice`, 'keep one import');
      cfName = (specs[0].local as AnyNode).name as string;
      edits.push({ pos: stmt.start, remove: stmt.end - stmt.start, text: '' });
    } else if (stmt.type.startsWith('Export')) {
      throw new UserError(`${where}:${acorn.getLineInfo(code, stmt.start).line}`,
        'connection function code has an `export` statement: export statements are a syntax error in cloudfront-js-2.0',
        'remove `export`; CloudFront calls the top-level `function connectionHandler(connection)` directly');
    } else if (stmt.type === 'FunctionDeclaration' && (stmt.id as AnyNode | null)?.name === 'connectionHandler') {
      // CloudFront documents the entry point as a global function declaration (async allowed), nothing else.
      hasHandler = true;
    }
  }
  if (!hasHandler) {
    fail(where, undefined, code, 'connection function code has no top-level `connectionHandler` function',
      'declare `function connectionHandler(connection) { ... }` (or `async function`) at the top level of the file');
  }

  const visit = (node: AnyNode, fnDepth: number): void => {
    switch (node.type) {
      case 'Identifier':
        if ((node.name as string).startsWith(RESERVED_PREFIX)) {
          fail(where, node, code, `identifier ${String(node.name)} uses the prefix ${RESERVED_PREFIX} reserved by the runtime`, 'rename it');
        }
        break;
      case 'ImportExpression':
        fail(where, node, code, 'dynamic import() is not available in cloudfront-js-2.0', 'remove it');
        break;
      case 'MetaProperty':
        if ((node.meta as AnyNode).name === 'import') fail(where, node, code, 'import.meta is not available in cloudfront-js-2.0', 'remove it');
        break;
      case 'AwaitExpression':
      case 'ForOfStatement':
        if (fnDepth === 0 && (node.type === 'AwaitExpression' || node.await === true)) {
          fail(where, node, code, 'top-level await is not supported', 'move the await into the (async) connectionHandler');
        }
        break;
      default:
        break;
    }
    if (LOOPS.has(node.type)) {
      const body = node.body as AnyNode;
      if (body.type === 'BlockStatement') edits.push({ pos: body.start + 1, remove: 0, text: `${GUARD_NAME}();` });
      else {
        edits.push({ pos: body.start, remove: 0, text: `{${GUARD_NAME}();` });
        edits.push({ pos: body.end, remove: 0, text: '}', close: true });
      }
    }
    const isFn = FUNCTIONS.has(node.type);
    if (isFn) {
      const body = node.body as AnyNode;
      if (body.type === 'BlockStatement') edits.push({ pos: body.start + 1, remove: 0, text: `${GUARD_NAME}();` });
      else {
        edits.push({ pos: body.start, remove: 0, text: `(${GUARD_NAME}(),` });
        edits.push({ pos: body.end, remove: 0, text: ')', close: true });
      }
    }
    for (const child of children(node)) visit(child, isFn ? fnDepth + 1 : fnDepth);
  };
  visit(program as unknown as AnyNode, 0);

  // Output order at one position: closings first, innermost (pushed later) first; then openings, outermost first.
  const outputOrder = edits.map((e, i) => ({ ...e, i })).sort((a, b) => {
    if (a.pos !== b.pos) return a.pos - b.pos;
    if (!!a.close !== !!b.close) return a.close ? -1 : 1;
    return a.close ? b.i - a.i : a.i - b.i;
  });
  // Apply from the end so earlier positions stay valid (an insertion lands before text inserted there earlier).
  let out = code;
  for (let k = outputOrder.length - 1; k >= 0; k--) {
    const e = outputOrder[k];
    out = out.slice(0, e.pos) + e.text + out.slice(e.pos + e.remove);
  }

  // Header and body share line 1 so error positions keep their line numbers.
  const wrapperSource = `(function (${cfName}, ${GUARD_NAME}) { "use strict"; ${out}\n;return typeof connectionHandler === "function" ? connectionHandler : undefined;\n})`;
  verifyWrapper(wrapperSource, cfName, code.length, where);
  return { wrapperSource, sizeBytes };
}

/**
 * Parses the generated wrapper with the grammar V8 will use (a strict Script) and proves it is exactly one
 * function expression with the runtime's two parameters, no HTML-like comment, and a body that closes where the
 * runtime put its closing brace. Any difference between what was checked and what would run stops here.
 */
function verifyWrapper(wrapperSource: string, cfName: string, codeLength: number, where: string): void {
  const refuse = (why: string): never => {
    throw new UserError(where, `connection function code cannot be compiled safely (${why})`, 'simplify the code around loops and functions');
  };
  let program: acorn.Program;
  try {
    program = acorn.parse(wrapperSource, {
      ecmaVersion: 2022, sourceType: 'script', allowHashBang: false, allowReturnOutsideFunction: false,
      onComment: (_block, _text, start) => {
        if (wrapperSource.startsWith('<!--', start) || wrapperSource.startsWith('-->', start)) refuse('HTML-like comment');
      },
    });
  } catch (err) {
    if ((err as Error).name === 'UserError') throw err;
    return refuse(`the instrumented code does not parse: ${(err as Error).message}`);
  }
  const body = program.body as AnyNode[];
  const stmt = body[0];
  const fn = stmt?.type === 'ExpressionStatement' ? stmt.expression as AnyNode : undefined;
  const params = (fn?.params as AnyNode[] | undefined) ?? [];
  const fnBody = fn?.body as AnyNode | undefined;
  if (body.length !== 1 || fn?.type !== 'FunctionExpression' || fn.async || fn.generator || params.length !== 2
    || params[0].name !== cfName || params[1].name !== GUARD_NAME || fnBody?.end !== wrapperSource.length - 1
    || wrapperSource.length < codeLength) {
    refuse('the instrumented code has an unexpected shape');
  }
}
