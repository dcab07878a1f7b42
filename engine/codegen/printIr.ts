// Prints IR statements as TypeScript/JavaScript: the forward sweep of a gradient (with what the
// reverse sweep needs saved, and without what it does not need), JVP functions, and compiled code.

import { Expr, IrVar, Stmt } from '../ir';
import { block, Line } from './code';
import type { CompileInstrumentation } from './context';
import { stmtsMention } from './stmtWalk';

export interface IrPrinter {
  names: string[];
  p(e: Expr): string;
  readonly w: { vars: IrVar[]; body: Stmt[] };
  readonly ctx: { opts: { ts: boolean; instrument?: CompileInstrumentation } };
  aliasRoot?(v: number): number;
  /** Stores and pushes checked as the interpreter checks them (the compile path, IR printed as it is). */
  checked?: boolean;
  /** No `x += e`: the operation is printed by the expression printer (complex arithmetic). */
  noCompound?: boolean;
}

export interface Instrumentation {
  before?: Map<Stmt, Line[]>;
  after?: Map<Stmt, Line[]>;
  bodyStart?: Map<Stmt, Line[]>;
  /** A recorded branch: the forward `if` tests this name instead. */
  test?: Map<Stmt, string>;
  /** Variables whose writes are kept; null keeps everything. */
  needed?: Set<number> | null;
  /** How a `return` is printed; omitted ones are dropped. */
  ret?(s: Stmt & { k: 'return' }): Line[];
}

export function printStmts(g: IrPrinter, stmts: Stmt[], ins: Instrumentation): Line[] {
  const out: Line[] = [];
  const needed = ins.needed ?? null;
  const root = (v: number) => (g.aliasRoot ? g.aliasRoot(v) : v);
  const keep = (s: Stmt): boolean => {
    if (!needed) return true;
    switch (s.k) {
      case 'let': case 'assign': return needed.has(s.v) || needed.has(root(s.v));
      case 'store': case 'push': return needed.has(s.array) || needed.has(root(s.array));
      case 'if': return !!ins.test?.has(s) || !!ins.before?.has(s) || s.then.some(keepDeep) || s.else.some(keepDeep);
      case 'loop': return !!ins.before?.has(s) || !!ins.after?.has(s) || !!ins.bodyStart?.has(s) || s.body.some(keepDeep) || s.update.some(keepDeep);
      case 'break': case 'continue': return true;
      case 'return': return !!ins.ret;
    }
  };
  const keepDeep = (s: Stmt): boolean => keep(s) || !!ins.before?.has(s) || !!ins.after?.has(s);
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i];
    const next = stmts[i + 1];
    // `let i = 0` directly before the loop it counts prints as `for (let i = 0; …; i++)`
    if (s.k === 'let' && next && next.k === 'loop' && forHeaderVar(g, s, next, stmts) && !ins.after?.has(s) && keep(next)) {
      out.push(...(ins.before?.get(s) ?? []));
      out.push(...(ins.before?.get(next) ?? []));
      out.push(...printLoop(g, next, ins, `let ${g.names[s.v]} = ${g.p(s.init)}`));
      out.push(...(ins.after?.get(next) ?? []));
      i++;
      continue;
    }
    out.push(...(ins.before?.get(s) ?? []));
    if (keep(s)) out.push(...printOne(g, s, ins));
    out.push(...(ins.after?.get(s) ?? []));
  }
  return out;
}

function forHeaderVar(g: IrPrinter, s: Stmt & { k: 'let' }, loop: Stmt & { k: 'loop' }, siblings: Stmt[]): boolean {
  if (loop.update.length !== 1 || loop.update[0].k !== 'assign' || loop.update[0].v !== s.v) return false;
  // the variable must not be read after the loop (a `for` header would scope it to the loop)
  void g;
  return !stmtsMention(siblings.slice(siblings.indexOf(loop) + 1), s.v);
}

/** `x = x + e` as `x += e`, `x = x + 1` as `x++`. */
function assignText(target: string, isSelf: (e: Expr) => boolean, value: Expr, g: IrPrinter): string {
  if (value.k === 'binary' && isSelf(value.a) && (value.op === '+' || value.op === '-' || value.op === '*' || value.op === '/')) {
    if ((value.op === '+' || value.op === '-') && value.b.k === 'const' && value.b.value === 1) return `${target}${value.op}${value.op}`;
    return `${target} ${value.op}= ${g.p(value.b)}`;
  }
  return `${target} = ${g.p(value)}`;
}

function printOne(g: IrPrinter, s: Stmt, ins: Instrumentation): Line[] {
  const ts = g.ctx.opts.ts;
  switch (s.k) {
    case 'let': {
      const x = g.w.vars[s.v];
      const kw = x.reassigned ? 'let' : 'const';
      let ann = '';
      if (ts && s.init.k === 'arrayLit' && s.init.elements.length === 0) ann = x.depth > 1 ? ': number[][]' : ': number[]';
      if (ts && x.reassigned && x.type === 'num' && s.init.k === 'const' && Number.isNaN(s.init.value)) ann = ': number';
      return [`${kw} ${g.names[s.v]}${ann} = ${g.p(s.init)};`];
    }
    case 'assign':
      if (g.noCompound) return [`${g.names[s.v]} = ${g.p(s.value)};`];
      return [`${assignText(g.names[s.v], (e) => e.k === 'var' && e.id === s.v, s.value, g)};`];
    case 'store': {
      // (checked: an index up to the length, as the interpreter allows, and no compound
      // assignment, whose implicit read would not be checked)
      if (g.checked) return [`${g.names[s.array]}[$st(${g.names[s.array]}, ${g.p(s.index)})] = ${g.p(s.value)};`];
      const target = `${g.names[s.array]}[${g.p(s.index)}]`;
      const self = (e: Expr) => e.k === 'index' && e.array.k === 'var' && e.array.id === s.array && g.p(e.index) === g.p(s.index);
      return [`${assignText(target, self, s.value, g)};`];
    }
    case 'push':
      if (g.checked) return [`if (${g.names[s.array]}.push(${g.p(s.value)}) > $maxElements) $tooBig();`];
      return [`${g.names[s.array]}.push(${g.p(s.value)});`];
    case 'if': {
      const test = ins.test?.get(s) ?? g.p(s.test);
      const then = printStmts(g, s.then, ins);
      const els = printStmts(g, s.else, ins);
      if (then.length === 0 && els.length === 0) return [];
      if (then.length === 0) return [block(`if (${/^[\w$]+$/.test(test) ? `!${test}` : `!(${test})`})`, els)];
      return [block(`if (${test})`, then, els)];
    }
    case 'loop': return printLoop(g, s, ins, null);
    case 'break': return ['break;'];
    case 'continue': return ['continue;'];
    case 'return': return ins.ret ? ins.ret(s) : [];
  }
}

function printLoop(g: IrPrinter, s: Stmt & { k: 'loop' }, ins: Instrumentation, init: string | null): Line[] {
  const start = [...(g.ctx.opts.instrument ? [budgetTick(1 + exprSteps(s.test) + blockSteps(s.body) + blockSteps(s.update))] : []), ...(ins.bodyStart?.get(s) ?? [])];
  const body = [...start, ...printStmts(g, s.body, ins)];
  const update = printStmts(g, s.update, { ...ins, needed: null });
  const test = s.test ? g.p(s.test) : '';
  const oneLine = update.length === 1 && typeof update[0] === 'string' ? (update[0] as string).replace(/;$/, '') : null;
  if (init !== null || oneLine !== null || update.length === 0) {
    if (init === null && update.length === 0) return [block(s.test ? `while (${test})` : 'while (true)', body)];
    if (oneLine !== null || update.length === 0) return [block(`for (${init ?? ''}; ${test}; ${oneLine ?? ''})`, body)];
  }
  // a longer update runs at the end of each iteration (bodies have no `continue` after normalisation)
  const head = init !== null ? [`${init};`] : [];
  return [...head, block(s.test ? `while (${test})` : 'while (true)', [...body, ...update])];
}

// ---- the compile path's budget ticks --------------------------------------------------------------

/**
 * The compile path's operation counter (engine/compileIr.ts): `steps` more, and the runtime asked
 * once the counter passes its next checkpoint (it charges the meter, reads the clock, and stops a
 * run over its step budget).
 */
export function budgetTick(steps: number): string {
  return `if (($n += ${Math.max(1, steps)}) > $lim) $over();`;
}

/**
 * Steps the interpreter charges for one pass over `stmts` (a statement each, an operation each),
 * counting the longer branch of an `if` and a nested loop once (its iterations tick themselves).
 */
export function blockSteps(stmts: Stmt[]): number {
  let n = 0;
  for (const s of stmts) {
    n += 1;
    switch (s.k) {
      case 'let': n += exprSteps(s.init); break;
      case 'assign': n += exprSteps(s.value); break;
      case 'store': n += exprSteps(s.index) + exprSteps(s.value); break;
      case 'push': n += exprSteps(s.value); break;
      case 'return': n += exprSteps(s.value); break;
      case 'if': n += exprSteps(s.test) + Math.max(blockSteps(s.then), blockSteps(s.else)); break;
      case 'loop': n += exprSteps(s.test); break;
      default: break;
    }
  }
  return n;
}

function exprSteps(e: Expr | null): number {
  if (!e) return 0;
  switch (e.k) {
    case 'const': case 'bool': case 'var': return 0;
    case 'neg': return 1 + exprSteps(e.x);
    case 'not': return exprSteps(e.x);
    case 'binary': return 1 + exprSteps(e.a) + exprSteps(e.b);
    case 'compare': case 'logical': return exprSteps(e.a) + exprSteps(e.b);
    case 'math': return 1 + e.args.reduce((n, a) => n + exprSteps(a), 0);
    case 'call': return e.args.reduce((n, a) => n + exprSteps(a), 0);
    case 'cond': return exprSteps(e.test) + Math.max(exprSteps(e.then), exprSteps(e.else));
    case 'index': return exprSteps(e.array) + exprSteps(e.index);
    case 'length': return exprSteps(e.array);
    case 'arrayLit': return e.elements.length + e.elements.reduce((n, a) => n + exprSteps(a), 0);
    case 'arrayFill': return exprSteps(e.length) + exprSteps(e.fill);
    case 'arrayFrom': return exprSteps(e.length) + exprSteps(e.body);
  }
}
