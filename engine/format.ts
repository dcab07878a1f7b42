// Number and point formatting shared by diagnostics, hovers and the CLI.

/**
 * A number to `digits` significant digits, trailing zeros dropped; exponent form outside
 * [1e-4, 1e6) (`1.5e7`, `2e-9`). Shared by diagnostics, hovers, code lenses and status texts.
 */
export function formatNumber(x: number, digits = 6): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x % 1 === 0.5) {
    const str = KNOWN_STRINGS.get(x);
    if (str !== undefined) return JSON.stringify(boundUserText(str, 40));
  }
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(digits)));
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return `${m}e${exponent.replace('+', '')}`;
}

export function formatValue(v: number | number[] | unknown): string {
  if (Array.isArray(v)) {
    const fields = RECORD_VIEWS.get(v);
    return fields ? recordText(v, fields) : `[${v.map(formatValue).join(', ')}]`;
  }
  if (typeof v === 'string') return JSON.stringify(boundUserText(v, 40));
  if (typeof v === 'object' && v !== null) return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`;
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

/**
 * A record is an array of its fields in the IR (engine/lower/types.ts); the arrays of a check
 * point that are records are remembered with their fields, so that a message shows
 * `p = { x: 1, y: 2 }` (weakly: they go with the point).
 */
const RECORD_VIEWS = new WeakMap<object, readonly { path: string }[]>();

export function viewAsRecord(v: unknown[], fields: readonly { path: string }[]): void {
  RECORD_VIEWS.set(v, fields);
}

/** The fields as a tree of their paths (`p.a.x`), each leaf the field's index. */
export type FieldTree = Map<string, FieldTree | number>;
export function fieldTree(fields: readonly { path: string }[]): FieldTree {
  const root: FieldTree = new Map();
  fields.forEach((f, k) => {
    const parts = f.path.split('.');
    let t = root;
    for (const part of parts.slice(0, -1)) {
      if (!(t.get(part) instanceof Map)) t.set(part, new Map());
      t = t.get(part) as FieldTree;
    }
    t.set(parts[parts.length - 1], k);
  });
  return root;
}

/** `{ pos: { x: 1, y: 2 }, mass: 2 }`: the fields of a record's array, nested by path. */
function recordText(v: unknown[], fields: readonly { path: string }[]): string {
  const show = (t: FieldTree): string => `{ ${[...t].map(([k, x]) => `${k}: ${typeof x === 'number' ? formatValue(v[x]) : show(x)}`).join(', ')} }`;
  return show(fieldTree(fields));
}

/**
 * Strings a function compares are held constant as numbers (`stringId`, engine/lower/types.ts);
 * the ones met are remembered (a bounded table) so that a check point shows `mode = "call"`.
 */
const KNOWN_STRINGS = new Map<number, string>();
const MAX_KNOWN_STRINGS = 4096;

export function rememberString(id: number, s: string): void {
  if (KNOWN_STRINGS.size < MAX_KNOWN_STRINGS || KNOWN_STRINGS.has(id)) KNOWN_STRINGS.set(id, s);
}

/** `x = 1.5, w = [1, 2]` */
export function formatPoint(p: Record<string, unknown>): string {
  return Object.entries(p).map(([k, v]) => `${k} = ${formatValue(v)}`).join(', ');
}

// ---- user text at the boundaries ----------------------------------------------------------------

/**
 * Characters that user text never carries into what Gradlens prints or generates: C0 and C1
 * controls (stripUnsafe turns tabs and line breaks into spaces first), the line terminators U+2028 and
 * U+2029 (they end a `//` comment), the bidirectional embeddings, overrides and isolates of Trojan
 * Source (U+202A–U+202E, U+2066–U+2069) and the direction marks U+200E, U+200F and U+061C.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** Every line terminator of JavaScript. */
export const LINE_TERMINATOR = /\r\n|[\n\r\u2028\u2029]/;

/** Drops the characters above; tabs become spaces, and line terminators spaces unless `keepNewlines` (then `\n`). */
export function stripUnsafe(s: string, keepNewlines = false): string {
  const lines = s.split(LINE_TERMINATOR).map((l) => l.replace(/\t/g, ' ').replace(UNSAFE, ''));
  return lines.join(keepNewlines ? '\n' : ' ');
}

/** Longest identifier or quoted span a message keeps whole. */
export const MAX_USER_RUN = 64;
/** Longest message shown. */
export const MAX_MESSAGE = 1000;

/** `s` cut to `max` code points (the last one '…'), never inside a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const cps = Array.from(s);
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

/** One piece of user text (a name, a type, a snippet) for a message or a label: one line, safe, at most `max` code points. */
export function boundUserText(s: string, max = 80): string {
  return cut(stripUnsafe(s), max);
}

const LONG_IDENTIFIER = new RegExp(`[\\p{ID_Continue}$\\u200c\\u200d]{${MAX_USER_RUN + 1},}`, 'gu');
const LONG_QUOTED = ["'", '"', '`'].map((q) => new RegExp(`(?<![\\p{L}\\p{N}_$])${q}([^${q}\\n]{${MAX_USER_RUN + 1},})${q}(?![\\p{L}\\p{N}_$])`, 'gu'));

/**
 * A diagnostic message as shown to the user: no controls or bidirectional overrides (line feeds
 * kept: messages may have several lines), every identifier-like run and quoted span longer than
 * MAX_USER_RUN cut to its start and '…', and the whole at most MAX_MESSAGE code points.
 */
export function boundMessage(message: string): string {
  let m = stripUnsafe(message, true);
  if (m.length <= MAX_USER_RUN) return m;
  m = m.replace(LONG_IDENTIFIER, (run) => cut(run, MAX_USER_RUN));
  for (const re of LONG_QUOTED) m = m.replace(re, (span, inner: string) => `${span[0]}${cut(inner, MAX_USER_RUN)}${span[0]}`);
  return cut(m, MAX_MESSAGE);
}

/** A diagnostic (and its related information) with bounded messages: for the server's and the CLI's output. */
export function boundDiagnostic<D extends { message: string; related?: readonly { message: string }[] }>(d: D): D {
  const out = { ...d, message: boundMessage(d.message) };
  if (d.related) out.related = d.related.map((r) => ({ ...r, message: boundMessage(r.message) }));
  return out;
}

/** English plural: `plural(1, 'file')` → `1 file`, `plural(2, 'file')` → `2 files` (every message that counts). */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** The name of `candidates` closest to `name` by edit distance, when it is close enough to be a typo. */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  // One edit for short names (`yy` for `y`), a third of the length for longer ones; a one-letter
  // name is no typo of another letter (`z` for `x` is a different name).
  const limit = name.length < 2 ? 0 : Math.max(1, Math.floor(Math.max(name.length, best?.length ?? 0) / 3));
  return best !== null && bestDistance <= limit && name.length <= 64 ? best : null;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
