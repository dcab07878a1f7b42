// Where two versions of a text differ: the length of their common prefix and suffix. Run on every
// edit over the whole file (the incremental parse, the server's carry-over of mid-edit results),
// so it compares blocks natively first and characters only inside the block that differs. And a
// part of a text kept apart from the text.

const BLOCK = 2048;

/**
 * `s` as a string of its own: a slice of a long text keeps the whole text alive (V8 shares it), which
 * is wrong for what outlives that version of the text (memoised discoveries, spliced statements,
 * cached analyses): at 50,000 lines each version kept is 2.5 MB. V8 shares slices of 13 characters
 * or more (SlicedString::kMinLength); a shorter one is a copy already.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * `x` (plain data: objects, arrays, strings, numbers) with every string replaced in place by one of
 * its own (`detached`): for what is kept beyond the text it was read from (a cached analysis).
 */
export function detachStrings<T>(x: T): T {
  const stack: unknown[] = [x];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const y = v[i];
        if (typeof y === 'string') v[i] = detached(y);
        else if (y !== null && typeof y === 'object') stack.push(y);
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const y = o[k];
      if (typeof y === 'string') o[k] = detached(y);
      else if (y !== null && typeof y === 'object') stack.push(y);
    }
  }
  return x;
}

/** The length of the longest common prefix of `a` and `b`. */
export function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  // Blocks that double while they match, then halve down to BLOCK: O(log n) native comparisons.
  let i = 0;
  let block = BLOCK;
  while (i + block <= max && a.slice(i, i + block) === b.slice(i, i + block)) { i += block; block *= 2; }
  for (block >>= 1; block >= BLOCK; block >>= 1) if (i + block <= max && a.slice(i, i + block) === b.slice(i, i + block)) i += block;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** The length of the longest common suffix of `a` and `b` that does not overlap their first `prefix` characters. */
export function commonSuffix(a: string, b: string, prefix = 0): number {
  const max = Math.min(a.length, b.length) - prefix;
  const same = (s: number, n: number) => a.slice(a.length - s - n, a.length - s) === b.slice(b.length - s - n, b.length - s);
  let s = 0;
  let block = BLOCK;
  while (s + block <= max && same(s, block)) { s += block; block *= 2; }
  for (block >>= 1; block >= BLOCK; block >>= 1) if (s + block <= max && same(s, block)) s += block;
  while (s < max && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}
