// How generated code writes records (issue 13): a record is the array of its fields in the IR
// (lower/types.ts); the functions with the user's signature take records apart (`[p.x, p.y]`) and
// build the results back. A result is built so that it type-checks as the type it is given:
//
// - an interface, a type alias or an inline type of numbers: an object literal of that type;
// - a class whose constructor takes exactly its fields as parameter properties
//   (`constructor(public x: number, public y: number) {}`): `new Vector2(g[0], g[1])`, of the
//   class, methods included;
// - any other class (its constructor computes, or it is another module's), or a type whose fields
//   nest a class: an object literal of the structural type `{ x: number; y: number }` (an object
//   literal typed as a class with methods is a type error).

import ts = require('typescript');
import { fieldTree, type FieldTree } from '../format';
import type { RecordLayout } from '../ir';
import { recordClass } from '../lower/types';
import { declarationsNamed } from '../statementSplice';
import type { GenContext } from './context';

/** How to write records of one layout: the type of one record, and one built from the array `g` of its fields. */
export interface RecordBuild {
  /** The type of one record, or null to keep the type the user declared (an interface, a type alias). */
  type: string | null;
  of(g: string): string;
}

/** How generated code builds records of `layout` (see the top of this file). */
export function recordBuild(ctx: GenContext, layout: RecordLayout): RecordBuild {
  const literal = (g: string) => recordOf(layout.fields, g);
  const structural: RecordBuild = { type: recordType(layout.fields), of: literal };
  const nested = layout.fields.some((f) => f.path.includes('.'));
  const sf = ctx.program.sourceFile;
  const name = layout.name;
  if (name === null) return nested ? structural : { type: null, of: literal };
  const local = declarationsNamed(sf, name).find((s) => ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s));
  if (local && ts.isClassDeclaration(local)) {
    const order = constructorOrder(name, sf);
    if (!order) return structural;
    return { type: name, of: (g) => `new ${name}(${order.map((k) => `${g}[${k}]`).join(', ')})` };
  }
  if (ctx.program.imports?.importedRecordClasses().has(name)) return structural;
  if (!nested) return { type: null, of: literal };
  return local && noClassInside(local, sf, 0) ? { type: null, of: literal } : structural;
}

/** The type of records of `layout` as the user declared it (`declared`), or the structural type where that would not type-check. */
export function recordTypeText(build: RecordBuild, layout: RecordLayout, declared: string | undefined, depth = 1): string {
  if (build.type === null && declared !== undefined) return declared.replace(/^\s*readonly\s+/, '');
  return `${build.type ?? recordType(layout.fields)}${'[]'.repeat(depth - 1)}`;
}

/**
 * The fields' indices in the order `name`'s constructor takes them, when it takes exactly the
 * fields as parameter properties and does nothing else; undefined otherwise.
 */
function constructorOrder(name: string, sf: ts.SourceFile): number[] | undefined {
  const cls = recordClass(name, sf);
  const ctor = cls?.ctor;
  if (!cls || !ctor || (ctor.body?.statements.length ?? 0) > 0) return undefined;
  const fields = cls.shape.record!.fields;
  if (ctor.parameters.length !== fields.length) return undefined;
  const order: number[] = [];
  for (const [i, p] of ctor.parameters.entries()) {
    if (!ts.getModifiers(p)?.length || !ts.isIdentifier(p.name)) return undefined;
    const k = fields.findIndex((f) => f.path === (p.name as ts.Identifier).text);
    const source = k >= 0 ? cls.sources.get(fields[k].path) : undefined;
    if (!source || source.kind !== 'param' || source.index !== i) return undefined;
    order.push(k);
  }
  return order;
}

/** Whether an interface or type alias of the file reaches no class through its fields (then an object literal is of its type). */
function noClassInside(decl: ts.Node, sf: ts.SourceFile, depth: number): boolean {
  if (depth > 8) return false;
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (!ok) return;
    if (ts.isTypeReferenceNode(n)) {
      const ref = ts.isIdentifier(n.typeName) ? n.typeName.text : undefined;
      const target = ref === undefined ? undefined : declarationsNamed(sf, ref).find((s) => ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s));
      if (!target || ts.isClassDeclaration(target)) { ok = false; return; }
      if (!ts.isEnumDeclaration(target) && !noClassInside(target, sf, depth + 1)) { ok = false; return; }
    }
    ts.forEachChild(n, visit);
  };
  if (ts.isInterfaceDeclaration(decl)) { decl.members.forEach(visit); decl.heritageClauses?.forEach(visit); } else if (ts.isTypeAliasDeclaration(decl)) visit(decl.type);
  return ok;
}

/** `[p.x, p.y]`: a record's fields in the IR's order, read from the expression `v`. */
export function flatRecord(fields: { path: string }[], v: string): string {
  return `[${fields.map((f) => `${v}.${f.path}`).join(', ')}]`;
}

/** `{ x: g[0], y: g[1] }` (nested fields nested): a record of the IR's array `g`, or of `leaf(k)` per field. */
export function recordOf(fields: { path: string }[], g: string | ((k: number) => string)): string {
  const leaf = typeof g === 'string' ? (k: number) => `${g}[${k}]` : g;
  const show = (t: FieldTree): string => `{ ${[...t].map(([key, v]) => `${key}: ${typeof v === 'number' ? leaf(v) : show(v)}`).join(', ')} }`;
  return show(fieldTree(fields));
}

/** `{ x: number; y: { a: number } }`: the type of a record of numbers with these fields (nested fields nested), or of `row` per field. */
export function recordType(fields: { path: string }[], row = 'number'): string {
  const show = (t: FieldTree): string => `{ ${[...t].map(([key, v]) => `${key}: ${typeof v === 'number' ? row : show(v)}`).join('; ')} }`;
  return show(fieldTree(fields));
}
