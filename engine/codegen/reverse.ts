// Reverse-mode (adjoint) code generation, in the style of Tangent and Clad: the forward sweep (the
// function's own statements, plus what the reverse sweep needs saved), then the adjoint of each
// statement in reverse order. From start to finish:
//
// 1. the function is prepared (prepare.ts) and named (names.ts) — reverseState.ts;
// 2. the statement adjoints (stmtAdjoints.ts) walk it backwards, propagating through expressions
//    (propagate.ts), into the reverse sweep's adjoint statements (adjoint.ts); a forward value
//    still intact is read as it is, any other is a request to the next pass;
// 3. passes over those statements: recompute or save each value requested (values.ts `decide`),
//    size the stacks (stacks.ts), make first writes of a parameter's adjoint element stores
//    (firstWrites.ts);
// 4. the reverse sweep is printed, then the forward sweep without what nothing reads (`liveForward`),
//    and the function is assembled here.

import { Expr, IrFunction, Stmt } from '../ir';
import { checkTime } from '../symbolic/charge';
import { Adj, AdjOf, flattenGroups, printAdj } from './adjoint';
import { isEmpty, Line, printLines } from './code';
import { GenContext, PullbackInfo } from './context';
import { forEachVar, ref } from './expr';
import { firstWrites } from './firstWrites';
import { cap } from './names';
import { printStmts } from './printIr';
import { Propagation } from './propagate';
import { ReverseSpec, ReverseState } from './reverseState';
import { forwardLines, forwardMap, sizeStacks } from './stacks';
import { StmtAdjoints } from './stmtAdjoints';
import { forEachStmt } from './stmtWalk';
import { Values } from './values';

export type { ReverseSpec } from './reverseState';

function adjointType(t: 'num' | 'arr', depth: number): string {
  return t === 'num' ? 'number' : depth > 1 ? 'number[][]' : 'number[]';
}

export class ReverseGen {
  private readonly st: ReverseState;
  private readonly values: Values;
  private readonly stmts: StmtAdjoints;

  constructor(readonly ctx: GenContext, readonly spec: ReverseSpec) {
    this.st = new ReverseState(ctx, spec, (helper, active) => pullbackFor(ctx, helper, active));
    this.values = new Values(this.st);
    this.stmts = new StmtAdjoints(this.st, this.values, new Propagation(this.st, this.values));
  }

  /** The generated function, as lines. */
  generate(): Line[] {
    const { st, spec, ctx } = this;
    const { w } = st;
    const fn = w.fn;
    // param adjoints are declared first so they get the plain names (dx, dw)
    const wrtVars = spec.wrt.map((i) => fn.params[i].v);
    for (const v of wrtVars) st.adj(v);
    let reverse = this.stmts.reverseBlock(w.body);
    const topLocals: Adj[] = [];
    for (const s of w.body) if (s.k === 'let') topLocals.push(...this.stmts.adjointDecl(s.v));
    const paramAdj: Adj[] = [];
    for (const p of fn.params) {
      if (!st.adjUsed.has(p.v)) continue;
      const d = st.adjIds.get(p.v)!;
      if (p.type === 'num') paramAdj.push(st.emit({ k: 'decl', kind: 'let', name: d, value: { k: 'const', value: 0, range: p.range } }));
      else if (spec.mode === 'gradient' || !wrtVars.includes(p.v)) {
        // (the parameter read by name: its length is not a use the forward sweep must keep)
        const like = ref(st.syntheticNamed(st.names[p.v]));
        paramAdj.push(st.emit({ k: 'decl', kind: 'const', name: d, value: { k: 'zeros', like, array: p.depth > 1 ? 'rows' : 'array', fill: true } }));
      }
    }
    // passes over the adjoint statements: recompute or save each value read, size the stacks, make first writes stores
    this.values.decide([paramAdj, topLocals, reverse]);
    reverse = flattenGroups(reverse);
    const locals = flattenGroups(topLocals);
    topLocals.splice(0, topLocals.length, ...locals);
    sizeStacks(st, this.values);
    if (spec.mode === 'gradient') {
      for (const v of wrtVars) {
        const p = fn.params.find((q) => q.v === v)!;
        if (p.type !== 'arr' || p.depth !== 1 || !st.adjUsed.has(v)) continue;
        const d = st.adjIds.get(v)!;
        const at = paramAdj.findIndex((s) => s.k === 'decl' && s.kind === 'const' && s.name === d);
        if (at < 0) continue;
        const others = [...paramAdj.filter((_, k) => k !== at), ...topLocals];
        const f = firstWrites({ names: st.names, fnName: (n) => ctx.fnName(n) }, reverse, others, paramAdj[at] as AdjOf<'decl'>, st.names[v], fn.params.map((q) => st.names[q.v]));
        if (!f) continue;
        reverse = f.stmts;
        paramAdj.splice(at, 1, f.decl, ...f.init);
      }
    }
    // printing: the reverse sweep first (it says which forward values are read), then the forward sweep
    const rev = printAdj(st, [...paramAdj, ...topLocals, ...reverse]);
    const before = forwardMap(st, st.fwdBefore);
    const after = forwardMap(st, st.fwdAfter);
    const forward = printStmts(this, w.body, {
      before, after, bodyStart: st.fwdBodyStart, test: st.fwdTest,
      needed: this.liveForward(before, after),
    });
    const params = fn.params.map((p) => `${st.names[p.v]}${st.ty(`: ${p.typeText}`)}`);
    let ret: string;
    let retType: string;
    if (spec.mode === 'gradient') {
      const parts = spec.wrt.map((i) => st.names[st.adjIds.get(fn.params[i].v)!]);
      const types = spec.wrt.map((i) => adjointType(fn.params[i].type, fn.params[i].depth));
      ret = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
      retType = types.length === 1 ? types[0] : `[${types.join(', ')}]`;
    } else {
      params.push(`${st.names[st.dOutId]}${st.ty(fn.returnType === 'num' ? ': number' : ': ArrayLike<number>')}`);
      for (const i of spec.wrt) {
        const p = fn.params[i];
        if (p.type === 'arr') params.push(`${st.names[st.adjIds.get(p.v)!]}${st.ty(p.depth > 1 ? ': number[][]' : ': number[] | Float64Array')}`);
      }
      const scalars = spec.wrt.filter((i) => fn.params[i].type === 'num').map((i) => st.names[st.adjIds.get(fn.params[i].v)!]);
      ret = scalars.length === 0 ? '' : scalars.length === 1 ? scalars[0] : `[${scalars.join(', ')}]`;
      retType = scalars.length === 0 ? 'void' : scalars.length === 1 ? 'number' : `[${scalars.map(() => 'number').join(', ')}]`;
    }
    const lines: Line[] = [];
    lines.push(...forwardLines(st, st.hoisted));
    if (!isEmpty(forward)) lines.push(...(ctx.opts.sanitize ? [] : ['// forward sweep']), ...forward);
    if (rev.length > 0) lines.push(...(ctx.opts.sanitize ? [] : ['// reverse sweep']), ...rev);
    if (ret) lines.push(`return ${ret};`);
    const doc = ctx.opts.sanitize ? [] : ['/**', ...spec.doc.map((l) => ` * ${l}`.trimEnd()), ' */'];
    const head = `${spec.exported ? 'export ' : ''}function ${ctx.fnName(spec.name)}(${params.join(', ')})${st.ty(`: ${retType}`)}`;
    return [...doc, { head, body: lines }];
  }

  // the forward sweep is printed through these (printIr.ts)
  get names(): string[] { return this.st.names; }
  get w(): ReverseState['w'] { return this.st.w; }
  p(e: Expr): string { return this.st.p(e); }
  aliasRoot(v: number): number { return this.st.aliasRoot(v); }

  /** Forward variables the reverse sweep or a kept statement reads (dead-code elimination of the forward sweep). */
  private liveForward(before: Map<Stmt, Line[]>, after: Map<Stmt, Line[]>): Set<number> {
    const { st } = this;
    const root = (v: number) => st.aliasRoot(v);
    const needed = new Set<number>(st.reverseUses);
    for (const v of [...needed]) needed.add(root(v));
    const kept = (s: Stmt): boolean => {
      switch (s.k) {
        case 'let': case 'assign': return needed.has(s.v) || needed.has(root(s.v));
        case 'store': case 'push': return needed.has(s.array) || needed.has(root(s.array));
        case 'if': return st.fwdTest.has(s) || before.has(s) || s.then.some(kept) || s.else.some(kept);
        case 'loop': return st.tripSlots.has(s) || before.has(s) || after.has(s) || s.body.some(kept) || s.update.some(kept);
        case 'break': return true;
        default: return false;
      }
    };
    let changed = true;
    const addVars = (e: Expr) => forEachVar(e, (v) => { if (!needed.has(v)) { needed.add(v); needed.add(root(v)); changed = true; } });
    const visit = (s: Stmt) => {
      // a statement kept only for the values saved around it (a push before it) does not need its own inputs
      if (!kept(s)) return;
      switch (s.k) {
        case 'let': addVars(s.init); break;
        case 'assign': addVars(s.value); break;
        case 'store': addVars(s.index); addVars(s.value); break;
        case 'push': addVars(s.value); break;
        case 'if': addVars(s.test); break;
        case 'loop': if (s.test) addVars(s.test); break;
        default: break;
      }
    };
    while (changed) { changed = false; checkTime('code generation'); forEachStmt(st.w.body, visit); }
    return needed;
  }
}

/** The pullback of `helper` for the given active parameters, generated on first use. */
export function pullbackFor(ctx: GenContext, helper: IrFunction, active: boolean[]): PullbackInfo {
  const wrt = helper.params.map((_, i) => i).filter((i) => active[i]);
  const key = `${helper.name}|${wrt.join(',')}`;
  const hit = ctx.pullbacks.get(key);
  if (hit) return hit;
  const all = wrt.length === helper.params.length;
  const name = ctx.freshFunctionName(`${helper.name}Pullback${all ? '' : wrt.map((i) => cap(helper.params[i].name)).join('')}`);
  const info: PullbackInfo = {
    name,
    scalars: wrt.filter((i) => helper.params[i].type === 'num'),
    arrays: wrt.filter((i) => helper.params[i].type === 'arr'),
  };
  ctx.pullbacks.set(key, info);
  const scalars = info.scalars.map((i) => helper.params[i].name);
  const arrays = info.arrays.map((i) => helper.params[i].name);
  const doc = [
    `Pullback of \`${helper.name}\`: given the adjoint \`dOut\` of its result, ${scalars.length ? `returns the adjoint${scalars.length > 1 ? 's' : ''} of ${scalars.join(', ')}` : ''}${scalars.length && arrays.length ? ' and ' : ''}${arrays.length ? `adds the adjoints of ${arrays.join(', ')} into the arrays passed` : ''}.`,
    'Generated by Gradlens (reverse mode).',
  ];
  const gen = new ReverseGen(ctx, { fn: helper, wrt, mode: 'pullback', name, exported: false, doc });
  ctx.extra.push(renderFunction(gen.generate()));
  return info;
}

export function renderFunction(lines: Line[]): string {
  return printLines(lines);
}
