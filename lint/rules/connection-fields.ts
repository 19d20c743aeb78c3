import * as walk from 'acorn-walk';
import { connectionParam, findHandler } from '../ast-helpers';
import { CONNECTION_SHAPE, KNOWN_MISSPELLINGS, type Shape } from '../connection-shape';
import type { SourceFile } from '../source-file';

/**
 * connection-field: reading a field the documented connection object does not have gives undefined at the edge,
 * so a check built on it silently passes or fails every connection. Follows the connection parameter through
 * member chains and through variables initialised from them (`const leaf = cert && cert.certificates.leaf`).
 */
export function checkConnectionFields(src: SourceFile): void {
  const conn = connectionParam(findHandler(src.program));
  if (!conn) return;
  const vars = new Map<string, Shape>([[conn, CONNECTION_SHAPE]]);
  const reported = new Set<unknown>();
  const reportUnknown = (at: any, name: string, fields: Record<string, Shape>) => {
    const hint = KNOWN_MISSPELLINGS[name] ?? `documented here: ${Object.keys(fields).join(', ')}`;
    src.report(at, 'error', 'connection-field', `"${name}" is not a field of the documented connection object (${hint})`);
  };

  const shapeOf = (node: any): Shape | undefined => {
    if (!node) return undefined;
    switch (node.type) {
      case 'Identifier': return vars.get(node.name);
      case 'ChainExpression': return shapeOf(node.expression);
      case 'AwaitExpression': return shapeOf(node.argument);
      case 'LogicalExpression': return node.operator === '&&' ? shapeOf(node.right) : shapeOf(node.left);
      case 'MemberExpression': {
        const parent = shapeOf(node.object);
        if (!parent || typeof parent === 'string') return undefined;
        if ('items' in parent) return node.computed ? parent.items : undefined;
        if (node.computed && !(node.property.type === 'Literal' && typeof node.property.value === 'string')) return undefined;
        const name = node.computed ? node.property.value : node.property.name;
        const field = parent.fields[name];
        if (!field && !reported.has(node)) {
          reported.add(node);
          reportUnknown(node.property, name, parent.fields);
        }
        return field;
      }
      default: return undefined;
    }
  };

  walk.fullAncestor(src.program, (n: any) => {
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && n.init) {
      const s = shapeOf(n.init);
      if (s) vars.set(n.id.name, s);
    } else if (n.type === 'VariableDeclarator' && n.id.type === 'ObjectPattern' && n.init) {
      const s = shapeOf(n.init);
      if (s && typeof s !== 'string' && 'fields' in s) {
        for (const p of n.id.properties) {
          if (p.type !== 'Property' || p.key.type !== 'Identifier') continue;
          const field = s.fields[p.key.name];
          if (!field) reportUnknown(p.key, p.key.name, s.fields);
          else if (p.value.type === 'Identifier') vars.set(p.value.name, field);
        }
      }
    } else if (n.type === 'MemberExpression') {
      shapeOf(n);
    }
  });
}
