// Forward mode: a JVP function `fJvp(...params, ...tangents)` returning `[value, derivative]`, built
// as an IR-to-IR transform (each statement followed by its tangent statement), so that the same
// IR also feeds the Hessian: reverse mode over the tangent function gives H·v.

import { Expr, IrFunction, IrParam, Stmt } from '../ir';
import { OPS } from '../ops';
import { checkTime } from '../symbolic/charge';
import { partialOf, ruleApplies, ruleEntries } from '../userRules';
import { Activity } from './activity';
import { Line, printLines } from './code';
import { CompileInstrumentation, GenContext } from './context';
import { add, cnst, cond, idx, mul, partialExprs, printExpr, PrintOptions, ref } from './expr';
import { argsOf, exprType, opOf } from './extract';
import { Layout } from './layout';
import { adjointBase, cap, identifierBase, scopedNames } from './names';
import { prepareForward } from './prepare';
import { blockSteps, budgetTick, printStmts } from './printIr';
import { ReverseGen, renderFunction } from './reverse';
import { mapBlocks } from './stmtWalk';
import { CodegenError, newVar, Work } from './work';

type Kind = 'pair' | 'tangent';

class JvpBuilder {
  readonly w: Work;
  readonly act: Activity;
  private readonly tan = new Map<number, number>();

  constructor(readonly ctx: GenContext, readonly fn: IrFunction, readonly active: boolean[], readonly kind: Kind) {
    const { w, act } = prepareForward(ctx, fn, new Set(fn.params.filter((_, i) => active[i]).map((p) => p.v)));
    this.act = act;
    this.w = w;
    // tangent parameters first, so they get the plain names (dx, dw)
    fn.params.forEach((p, i) => { if (active[i]) this.tv(p.v); });
  }

  tv(v: number): number {
    let t = this.tan.get(v);
    if (t === undefined) {
      const x = this.w.vars[v];
      t = newVar(this.w, `$d${x.name.replace(/^\$/, '')}`, x.type, x.depth, x.reassigned);
      this.w.vars[t].name = x.name.startsWith('$') ? `$d${x.name.slice(1)}` : adjointBase(x.name);
      this.tan.set(v, t);
    }
    return t;
  }

  /** The tangent of an expression. */
  t(e: Expr, out?: Expr): Expr {
    if (!this.act.expr(e)) {
      if (this.isArray(e)) return { k: 'arrayFill', length: { k: 'length', array: e, range: e.range }, fill: cnst(0), range: e.range };
      return cnst(0);
    }
    switch (e.k) {
      case 'var': return ref(this.tv(e.id));
      case 'index': return idx(this.t(e.array), e.index);
      case 'cond': return cond(e.test, this.t(e.then), this.t(e.else));
      case 'arrayLit': return { ...e, elements: e.elements.map((x) => this.t(x)) };
      case 'arrayFill': return { ...e, fill: this.t(e.fill) };
      case 'arrayFrom': return { ...e, body: this.t(e.body) };
      case 'call': {
        // only inside conditionals and array builders (elsewhere calls have their own statement)
        const f = this.ctx.resolve(e.fn);
        if (f.annotations.derivative) throw new CodegenError(`a @derivative helper ('${e.fn}') inside a conditional expression`, e.range);
        const tangentOnly = this.kind === 'tangent' && f.returnType === 'arr';
        const { name, active } = jvpFor(this.ctx, f, e.args.map((a) => this.act.expr(a)), tangentOnly ? 'tangent' : 'pair');
        const call: Expr = { ...e, fn: name, args: [...e.args, ...e.args.filter((_, i) => active[i]).map((a) => this.t(a))] };
        return tangentOnly ? call : idx(call, cnst(1));
      }
      default: break;
    }
    const op = opOf(e);
    if (!op) throw new CodegenError(`the tangent of this expression (${e.k})`, e.range);
    const args = argsOf(e);
    const active = args.map((a) => this.act.expr(a));
    const ps = partialExprs(op, args, out ?? e, active);
    let sum: Expr = cnst(0);
    args.forEach((a, i) => { if (active[i]) sum = add(sum, mul(ps[i], this.t(a))); });
    return sum;
  }

  private isArray(e: Expr): boolean {
    return exprType(e, this.w.vars, (n) => ({ t: this.ctx.resolve(n).returnType, d: 1 })).t === 'arr';
  }

  /** `v = helper(args)` with its tangent: through the helper's JVP, its @derivative rule, or zero. */
  private callStmts(target: number, e: Expr & { k: 'call' }, s: Stmt, declare: boolean): Stmt[] {
    const f = this.ctx.resolve(e.fn);
    const argActive = e.args.map((a) => this.act.expr(a));
    const mk = (v: number, value: Expr): Stmt => (declare ? { k: 'let', v, init: value, range: s.range } : { k: 'assign', v, value, range: s.range });
    if (!this.act.active[target]) return [mk(target, e)];
    const dv = this.tv(target);
    if (f.annotations.nondifferentiable || !argActive.some((a) => a)) return [mk(target, e), mk(dv, this.t(ref(target)).k === 'var' ? cnst(0) : this.t(ref(target)))];
    if (f.annotations.derivative) return this.ruleStmts(f, f.annotations.derivative, target, dv, e, s, mk, declare);
    if (this.kind === 'tangent' && f.returnType === 'arr') {
      // Under reverse mode (a Hessian), a helper returning an array gives its value and its
      // tangent by two calls: a pair of arrays is an array of arrays, which reverse mode does not take.
      const t = jvpFor(this.ctx, f, argActive, 'tangent');
      const tangent: Expr = { k: 'call', fn: t.name, args: [...e.args, ...e.args.filter((_, i) => t.active[i]).map((a) => this.t(a))], range: e.range };
      // (an assignment's tangent reads the arguments' old values: it goes first)
      return declare ? [mk(target, e), mk(dv, tangent)] : [mk(dv, tangent), mk(target, e)];
    }
    const { name, active } = jvpFor(this.ctx, f, argActive);
    const pairDepth = f.returnType === 'num' ? 1 : 2;
    const pair = newVar(this.w, '$jvp', 'arr', pairDepth);
    const call: Expr = { k: 'call', fn: name, args: [...e.args, ...e.args.filter((_, i) => active[i]).map((a) => this.t(a))], range: e.range };
    return [
      { k: 'let', v: pair, init: call, range: s.range },
      mk(target, idx(ref(pair), cnst(0))),
      mk(dv, idx(ref(pair), cnst(1))),
    ];
  }

  /**
   * `v = helper(args)` through the helper's `@derivative` rule (userRules.ts): the rule's result
   * `g`, and the tangent Σ ∂·(argument's tangent), a loop of products for an array parameter. An
   * assignment's tangent reads the arguments' old values: it goes before the value.
   */
  private ruleStmts(f: IrFunction, rule: string, target: number, dv: number, e: Expr & { k: 'call' }, s: Stmt, mk: (v: number, value: Expr) => Stmt, declare: boolean): Stmt[] {
    if (!ruleApplies(f)) throw new CodegenError(`@derivative on '${f.name}', which returns an array`);
    const all = ruleEntries(f);
    const entries = all.filter((en) => this.act.expr(e.args[en.param]));
    for (const en of entries) if (en.depth > 1) throw new CodegenError(`a @derivative rule over the array of arrays '${f.params[en.param].name}'`);
    // the result: one partial (a number, or an array), or a tuple of them (of arrays: depth 2)
    const one = all.length === 1 ? all[0] : null;
    const depth = one ? one.depth : all.some((en) => en.array) ? 2 : 1;
    const g = newVar(this.w, `$g${cap(f.name)}`, depth === 0 ? 'num' : 'arr', depth);
    const out: Stmt[] = [{ k: 'let', v: g, init: { k: 'call', fn: rule, args: e.args, range: e.range }, range: s.range }];
    let sum: Expr = cnst(0);
    for (const en of entries) {
      const part = partialOf(ref(g), en, (r, k) => idx(r, cnst(k)));
      const tangent = this.t(e.args[en.param]);
      if (!en.array) { sum = add(sum, mul(part, tangent)); continue; }
      // Σ_k part[k] · tangent[k]
      const dot = newVar(this.w, '$dot', 'num', 0, true);
      const k = newVar(this.w, '$k', 'num', 0, true);
      const r = s.range;
      out.push(
        { k: 'let', v: dot, init: cnst(0), range: r },
        { k: 'let', v: k, init: cnst(0), range: r },
        {
          k: 'loop',
          test: { k: 'compare', op: '<', a: ref(k), b: { k: 'length', array: part, range: r }, range: r },
          body: [{ k: 'assign', v: dot, value: add(ref(dot), mul(idx(part, ref(k)), idx(tangent, ref(k)))), range: r }],
          update: [{ k: 'assign', v: k, value: add(ref(k), cnst(1)), range: r }],
          range: r,
        },
      );
      sum = add(sum, ref(dot));
    }
    return declare ? [mk(target, e), ...out, mk(dv, sum)] : [...out, mk(dv, sum), mk(target, e)];
  }

  stmts(stmts: Stmt[]): Stmt[] {
    const out: Stmt[] = [];
    for (const s of stmts) out.push(...this.stmt(s));
    return out;
  }

  private stmt(s: Stmt): Stmt[] {
    checkTime('code generation');
    const { w, act } = this;
    switch (s.k) {
      case 'let': {
        if (!act.active[s.v]) return [s];
        if (s.init.k === 'call') return this.callStmts(s.v, s.init, s, true);
        const x = w.vars[s.v];
        const out = x.type === 'num' && !x.reassigned ? ref(s.v) : undefined;
        return [s, { k: 'let', v: this.tv(s.v), init: this.t(s.init, out), range: s.range }];
      }
      case 'assign': {
        if (!act.active[s.v]) return [s];
        if (s.value.k === 'call') return this.callStmts(s.v, s.value, s, false);
        // the tangent reads the old value: it goes first
        return [{ k: 'assign', v: this.tv(s.v), value: this.t(s.value), range: s.range }, s];
      }
      case 'store': {
        if (!act.active[s.array]) return [s];
        return [{ k: 'store', array: this.tv(s.array), index: s.index, value: this.t(s.value), range: s.range }, s];
      }
      case 'push': {
        if (!act.active[s.array]) return [s];
        return [s, { k: 'push', array: this.tv(s.array), value: this.t(s.value), range: s.range }];
      }
      case 'if': case 'loop': return [mapBlocks(s, (b) => this.stmts(b))];
      case 'return': {
        let value = s.value;
        const pre: Stmt[] = [];
        if (value.k === 'call' && act.expr(value)) {
          const v = newVar(w, '$value', w.fn.returnType, w.fn.returnType === 'arr' ? 1 : 0);
          act.active[v] = true;
          pre.push(...this.callStmts(v, value, s, true));
          value = ref(v);
        }
        const tangent = this.t(value);
        if (this.kind === 'tangent') return [...pre, { ...s, value: tangent }];
        return [...pre, { ...s, value: { k: 'arrayLit', elements: [value, tangent], range: s.range } }];
      }
      default: return [s];
    }
  }

  build(name: string): IrFunction {
    const fn = this.fn;
    const body = this.stmts(this.w.body);
    const tangentParams: IrParam[] = [];
    fn.params.forEach((p, i) => {
      if (!this.active[i]) return;
      const tv = this.tv(p.v);
      this.w.vars[tv].kind = 'param';
      tangentParams.push({ ...p, name: this.w.vars[tv].name, v: tv });
    });
    const vec = fn.returnType === 'arr';
    return {
      ...fn,
      name,
      params: [...fn.params, ...tangentParams],
      vars: this.w.vars,
      body,
      returnType: this.kind === 'pair' ? 'arr' : fn.returnType,
      returnTypeText: this.kind === 'pair' ? (vec ? '[number[], number[]]' : '[number, number]') : vec ? 'number[]' : 'number',
      annotations: { ...fn.annotations, wrt: null, gradient: null, derivative: null, nondifferentiable: false },
      calls: [],
      ok: true,
    };
  }
}

/**
 * The JVP of a helper for the given active arguments, generated on first use: its value and
 * tangent (`pair`), or its tangent alone (`tangent`: for a helper returning an array under reverse mode).
 */
export function jvpFor(ctx: GenContext, f: IrFunction, argActive: boolean[], kind: Kind = 'pair'): { name: string; active: boolean[] } {
  const active = f.params.map((_, i) => !!argActive[i]);
  const key = `${f.name}|${active.map((a) => (a ? 1 : 0)).join('')}${kind === 'pair' ? '' : '|tangent'}`;
  const hit = ctx.jvps.get(key);
  if (hit) return hit;
  const all = active.every((a) => a);
  const name = ctx.freshFunctionName(`${identifierBase(f.name)}${kind === 'pair' ? 'Jvp' : 'Tangent'}${all ? '' : f.params.filter((_, i) => active[i]).map((p) => cap(identifierBase(p.name))).join('')}`);
  const entry = { name, active };
  ctx.jvps.set(key, entry);
  const ir = new JvpBuilder(ctx, f, active, kind).build(name);
  ctx.synthetic.set(name, ir);
  const along = ir.params.slice(f.params.length).map((p) => p.name).join(', ');
  const doc = [kind === 'pair' ? `Forward mode of \`${f.name}\`: its value and its derivative along the tangents ${along}.` : `Forward mode of \`${f.name}\`: its derivative along the tangents ${along}.`, 'Generated by Gradlens.'];
  ctx.extra.push(printIrFunction(ctx, ir, doc, false));
  return entry;
}

/** Prints an IR function (a generated JVP) as a TypeScript function. */
export function printIrFunction(ctx: GenContext, fn: IrFunction, doc: string[], exported: boolean): string {
  const w: Work = { fn, vars: fn.vars, body: fn.body };
  const layout = new Layout(w, (v) => v);
  const names = scopedNames(w, layout, ctx.names.child(), ctx.opts.sanitize);
  const ts = ctx.opts.ts;
  const ins = ctx.opts.instrument;
  const special = ins ? checkedPrinting(ins, fn) : ctx.heldPrinting(fn);
  const g = {
    names, w, ctx, checked: !!ins, noCompound: !!ins?.complex,
    p: (e: Expr) => printExpr(e, { name: (id) => names[id], fnName: (n) => ctx.fnName(n), ts, special }),
  };
  const entry = !!ins && ins.entry === fn.name;
  const ret = (s: Stmt & { k: 'return' }): Line[] => {
    if (!ins) return [`return ${g.p(s.value)};`];
    // (the call depth drops after the value is computed; the entry records which return it took)
    if (!entry) return [`return $leave(${g.p(s.value)});`];
    ins.entryReturns.push(s);
    return [`return $leaveEntry(${ins.entryReturns.length - 1}, ${g.p(s.value)});`];
  };
  let body: Line[] = printStmts(g, fn.body, { ret });
  if (ins) body = [`if (++$depth > $maxDepth) $tooDeep();`, budgetTick(blockSteps(fn.body)), ...body, '$noReturn();'];
  const params = fn.params.map((p) => `${names[p.v]}${ts ? `: ${p.typeText}` : ''}`).join(', ');
  const head = `${exported ? 'export ' : ''}function ${ctx.fnName(fn.name)}(${params})${ts ? `: ${fn.returnTypeText ?? 'number'}` : ''}`;
  const lines: Line[] = [...(ctx.opts.sanitize ? [] : ['/**', ...doc.map((l) => ` * ${l}`), ' */']), { head, body }];
  return printLines(lines);
}

/**
 * The compile path's printing of one function's expressions: an index read that finds nothing
 * stops the run (the interpreter reports it), array sizes are checked and charged, and where the
 * function may meet a kink, comparisons and operations with a non-differentiable point go through
 * probes that note a tie (the interpreter then decides: engine/compiled/live.ts).
 */
function checkedPrinting(ins: CompileInstrumentation, fn: IrFunction): NonNullable<PrintOptions['special']> {
  const probe = ins.kinkProbes(fn.name);
  return (e, sub) => {
    // (complex step: numbers may be complex; what must be real reads the real part)
    const real = (x: Expr, min: number) => (ins.complex ? `$re(${sub(x, 2)})` : sub(x, min));
    switch (e.k) {
      case 'index': return `(${sub(e.array, 17)}[${real(e.index, 0)}] ?? $badIndex())`;
      case 'arrayFill': return `new Array($size(${real(e.length, 2)}, 1)).fill(${sub(e.fill, 2)})`;
      case 'arrayFrom': return `Array.from({ length: $size(${real(e.length, 2)}, ${1 + blockSteps([{ k: 'return', value: e.body, range: e.range }])}) }, (_, ${sub({ k: 'var', id: e.indexVar, range: e.range }, 17)}) => ${sub(e.body, 2)})`;
      case 'compare':
        if (ins.complex) return `(${real(e.a, 2)} ${e.op} ${real(e.b, 2)})`;
        if (!probe || e.op === '===' || e.op === '!==' || !(probe(e.a) || probe(e.b))) return undefined;
        return `${COMPARE_PROBE[e.op]}(${sub(e.a, 2)}, ${sub(e.b, 2)})`;
      case 'neg':
        return ins.complex ? `$complex("neg", ${sub(e.x, 2)})` : undefined;
      case 'binary': case 'math': {
        const op = e.k === 'binary' ? e.op : e.fn;
        const args = e.k === 'binary' ? [e.a, e.b] : e.args;
        if (ins.complex) return `$complex(${JSON.stringify(op)}, ${args.map((a) => sub(a, 2)).join(', ')})`;
        if (!probe || !OPS[op].kink || !args.some(probe)) return undefined;
        return `$kinkOp(${JSON.stringify(op)}, ${args.map((a) => sub(a, 2)).join(', ')})`;
      }
      default: return undefined;
    }
  };
}

const COMPARE_PROBE = { '<': '$lt', '<=': '$le', '>': '$gt', '>=': '$ge' } as const;

function wrtNames(fn: IrFunction, wrt: number[]): string {
  return wrt.map((i) => fn.params[i].name).join(', ');
}

export function generateJvp(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean): { code: string; name: string } {
  const outName = name ?? ctx.freshFunctionName(`${fn.name}Jvp`);
  ctx.names.claim(outName);
  const active = fn.params.map((_, i) => wrt.includes(i));
  const ir = new JvpBuilder(ctx, fn, active, 'pair').build(outName);
  const tangents = ir.params.slice(fn.params.length).map((p) => p.name);
  const doc = [
    `Forward-mode derivative of \`${fn.name}\`: returns [value, derivative] where the derivative is the directional`,
    `derivative along the tangents ${tangents.join(', ')} of ${wrtNames(fn, wrt)} (a Jacobian-vector product).`,
    'Generated by Gradlens.',
  ];
  const main = printIrFunction(ctx, ir, doc, exported);
  return { code: [main, ...ctx.extra].join('\n\n') + '\n', name: outName };
}

/**
 * The Hessian: `fHvp` (reverse mode over the tangent function: H·v), and `fHessian`, which applies it
 * to each unit vector (rows = columns = the flattened @wrt components).
 */
export function hessianFunctions(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean): { code: string; name: string } {
  if (fn.returnType !== 'num') throw new CodegenError('a Hessian of a vector-valued function');
  for (const i of wrt) if (fn.params[i].depth > 2) throw new CodegenError('a Hessian with respect to an array of arrays of arrays');
  const outName = name ?? ctx.freshFunctionName(`${fn.name}Hessian`);
  ctx.names.claim(outName);
  const hvpName = ctx.freshFunctionName(`${fn.name}Hvp`);
  const active = fn.params.map((_, i) => wrt.includes(i));
  const tangentName = ctx.freshFunctionName(`${fn.name}Tangent`);
  const tangentIr = new JvpBuilder(ctx, fn, active, 'tangent').build(tangentName);
  const doc = [
    `Hessian-vector product of \`${fn.name}\`: H·v for the direction v = (${tangentIr.params.slice(fn.params.length).map((p) => p.name).join(', ')}), by reverse mode over`,
    `forward mode (the gradient of the directional derivative). Returns it in the gradient's shape. Generated by Gradlens.`,
  ];
  const gen = new ReverseGen(ctx, { fn: tangentIr, wrt, mode: 'gradient', name: hvpName, exported: false, doc });
  const hvp = renderFunction(gen.generate());
  const ts = ctx.opts.ts;
  const t = (s: string) => (ts ? s : '');
  const scope = ctx.names.child();
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.fresh(identifierBase(p.name))));
  const fresh = (b: string) => scope.fresh(b);
  const n = fresh('n');
  const hess = fresh('hessian');
  const j = fresh('j');
  const body: Line[] = [];
  // an array of rows (number[][], an array of records over arrays) counts its elements, row by row
  const sizes = wrt.map((i) => (fn.params[i].type === 'num' ? '1' : fn.params[i].depth === 1 ? `${pn[i]}.length` : fresh(`size${cap(pn[i])}`)));
  const rowVar = fresh('row');
  const sumVar = fresh('s');
  wrt.forEach((i, k) => {
    if (fn.params[i].depth === 2) body.push(`const ${sizes[k]} = ${pn[i]}.reduce((${sumVar}, ${rowVar}) => ${sumVar} + ${rowVar}.length, 0);`);
  });
  body.push(`const ${n} = ${sizes.join(' + ')};`);
  body.push(`const ${hess}${t(': number[][]')} = [];`);
  const loop: Line[] = [];
  const dirs: string[] = [];
  let offset = '0';
  const results = wrt.map((i) => fresh(`h${cap(pn[i])}`));
  for (const i of wrt) {
    const d = fresh(adjointBase(pn[i]));
    dirs.push(d);
    if (fn.params[i].type === 'num') {
      loop.push(`const ${d} = ${j} === ${offset} ? 1 : 0;`);
      offset = offset === '0' ? '1' : `${offset} + 1`;
    } else if (fn.params[i].depth === 2) {
      const size = sizes[wrt.indexOf(i)];
      const rest = fresh('rest');
      loop.push(`const ${d} = ${pn[i]}.map((${rowVar}) => new Array${t('<number>')}(${rowVar}.length).fill(0));`);
      loop.push(`let ${rest} = ${offset === '0' ? j : `${j} - (${offset})`};`);
      loop.push({ head: `for (const ${rowVar} of ${d})`, body: [`if (${rest} >= 0 && ${rest} < ${rowVar}.length) ${rowVar}[${rest}] = 1;`, `${rest} -= ${rowVar}.length;`] });
      offset = offset === '0' ? size : `${offset} + ${size}`;
    } else {
      loop.push(`const ${d} = ${zerosLike(fn.params[i].typeText, `${pn[i]}.length`, ts)};`);
      const rel = offset === '0' ? j : `${j} - (${offset})`;
      loop.push({ head: `if (${rel} >= 0 && ${rel} < ${pn[i]}.length)`, body: [`${d}[${rel}] = 1;`] });
      offset = offset === '0' ? `${pn[i]}.length` : `${offset} + ${pn[i]}.length`;
    }
  }
  const call = `${ctx.fnName(hvpName)}(${[...pn, ...dirs].join(', ')})`;
  loop.push(results.length === 1 ? `const ${results[0]} = ${call};` : `const [${results.join(', ')}] = ${call};`);
  loop.push(`${hess}.push([${wrt.map((i, k) => (fn.params[i].type === 'num' ? results[k] : fn.params[i].depth === 2 ? `...${results[k]}.flat()` : `...${results[k]}`)).join(', ')}]);`);
  body.push({ head: `for (let ${j} = 0; ${j} < ${n}; ${j}++)`, body: loop });
  body.push(`return ${hess};`);
  const hdoc = ctx.opts.sanitize ? [] : [
    '/**',
    ` * Hessian of \`${fn.name}\` with respect to ${wrtNames(fn, wrt)} (rows and columns: the flattened components,`,
    ` * in @wrt order), one Hessian-vector product per column. Generated by Gradlens.`,
    ' */',
  ];
  const params = fn.params.map((p, i) => `${pn[i]}${t(`: ${p.typeText}`)}`).join(', ');
  const main = printLines([...hdoc, { head: `${exported ? 'export ' : ''}function ${ctx.fnName(outName)}(${params})${t(': number[][]')}`, body }]);
  return { code: [main, hvp, ...ctx.extra].join('\n\n') + '\n', name: outName };
}

/** A zero array of length `n` with the declared type of a parameter (tuples and Float64Array included). */
export function zerosLike(typeText: string, n: string, ts: boolean): string {
  if (/^\s*(readonly\s+)?Float64Array\s*$/.test(typeText)) return `new Float64Array(${n})`;
  const plain = `new Array${ts ? '<number>' : ''}(${n}).fill(0)`;
  if (ts && /^\s*(readonly\s+)?\[/.test(typeText)) return `${plain} as unknown as ${typeText}`;
  return plain;
}
