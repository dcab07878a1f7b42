// Test support for generated code: type-check it under `strict` with the TypeScript compiler API
// on an in-memory host, transpile it, and run it in a fresh vm context.

import ts from 'typescript';
import * as vm from 'vm';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  types: [],
  noImplicitReturns: true,
  skipLibCheck: true,
};

const libCache = new Map<string, ts.SourceFile | undefined>();
const baseHost = ts.createCompilerHost(OPTIONS);

/** Type errors of `source` (as one module `input.ts`) under `tsc --strict --noEmit`. */
export function typeErrors(source: string): string[] {
  const host: ts.CompilerHost = {
    ...baseHost,
    getSourceFile: (name, lang) => {
      if (name === 'input.ts') return ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, true);
      if (!libCache.has(name)) libCache.set(name, baseHost.getSourceFile(name, lang));
      return libCache.get(name);
    },
    fileExists: (name) => name === 'input.ts' || baseHost.fileExists(name),
    readFile: (name) => (name === 'input.ts' ? source : baseHost.readFile(name)),
    writeFile: () => undefined,
  };
  const program = ts.createProgram(['input.ts'], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    return `${pos ? `${pos.line + 1}:${pos.character + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Transpiles and runs a module; returns its exports. */
export function load(source: string): Record<string, (...args: unknown[]) => unknown> {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = { exports: {} as Record<string, (...args: unknown[]) => unknown> };
  vm.runInNewContext(js, { module, exports: module.exports, Math, Array, Float64Array, Uint8Array, Number }, { timeout: 10_000 });
  return module.exports;
}

export type Arg = number | number[];

/** Flattens a gradient (number, array, tuple of those, or a Jacobian) to one list. */
export function flat(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) || v instanceof Float64Array) return Array.from(v as ArrayLike<unknown>).flatMap(flat);
  throw new Error(`not a numeric value: ${String(v)}`);
}

/** Central differences with one Richardson step, per component of the `wrt` arguments. */
export function finiteDifferences(f: (...args: Arg[]) => number | number[], args: Arg[], wrt: number[]): number[][] {
  const base = flat(f(...args));
  const cols: number[][] = [];
  for (const w of wrt) {
    const n = typeof args[w] === 'number' ? 1 : (args[w] as number[]).length;
    for (let k = 0; k < n; k++) {
      const at = (delta: number) => {
        const a = args.map((x) => (Array.isArray(x) ? x.slice() : x));
        if (typeof a[w] === 'number') a[w] = (a[w] as number) + delta;
        else (a[w] as number[])[k] += delta;
        return flat(f(...a));
      };
      const x0 = typeof args[w] === 'number' ? (args[w] as number) : (args[w] as number[])[k];
      const h = 1e-3 * Math.max(1, Math.abs(x0));
      const d = (s: number) => at(s).map((v, i) => (v - at(-s)[i]) / (2 * s));
      const d1 = d(h);
      const d2 = d(h / 2);
      cols.push(d1.map((v, i) => (4 * d2[i] - v) / 3));
    }
  }
  // rows = outputs
  return base.map((_, r) => cols.map((c) => c[r]));
}

export function relError(a: number[], b: number[]): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(a[i]), Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
}
