import * as walk from 'acorn-walk';
import { REQUIRABLE_MODULES } from '../../runtime/sandbox-prelude';
import { memberPath } from '../ast-helpers';
import type { SourceFile } from '../source-file';

/** Globals the runtime does not have: a reference fails at run time (the connection fails). */
const MISSING_GLOBALS: Record<string, string> = {
  eval: 'eval is not available', Function: 'the Function constructor is not available',
  setTimeout: 'there are no timers', setInterval: 'there are no timers', setImmediate: 'there are no timers',
  clearTimeout: 'there are no timers', clearInterval: 'there are no timers', queueMicrotask: 'there are no timers',
  process: 'there is no process object', fetch: 'there is no network access', XMLHttpRequest: 'there is no network access',
  WebSocket: 'there is no network access', module: `there is no module system beyond require(${REQUIRABLE_MODULES.join('|')})`,
  exports: `there is no module system beyond require(${REQUIRABLE_MODULES.join('|')})`,
};

/**
 * What both AWS pages allow is silent; what neither allows is an error (runtime-syntax / runtime-builtin); what
 * only the connection-function page allows (it claims ES2020, the runtime 2.0 page lists ES 5.1 plus named
 * ES6-12 features) is a warning, because AWS contradicts itself and only a real publish can tell.
 */
export function checkRuntimeSupport(src: SourceFile): void {
  const warnDisputed = (node: any, what: string) => src.report(node, 'warning', 'runtime-syntax',
    `${what} is not in the runtime 2.0 feature list (only the connection-function page's ES2020 claim covers it): prefer the ES5 form`);
  const declared = new Set<string>();
  walk.full(src.program, (n: any) => {
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') declared.add(n.id.name);
    if ((n.type === 'FunctionDeclaration') && n.id) declared.add(n.id.name);
  });

  walk.fullAncestor(src.program, (n: any, _s: unknown, ancestors: any[]) => {
    const parent = ancestors[ancestors.length - 2];
    switch (n.type) {
      case 'ExportNamedDeclaration': case 'ExportDefaultDeclaration': case 'ExportAllDeclaration':
        src.report(n, 'error', 'runtime-syntax', 'export is a syntax error in the runtime: declare connectionHandler as a plain function');
        break;
      case 'AwaitExpression':
        if (!ancestors.some((a) => a.type.includes('Function'))) src.report(n, 'error', 'runtime-syntax', 'top-level await is not supported');
        break;
      case 'AssignmentExpression':
        if (['??=', '||=', '&&='].includes(n.operator)) src.report(n, 'error', 'runtime-syntax', `logical assignment ${n.operator} (ES2021) is not supported`);
        break;
      case 'PropertyDefinition': case 'PrivateIdentifier': case 'StaticBlock':
        src.report(n, 'error', 'runtime-syntax', 'class fields, private names and static blocks (ES2022) are not supported');
        break;
      case 'ChainExpression': warnDisputed(n, 'optional chaining (?.)'); break;
      case 'LogicalExpression': if (n.operator === '??') warnDisputed(n, 'nullish coalescing (??)'); break;
      case 'Literal': if (typeof n.bigint === 'string') warnDisputed(n, 'a BigInt literal'); break;
      case 'ClassDeclaration': case 'ClassExpression': warnDisputed(n, 'a class'); break;
      case 'ForOfStatement': warnDisputed(n, 'for...of'); break;
      case 'SpreadElement': warnDisputed(n, 'spread (...)'); break;
      case 'ObjectPattern': case 'ArrayPattern': warnDisputed(n, 'destructuring'); break;
      case 'AssignmentPattern': warnDisputed(n, 'a default parameter'); break;
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
        if (n.generator) src.report(n, 'error', 'runtime-syntax', 'generators are not supported');
        if (n.async && n.type !== 'FunctionDeclaration') {
          src.report(n, 'warning', 'runtime-syntax', 'async closures are not supported by the runtime 2.0 page ("async arguments and closures"): use an async function declaration');
        }
        break;
      case 'Identifier': {
        const isRef = !(parent && ((parent.type === 'MemberExpression' && parent.property === n && !parent.computed)
          || (parent.type === 'Property' && parent.key === n && !parent.computed)));
        if (isRef && MISSING_GLOBALS[n.name] && !declared.has(n.name)) {
          src.report(n, 'error', 'runtime-builtin', `${n.name}: ${MISSING_GLOBALS[n.name]} in the connection-function runtime`);
        }
        if (isRef && n.name === 'BigInt' && !declared.has('BigInt')) warnDisputed(n, 'BigInt');
        break;
      }
      case 'CallExpression': {
        const p = memberPath(n.callee);
        if (p?.length === 1 && p[0] === 'require' && !declared.has('require')) {
          const arg = n.arguments[0];
          const name = arg?.type === 'Literal' ? String(arg.value) : undefined;
          if (!name || !REQUIRABLE_MODULES.includes(name)) {
            src.report(n, 'error', 'runtime-builtin', `require(${name ? `'${name}'` : '...'}): only ${REQUIRABLE_MODULES.map((m) => `'${m}'`).join(', ')} can be required`);
          }
        }
        if (p?.length === 2 && p[0] === 'console' && p[1] === 'log' && n.arguments.length !== 1) {
          src.report(n, 'warning', 'runtime-builtin', `console.log takes one argument in the runtime, got ${n.arguments.length}: concatenate them`);
        }
        break;
      }
      default:
    }
  });
}
