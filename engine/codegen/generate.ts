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
import { Expr, IrFunction, IrParam, Range, RecordLayout } from '../ir';
import { forEachExpr } from '../irWalk';
import { parseProgram, Program } from '../program';
import type { ModuleContext } from '../modules';
import { closedFormGradient } from '../symbolic/closedForm';
import { printLines, withCodeStyle, type CodeStyle } from './code';
import { GenContext, GenOptions, heldAliases, isStringId } from './context';
import { identifierBase, NameScope } from './names';
import { CodegenError } from './work';
import { pullbackFor, ReverseGen, renderFunction } from './reverse';
import { generateJvp, hessianFunctions, printIrFunction } from './jvp';
import { splitRowArrays } from './rowArrays';
import { flatRecord, recordBuild, recordOf, recordType, recordTypeText } from './recordValues';

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
  return budgeted(DEFAULT_OPTIONS.timeBudgetMs, () => generateFromProgram(program, fnName, mode, options?.name, { ts: options?.style?.types ?? true, sanitize: false, style: options?.style }));
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
      const fn = program.lower(fnName)?.fn;
      if (fn?.ok && !opts.sanitize && (fn.params.some(flattened) || fn.returnRecord)) return recordClosedForm(program, fn, name, opts, where);
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
    // The compile path (sanitize) runs on values in the IR's form: records as arrays, so over arrays.
    // Local arrays of records the function fills become arrays of their fields (rowArrays.ts).
    const fn = splitRowArrays(opts.sanitize ? overArrays(lowered.fn) : lowered.fn, program.sourceFile);
    const wrt = wrtIndices(lowered.fn);
    if (typeof wrt === 'string') return fail(where, fnName, `Cannot generate ${MODE_TITLE[mode]} of '${fnName}': ${wrt}`);
    const exported = !opts.sanitize && program.text.startsWith('export', sf.range.start);
    const ctx = context ?? new GenContext(program, opts);
    ctx.printCopy ??= (f, doc) => printIrFunction(ctx, f, doc, false);
    let code: string;
    let outName: string;
    recordsSupported(program, fn, !opts.sanitize);
    splitHelpersRows(ctx, fn);
    flattenRecordHelpers(ctx, fn);
    const records = fn.params.some(flattened) || !!fn.returnRecord;
    switch (mode) {
      case 'reverse': ({ code, name: outName } = fn.returnRecord ? recordJacobianCode(ctx, fn, wrt, name, exported) : records ? recordReverseCode(ctx, fn, wrt, name, exported) : reverseCode(ctx, fn, wrt, name, exported)); break;
      case 'jvp': ({ code, name: outName } = records ? recordForwardCode(ctx, fn, wrt, name, exported, 'jvp') : generateJvp(ctx, fn, wrt, name, exported)); break;
      case 'hessian': ({ code, name: outName } = records ? recordForwardCode(ctx, fn, wrt, name, exported, 'hessian') : hessianFunctions(ctx, fn, wrt, name, exported)); break;
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

/**
 * The closed form of a function of records: the symbolic gradient over the records' fields as
 * arrays (`fGradFlat`), behind a function with the user's signature (as `recordReverseCode`).
 */
function recordClosedForm(program: Program, fn: IrFunction, name: string | undefined, opts: GenOptions, where: Range): GenerateResult {
  const title = `Cannot generate a closed-form gradient of '${fn.name}'`;
  if (fn.returnRecord) return fail(where, fn.name, `${title}: '${fn.name}' returns a record; a closed form is offered for functions that return a number.`);
  if (fn.params.some((p) => p.constant === 'options')) return fail(where, fn.name, `${title}: an options object parameter is not supported by the closed form (use the reverse-mode gradient).`);
  const wrt = wrtIndices(fn);
  if (typeof wrt === 'string') return fail(where, fn.name, `${title}: ${wrt}`);
  const ctx = new GenContext(program, opts);
  const exported = program.text.startsWith('export', program.functions.get(fn.name)!.range.start);
  let reason: string | null = null;
  const { code, name: outName } = recordReverseCode(ctx, fn, wrt, name, exported, (flatName) => {
    const r = closedFormGradient(program, fn.name, flatName, { wrt: wrt.map((i) => fn.params[i].name) });
    if ('reason' in r) { reason = r.reason; return ''; }
    return r.code;
  });
  if (reason !== null) return fail(where, fn.name, `${title}: ${reason as string}`);
  return { generated: { name: outName, code }, diagnostics: [] };
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
    // (held constant, as the analysis holds it: differentiate.ts)
    if (!out.includes(i) && !fn.params[i].constant) out.push(i);
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
// Parameters held constant (strings, booleans, enums, options objects) are passed as they are:
// the printers write a string as its literal and a field of an options object by its name
// (GenContext.heldPrinting), so the generated code compares the real strings.

/** A record parameter passed to the code over arrays as the array of its fields (an options object is passed as it is). */
function flattened(p: IrParam): boolean {
  return !!p.record && p.constant !== 'options';
}

/** What the generators do not do yet with records and constants: a CodegenError naming it. */
function recordsSupported(program: Program, fn: IrFunction, readable: boolean): void {
  if (fn.returnRecord && fn.returnRecord.fields.some((f) => f.kind !== 'num')) throw new CodegenError('a function returning a record with fields that are not numbers');
  if (readable) heldObjectsPassedAsTheyAre(program, fn);
}

/**
 * The helpers (called directly or not) that fill local arrays of records: their IR with those
 * arrays split into arrays of fields (rowArrays.ts), which their pullbacks and JVPs are generated
 * from; generated code still calls the helpers themselves.
 */
function splitHelpersRows(ctx: GenContext, fn: IrFunction): void {
  forEachHelper(fn, (n) => ctx.program.lower(n)?.fn, (n, h) => {
    const split = splitRowArrays(h, ctx.program.sourceFile);
    if (split !== h) ctx.synthetic.set(n, split);
  });
}

/** Each helper `fn` calls, directly or not, once, as `lookup` gives it: its own callees first. */
function forEachHelper(fn: IrFunction, lookup: (name: string) => IrFunction | undefined, each: (name: string, h: IrFunction) => void): void {
  const seen = new Set<string>([fn.name]);
  const visit = (names: string[]): void => {
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      const h = lookup(n);
      if (!h) continue;
      visit(h.calls);
      each(n, h);
    }
  };
  visit(fn.calls);
}

/**
 * The readable code passes options objects as they are (GenContext.heldPrinting): one built in the
 * function (`{ kind: 'call', strike: K }`, an array in the IR) would print as an array of mixed
 * types, so it is refused, in the function and in the helpers it calls.
 */
function heldObjectsPassedAsTheyAre(program: Program, fn: IrFunction): void {
  const seen = new Set<string>();
  const check = (f: IrFunction): void => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    const held = new Map<number, RecordLayout>();
    const depth = new Map<number, number>();
    for (const p of f.params) if (p.constant === 'options' && p.record) { held.set(p.v, p.record); depth.set(p.v, p.depth); }
    heldAliases(f.body, held, depth);
    const isBool = (x: Expr) => x.k === 'bool' || x.k === 'compare' || x.k === 'logical' || x.k === 'not';
    forEachExpr(f.body, (e) => {
      if (e.k === 'arrayLit' && e.elements.some((x) => (x.k === 'const' && isStringId(x.value)) || isBool(x))) {
        throw new CodegenError('a record with string or boolean fields built in the function (pass the options object as it is)', e.range);
      }
      if (e.k !== 'call') return;
      const callee = program.lower(e.fn)?.fn;
      if (!callee) return;
      callee.params.forEach((p, i) => {
        const a = e.args[i];
        if (p.constant === 'options' && a && !(a.k === 'var' && held.has(a.id))) throw new CodegenError(`an options object built in the function and passed to '${e.fn}' (pass the options object as it is)`, a.range);
      });
      check(callee);
    });
  };
  check(fn);
}

/**
 * The helpers (called directly or not) that take or return records, as copies over arrays
 * (`dotFlat(a: number[], b: number[])`), which the generated code calls and differentiates.
 */
function flattenRecordHelpers(ctx: GenContext, fn: IrFunction): void {
  forEachHelper(fn, (n) => ctx.synthetic.get(n) ?? ctx.program.lower(n)?.fn, (n, h) => {
    if (!h.params.some(flattened) && !h.returnRecord) return;
    const flatName = ctx.freshFunctionName(`${n}Flat`);
    ctx.names.claim(flatName);
    const flat: IrFunction = { ...flatFunction(h), returnTypeText: h.returnRecord ? 'number[]' : h.returnTypeText, returnRecord: undefined };
    ctx.synthetic.set(n, flat);
    ctx.renamed.set(n, flatName);
    const doc = [`\`${n}\` over the fields of its records as arrays (${h.params.filter(flattened).map((p) => `${p.name} as [${p.record!.fields.map((f) => f.path).join(', ')}]`).join('; ') || 'its result'}). Generated by Gradlens.`];
    ctx.extra.push(printIrFunction(ctx, flat, doc, false));
  });
}

/** The function over the IR's arrays: records as the arrays of their fields, a record result as an array. */
function overArrays(fn: IrFunction): IrFunction {
  if (!fn.returnRecord && !fn.params.some(flattened)) return fn;
  return { ...flatFunction(fn), returnRecord: undefined, returnTypeText: fn.returnRecord ? 'number[]' : fn.returnTypeText };
}

/** The same function over arrays: record parameters typed as the arrays of their fields. */
function flatFunction(fn: IrFunction): IrFunction {
  return { ...fn, params: fn.params.map((p) => (flattened(p) ? { ...p, typeText: p.depth > 1 ? 'number[][]' : 'number[]', record: undefined } : p)) };
}

/** The arguments that pass record parameters (or their tangents) to the function over arrays. */
function flatArgs(fn: IrFunction, names: string[], item: string, params = fn.params): string[] {
  return params.map((p, i) => {
    if (!p.record || !flattened(p)) return names[i];
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
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.claim(identifierBase(p.name))));
  const active = fn.params.map((_, i) => i).filter((i) => mode === 'jvp' && wrt.includes(i));
  const tn = active.map((i) => scope.fresh(`d${pn[i].charAt(0).toUpperCase()}${pn[i].slice(1)}`));
  const item = scope.fresh('q');
  const args = [...flatArgs(fn, pn, item), ...flatArgs(fn, tn, item, active.map((i) => fn.params[i]))];
  // A tangent of a record is a record of its fields' tangents (of a class: an instance or a literal of its fields).
  const tangentType = (p: IrParam) => {
    if (!p.record || recordBuild(ctx, p.record).type === null) return p.typeText;
    return `${recordType(p.record.fields)}${'[]'.repeat(p.depth - 1)}`;
  };
  const params = [...fn.params.map((p, i) => `${pn[i]}${t(`: ${p.typeText}`)}`), ...active.map((i, k) => `${tn[k]}${t(`: ${tangentType(fn.params[i])}`)}`)];
  const out = fn.returnRecord;
  const outBuild = out && recordBuild(ctx, out);
  const outType = out && recordTypeText(outBuild!, out, fn.returnTypeText ?? undefined);
  const returnType = mode === 'jvp' ? (out ? `[${outType}, ${outType}]` : `ReturnType<typeof ${ctx.fnName(flatName)}>`) : 'number[][]';
  const doc = ctx.opts.sanitize ? [] : mode === 'jvp' ? [
    '/**',
    ` * Forward-mode derivative of \`${fn.name}\` along the tangents ${tn.join(', ')} of ${wrtList(fn, wrt)} (a tangent of a`,
    ` * record is a record): returns [value, derivative]${out ? ', each a record of the result\'s fields' : ''}. Generated by Gradlens.`,
    ' */',
  ] : [
    '/**',
    ` * Hessian of \`${fn.name}\`: rows and columns the components ${componentOrder(fn, wrt)}.`,
    ' * Generated by Gradlens.',
    ' */',
  ];
  let body = [`return ${ctx.fnName(flatName)}(${args.join(', ')});`];
  if (out) {
    const value = scope.fresh('value');
    const tangent = scope.fresh('tangent');
    body = [`const [${value}, ${tangent}] = ${ctx.fnName(flatName)}(${args.join(', ')});`, `return [${outBuild!.of(value)}, ${outBuild!.of(tangent)}];`];
  }
  const main = printLines([...doc, { head: `${exported ? 'export ' : ''}function ${ctx.fnName(outName)}(${params.join(', ')})${t(`: ${returnType}`)}`, body: body as never }]);
  return { code: `${main}\n\n${flat.code}`, name: outName };
}

/**
 * A gradient of a function of records: generated over arrays (`fGradFlat`: by reverse mode, or in
 * closed form by `flatCode`), behind a function with the user's signature that takes the records
 * apart and gives each gradient its parameter's shape.
 */
function recordReverseCode(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean, flatCode?: (flatName: string) => string): { code: string; name: string } {
  const ts = ctx.opts.ts;
  const t = (x: string) => (ts ? x : '');
  const outName = name ?? ctx.freshFunctionName(`${fn.name}Grad`);
  ctx.names.claim(outName);
  const flatName = ctx.freshFunctionName(`${outName}Flat`);
  ctx.names.claim(flatName);
  // The same function over arrays: record parameters typed as the arrays of their fields.
  const flatFn = flatFunction(fn);
  const flatDoc = [
    `Gradient of \`${fn.name}\` over the fields of its records as arrays (${fn.params.filter(flattened).map((p) => `${p.name}${'[i]'.repeat(p.depth - 1)} as [${p.record!.fields.map((f) => f.path).join(', ')}]`).join('; ')}),`,
    `by reverse-mode differentiation. Called by \`${outName}\`. Generated by Gradlens.`,
  ];
  const flat = flatCode ? flatCode(flatName).trimEnd() : renderFunction(new ReverseGen(ctx, { fn: flatFn, wrt, mode: 'gradient', name: flatName, exported: false, doc: flatDoc }).generate());

  const scope = ctx.names.child();
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.claim(identifierBase(p.name))));
  const item = scope.fresh('q');
  const row = scope.fresh('g');
  const args = flatArgs(fn, pn, item);
  const adj = wrt.map((i) => scope.fresh(`d${pn[i].charAt(0).toUpperCase()}${pn[i].slice(1)}`));
  const shapedAdj = wrt.map((i, k) => (fn.params[i].record ? shapedGradient(ctx, fn.params[i], adj[k], row).value : adj[k]));
  const types = wrt.map((i) => {
    const p = fn.params[i];
    return p.record ? shapedGradient(ctx, p, '', row).type : p.type === 'num' ? 'number' : p.depth > 1 ? 'number[][]' : 'number[]';
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
    ` * (a record's gradient is the record of its fields' partial derivatives)${flatCode ? ', in closed form' : ''}. Returns ${gradientShapeText(fn, wrt)}.`,
    ' * Generated by Gradlens.',
    ' */',
  ];
  const params = fn.params.map((p, i) => `${pn[i]}${t(`: ${p.typeText}`)}`).join(', ');
  const main = printLines([...doc, { head: `${exported ? 'export ' : ''}function ${ctx.fnName(outName)}(${params})${t(`: ${returnType}`)}`, body: body as never }]);
  return { code: [main, flat, ...ctx.extra].join('\n\n') + '\n', name: outName };
}

/**
 * The Jacobian of a function returning a record, keyed by the result's fields: the entry of field
 * `x` is the gradient of `f(…).x` in the shape `fGrad` gives a gradient (the parameter's own
 * shape; a tuple for several @wrt parameters). Its entries in field order (the IR's, sorted by
 * path) are the rows of FunctionAnalysis.jacobian. One pullback per field, over arrays.
 */
function recordJacobianCode(ctx: GenContext, fn: IrFunction, wrt: number[], name: string | undefined, exported: boolean): { code: string; name: string } {
  const ts = ctx.opts.ts;
  const t = (x: string) => (ts ? x : '');
  const out = fn.returnRecord!;
  const outName = name ?? ctx.freshFunctionName(`${fn.name}Grad`);
  ctx.names.claim(outName);
  for (const i of wrt) if (fn.params[i].depth > 1 && !fn.params[i].record) throw new CodegenError('a Jacobian with respect to an array of arrays');
  const pb = pullbackFor(ctx, overArrays(fn), fn.params.map((_, i) => wrt.includes(i)));
  const scope = ctx.names.child();
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.claim(identifierBase(p.name))));
  const item = scope.fresh('q');
  const rowFn = scope.fresh('row');
  const r = scope.fresh('r');
  const seed = scope.fresh('seed');
  const adj = wrt.map((i) => scope.fresh(`d${pn[i].charAt(0).toUpperCase()}${pn[i].slice(1)}`));
  const shaped = wrt.map((i, k) => (fn.params[i].record ? shapedGradient(ctx, fn.params[i], adj[k], item).value : adj[k]));
  const types = wrt.map((i) => {
    const p = fn.params[i];
    return p.record ? shapedGradient(ctx, p, '', item).type : p.type === 'num' ? 'number' : 'number[]';
  });
  const rowType = types.length === 1 ? types[0] : `[${types.join(', ')}]`;
  const args = flatArgs(fn, pn, item);
  // the pullback takes the adjoint arrays of the array parameters after dOut, returns the numbers' adjoints
  const lines: string[] = [];
  lines.push(`const ${seed} = new Array${t('<number>')}(${out.fields.length}).fill(0);`);
  lines.push(`${seed}[${r}] = 1;`);
  for (const i of pb.arrays) {
    const p = fn.params[i];
    const k = wrt.indexOf(i);
    const width = p.record ? String(p.record.fields.length) : `${pn[i]}.length`;
    lines.push(p.depth === 1
      ? `const ${adj[k]} = new Array${t('<number>')}(${width}).fill(0);`
      : `const ${adj[k]} = ${pn[i]}.map(() => new Array${t('<number>')}(${p.record!.fields.length}).fill(0));`);
  }
  const call = `${ctx.fnName(pb.name)}(${[...args, seed, ...pb.arrays.map((i) => adj[wrt.indexOf(i)])].join(', ')})`;
  const scalars = pb.scalars.map((i) => adj[wrt.indexOf(i)]);
  if (scalars.length === 0) lines.push(`${call};`);
  else if (scalars.length === 1) lines.push(`const ${scalars[0]} = ${call};`);
  else lines.push(`const [${scalars.join(', ')}] = ${call};`);
  lines.push(`return ${shaped.length === 1 ? shaped[0] : `[${shaped.join(', ')}]`};`);
  const keyed = recordOf(out.fields, (k) => `${rowFn}(${k})`);
  const body = [{ head: `function ${rowFn}(${r}${t(': number')})${t(`: ${rowType}`)}`, body: lines } as never, `return ${keyed};`];
  const returnType = recordType(out.fields, rowType);
  const doc = ctx.opts.sanitize ? [] : [
    '/**',
    ` * Jacobian of \`${fn.name}\`, keyed by the fields of its result: the entry of each field is the gradient of`,
    ` * that field with respect to ${wrtList(fn, wrt)}, each in the parameter's own shape (one pullback per field).`,
    ' * Generated by Gradlens.',
    ' */',
  ];
  const params = fn.params.map((p, i) => `${pn[i]}${t(`: ${p.typeText}`)}`).join(', ');
  const main = printLines([...doc, { head: `${exported ? 'export ' : ''}function ${ctx.fnName(outName)}(${params})${t(`: ${returnType}`)}`, body }]);
  return { code: [main, ...ctx.extra].join('\n\n') + '\n', name: outName };
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
  const pn = fn.params.map((p, i) => (ctx.opts.sanitize ? scope.claim(`v${i}`) : scope.fresh(identifierBase(p.name))));
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

/** A gradient with respect to `p` in its own shape, from the adjoint array `g` (`item` names a row), and its type. */
function shapedGradient(ctx: GenContext, p: IrParam, g: string, item: string): { value: string; type: string } {
  const b = recordBuild(ctx, p.record!);
  const type = recordTypeText(b, p.record!, p.typeText, p.depth);
  return { value: p.depth === 1 ? b.of(g) : `${g}.map((${item}) => (${b.of(item)}))`, type };
}
