import type * as acorn from 'acorn';

/** `a.b.c` -> ['a', 'b', 'c'] for plain (non-computed, or string-literal computed) member chains; else undefined. */
export function memberPath(node: acorn.Node): string[] | undefined {
  const n = node as any;
  if (n.type === 'Identifier') return [n.name];
  if (n.type === 'ChainExpression') return memberPath(n.expression);
  if (n.type !== 'MemberExpression') return undefined;
  const obj = memberPath(n.object);
  if (!obj) return undefined;
  if (!n.computed && n.property.type === 'Identifier') return [...obj, n.property.name];
  if (n.computed && n.property.type === 'Literal' && typeof n.property.value === 'string') return [...obj, n.property.value];
  return undefined;
}

/** The top-level `function connectionHandler(...)` declaration, if any. */
export function findHandler(program: acorn.Program): acorn.FunctionDeclaration | undefined {
  return program.body.find((s): s is acorn.FunctionDeclaration =>
    s.type === 'FunctionDeclaration' && s.id?.name === 'connectionHandler');
}

/** The name of the handler's first parameter when it is a plain identifier. */
export function connectionParam(handler: acorn.FunctionDeclaration | undefined): string | undefined {
  const p = handler?.params[0] as any;
  return p?.type === 'Identifier' ? p.name : undefined;
}

/** `x.allow()` / `x.deny()` (optionally awaited or returned) where x is the connection parameter. */
export function isDecisionCall(node: acorn.Node | null | undefined, conn: string | undefined): boolean {
  if (!node || !conn) return false;
  const n = node as any;
  if (n.type === 'AwaitExpression' || n.type === 'ChainExpression') return isDecisionCall(n.argument ?? n.expression, conn);
  if (n.type === 'SequenceExpression') return n.expressions.some((e: acorn.Node) => isDecisionCall(e, conn));
  if (n.type === 'ConditionalExpression') return isDecisionCall(n.consequent, conn) && isDecisionCall(n.alternate, conn);
  if (n.type !== 'CallExpression') return false;
  const path = memberPath(n.callee);
  return !!path && path.length === 2 && path[0] === conn && (path[1] === 'allow' || path[1] === 'deny');
}
