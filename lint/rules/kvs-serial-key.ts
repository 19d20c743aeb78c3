import * as walk from 'acorn-walk';
import { memberPath } from '../ast-helpers';
import type { SourceFile } from '../source-file';

const CANONICALIZER = /canonical/i;

/**
 * kvs-serial-key: a KeyValueStore lookup keyed by a certificate serial must reduce it to one canonical form
 * (lowercase hex, no separators, no leading zero bytes) through a canonicalizing function. CloudFront spells a
 * serial "00:9e:2a:...", OpenSSL "9E2A...", AWS's own example strips only the colons: a lookup keyed by the raw
 * field, or by a partial rewrite, misses keys another tool wrote, and the revoked certificate gets through.
 */
export function checkKvsSerialKey(src: SourceFile): void {
  const inits = new Map<string, any>();
  const handles = new Set<string>();
  walk.full(src.program, (n: any) => {
    if (n.type !== 'VariableDeclarator' || n.id.type !== 'Identifier' || !n.init) return;
    inits.set(n.id.name, n.init);
    if (isKvsHandle(n.init)) handles.add(n.id.name);
  });

  /** Looks through identifiers to their initialisers (cycle-safe). */
  const anyInside = (expr: any, test: (n: any) => boolean, seen = new Set<string>()): boolean => {
    let found = false;
    walk.full(expr, (n: any) => {
      if (found) return;
      if (test(n)) found = true;
      else if (n.type === 'Identifier' && inits.has(n.name) && !seen.has(n.name)) {
        seen.add(n.name);
        if (anyInside(inits.get(n.name), test, seen)) found = true;
      }
    });
    return found;
  };
  const fromSerial = (n: any) => {
    const p = n.type === 'MemberExpression' ? memberPath(n) : undefined;
    return !!p && p[p.length - 1] === 'serialNumber';
  };
  const canonicalizes = (n: any) => n.type === 'CallExpression'
    && ((n.callee.type === 'Identifier' && CANONICALIZER.test(n.callee.name))
      || (n.callee.type === 'MemberExpression' && n.callee.property.type === 'Identifier' && CANONICALIZER.test(n.callee.property.name)));

  walk.simple(src.program, {
    CallExpression(n: any) {
      if (n.callee.type !== 'MemberExpression' || n.callee.property.type !== 'Identifier') return;
      if (!['get', 'exists'].includes(n.callee.property.name)) return;
      const obj = n.callee.object;
      if (!((obj.type === 'Identifier' && handles.has(obj.name)) || isKvsHandle(obj))) return;
      const key = n.arguments[0];
      if (!key || !anyInside(key, fromSerial) || anyInside(key, canonicalizes)) return;
      const raw = fromSerial(key) || (key.type === 'Identifier' && inits.has(key.name) && fromSerial(inits.get(key.name)));
      src.report(key, 'error', 'kvs-serial-key', `KeyValueStore ${n.callee.property.name}() keyed by ${raw ? 'the raw serialNumber' : 'a serial spelling that is not the canonical form'}: keys written by other tools spell serials differently, so a revoked certificate can pass; reduce it with a canonicalSerial() function (lowercase hex, no separators, no leading zero bytes) and store keys the same way`);
    },
  });
}

/** `cf.kvs()` or `<anything>.kvs()`. */
function isKvsHandle(n: any): boolean {
  return n?.type === 'CallExpression' && n.callee.type === 'MemberExpression' && n.callee.property.type === 'Identifier'
    && n.callee.property.name === 'kvs';
}
