// The public entry of code generation: readable, dependency-free derivative functions:
// reverse-mode gradients (Jacobians for vector-valued functions), forward-mode JVPs, Hessians
// (reverse mode over the forward-mode tangent), and, through engine/symbolic, closed forms.
// Never throws: anything the generators cannot handle comes back as a GL002 naming it (a construct
// outside what they support), a fault of ours (a parser or generator exception) as a GL009, and a
// budget of the current meter that runs out (expression nodes, characters of generated code,
// time: code whose expressions swell) as a GL007 naming it, with `exhausted` set.

import { wrtOf } from '../wrt';
import { CodegenMode, DEFAULT_OPTIONS, EngineDiagnostic, GeneratedCode } from '../api';
import { budgeted, BudgetExceeded, inPhase } from '../budget';
import { catalogueSeverity } from '../diagnosticCodes';
import { IrFunction, Range } from '../ir';
import { parseProgram, Program } from '../program';
import type { ModuleContext } from '../modules';
import { closedFormGradient } from '../symbolic/closedForm';
import { printLines, withCodeStyle, type CodeStyle } from './code';
import { GenContext, GenOptions } from './context';
import { NameScope } from './names';
import { CodegenError } from './work';
import { pullbackFor, ReverseGen, renderFunction } from './reverse';
import { generateJvp, hessianFunctions, printIrFunction } from './jvp';

export type { GenOptions } from './context';

const MODE_TITLE: Record<CodegenMode, string> = {
  reverse: 'a reverse-mode gradient',
  closed: 'a closed-form gradient',
  jvp: 'a forward-mode (JVP) function',
  hessian: 'a Hessian',
};

export interface GenerateResult {
  generated: GeneratedCode | null;
  diagnostics: EngineDiagnostic[];
  /** The budget that stopped the generator (also reported as a GL007 in `diagnostics`), if one did. */
  exhausted?: BudgetExceeded;
}

/**
 * Generated code for `fnName`, within the current meter's budgets (or, called on its own, within
 * the budgets of one function's analysis).
 */
export function generateDerivative(text: string, fnName: string, mode: CodegenMode, options?: { name?: string; style?: CodeStyle }, modules?: ModuleContext): GenerateResult {
  let program: Program;
  try {
    program = parseProgram(text, undefined, modules);
  } catch (e) {
    return fault({ start: 0, end: 0 }, fnName, `Cannot generate ${MODE_TITLE[mode]}: the file could not be parsed (an internal error: ${(e as Error)?.message ?? String(e)}). Please report this.`);
  }
  return budgeted(DEFAULT_OPTIONS.timeBudgetMs, () => generateFromProgram(program, fnName, mode, options?.name, { ts: true, sanitize: false, style: options?.style }));
}

export function generateFromProgram(program: Program, fnName: string, mode: CodegenMode, name: string | undefined, opts: GenOptions, context?: GenContext): GenerateResult {
  const sf = program.functions.get(fnName);
  if (!sf) return fail({ start: 0, end: 0 }, fnName, `Cannot generate ${MODE_TITLE[mode]}: there is no function named '${fnName}' in this file.`);
  const where = { start: sf.nameNode.getStart(program.sourceFile), end: sf.nameNode.end };
  try {
    return inPhase('code generation', () => withCodeStyle(opts.style, () => generateIn(program, fnName, mode, name, opts, where, context)));
  } catch (e) {
    if (e instanceof BudgetExceeded) {
      return {
        generated: null,
        diagnostics: [{ code: 'GL007', severity: 'warning', range: where, functionName: fnName, message: `Cannot generate ${MODE_TITLE[mode]} of '${fnName}': ${e.message}.` }],
        exhausted: e,
      };
    }
    throw e;
  }
}

function generateIn(program: Program, fnName: string, mode: CodegenMode, name: string | undefined, opts: GenOptions, where: Range, context?: GenContext): GenerateResult {
  const sf = program.functions.get(fnName)!;
  try {
    if (mode === 'closed') {
      // Without an explicit name, the first free one, as the other modes choose it.
      const outName = name ?? NameScope.file(program.functions.keys()).fresh(`${fnName}Grad`);
      const r = closedFormGradient(program, fnName, outName);
      if ('reason' in r) return fail(where, fnName, `Cannot generate a closed-form gradient of '${fnName}': ${r.reason}`);
      return { generated: { name: outName, code: r.code }, diagnostics: [] };
    }
    const lowered = program.lower(fnName)!;
    if (!lowered.fn.ok) {
      const first = lowered.diagnostics[0];
      return {
        generated: null,
        diagnostics: [
          ...lowered.diagnostics,
          ...fail(first?.range ?? where, fnName, `Cannot generate ${MODE_TITLE[mode]} of '${fnName}': it uses constructs outside the differentiable subset${first ? ` (${first.message})` : ''}.`).diagnostics,
        ],
      };
    }
    const fn = lowered.fn;
    const wrt = wrtIndices(fn);
    if (typeof wrt === 'string') return fail(where, fnName, `Cannot generate ${MODE_TITLE[mode]} of '${fnName}': ${wrt}`);
    const exported = !opts.sanitize && program.text.slice(sf.range.start, sf.range.end).startsWith('export');
    const ctx = context ?? new GenContext(program, opts);
    let code: string;
    let outName: string;
    recordsSupported(program, fn);
    flattenRecordHelpers(ctx, fn);
    switch (mode) {
      case 'reverse': ({ code, name: outName } = fn.params.some((p) => p.record) ? recordReverseCode(ctx, fn, wrt, name, exported) : reverseCode(ctx, fn, wrt, name, exported)); break;
      case 'jvp': ({ code, name: outName } = fn.params.some((p) => p.record) ? recordForwardCode(ctx, fn, wrt, name, exported, 'jvp') : generateJvp(ctx, fn, wrt, name, exported)); break;
      case 'hessian': ({ code, name: outName } = fn.params.some((p) => p.record) ? recordForwardCode(ctx, fn, wrt, name, exported, 'hessian') : hessianFunctions(ctx, fn, wrt, name, exported)); break;
      default: throw new CodegenError(`the mode '${mode as string}'`);
    }
    return { generated: { name: outName, code }, diagnostics: [] };
  } catch (e) {
    if (e instanceof BudgetExceeded) throw e;
    if (e instanceof CodegenError) {
      return fail(e.range && e.range.end > 0 ? e.range : where, fnName, `Cannot generate ${MODE_TITLE[mode]} of '${fnName}': ${e.message} is not supported by the code generator.`);
    }
    return fault(where, fnName, `Cannot generate ${MODE_TITLE[mode]} of '${fnName}': internal error of the code generator (${(e as Error)?.message ?? String(e)}). Please report this.`);
  }
}

/** GL002: what the generators do not support (a construct outside their subset). */
function fail(range: Range, functionName: string, message: string): { generated: null; diagnostics: EngineDiagnostic[] } {
  return { generated: null, diagnostics: [{ code: 'GL002', severity: catalogueSeverity('GL002'), message, range, functionName }] };
}

/** GL009: a fault of ours (an exception of the parser or a generator), not of the user's code. */
function fault(range: Range, functionName: string, message: string): { generated: null; diagnostics: EngineDiagnostic[] } {
  return { generated: null, diagnostics: [{ code: 'GL009', severity: catalogueSeverity('GL009'), message, range, functionName }] };
}

/**
 * Indices of the `@wrt` parameters, or why they are wrong. The default is the analysis's
 * (wrtOf): every number or one-level array parameter; arrays of arrays are data held constant.
 */
export function wrtIndices(fn: IrFunction): number[] | string {
  const w = fn.annotations.wrt ?? wrtOf(fn);
  if (!fn.annotations.wrt) {
    if (w.length === 0) return 'it has no parameters to differentiate (arrays of arrays are held constant unless named by @wrt).';
    return fn.params.map((_, i) => i).filter((i) => w.includes(fn.params[i].name));
  }
  const out: number[] = [];
  for (const n of w) {
    const i = fn.params.findIndex((p) => p.name === n);
    if (i < 0) return `@wrt names '${n}', which is not one of its parameters.`;
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

function wrtList(fn: IrFunction, wrt: number[]): string {
  return wrt.map((i) => fn.params[i].name).join(', ');
}

function reverseCode(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean): { code: string; name: string } {
  const outName = name ?? ctx.freshFunctionName(`${fn.name}Grad`);
  ctx.names.claim(outName);
  if (fn.returnType === 'num') {
    const doc = [
      `Gradient of \`${fn.name}\` with respect to ${wrtList(fn, wrt)}, by reverse-mode differentiation:`,
      `the forward sweep, then the adjoint of each statement in reverse order. Returns ${gradientShapeText(fn, wrt)}.`,
      'Generated by Gradlens.',
    ];
    const gen = new ReverseGen(ctx, { fn, wrt, mode: 'gradient', name: outName, exported, doc });
    const main = renderFunction(gen.generate());
    return { code: [main, ...ctx.extra].join('\n\n') + '\n', name: outName };
  }
  // vector-valued: one pullback per output row
  const pb = pullbackFor(ctx, fn, fn.params.map((_, i) => wrt.includes(i)));
  const main = jacobianWrapper(ctx, fn, wrt, outName, exported, pb.name);
  return { code: [main, ...ctx.extra].join('\n\n') + '\n', name: outName };
}

// ---- records (issue 13) ---------------------------------------------------------------------------
// A record is an array of its fields in the IR (lower/types.ts). A gradient with respect to record
// parameters is generated over those arrays (`fGradFlat`), behind a function with the user's
// signature that takes the records apart and gives the gradient the parameters' own shapes.

/** What the generators do not do yet with records and constants: a CodegenError naming it. */
function recordsSupported(program: Program, fn: IrFunction): void {
  const constant = fn.params.find((p) => p.constant === 'str' || p.constant === 'options');
  if (constant) throw new CodegenError(`a parameter held constant that is a string or an options object ('${constant.name}')`);
  if (fn.returnRecord) throw new CodegenError('a function returning a record (its Jacobian keyed by field)');
  if (pushesRows(fn, fn.body)) throw new CodegenError('a `push` onto an array of records');
  const seen = new Set<string>([fn.name]);
  const visit = (names: string[]): void => {
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      const h = program.lower(n)?.fn;
      if (!h) continue;
      if (h.params.some((p) => p.constant === 'str' || p.constant === 'options')) throw new CodegenError(`a call to '${n}', which takes strings or options objects`);
      if (pushesRows(h, h.body)) throw new CodegenError(`a call to '${n}', which pushes onto an array of records`);
      visit(h.calls);
    }
  };
  visit(fn.calls);
}

/** A `push` of a row (a record, an array) onto an array: not differentiated by the generators yet. */
function pushesRows(fn: IrFunction, stmts: IrFunction['body']): boolean {
  return stmts.some((st) => (st.k === 'push' && fn.vars[st.array].depth > 1) ||
    (st.k === 'if' && (pushesRows(fn, st.then) || pushesRows(fn, st.else))) || (st.k === 'loop' && (pushesRows(fn, st.body) || pushesRows(fn, st.update))));
}

/**
 * The helpers (called directly or not) that take or return records, as copies over arrays
 * (`dotFlat(a: number[], b: number[])`), which the generated code calls and differentiates.
 */
function flattenRecordHelpers(ctx: GenContext, fn: IrFunction): void {
  const seen = new Set<string>([fn.name]);
  const visit = (names: string[]): void => {
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      const h = ctx.program.lower(n)?.fn;
      if (!h) continue;
      visit(h.calls);
      if (!h.params.some((p) => p.record) && !h.returnRecord) continue;
      const flatName = ctx.freshFunctionName(`${n}Flat`);
      ctx.names.claim(flatName);
      const flat: IrFunction = { ...flatFunction(h), returnTypeText: h.returnRecord ? 'number[]' : h.returnTypeText, returnRecord: undefined };
      ctx.synthetic.set(n, flat);
      ctx.renamed.set(n, flatName);
      const doc = [`\`${n}\` over the fields of its records as arrays (${h.params.filter((p) => p.record).map((p) => `${p.name} as [${p.record!.fields.map((f) => f.path).join(', ')}]`).join('; ') || 'its result'}). Generated by Gradlens.`];
      ctx.extra.push(printIrFunction(ctx, flat, doc, false));
    }
  };
  visit(fn.calls);
}

/** `[p.x, p.y]`: a record's fields in the IR's order, read from the expression `v`. */
function flatRecord(fields: { path: string }[], v: string): string {
  return `[${fields.map((f) => `${v}.${f.path}`).join(', ')}]`;
}

/** `{ x: g[0], y: g[1] }` (nested fields nested): a record of the IR's array `g`. */
function recordOf(fields: { path: string }[], g: string): string {
  type Tree = Map<string, Tree | number>;
  const root: Tree = new Map();
  fields.forEach((f, k) => {
    const parts = f.path.split('.');
    let t = root;
    for (const part of parts.slice(0, -1)) {
      if (!(t.get(part) instanceof Map)) t.set(part, new Map());
      t = t.get(part) as Tree;
    }
    t.set(parts[parts.length - 1], k);
  });
  const show = (t: Tree): string => `{ ${[...t].map(([key, v]) => `${key}: ${typeof v === 'number' ? `${g}[${v}]` : show(v)}`).join(', ')} }`;
  return show(root);
}

/** The same function over arrays: record parameters typed as the arrays of their fields. */
function flatFunction(fn: IrFunction): IrFunction {
  return { ...fn, params: fn.params.map((p) => (p.record ? { ...p, typeText: p.depth > 1 ? 'number[][]' : 'number[]', record: undefined } : p)) };
}

/** The arguments that pass record parameters (or their tangents) to the function over arrays. */
function flatArgs(fn: IrFunction, names: string[], item: string, params = fn.params): string[] {
  return params.map((p, i) => {
    if (!p.record) return names[i];
    return p.depth === 1 ? flatRecord(p.record.fields, names[i]) : `${names[i]}.map((${item}) => ${flatRecord(p.record.fields, item)})`;
  });
}

/** The order of the components of a function of records: `p.x, p.y, ps[i].x, …`. */
function componentOrder(fn: IrFunction, wrt: number[]): string {
  return wrt.map((i) => {
    const p = fn.params[i];
    return p.record ? p.record.fields.map((f) => `${p.name}${'[i]'.repeat(p.depth - 1)}.${f.path}`).join(', ') : p.name;
  }).join(', ');
}

/**
 * A JVP or a Hessian of a function of records: generated over arrays (`fJvpFlat`), behind a
 * function with the user's signature (a tangent of a record is a record of its fields' tangents).
 */
function recordForwardCode(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean, mode: 'jvp' | 'hessian'): { code: string; name: string } {
  const ts = ctx.opts.ts;
  const t = (x: string) => (ts ? x : '');
  const outName = name ?? ctx.freshFunctionName(`${fn.name}${mode === 'jvp' ? 'Jvp' : 'Hessian'}`);
  ctx.names.claim(outName);
  const flatName = ctx.freshFunctionName(`${outName}Flat`);
  ctx.names.claim(flatName);
  const flat = mode === 'jvp' ? generateJvp(ctx, flatFunction(fn), wrt, flatName, false) : hessianFunctions(ctx, flatFunction(fn), wrt, flatName, false);
  const scope = ctx.names.child();
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.claim(p.name)));
  const active = fn.params.map((_, i) => i).filter((i) => mode === 'jvp' && wrt.includes(i));
  const tn = active.map((i) => scope.fresh(`d${pn[i].charAt(0).toUpperCase()}${pn[i].slice(1)}`));
  const item = scope.fresh('q');
  const args = [...flatArgs(fn, pn, item), ...flatArgs(fn, tn, item, active.map((i) => fn.params[i]))];
  const params = [...fn.params.map((p, i) => `${pn[i]}${t(`: ${p.typeText}`)}`), ...active.map((i, k) => `${tn[k]}${t(`: ${fn.params[i].typeText}`)}`)];
  const returnType = mode === 'jvp' ? `ReturnType<typeof ${ctx.fnName(flatName)}>` : 'number[][]';
  const doc = ctx.opts.sanitize ? [] : mode === 'jvp' ? [
    '/**',
    ` * Forward-mode derivative of \`${fn.name}\` along the tangents ${tn.join(', ')} of ${wrtList(fn, wrt)} (a tangent of a`,
    ' * record is a record): returns [value, derivative]. Generated by Gradlens.',
    ' */',
  ] : [
    '/**',
    ` * Hessian of \`${fn.name}\`: rows and columns the components ${componentOrder(fn, wrt)}.`,
    ' * Generated by Gradlens.',
    ' */',
  ];
  const main = printLines([...doc, { head: `${exported ? 'export ' : ''}function ${ctx.fnName(outName)}(${params.join(', ')})${t(`: ${returnType}`)}`, body: [`return ${ctx.fnName(flatName)}(${args.join(', ')});`] as never }]);
  return { code: `${main}\n\n${flat.code}`, name: outName };
}

function recordReverseCode(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean): { code: string; name: string } {
  const ts = ctx.opts.ts;
  const t = (x: string) => (ts ? x : '');
  const outName = name ?? ctx.freshFunctionName(`${fn.name}Grad`);
  ctx.names.claim(outName);
  const flatName = ctx.freshFunctionName(`${outName}Flat`);
  ctx.names.claim(flatName);
  // The same function over arrays: record parameters typed as the arrays of their fields.
  const flatFn: IrFunction = { ...fn, params: fn.params.map((p) => (p.record ? { ...p, typeText: p.depth > 1 ? 'number[][]' : 'number[]', record: undefined } : p)) };
  const flatDoc = [
    `Gradient of \`${fn.name}\` over the fields of its records as arrays (${fn.params.filter((p) => p.record).map((p) => `${p.name}${'[i]'.repeat(p.depth - 1)} as [${p.record!.fields.map((f) => f.path).join(', ')}]`).join('; ')}),`,
    `by reverse-mode differentiation. Called by \`${outName}\`. Generated by Gradlens.`,
  ];
  const flat = renderFunction(new ReverseGen(ctx, { fn: flatFn, wrt, mode: 'gradient', name: flatName, exported: false, doc: flatDoc }).generate());

  const scope = ctx.names.child();
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.claim(p.name)));
  const item = scope.fresh('q');
  const row = scope.fresh('g');
  const args = fn.params.map((p, i) => {
    if (!p.record) return pn[i];
    return p.depth === 1 ? flatRecord(p.record.fields, pn[i]) : `${pn[i]}.map((${item}) => ${flatRecord(p.record.fields, item)})`;
  });
  const adj = wrt.map((i) => scope.fresh(`d${pn[i].charAt(0).toUpperCase()}${pn[i].slice(1)}`));
  const shapedAdj = wrt.map((i, k) => {
    const p = fn.params[i];
    if (!p.record) return adj[k];
    return p.depth === 1 ? recordOf(p.record.fields, adj[k]) : `${adj[k]}.map((${row}) => (${recordOf(p.record.fields, row)}))`;
  });
  const types = wrt.map((i) => {
    const p = fn.params[i];
    return p.record ? p.typeText.replace(/^\s*readonly\s+/, '') : p.type === 'num' ? 'number' : p.depth > 1 ? 'number[][]' : 'number[]';
  });
  const body: string[] = [];
  const call = `${ctx.fnName(flatName)}(${args.join(', ')})`;
  if (wrt.length === 1) {
    body.push(`const ${adj[0]} = ${call};`);
    body.push(`return ${shapedAdj[0]};`);
  } else {
    body.push(`const [${adj.join(', ')}] = ${call};`);
    body.push(`return [${shapedAdj.join(', ')}];`);
  }
  const returnType = wrt.length === 1 ? types[0] : `[${types.join(', ')}]`;
  const doc = ctx.opts.sanitize ? [] : [
    '/**',
    ` * Gradient of \`${fn.name}\` with respect to ${wrtList(fn, wrt)}, each in the parameter's own shape`,
    ` * (a record's gradient is the record of its fields' partial derivatives). Returns ${gradientShapeText(fn, wrt)}.`,
    ' * Generated by Gradlens.',
    ' */',
  ];
  const params = fn.params.map((p, i) => `${pn[i]}${t(`: ${p.typeText}`)}`).join(', ');
  const main = printLines([...doc, { head: `${exported ? 'export ' : ''}function ${ctx.fnName(outName)}(${params})${t(`: ${returnType}`)}`, body: body as never }]);
  return { code: [main, flat, ...ctx.extra].join('\n\n') + '\n', name: outName };
}

function gradientShapeText(fn: IrFunction, wrt: number[]): string {
  const parts = wrt.map((i) => `∂${fn.name}/∂${fn.params[i].name}`);
  return parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
}

/** `fGrad` of a vector-valued function: its Jacobian, rows = outputs, columns = flattened @wrt components. */
function jacobianWrapper(ctx: GenContext, fn: IrFunction, wrt: number[], name: string, exported: boolean, pullback: string): string {
  const ts = ctx.opts.ts;
  const t = (s: string) => (ts ? s : '');
  // the wrapper's names: its parameters, then its locals, in a scope of the file's (names.ts)
  const scope = ctx.names.child();
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.fresh(p.name)));
  const fresh = (b: string) => scope.fresh(b);
  const value = fresh('value');
  const jac = fresh('jacobian');
  const r = fresh('r');
  const seed = fresh('seed');
  const adj = wrt.map((i) => fresh(`d${pn[i].length === 1 ? pn[i] : pn[i].charAt(0).toUpperCase() + pn[i].slice(1)}`));
  const body: string[] = [];
  body.push(`const ${value} = ${ctx.fnName(fn.name)}(${pn.join(', ')});`);
  body.push(`const ${jac}${t(': number[][]')} = [];`);
  const loop: string[] = [];
  loop.push(`const ${seed} = new Array${t('<number>')}(${value}.length).fill(0);`);
  loop.push(`${seed}[${r}] = 1;`);
  // The pullback takes and returns adjoints in parameter order; the row is assembled in @wrt order.
  const byParam = [...wrt].sort((a, b) => a - b);
  const arrays = byParam.filter((i) => fn.params[i].type === 'arr');
  const scalars = byParam.filter((i) => fn.params[i].type === 'num');
  for (const i of arrays) {
    if (fn.params[i].depth > 1) throw new CodegenError('a Jacobian with respect to an array of arrays');
    loop.push(`const ${adj[wrt.indexOf(i)]} = new Array${t('<number>')}(${pn[i]}.length).fill(0);`);
  }
  const call = `${ctx.fnName(pullback)}(${[...pn, seed, ...arrays.map((i) => adj[wrt.indexOf(i)])].join(', ')})`;
  if (scalars.length === 0) loop.push(`${call};`);
  else if (scalars.length === 1) loop.push(`const ${adj[wrt.indexOf(scalars[0])]} = ${call};`);
  else loop.push(`const [${scalars.map((i) => adj[wrt.indexOf(i)]).join(', ')}] = ${call};`);
  loop.push(`${jac}.push([${wrt.map((i) => (fn.params[i].type === 'arr' ? `...${adj[wrt.indexOf(i)]}` : adj[wrt.indexOf(i)])).join(', ')}]);`);
  body.push({ head: `for (let ${r} = 0; ${r} < ${value}.length; ${r}++)`, body: loop } as never);
  body.push(`return ${jac};`);
  const doc = ctx.opts.sanitize ? [] : [
    '/**',
    ` * Jacobian of \`${fn.name}\` (rows = outputs, columns = the components of ${wrtList(fn, wrt)}), by reverse`,
    ' * mode: one pullback per output. Generated by Gradlens.',
    ' */',
  ];
  const params = fn.params.map((p, i) => `${pn[i]}${t(`: ${p.typeText}`)}`).join(', ');
  return printLines([...doc, { head: `${exported ? 'export ' : ''}function ${ctx.fnName(name)}(${params})${t(': number[][]')}`, body }]);
}
