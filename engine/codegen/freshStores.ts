// First writes of a parameter's adjoint array made plain stores (generated gradients within 1.3× of hand-written ones). A gradient's
// adjoint array accumulated only inside one loop running down its index i, at elements i + c for
// constant offsets c, is written at i + min(c) for the first time in iteration i: the iterations
// already run (j > i) wrote elements ≥ j + min(c) > i + min(c). That element's contributions become
// one `dx[i] = …` (a read-modify-write each is what makes the gradient slow), and when those stores
// cover the whole array, it is allocated without its zero fill. Works on the generated lines, and
// gives up on anything it cannot read exactly.

import { Block, Line } from './code';

export interface FreshStores {
  /** The reverse sweep with the first writes rewritten. */
  lines: Line[];
  /** The declaration of the adjoint array. */
  decl: string;
  /** Zeroes the elements the loop does not store first, when the declaration leaves them unset. */
  init: string[];
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function mentions(l: Line, re: RegExp): boolean {
  if (typeof l === 'string') return re.test(l);
  return re.test(l.head) || l.body.some((x) => mentions(x, re)) || (l.else ?? []).some((x) => mentions(x, re));
}

/**
 * `reverse`: the top-level reverse sweep; `before`: the lines declared ahead of it (other adjoints);
 * `d`: the adjoint array's name, `x` the parameter's, `ts`: typed output.
 */
export function freshStores(reverse: Line[], before: Line[], d: string, x: string, params: string[], ts: boolean): FreshStores | null {
  const dRe = new RegExp(`(^|[^\\w$.])${esc(d)}(?![\\w$])`);
  if (before.some((l) => mentions(l, dRe))) return null;
  const at = reverse.findIndex((l) => mentions(l, dRe));
  if (at < 0) return null;
  const loop = reverse[at];
  if (typeof loop === 'string' || loop.else) return null;
  const head = /^for \(let ([\w$]+) = (.+); \1 >= (-?\d+); \1--\)$/.exec(loop.head);
  if (!head || dRe.test(loop.head)) return null;
  const i = head[1];
  const iRe = esc(i);
  // the index is the loop's own: not redeclared, not written, no jump out of or past an iteration
  const tampered = new RegExp(`\\b(let|const) ${iRe}\\b|(^|[^\\w$.])${iRe}\\s*([-+*/%]?=(?!=)|\\+\\+|--)|(\\+\\+|--)${iRe}\\b|\\b(break|continue|return)\\b`);
  if (loop.body.some((l) => mentions(l, tampered))) return null;
  // every access to the adjoint: a whole top-level `d[i ± c] op= rhs;` not reading it again
  const acc = new RegExp(`^${esc(d)}\\[${iRe}(?: ([-+]) (\\d+))?\\] ([-+])= (.+);$`);
  const writes: { at: number; offset: number; sign: string; rhs: string }[] = [];
  for (let k = 0; k < loop.body.length; k++) {
    const l = loop.body[k];
    if (!mentions(l, dRe)) continue;
    if (typeof l !== 'string') return null;
    const m = acc.exec(l);
    if (!m || dRe.test(m[4])) return null;
    writes.push({ at: k, offset: m[1] === '-' ? -Number(m[2]) : Number(m[2] ?? 0), sign: m[3], rhs: m[4] });
  }
  if (writes.length === 0) return null;
  const low = Math.min(...writes.map((w) => w.offset));
  const fresh = writes.filter((w) => w.offset === low);
  const last = fresh[fresh.length - 1];
  // earlier contributions move down to the last one: what they read must not change in between,
  // and the forward arrays they index (parameters only) are never written by the reverse sweep
  for (const w of fresh.slice(0, -1)) {
    const ids = new Set(w.rhs.match(/[A-Za-z_$][\w$]*/g) ?? []);
    ids.delete(i);
    ids.delete('Math');
    for (const id of ids) {
      const idRe = new RegExp(`(^|[^\\w$.])${esc(id)}(?![\\w$])`);
      if (loop.body.slice(w.at + 1, last.at).some((l) => mentions(l, idRe))) return null;
      if (new RegExp(`(^|[^\\w$.])${esc(id)}\\s*\\[`).test(w.rhs)) {
        if (!params.includes(id)) return null;
        const written = new RegExp(`(^|[^\\w$.])${esc(id)}\\s*\\[[^\\]]*\\]\\s*([-+*/%]?=(?!=)|\\+\\+|--)`);
        if (reverse.some((l) => mentions(l, written))) return null;
      }
    }
  }
  const simple = (r: string) => /^[\w$.[\]\s*/]+$/.test(r) && !/\[[^\]]*[-+]/.test(r);
  let sum = '';
  for (const w of fresh) {
    const r = simple(w.rhs) ? w.rhs : `(${w.rhs})`;
    if (sum === '') sum = w.sign === '-' ? `-${r}` : w.rhs;
    else sum += ` ${w.sign} ${r}`;
  }
  const idxText = low === 0 ? i : low > 0 ? `${i} + ${low}` : `${i} - ${-low}`;
  const dropped = new Set(fresh.slice(0, -1).map((w) => w.at));
  const isComment = (l: Line | undefined) => typeof l === 'string' && l.startsWith('//');
  // a statement's comment left with nothing under it goes too
  for (const k of [...dropped]) {
    const next = [...loop.body.keys()].find((j) => j > k && !dropped.has(j));
    if (isComment(loop.body[k - 1]) && (next === undefined || isComment(loop.body[next]))) dropped.add(k - 1);
  }
  const kept: Line[] = [];
  loop.body.forEach((l, k) => {
    if (dropped.has(k)) return;
    kept.push(k === last.at ? `${d}[${idxText}] = ${sum};` : l);
  });
  const lines = [...reverse];
  lines[at] = { head: loop.head, body: kept } as Block;
  // coverage: i + low over [B, A] is [0, n − 1 − r] when B = −low and A = n − 1 − low − r
  const fill = `const ${d} = new Array${ts ? '<number>' : ''}(${x}.length).fill(0);`;
  const bare = `const ${d} = new Array${ts ? '<number>' : ''}(${x}.length);`;
  const start = new RegExp(`^${esc(x)}\\.length(?: - (\\d+))?$`).exec(head[2]);
  if (!start || Number(head[3]) !== -low) return { lines, decl: fill, init: [] };
  const r = Number(start[1] ?? 0) - 1 - low;
  if (r === 0) return { lines, decl: bare, init: [] };
  // one element left over (the loop does not run for an empty array, which then has none)
  if (r === 1) return { lines, decl: bare, init: [`if (${x}.length > 0) ${d}[${x}.length - 1] = 0;`] };
  return { lines, decl: fill, init: [] };
}
