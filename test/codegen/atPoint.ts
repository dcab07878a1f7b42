// Test support shared by the codegen tests of records, classes and arrays of records: the engine's
// AD at a point written as in `@at`, the generated code of a mode (type-checked and loaded), and
// the comparisons between them.

import * as assert from 'node:assert/strict';
import type { CodegenMode } from '../../engine/api';
import { budgeted } from '../../engine/budget';
import { validatePoint } from '../../engine/checkPoints';
import { generateDerivative } from '../../engine/codegen/generate';
import { Differentiator } from '../../engine/differentiate';
import type { IrFunction, Point } from '../../engine/ir';
import { readPoint } from '../../engine/pointGrammar';
import { parseProgram, type Program } from '../../engine/program';
import { wrtOf } from '../../engine/wrt';
import { load, relError, typeErrors } from './harness';

export interface EngineAt {
  program: Program;
  fn: IrFunction;
  /** The arguments as JavaScript gets them, and in the IR's form. */
  args: unknown[];
  irArgs: unknown[];
  wrt: string[];
  /** Jacobian rows (flattened `@wrt` components), the value, and the Hessian on demand. */
  jacobian: number[][];
  value: unknown;
  hessian: () => number[][];
}

/** The engine's reverse-mode AD of `name` at `at`; `clean`: its lowering has no diagnostic either. */
export function engineAt(src: string, name: string, at: string, { clean = false } = {}): EngineAt {
  const program = parseProgram(src);
  const lowered = program.lower(name)!;
  if (clean) assert.deepEqual(lowered.diagnostics.map((d) => d.message), [], 'lowers without diagnostics');
  const fn = lowered.fn;
  assert.ok(fn.ok, `${name} lowers`);
  const parsed = readPoint(at);
  assert.ok(parsed.ok, at);
  const written = parsed.point as Record<string, unknown>;
  const point = { ...written } as Point;
  assert.equal(validatePoint(fn, point), null);
  const wrt = wrtOf(fn);
  const d = new Differentiator(program, fn, wrt, point, 1e7);
  const rev = budgeted(60_000, () => d.reverse());
  return {
    program, fn, wrt,
    args: fn.params.map((p) => written[p.name]),
    irArgs: fn.params.map((p) => point[p.name]),
    jacobian: rev.jacobian,
    value: rev.value,
    hessian: () => budgeted(60_000, () => d.hessian()),
  };
}

/** Generated code of `mode`, with no type error under `tsc --strict` beside the source, loaded. */
export function generated(src: string, name: string, mode: CodegenMode): { fn: (...args: unknown[]) => unknown; code: string; module: Record<string, (...args: unknown[]) => unknown> } {
  const r = generateDerivative(src, name, mode);
  assert.ok(r.generated, `no ${mode} code: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const module = `${src}\n${r.generated.code}`;
  assert.deepEqual(typeErrors(module), [], module);
  const loaded = load(module);
  return { fn: loaded[r.generated.name], code: r.generated.code, module: loaded };
}

/** Leaves of records (fields sorted by path: the IR's order), arrays and tuples; a class instance by its own fields. */
export function leaves(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flatMap(([, x]) => leaves(x));
  throw new Error(`not numeric: ${String(v)}`);
}

/** A fixed direction with the shape of each value. */
export function direction(values: unknown[], seed = 3): unknown[] {
  let k = seed;
  const shape = (v: unknown): unknown => {
    if (typeof v === 'number') return Math.sin(++k * 1.7) + 0.3;
    if (Array.isArray(v)) return v.map(shape);
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([key, x]) => [key, shape(x)]));
  };
  return values.map(shape);
}

export function close(got: number[], want: number[], what: string, tol = 1e-10): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} components, want ${want.length}`);
  assert.ok(relError(got, want) < tol, `${what}: got ${got} want ${want}`);
}
