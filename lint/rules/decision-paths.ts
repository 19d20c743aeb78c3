import type * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { connectionParam, findHandler, isDecisionCall, memberPath } from '../ast-helpers';
import type { SourceFile } from '../source-file';

/** must: every path reaching this point has decided; may: some path has. null: unreachable. */
type State = { must: boolean; may: boolean } | null;

const merge = (a: State, b: State): State => (a === null ? b : b === null ? a
  : { must: a.must && b.must, may: a.may || b.may });

/** Calls that cannot throw in the runtime: logging. */
function isLogging(node: any, conn: string): boolean {
  const p = node.type === 'CallExpression' ? memberPath(node.callee) : undefined;
  return !!p && ((p[0] === 'console' && p[1] === 'log') || (p[0] === conn && p[1] === 'logCustomData'));
}

/**
 * Top-level helpers that decide for the handler, `function deny(c, why) { ...; c.deny(); }`, by the index of the
 * parameter they decide on: a call passing the connection there counts as a decision.
 */
function decidingHelpers(program: acorn.Program): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of program.body) {
    if (s.type !== 'FunctionDeclaration' || !s.id || s.id.name === 'connectionHandler') continue;
    s.params.forEach((p: any, i) => {
      if (p.type !== 'Identifier') return;
      let decides = false;
      walk.simple(s.body, { CallExpression(n) { if (isDecisionCall(n, p.name)) decides = true; } });
      if (decides && !out.has(s.id!.name)) out.set(s.id!.name, i);
    });
  }
  return out;
}

/**
 * Two rules over the handler's control flow, a must/may analysis of "a decision was made":
 * - no-decision: connectionHandler never calls allow()/deny() (error), or some path returns or ends without a
 *   decision (warning: CloudFront then denies, which is safe but rarely what the code meant);
 * - decision-then-continue: after a decision on some path, code that can throw (the connection then fails with
 *   ConnectionFunctionError) or a second decision (undocumented) runs instead of `return`.
 */
export function checkDecisionPaths(src: SourceFile): void {
  const handler = findHandler(src.program);
  const conn = connectionParam(handler);
  if (!handler || !conn) return;
  const helpers = decidingHelpers(src.program);
  const isDecision = (node: any): boolean => {
    if (!node) return false;
    if (isDecisionCall(node, conn)) return true;
    const call = node.type === 'AwaitExpression' ? node.argument : node;
    if (call?.type !== 'CallExpression' || call.callee.type !== 'Identifier') return false;
    const i = helpers.get(call.callee.name);
    return i !== undefined && call.arguments[i]?.type === 'Identifier' && call.arguments[i].name === conn;
  };

  let anyDecision = false;
  walk.simple(handler.body, { CallExpression(n) { if (isDecision(n)) anyDecision = true; } });
  if (!anyDecision) {
    src.report(handler, 'error', 'no-decision', `connectionHandler never calls ${conn}.allow() or ${conn}.deny(): every connection is denied`);
    return;
  }

  const reported = new Set<acorn.Node>();
  const undecidedExit = (node: acorn.Node, how: string) => {
    if (reported.has(node)) return;
    reported.add(node);
    src.report(node, 'warning', 'no-decision', `${how} without ${conn}.allow() or ${conn}.deny() on some path (CloudFront then denies): decide explicitly`);
  };
  const afterDecision = (node: acorn.Node, what: string) => {
    if (reported.has(node)) return;
    reported.add(node);
    src.report(node, 'error', 'decision-then-continue', `${what} after ${conn}.allow()/deny() on some path: return right after the decision`);
  };
  /** A statement or expression that can throw at run time (calls, new, await, throw), logging excepted. */
  const canThrow = (node: acorn.Node): boolean => {
    let found = false;
    walk.full(node, (n: any) => {
      if ((n.type === 'CallExpression' && !isLogging(n, conn)) || n.type === 'NewExpression' || n.type === 'AwaitExpression' || n.type === 'ThrowStatement') found = true;
    }, undefined, undefined);
    return found;
  };

  const breaks: State[][] = [];
  const visit = (node: any, st: State): State => {
    if (st === null || !node) return st;
    switch (node.type) {
      case 'BlockStatement': {
        let s: State = st;
        for (const b of node.body) s = visit(b, s);
        return s;
      }
      case 'ExpressionStatement': {
        if (isDecision(node.expression)) {
          if (st.may) afterDecision(node, 'a second decision');
          return { must: true, may: true };
        }
        if (st.may && canThrow(node)) afterDecision(node, 'code that can throw');
        return st;
      }
      case 'ReturnStatement': {
        const decides = isDecision(node.argument);
        if (decides && st.may) afterDecision(node, 'a second decision');
        else if (!decides && node.argument && st.may && canThrow(node.argument)) afterDecision(node, 'code that can throw');
        if (!decides && !st.must) undecidedExit(node, 'return');
        return null;
      }
      case 'ThrowStatement':
        if (st.may) afterDecision(node, 'a throw');
        return null;
      case 'IfStatement': {
        if (st.may && canThrow(node.test)) afterDecision(node.test, 'code that can throw');
        return merge(visit(node.consequent, st), node.alternate ? visit(node.alternate, st) : st);
      }
      case 'TryStatement': {
        const tried = visit(node.block, st);
        // The handler runs after any statement of the block may have thrown: it can see the start state or any
        // decision the block made.
        const caught = node.handler ? visit(node.handler.body, { must: st.must, may: st.may || (tried?.may ?? false) }) : null;
        const out = node.handler ? merge(tried, caught) : tried;
        return node.finalizer ? visit(node.finalizer, out) : out;
      }
      case 'SwitchStatement': {
        breaks.push([]);
        let fall: State = null;
        let hasDefault = false;
        for (const c of node.cases) {
          if (!c.test) hasDefault = true;
          let s: State = merge(st, fall);
          for (const b of c.consequent) s = visit(b, s);
          fall = s;
        }
        const broken = breaks.pop()!;
        return [fall, hasDefault ? null : st, ...broken].reduce(merge, null);
      }
      case 'WhileStatement': case 'DoWhileStatement': case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': {
        if (st.may && node.type !== 'DoWhileStatement' && canThrow(node)) afterDecision(node, 'a loop that can throw');
        breaks.push([]);
        const body = visit(node.body, st);
        const broken = breaks.pop()!;
        return [st, body, ...broken].reduce(merge, null);
      }
      case 'BreakStatement': case 'ContinueStatement':
        breaks[breaks.length - 1]?.push(st);
        return null;
      case 'LabeledStatement':
        return visit(node.body, st);
      case 'VariableDeclaration': {
        for (const d of node.declarations) {
          if (d.init && isDecision(d.init)) return { must: true, may: true };
          if (d.init && st.may && canThrow(d.init)) afterDecision(d, 'code that can throw');
        }
        return st;
      }
      default:
        return st;
    }
  };
  const end = visit(handler.body, { must: false, may: false });
  if (end !== null && !end.must) undecidedExit({ start: handler.body.end - 1 } as acorn.Node, 'connectionHandler ends');
}
