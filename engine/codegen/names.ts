// The one naming service of the code generators. Every identifier a generator introduces (a
// generated function, a parameter, a local of the forward or reverse sweep, a wrapper's loop index)
// is picked by `fresh` in a `NameScope`:
//
// - the file scope holds the file's functions (the only top-level names generated code calls:
//   numeric constants are inlined, imports are not followed) and the functions generated so far;
// - a function scope (`child()`) holds that function's parameters and locals.
//
// A name is free in a function scope when it is not a reserved word or global the generated code
// relies on (`Math`, `Array`…), not taken in the scope or an enclosing one. A generated function's
// name is picked in the file scope, where a name is free only when no scope has taken it: a local
// of any generated function never shadows a function it (or another) calls. Names are `base`,
// `base2`, `base3`…, and are never released, so each base's search resumes where it last ended.

import { checkTime } from '../symbolic/charge';
import { Layout } from './layout';
import { stmtsMention } from './stmtWalk';
import { Work } from './work';

/** Words and globals a generated identifier must not be (keywords, and the globals generated code uses). */
export const JS_RESERVED: ReadonlySet<string> = new Set([
  'Math', 'Array', 'Float64Array', 'Uint8Array', 'Number', 'undefined', 'NaN', 'Infinity', 'arguments', 'eval',
  'new', 'for', 'let', 'const', 'var', 'if', 'else', 'return', 'function', 'do', 'in', 'of', 'while', 'break', 'continue',
  'true', 'false', 'null', 'this', 'class', 'switch', 'case', 'default', 'delete', 'typeof', 'void', 'with', 'yield',
  'await', 'try', 'catch', 'finally', 'throw', 'enum', 'export', 'import', 'super', 'extends', 'instanceof', 'static',
  'interface', 'package', 'private', 'protected', 'public', 'implements', 'type',
]);

/** The n-th candidate for `base`: `base`, `base2`, `base3`… */
export function candidate(base: string, i: number): string {
  return i === 1 ? base : `${base}${i}`;
}

export class NameScope {
  private readonly own = new Set<string>();
  /** Per base, the first candidate not known to be taken. */
  private readonly next = new Map<string, number>();
  /** The file scope only: every name taken in any scope. */
  private readonly everywhere: Set<string> | null;

  private constructor(private readonly parent: NameScope | null) {
    this.everywhere = parent ? null : new Set();
  }

  /** The file scope: `topLevel` are the file's own top-level names (its functions). */
  static file(topLevel: Iterable<string>): NameScope {
    const s = new NameScope(null);
    for (const n of topLevel) s.claim(n);
    return s;
  }

  /** A scope inside this one (a generated function's parameters and locals). */
  child(): NameScope {
    return new NameScope(this);
  }

  private root(): NameScope {
    let s: NameScope = this;
    while (s.parent) s = s.parent;
    return s;
  }

  /** Whether `name` cannot be declared in this scope. */
  taken(name: string): boolean {
    if (JS_RESERVED.has(name)) return true;
    if (this.everywhere) return this.everywhere.has(name);
    for (let s: NameScope | null = this; s; s = s.parent) if (s.own.has(name)) return true;
    return false;
  }

  /** Takes `name` as it is (a name the caller chose, or one picked by `scopedNames`). */
  claim(name: string): string {
    this.own.add(name);
    this.root().everywhere!.add(name);
    return name;
  }

  /** The first free name of `base`, `base2`, `base3`…, taken. */
  fresh(base: string): string {
    base = identifierBase(base);
    let i = this.next.get(base) ?? 1;
    while (this.taken(candidate(base, i))) i++;
    this.next.set(base, i);
    return this.claim(candidate(base, i));
  }
}

/**
 * A qualified name as an identifier (engine/declarationForms.ts): `this.k` → `thisK`,
 * `activations.logistic.fn` → `activationsLogisticFn`, `exports.f` → `exportsF`.
 */
export function identifierBase(name: string): string {
  if (!name.includes('.')) return name;
  return name.split('.').filter((p) => p.length > 0).map((p, i) => (i === 0 ? p : cap(p))).join('');
}

export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The base of the name of an adjoint or a tangent: `dx`, `dx1`, `dWeights`. */
export function adjointBase(name: string): string {
  return name.length === 1 || /^[a-z]\d+$/.test(name) ? `d${name}` : `d${cap(name)}`;
}

/**
 * Printed names of a function's IR variables, taken in `scope` (the function's): the source names,
 * numbered only where two variables of overlapping block scopes share one (a `for (let i …)` header
 * scopes its variable to its loop), and only where the enclosing scopes have taken them. With
 * `sanitize`, `v0`, `v1`… (the compile path never prints user names).
 */
export function scopedNames(w: Work, layout: Layout, scope: NameScope, sanitize: boolean): string[] {
  const names: string[] = [];
  // The block scopes each name is taken in, by name, and per base the first candidate not known to
  // be taken, where a top-level variable's search starts (every taken name clashes with it): a
  // function with thousands of temporaries is named in linear time, not cubic.
  const taken = new Map<string, { pre: number; post: number }[]>();
  const firstFree = new Map<string, number>();
  for (const v of w.vars) {
    if (sanitize) { names[v.id] = `v${v.id}`; continue; }
    if ((v.id & 255) === 255) checkTime('code generation');
    const base = v.name.startsWith('$') ? v.name.slice(1).replace(/\d+$/, '').replace(/^alias$/, 'v') || 'tmp' : identifierBase(v.name);
    const block = layout.declBlock.get(v.id);
    const header = forHeaderScope(layout, v.id);
    const b = header ?? (block ? layout.blockOf.get(block)! : { pre: 0, post: Number.MAX_SAFE_INTEGER });
    const within = layout.arrayFromVars.has(v.id) ? { pre: 0, post: Number.MAX_SAFE_INTEGER } : b;
    const top = !header && (!block || layout.blockOf.get(block)!.top || layout.arrayFromVars.has(v.id));
    let i = top ? firstFree.get(base) ?? 1 : 1;
    let name = candidate(base, i);
    for (;;) {
      const clash = scope.taken(name) || (taken.get(name)?.some((t) => top || (t.pre <= within.pre && t.post >= within.post) || (within.pre <= t.pre && within.post >= t.post)) ?? false);
      if (!clash) break;
      name = candidate(base, ++i);
    }
    const scopes = taken.get(name) ?? [];
    scopes.push({ pre: top ? 0 : within.pre, post: top ? Number.MAX_SAFE_INTEGER : within.post });
    taken.set(name, scopes);
    let free = firstFree.get(base) ?? 1;
    while (taken.has(candidate(base, free)) || scope.taken(candidate(base, free))) free++;
    firstFree.set(base, free);
    names[v.id] = name;
  }
  for (const n of new Set(names)) scope.claim(n);
  return names;
}

/** The loop a `let` directly before it counts, printed as its `for` header: the variable's scope. */
function forHeaderScope(layout: Layout, v: number): { pre: number; post: number } | null {
  const decl = layout.declStmt.get(v);
  const block = layout.declBlock.get(v);
  if (!decl || !block) return null;
  const at = block.indexOf(decl);
  const loop = block[at + 1];
  if (!loop || loop.k !== 'loop' || loop.update.length !== 1 || loop.update[0].k !== 'assign' || loop.update[0].v !== v) return null;
  if (stmtsMention(block.slice(at + 2), v)) return null;
  return { pre: layout.pos.get(decl)!.pre, post: layout.pos.get(loop)!.post };
}
