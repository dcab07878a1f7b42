// Compiles IR (never user text) to JavaScript functions for fast repeated evaluation: the primal
// function with the helpers it calls, and its generated reverse-mode gradient. Every identifier in
// the compiled source comes from the IR with a sanitized name (v0, v1… for variables, f0, f1… for
// functions), every number is printed from its value, so nothing the user wrote is evaluated.

import { generateFromProgram } from './codegen/generate';
import { GenContext } from './codegen/context';
import { printIrFunction } from './codegen/jvp';
import type { Program } from './program';

export type CompiledFunction = (...args: unknown[]) => unknown;

const COMPILE_OPTIONS = { ts: false, sanitize: true } as const;

/** The primal function `name` (and its helpers) as a JavaScript function, or null when it cannot be compiled. */
export function compileFunction(program: Program, name: string): ((...args: unknown[]) => number | number[]) | null {
  try {
    const ctx = new GenContext(program, COMPILE_OPTIONS);
    const entry = ctx.fnName(name);
    const parts = definePrimals(program, ctx, new Set());
    if (!parts) return null;
    return link(parts, entry) as ((...args: unknown[]) => number | number[]) | null;
  } catch {
    return null;
  }
}

/**
 * The reverse-mode gradient of `name` (shaped as a hand-written gradient: a number, a tuple in `@wrt` order; a Jacobian for a vector-valued function),
 * compiled from the generated code, or null when it cannot be generated.
 */
export function compileGradient(program: Program, name: string): CompiledFunction | null {
  return compileMode(program, name, 'reverse');
}

/** The forward-mode JVP `(…params, …tangents) => [value, derivative]`, compiled. */
export function compileJvp(program: Program, name: string): CompiledFunction | null {
  return compileMode(program, name, 'jvp');
}

function compileMode(program: Program, name: string, mode: 'reverse' | 'jvp'): CompiledFunction | null {
  try {
    const ctx = new GenContext(program, COMPILE_OPTIONS);
    // generateFromProgram makes its own context: run it, then define every function of the file it names
    const r = generateFromProgram(program, name, mode, `$${mode}`, COMPILE_OPTIONS, ctx);
    if (!r.generated) return null;
    const generatedNames = new Set([`$${mode}`, ...[...ctx.pullbacks.values()].map((p) => p.name), ...[...ctx.jvps.values()].map((j) => j.name)]);
    const parts = definePrimals(program, ctx, generatedNames);
    if (!parts) return null;
    return link([r.generated.code, ...parts], ctx.fnName(`$${mode}`));
  } catch {
    return null;
  }
}

/** Compiles the primal of every function of the file the context has named (and what they call). */
function definePrimals(program: Program, ctx: GenContext, generated: Set<string>): string[] | null {
  const done = new Set<string>();
  const parts: string[] = [];
  for (;;) {
    const todo = [...ctx.sanitizedNames().keys()].filter((n) => !done.has(n) && !generated.has(n));
    if (todo.length === 0) return parts;
    for (const n of todo) {
      done.add(n);
      const lowered = program.lower(n);
      if (!lowered || !lowered.fn.ok) return null;
      parts.push(printIrFunction(ctx, lowered.fn, [], false));
    }
  }
}

function link(parts: string[], entry: string): CompiledFunction | null {
  if (!/^f\d+$/.test(entry)) return null;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source printed from IR only (see above)
  const make = new Function(`'use strict';\n${parts.join('\n\n')}\nreturn ${entry};`) as () => CompiledFunction;
  return make();
}
