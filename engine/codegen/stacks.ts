// Stack sizing, a pass over the stacks the reverse-mode generator made once its walk is done: a
// stack of numbers or branches taken whose loops' trips are bounded by values known before the
// outermost (loopBounds.ts `tripBound`) becomes an array of that size allocated there, with a count
// (a Float64Array, a Uint8Array for branches; a pullback, which runs once per call of its helper,
// often on small arrays inside a loop, gets a preallocated plain array, cheaper to create); the
// others are pushed and popped. Then the forward sweep's additions are printed.

import { Stmt } from '../ir';
import { pushText, StackSlot } from './adjoint';
import { Line } from './code';
import { cnst, math } from './expr';
import { tripBound } from './loopBounds';
import { Fwd, ReverseState } from './reverseState';
import { Values } from './values';

/** Sizes the stacks (in the order they were made, which is the order their counts are named in). */
export function sizeStacks(st: ReverseState, values: Values): void {
  for (const slot of st.stacks) {
    if (slot.type !== 'number' && slot.type !== 'boolean') continue;
    // `new Array(n)` throws unless n is an integer: a pullback's bound must be one (a length, not `Math.ceil(n / 2)`)
    const bound = tripBound(st.layout, slot.loops, slot.plain);
    if (!bound) continue;
    const read = st.outsideStatement(() => values.rv(bound.product, slot.loops[0]));
    const capacity = bound.nonNegative ? read : math('max', [cnst(0), read]);
    slot.sized = { capacity: st.fp(capacity), count: st.fresh(`${slot.base}Count`) };
  }
}

function stackDecl(st: ReverseState, slot: StackSlot, where: 'hoisted' | 'outer'): Line[] {
  const { name, type, plain, sized } = slot;
  if (where === 'hoisted') return sized ? [] : [`const ${name}${st.ty(`: ${type}[]`)} = [];`];
  if (!sized) return [];
  const array = plain ? `new Array${st.ty(`<${type}>`)}(${sized.capacity})` : `new ${type === 'number' ? 'Float64Array' : 'Uint8Array'}(${sized.capacity})`;
  return [`const ${name}${plain ? st.ty(`: ${type}[]`) : ''} = ${array};`, `let ${sized.count} = 0;`];
}

/** The lines of the forward sweep's additions, once the stacks are sized. */
export function forwardLines(st: ReverseState, list: Fwd[]): Line[] {
  const out: Line[] = [];
  for (const f of list) {
    if (typeof f === 'string' || 'head' in f) out.push(f);
    else if (f.k === 'push') out.push(pushText(f.slot, f.value));
    else out.push(...stackDecl(st, f.slot, f.where));
  }
  return out;
}

/** Per statement, the lines the forward sweep gets before or after it (statements with none left out). */
export function forwardMap(st: ReverseState, map: Map<Stmt, Fwd[]>): Map<Stmt, Line[]> {
  const out = new Map<Stmt, Line[]>();
  for (const [s, list] of map) {
    const lines = forwardLines(st, list);
    if (lines.length > 0) out.set(s, lines);
  }
  return out;
}
