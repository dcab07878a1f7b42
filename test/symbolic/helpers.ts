// Shared helpers of the symbolic tests: one-function programs, the symbolic gradient at a point,
// central differences through the interpreter, and a strict in-memory TypeScript compile.

import ts from 'typescript';
import { numberAlgebra } from '../../engine/algebra';
import { Interpreter, Value } from '../../engine/evaluate';
import { Point } from '../../engine/ir';
import { parseProgram, Program } from '../../engine/program';
import { symbolicGradient, SymbolicGradient, toUnicode } from '../../engine/symbolic';

/** A program with one annotated function `f(params) { body }` (an expression body becomes a return). */
export function fnProgram(body: string, params = 'x: number, y: number', tags = ''): Program {
  const block = /\breturn\b/.test(body) ? body : `return ${body};`;
  return parseProgram(`/**\n * @differentiable${tags ? `\n * ${tags}` : ''}\n */\nexport function f(${params}): number {\n  ${block}\n}\n`);
}

export function gradientOf(program: Program, name = 'f', lengths?: Record<string, number>): SymbolicGradient {
  const r = symbolicGradient(program, name, { lengths });
  if (!r.ok) throw new Error(r.reason);
  return r.gradient;
}

/** Unicode of the function's own value (what the simplifier made of it). */
export function simplified(body: string, params?: string): string {
  const g = gradientOf(fnProgram(body, params));
  return toUnicode(g.graph, g.output);
}

/** Unicode of each partial, in parameter order. */
export function partialsUnicode(program: Program, name = 'f'): string[] {
  const g = gradientOf(program, name);
  return g.partials.flatMap((p) => (Array.isArray(p.value) ? p.value : [p.value]).map((id) => toUnicode(g.graph, id)));
}

/** The function's value at a point, by the plain-number interpreter. */
export function valueAt(program: Program, name: string, point: Point): number {
  const { fn } = program.lower(name)!;
  const args = fn.params.map((p) => (Array.isArray(point[p.name]) ? [...(point[p.name] as number[])] : point[p.name])) as Value<number>[];
  return new Interpreter(numberAlgebra, program, 1_000_000).run(fn, args) as number;
}

/** Central differences with one Richardson step, flattened in parameter order (`params` restricts it). */
export function finiteDifferenceGradient(program: Program, name: string, point: Point, params?: string[]): number[] {
  const { fn } = program.lower(name)!;
  const out: number[] = [];
  for (const p of fn.params) {
    if (params && !params.includes(p.name)) continue;
    const v = point[p.name];
    const n = Array.isArray(v) ? v.length : 1;
    for (let i = 0; i < n; i++) {
      const at = (h: number) => {
        const q: Point = { ...point };
        if (Array.isArray(v)) { const c = [...v]; c[i] += h; q[p.name] = c; } else q[p.name] = (v as number) + h;
        return valueAt(program, name, q);
      };
      const x = Array.isArray(v) ? v[i] : (v as number);
      const h = 1e-3 * Math.max(1, Math.abs(x));
      const d1 = (at(h) - at(-h)) / (2 * h);
      const d2 = (at(h / 2) - at(-h / 2)) / h;
      out.push((4 * d2 - d1) / 3);
    }
  }
  return out;
}

export function flatGradient(g: Record<string, number | number[]>, order: string[]): number[] {
  return order.flatMap((k) => (Array.isArray(g[k]) ? (g[k] as number[]) : [g[k] as number]));
}

export function close(a: number, b: number, rtol: number, atol = rtol): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022,
  lib: ['lib.es2022.d.ts'], types: [], noImplicitReturns: true, noUnusedLocals: true,
};

/**
 * Type-checks each source as its own in-memory module under `--strict` (the standard library comes
 * from the installed TypeScript); returns the diagnostics' texts per source.
 */
export function typeCheck(sources: string[]): string[][] {
  const files = new Map(sources.map((s, i) => [`/virtual/gen${i}.ts`, s]));
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, lang, onError, create) => {
    const text = files.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, lang);
    return getSourceFile(fileName, lang, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.writeFile = () => undefined;
  const program = ts.createProgram([...files.keys()], COMPILER_OPTIONS, host);
  return [...files.keys()].map((f) => {
    const sf = program.getSourceFile(f)!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  });
}

/** Runs generated TypeScript (test-only: transpiled, then loaded as a CommonJS module). */
export function loadFunction(code: string, name: string): (...args: unknown[]) => unknown {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: Record<string, unknown> = {};
  const module = { exports };
  new Function('exports', 'module', `${js}\nmodule.exports.${name} = ${name};`)(exports, module);
  return module.exports[name] as (...args: unknown[]) => unknown;
}
