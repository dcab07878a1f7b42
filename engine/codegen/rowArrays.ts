// Local arrays of records that the function fills (`g.push({ x: 0, y: 0 })`, `g[i].x -= s * dx`,
// the array `ps.map(function (p) { …; return { x, y }; })` builds) are arrays of rows in the IR
// (lower/assignments.ts `rowFieldStore` replaces a row by a copy with one field changed). The
// generators differentiate arrays of numbers; so, before them, each such array becomes one array
// per field (`gX`, `gY`: a structure of arrays), an IR-to-IR rewrite that keeps the meaning:
//
//   g.push([a, b])             → gX.push(a); gY.push(b)
//   g[k] = [v, row[1]]         → gX[k] = v            (a field written back unchanged is no store)
//   g[i][1], g.length          → gY[i], gX.length
//   let row = g[k]             → its reads row[j] become gJ[k] where nothing changes g or k before
//                                them, else row = [gX[k], gY[k]] (a copy, as the IR means it)
//   let h = g (a `for…of`)     → hX = gX; hY = gY
//
// An array of rows used whole (returned, passed to a helper) is not rewritten: a CodegenError.

import ts = require('typescript');
import type { Expr, IrFunction, IrVar, Range, Stmt } from '../ir';
import { children, mapChildren, substitute } from '../irWalk';
import { cnst, idx, mentions, ref, sameExpr, varsOf } from './expr';
import { forEachStmt, forEachStmtExpr, someStmt, stmtsMention } from './stmtWalk';
import { cap } from './names';
import { CodegenError } from './work';

/** The function with its local arrays of rows written by `push` or a store split into arrays of fields (see above). */
export function splitRowArrays(fn: IrFunction, sf: ts.SourceFile): IrFunction {
  const written = new Set<number>();
  forEachStmt(fn.body, (s) => {
    if ((s.k === 'push' || s.k === 'store') && fn.vars[s.array].depth > 1) written.add(s.array);
  });
  if (written.size === 0) return fn;
  return new RowSplit(fn, written, sf).run();
}

class RowSplit {
  private readonly vars: IrVar[];
  /** Each split array's arrays of fields. */
  private readonly fields = new Map<number, number[]>();
  /** Rows whose reads `row[j]` read the array's field directly: the array and the row's index. */
  private readonly rows = new Map<number, { array: number; index: Expr }>();

  constructor(private readonly fn: IrFunction, written: Set<number>, private readonly sf: ts.SourceFile) {
    this.vars = fn.vars.map((v) => ({ ...v }));
    const done = new Set<number>();
    for (const w of written) {
      if (done.has(w)) continue;
      const group = this.aliasesOf(new Set([w]));
      const width = this.widthOf(group);
      const names = this.fieldNames(group, width);
      for (const v of group) {
        done.add(v);
        const x = fn.vars[v];
        if (x.kind !== 'local' || x.depth !== 2) throw new CodegenError(`a write into an element of '${x.name}', ${x.kind === 'local' ? 'an array of arrays of rows' : 'a parameter'}`, x.range);
        const base = x.name.startsWith('$') ? `$${x.name.slice(1).replace(/\d+$/, '')}` : x.name;
        this.fields.set(v, names.map((n) => this.newVar(`${base}${n}`, 'arr', 1)));
      }
    }
  }

  /**
   * The fields' names for the arrays' names (`X`, `PosX`): the IR knows positions only, so they
   * are read from an object literal the rows are written as (`g.push({ x: 0, y: 0 })`); `Field0`…
   * when there is none.
   */
  private fieldNames(group: Set<number>, width: number): string[] {
    let found: string[] | undefined;
    someStmt(this.fn.body, (s) => {
      const value = (s.k === 'push' && group.has(s.array)) ? s.value : undefined;
      if (value?.k !== 'arrayLit' || value.elements.length !== width) return false;
      const names = value.elements.map((e) => propertyAt(this.sf, e.range));
      if (names.every((n): n is string => n !== undefined)) found = names;
      return !!found;
    });
    const names = found ?? Array.from({ length: width }, (_, j) => `field${j}`);
    return names.map((n) => n.split(/[^A-Za-z0-9_$]+/).filter((p) => p).map(cap).join('') || 'Field');
  }

  run(): IrFunction {
    const body = this.block(this.fn.body);
    return { ...this.fn, vars: this.vars, body };
  }

  /** The written arrays and every local array bound to one of them (`let h = g`, either way). */
  private aliasesOf(written: Set<number>): Set<number> {
    const group = new Set(written);
    const links: [number, number][] = [];
    someStmt(this.fn.body, (s) => {
      if (s.k === 'let' && s.init.k === 'var' && this.fn.vars[s.v].depth > 1) links.push([s.v, s.init.id]);
      if (s.k === 'assign' && this.fn.vars[s.v].depth > 1) links.push([s.v, -1]);
      return false;
    });
    for (let changed = true; changed;) {
      changed = false;
      for (const [a, b] of links) {
        if (group.has(a) === group.has(b) || (b < 0 && !group.has(a))) continue;
        if (b < 0) throw new CodegenError(`reassigning the array of records '${this.fn.vars[a].name}'`, this.fn.vars[a].range);
        group.add(a);
        group.add(b);
        changed = true;
      }
    }
    for (const [a, b] of links) if (b < 0 && group.has(a)) throw new CodegenError(`reassigning the array of records '${this.fn.vars[a].name}'`, this.fn.vars[a].range);
    return group;
  }

  /** The number of fields of the rows written into the group (every row written as a literal agrees). */
  private widthOf(group: Set<number>): number {
    const widths = new Set<number>();
    const rowsOf = (e: Expr) => {
      if (e.k === 'arrayLit') widths.add(e.elements.length);
    };
    someStmt(this.fn.body, (s) => {
      if ((s.k === 'push' || s.k === 'store') && group.has(s.array)) rowsOf(s.value);
      if (s.k === 'let' && group.has(s.v)) {
        if (s.init.k === 'arrayLit') s.init.elements.forEach(rowsOf);
        if (s.init.k === 'arrayFrom') rowsOf(s.init.body);
        if (s.init.k === 'arrayFill') rowsOf(s.init.fill);
      }
      return false;
    });
    if (widths.size !== 1) throw new CodegenError(widths.size === 0 ? 'an array of records filled with records that are not written out' : 'an array of records with rows of different sizes');
    return [...widths][0];
  }

  private newVar(name: string, type: 'num' | 'arr', depth: number): number {
    const id = this.vars.length;
    this.vars.push({ id, name, type, kind: 'local', depth, range: { start: 0, end: 0 }, reassigned: false });
    return id;
  }

  private block(stmts: Stmt[]): Stmt[] {
    const out: Stmt[] = [];
    stmts.forEach((s, i) => {
      if (this.indexInPlace(stmts, i)) return;
      out.push(...this.stmt(s, stmts, i));
    });
    return out;
  }

  /** Hidden indices read in place of their variable (`indexInPlace`). */
  private readonly indices = new Map<number, Expr>();

  /**
   * `g[i].x -= v` reads its index once into a hidden `$k` (lower/assignments.ts `rowFieldStore`):
   * where that index is a variable or a constant, read only by the row and the store right after
   * it, it is read in place (`gX[i] -= v`), as nothing between assigns it.
   */
  private indexInPlace(stmts: Stmt[], at: number): boolean {
    const s = stmts[at];
    if (s.k !== 'let' || !/^\$k\d*$/.test(this.fn.vars[s.v].name) || (s.init.k !== 'var' && s.init.k !== 'const')) return false;
    const row = stmts[at + 1];
    const store = stmts[at + 2];
    if (row?.k !== 'let' || store?.k !== 'store' || !this.fields.has(store.array) || !(store.index.k === 'var' && store.index.id === s.v)) return false;
    if (!(row.init.k === 'index' && row.init.array.k === 'var' && row.init.array.id === store.array && row.init.index.k === 'var' && row.init.index.id === s.v)) return false;
    if (stmtsMention(stmts.slice(at + 3), s.v)) return false;
    this.indices.set(s.v, s.init);
    return true;
  }

  private stmt(s: Stmt, block: Stmt[], at: number): Stmt[] {
    const r = s.range;
    switch (s.k) {
      case 'let': {
        const fields = this.fields.get(s.v);
        if (fields) return this.splitInit(s.v, fields, s.init, r);
        const row = this.rowRead(s.init);
        if (row && this.vars[s.v].depth === 1) {
          const index = this.expr(row.index);
          if (this.readsInPlace(s.v, index, block, at)) { this.rows.set(s.v, { array: row.array, index }); return []; }
          return [{ k: 'let', v: s.v, init: { k: 'arrayLit', elements: this.fields.get(row.array)!.map((f) => idx(ref(f), index)), range: s.init.range }, range: r }];
        }
        return [{ ...s, init: this.expr(s.init) }];
      }
      case 'push': case 'store': {
        const fields = this.fields.get(s.array);
        if (!fields) return s.k === 'push' ? [{ ...s, value: this.expr(s.value) }] : [{ ...s, index: this.expr(s.index), value: this.expr(s.value) }];
        const pre: Stmt[] = [];
        const elements = this.rowElements(s.value, fields.length, pre);
        if (s.k === 'push') return [...pre, ...fields.map((f, j): Stmt => ({ k: 'push', array: f, value: elements[j], range: r }))];
        let index = this.expr(s.index);
        // A field written back as it was (`g[k] = [v, row[1]]`, row = g[k]) is no store.
        const changed = fields.map((f, j) => j).filter((j) => { const e = elements[j]; return !(e.k === 'index' && e.array.k === 'var' && e.array.id === fields[j] && sameExpr(e.index, index)); });
        if (changed.length > 1) {
          // Every value read before any field is written, as the row is in JavaScript.
          if (index.k !== 'var' && index.k !== 'const') { const k = this.newVar('$k', 'num', 0); pre.push({ k: 'let', v: k, init: index, range: r }); index = ref(k); }
          for (const j of changed) {
            if (!fields.some((f) => mentions(elements[j], f))) continue;
            const t = this.newVar(`$${this.vars[fields[j]].name.replace(/^\$/, '')}`, 'num', 0);
            pre.push({ k: 'let', v: t, init: elements[j], range: r });
            elements[j] = ref(t);
          }
        }
        return [...pre, ...changed.map((j): Stmt => ({ k: 'store', array: fields[j], index, value: elements[j], range: r }))];
      }
      case 'assign': return [{ ...s, value: this.expr(s.value) }];
      case 'return': return [{ ...s, value: this.expr(s.value) }];
      case 'if': return [{ ...s, test: this.expr(s.test), then: this.block(s.then), else: this.block(s.else) }];
      case 'loop': return [{ ...s, test: s.test ? this.expr(s.test) : null, body: this.block(s.body), update: this.block(s.update) }];
      default: return [s];
    }
  }

  /** `let g = …` of a split array: one declaration per field. */
  private splitInit(v: number, fields: number[], init: Expr, r: Stmt['range']): Stmt[] {
    const name = this.fn.vars[v].name;
    switch (init.k) {
      case 'var': return fields.map((f, j): Stmt => ({ k: 'let', v: f, init: ref(this.fields.get(init.id)![j]), range: r }));
      case 'arrayLit': {
        const rows = init.elements.map((e) => { const pre: Stmt[] = []; const els = this.rowElements(e, fields.length, pre); if (pre.length) throw new CodegenError(`an array of records '${name}' built from rows that are not written out`, init.range); return els; });
        return fields.map((f, j): Stmt => ({ k: 'let', v: f, init: { k: 'arrayLit', elements: rows.map((row) => row[j]), range: init.range }, range: r }));
      }
      case 'arrayFill': {
        if (init.fill.k !== 'arrayLit') break;
        const fill = init.fill;
        return fields.map((f, j): Stmt => ({ k: 'let', v: f, init: { ...init, length: this.expr(init.length), fill: this.expr(fill.elements[j]) }, range: r }));
      }
      case 'arrayFrom': {
        if (init.body.k !== 'arrayLit') break;
        const body = init.body;
        return fields.map((f, j): Stmt => {
          // each field's builder has an index of its own
          const i = this.newVar(this.fn.vars[init.indexVar].name, 'num', 0);
          const element = substitute(this.expr(body.elements[j]), new Map([[init.indexVar, ref(i)]]));
          return { k: 'let', v: f, init: { ...init, length: this.expr(init.length), indexVar: i, body: element }, range: r };
        });
      }
      default: break;
    }
    throw new CodegenError(`an array of records '${name}' built by an expression the generators do not split into fields`, init.range);
  }

  /** The values of a row's fields: a literal's elements, else reads of the row (bound to a hidden local first unless it is one). */
  private rowElements(value: Expr, width: number, pre: Stmt[]): Expr[] {
    if (value.k === 'arrayLit') {
      if (value.elements.length !== width) throw new CodegenError('an array of records with rows of different sizes', value.range);
      return value.elements.map((e) => this.expr(e));
    }
    const row = this.rowRead(value);
    if (row) { const index = this.expr(row.index); return this.fields.get(row.array)!.map((f) => idx(ref(f), index)); }
    let source = this.expr(value);
    if (source.k === 'var' && this.rows.has(source.id)) { const at = this.rows.get(source.id)!; return this.fields.get(at.array)!.map((f) => idx(ref(f), at.index)); }
    if (source.k !== 'var') {
      const t = this.newVar('$row', 'arr', 1);
      pre.push({ k: 'let', v: t, init: source, range: value.range });
      source = ref(t);
    }
    return Array.from({ length: width }, (_, j) => idx(source, cnst(j)));
  }

  /** `g[i]` of a split array: the array and the index. */
  private rowRead(e: Expr): { array: number; index: Expr } | undefined {
    return e.k === 'index' && e.array.k === 'var' && this.fields.has(e.array.id) ? { array: e.array.id, index: e.index } : undefined;
  }

  /**
   * Whether the reads `row[j]` of a row bound at `block[at]` may read the array's fields in place:
   * the row is only read field by field and never written, and nothing writes the array (or its
   * aliases) or what the index reads before the reads: they are all in the next statement (a
   * simple one), or the group is never stored into and the index's variables are not assigned in
   * the rest of the block.
   */
  private readsInPlace(row: number, index: Expr, block: Stmt[], at: number): boolean {
    const rest = block.slice(at + 1);
    let fieldReadsOnly = true;
    let written = false;
    // the row read only as `row[j]`, j a constant
    const check = (e: Expr): void => {
      if (e.k === 'var' && e.id === row) fieldReadsOnly = false;
      if (e.k === 'index' && e.array.k === 'var' && e.array.id === row) {
        if (e.index.k !== 'const') fieldReadsOnly = false;
        check(e.index);
        return;
      }
      for (const c of children(e)) check(c);
    };
    const usedIn = (s: Stmt): boolean => {
      let used = false;
      forEachStmtExpr(s, (e) => { if (mentions(e, row)) used = true; check(e); });
      if ((s.k === 'assign' && s.v === row) || ((s.k === 'store' || s.k === 'push') && s.array === row)) written = true;
      return used;
    };
    // (every statement is looked at, nested ones included: `check` must see every use)
    const users = rest.filter((s) => { let used = false; forEachStmt([s], (x) => { if (usedIn(x)) used = true; }); return used; });
    if (!fieldReadsOnly || written) return false;
    const next = rest[0];
    if (users.length === 0 || (users.length === 1 && users[0] === next && next.k !== 'if' && next.k !== 'loop')) return true;
    const indexVars = varsOf(index);
    const stored = this.storesIntoSplit();
    const indexChanged = someStmt(rest, (s) => (s.k === 'assign' && indexVars.has(s.v)) || ((s.k === 'store' || s.k === 'push') && indexVars.has(s.array)));
    return !stored && !indexChanged;
  }

  /** Whether the function stores into an element of an array being split (walked once, not per row read). */
  private storesIntoSplit(): boolean {
    if (this.storedIntoSplit === undefined) {
      const split = new Set(this.fields.keys());
      this.storedIntoSplit = someStmt(this.fn.body, (s) => s.k === 'store' && split.has(s.array));
    }
    return this.storedIntoSplit;
  }

  private storedIntoSplit: boolean | undefined;

  /** An expression with the split arrays' reads rewritten. */
  private expr(e: Expr): Expr {
    if (e.k === 'index' && e.index.k === 'const') {
      const inner = e.array;
      const row = this.rowRead(inner);
      if (row) return idx(ref(this.fields.get(row.array)![this.field(e.index.value, inner)]), this.expr(row.index));
      if (inner.k === 'var' && this.rows.has(inner.id)) {
        const at = this.rows.get(inner.id)!;
        return idx(ref(this.fields.get(at.array)![this.field(e.index.value, inner)]), at.index);
      }
    }
    if (e.k === 'length' && e.array.k === 'var' && this.fields.has(e.array.id)) return { ...e, array: ref(this.fields.get(e.array.id)![0]) };
    const row = this.rowRead(e);
    if (row) {
      // a whole row read in an expression: the row of its fields
      const index = this.expr(row.index);
      return { k: 'arrayLit', elements: this.fields.get(row.array)!.map((f) => idx(ref(f), index)), range: e.range };
    }
    if (e.k === 'var' && this.indices.has(e.id)) return this.indices.get(e.id)!;
    if (e.k === 'var' && this.fields.has(e.id)) throw new CodegenError(`the array of records '${this.fn.vars[e.id].name}' used whole (returned, or passed to a function)`, e.range);
    if (e.k === 'index' && e.array.k === 'index' && e.array.array.k === 'var' && this.fields.has(e.array.array.id)) throw new CodegenError('a field of a record read at an index that is not a constant', e.range);
    return mapChildren(e, (c) => this.expr(c));
  }

  private field(j: number, at: Expr): number {
    const row = this.rowRead(at) ?? (at.k === 'var' ? this.rows.get(at.id) : undefined);
    const width = row ? this.fields.get(row.array)!.length : 0;
    if (!Number.isInteger(j) || j < 0 || j >= width) throw new CodegenError('a field of a record past its last field', at.range);
    return j;
  }
}

/** The property an object literal's value at `range` initialises (`x` in `{ x: 0 }` and `{ x }`), with its nesting (`pos.x`). */
function propertyAt(sf: ts.SourceFile, range: Range): string | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n.pos > range.start || n.end < range.end) return;
    if (n.getStart(sf) === range.start && n.end === range.end && (ts.isPropertyAssignment(n.parent) || ts.isShorthandPropertyAssignment(n.parent))) { found = n; return; }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  if (!found) return undefined;
  const path: string[] = [];
  for (let p: ts.Node = found.parent; ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p); p = p.parent.parent) {
    if (!ts.isIdentifier(p.name) && !ts.isStringLiteral(p.name)) return undefined;
    path.unshift(p.name.text);
    if (!ts.isObjectLiteralExpression(p.parent)) break;
  }
  return path.join('.');
}

