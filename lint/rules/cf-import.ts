import * as walk from 'acorn-walk';
import type { SourceFile } from '../source-file';

/**
 * cf-import: `cf` (cf.kvs()) exists only through `import cf from 'cloudfront'`, the one import form the runtime
 * has. Any other import fails at publish time.
 */
export function checkCfImport(src: SourceFile): void {
  let imported = false;
  for (const s of src.program.body as any[]) {
    if (s.type !== 'ImportDeclaration') continue;
    const only = s.specifiers.length === 1 && s.specifiers[0].type === 'ImportDefaultSpecifier';
    if (s.source.value === 'cloudfront' && only && s.specifiers[0].local.name === 'cf') imported = true;
    else {
      src.report(s, 'error', 'cf-import', `unsupported import: the runtime has only import cf from 'cloudfront' (crypto and querystring come from require())`);
    }
  }
  if (imported) return;
  let first: any;
  walk.fullAncestor(src.program, (n: any, _state: unknown, ancestors: any[]) => {
    if (first || n.type !== 'Identifier' || n.name !== 'cf') return;
    const parent = ancestors[ancestors.length - 2];
    const isProperty = parent && ((parent.type === 'MemberExpression' && parent.property === n && !parent.computed)
      || (parent.type === 'Property' && parent.key === n && !parent.computed));
    const declared = parent && ((parent.type === 'VariableDeclarator' && parent.id === n) || (parent.type === 'FunctionDeclaration' && parent.params.includes(n)));
    if (!isProperty && !declared) first = n;
  });
  if (first) src.report(first, 'error', 'cf-import', "cf is used but not imported: add import cf from 'cloudfront' at the top");
}
