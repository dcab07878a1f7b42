// Which statement of a hand-written function wrote each element of an out-array: the ranges a
// gradient check reports an out-array's components at (gradientCheck.ts).

import { Value } from '../evaluate';
import { IrFunction, Range, Stmt } from '../ir';

/**
 * `hand` with every store into the array parameter `index` (or a local alias of it) traced: before
 * each, its index is assigned to a hidden variable (the interpreter reports assignments), so the
 * run says which statement wrote each element; `writers` maps an element to the value expression
 * of the last store that wrote it (a store in a loop writes several: they share its range).
 */
export function traceStores(hand: IrFunction, index: number): { fn: IrFunction; onAssign: (v: number, x: Value<number>) => void; writers: Map<number, Range> } {
  const aliases = new Set<number>([hand.params[index].v]);
  const vars = [...hand.vars];
  const stores = new Map<number, Range>();
  const rewrite = (stmts: Stmt[]): Stmt[] => stmts.flatMap((st): Stmt[] => {
    switch (st.k) {
      case 'let':
      case 'assign': {
        const e = st.k === 'let' ? st.init : st.value;
        if (e.k === 'var' && aliases.has(e.id)) aliases.add(st.v);
        return [st];
      }
      case 'store': {
        if (!aliases.has(st.array)) return [st];
        const v = vars.length;
        vars.push({ id: v, name: `$store${v}`, type: 'num', kind: 'local', depth: 0, range: st.range, reassigned: true });
        stores.set(v, st.value.range);
        return [{ k: 'let', v, init: st.index, range: st.range }, st];
      }
      case 'if': return [{ ...st, then: rewrite(st.then), else: rewrite(st.else) }];
      case 'loop': return [{ ...st, body: rewrite(st.body), update: rewrite(st.update) }];
      default: return [st];
    }
  });
  const body = rewrite(hand.body);
  const writers = new Map<number, Range>();
  let pending: { range: Range; at: number } | null = null;
  const onAssign = (v: number, x: Value<number>): void => {
    const range = stores.get(v);
    if (range) { pending = { range, at: x as number }; return; }
    if (pending && aliases.has(v)) writers.set(pending.at, pending.range);
    pending = null;
  };
  return { fn: { ...hand, body, vars }, onAssign, writers };
}
