// The public entry of code generation: readable, dependency-free derivative functions:
// reverse-mode gradients (Jacobians for vector-valued functions), forward-mode JVPs, Hessians
// (reverse mode over the forward-mode tangent), and, through engine/symbolic, closed forms.
// Never throws: anything the generators cannot handle comes back as a GL002 naming it (a construct
// outside what they support), a fault of ours (a parser or generator exception) as a GL009, and a
// budget of the current meter that runs out (expression nodes, characters of generated code,
// time: code whose expressions swell) as a GL007 naming it, with `exhausted` set.

import { wrtOf } from '../analyzeFunction';
import { CodegenMode, DEFAULT_OPTIONS, EngineDiagnostic, GeneratedCode } from '../api';
import { budgeted, BudgetExceeded, inPhase } from '../budget';
import { catalogueSeverity } from '../diagnosticCodes';
import { IrFunction, Range } from '../ir';
import { parseProgram, Program } from '../program';
import { closedFormGradient } from '../symbolic/closedForm';
import { printLines } from './code';
import { GenContext, GenOptions } from './context';
import { NameScope } from './names';
import { CodegenError } from './work';
import { pullbackFor, ReverseGen, renderFunction } from './reverse';
import { generateJvp, hessianFunctions } from './jvp';

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
export function generateDerivative(text: string, fnName: string, mode: CodegenMode, options?: { name?: string }): GenerateResult {
  let program: Program;
  try {
    program = parseProgram(text);
  } catch (e) {
    return fault({ start: 0, end: 0 }, fnName, `Cannot generate ${MODE_TITLE[mode]}: the file could not be parsed (an internal error: ${(e as Error)?.message ?? String(e)}). Please report this.`);
  }
  return budgeted(DEFAULT_OPTIONS.timeBudgetMs, () => generateFromProgram(program, fnName, mode, options?.name, { ts: true, sanitize: false }));
}

export function generateFromProgram(program: Program, fnName: string, mode: CodegenMode, name: string | undefined, opts: GenOptions, context?: GenContext): GenerateResult {
  const sf = program.functions.get(fnName);
  if (!sf) return fail({ start: 0, end: 0 }, fnName, `Cannot generate ${MODE_TITLE[mode]}: there is no function named '${fnName}' in this file.`);
  const where = { start: sf.nameNode.getStart(program.sourceFile), end: sf.nameNode.end };
  try {
    return inPhase('code generation', () => generateIn(program, fnName, mode, name, opts, where, context));
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
    switch (mode) {
      case 'reverse': ({ code, name: outName } = reverseCode(ctx, fn, wrt, name, exported)); break;
      case 'jvp': ({ code, name: outName } = generateJvp(ctx, fn, wrt, name, exported)); break;
      case 'hessian': ({ code, name: outName } = hessianFunctions(ctx, fn, wrt, name, exported)); break;
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
