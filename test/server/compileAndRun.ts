// Compiles TypeScript produced by code actions with the TypeScript compiler API (a strict type
// check of the whole file) and runs it in a fresh vm context, so tests can call inserted functions.

import * as ts from 'typescript';
import * as vm from 'node:vm';

const FILE = '/virtual/main.ts';

/** Type errors of `text` under `--strict` (an empty list when it compiles). */
export function strictTypeErrors(text: string): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) =>
    name === FILE ? ts.createSourceFile(FILE, text, languageVersion, true) : getSourceFile(name, languageVersion, onError, shouldCreate);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === FILE || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === FILE ? text : readFile(name));
  const program = ts.createProgram([FILE], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

/** Transpiles `text` and runs it; returns its top-level functions by name. */
export function runTypeScript(text: string): Record<string, (...args: unknown[]) => unknown> {
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: Record<string, unknown> = {};
  const context = vm.createContext({ exports, module: { exports } });
  vm.runInContext(js, context, { timeout: 10_000 });
  const fns: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [k, v] of Object.entries(context)) if (typeof v === 'function') fns[k] = v as (...args: unknown[]) => unknown;
  for (const [k, v] of Object.entries(exports)) if (typeof v === 'function') fns[k] = v as (...args: unknown[]) => unknown;
  return fns;
}

/** Every number in a value (number, array, typed array, tuple, object of those), in order. */
export function flattenNumbers(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).flatMap(flattenNumbers);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(flattenNumbers);
  return [];
}

export function close(a: number, b: number, rtol = 1e-6): boolean {
  return Math.abs(a - b) <= rtol * Math.max(1, Math.abs(a), Math.abs(b));
}
