// The working copy of a function's IR that the preparation passes (prepare.ts) rewrite and add
// hidden variables to, and the error a generator raises for what it does not support.

import { IrFunction, IrVar, Stmt, ValueType } from '../ir';

/** Something the code generators do not support: reported as a GL002 naming it (generate.ts). */
export class CodegenError extends Error {
  constructor(message: string, readonly range?: { start: number; end: number }) {
    super(message);
  }
}

export type LoopStmt = Stmt & { k: 'loop' };
export type IfStmt = Stmt & { k: 'if' };

/** A mutable copy of a function's IR that passes can add hidden variables to. */
export interface Work {
  fn: IrFunction;
  vars: IrVar[];
  body: Stmt[];
}

export function newVar(w: Work, name: string, type: ValueType, depth: number, reassigned = false): number {
  const id = w.vars.length;
  w.vars.push({ id, name, type, depth, kind: 'local', range: { start: 0, end: 0 }, reassigned });
  return id;
}

export function copyWork(fn: IrFunction): Work {
  return { fn, vars: fn.vars.map((v) => ({ ...v })), body: fn.body };
}
