// Localising the wrong components of a hand-written gradient with few evaluations, in the manner
// of PyTorch's gradcheck(fast_mode=True): along a random direction v over a block of components,
// the finite difference of the function is compared with vᵀ·AD and vᵀ·(hand-written). When, along
// each of a few directions, it sides with AD and not with the hand-written values, every component
// of the block is wrong; when not, the block is split in two and each half tested (group testing),
// down to single components, which get today's per-component witness. The cost is a few function
// evaluations per block instead of four per component.

import { seededRandom } from '../checkPoints';

export interface BlockTest {
  /** n: the number of flat components. */
  n: number;
  ad: number[];
  hand: number[];
  /** The finite-difference tolerance of component k (the per-component witness's). */
  tolerance(k: number): number;
  /** The directional derivative of the function along v (flat, n entries): finite differences, or the complex step. */
  along(v: number[]): number;
}

/** Directions per block: agreement along each is required. */
const DIRECTIONS = 2;
/** Blocks this small go to the per-component witness. */
const SINGLE = 2;

/**
 * The components of `suspects` (each already disagrees with AD by more than twice its
 * tolerance) that the directional witness shows wrong; the others are left to the per-component
 * witness (returned as `undecided`). `seed` varies the directions per point.
 */
export function localiseWrong(t: BlockTest, suspects: number[], seed: number): { wrong: Set<number>; undecided: number[] } {
  const wrong = new Set<number>();
  const undecided: number[] = [];
  // deterministic directions (the check points' generator): the same verdicts every time
  const rand = seededRandom(seed);
  const test = (block: number[]): void => {
    if (block.length <= SINGLE) { undecided.push(...block); return; }
    let sides = true;
    for (let r = 0; r < DIRECTIONS && sides; r++) {
      const v = new Array<number>(t.n).fill(0);
      let ad = 0;
      let hand = 0;
      let tol = 0;
      for (const k of block) {
        // magnitudes in [0.5, 1.5), random signs: no cancellation by a pattern of the gradient
        const vk = (0.5 + rand()) * (rand() < 0.5 ? -1 : 1);
        v[k] = vk;
        ad += vk * t.ad[k];
        hand += vk * t.hand[k];
        tol += Math.abs(vk) * t.tolerance(k);
      }
      const fd = t.along(v);
      sides = Number.isFinite(fd) && Math.abs(fd - ad) <= tol && Math.abs(fd - hand) > tol;
    }
    if (sides) { for (const k of block) wrong.add(k); return; }
    const half = block.length >> 1;
    test(block.slice(0, half));
    test(block.slice(half));
  };
  test(suspects);
  return { wrong, undecided };
}

// ---- in the gradient check (gradientCheck.ts) -----------------------------------------------------

/** How close a hand-written value must be to AD's (`rtol`, and `atol` or a floor scaled to the largest AD value). */
export function closeness(expected: number[], options: { rtol: number; atol: number | null }): (h: number, a: number) => boolean {
  let maxAd = 0;
  for (const a of expected) if (Number.isFinite(a)) maxAd = Math.max(maxAd, Math.abs(a));
  const atol = options.atol ?? 1e-8 * (1 + maxAd);
  return (h, a) => Math.abs(h - a) <= atol + options.rtol * Math.max(Math.abs(h), Math.abs(a));
}

/** Whether any component differs (beyond the tolerance, or in being finite). */
export function disagrees(expected: number[], hand: number[], options: { rtol: number; atol: number | null }): boolean {
  const close = closeness(expected, options);
  return expected.some((a, k) => {
    const h = hand[k];
    if (!Number.isFinite(h) || !Number.isFinite(a)) return !Object.is(h, a);
    return !close(h, a);
  });
}

/** Steps of one run under which a disagreement found by compiled code is derived again by the tape (a few hundredths of a second). */
export const REFERENCE_STEPS = 30_000;

/** Components per-component witnesses are kept for (4 evaluations each): above it, directions first. */
const DIRECTIONAL_ABOVE = 16;

/**
 * The gradient's components shown wrong by directional finite differences (localiseWrong),
 * among those that differ from AD by more than twice the witness's tolerance; null where the
 * per-component witness does it all (few components, or few such).
 */
export function directionalWrong(d: { components: unknown[]; directionalDerivative(v: number[]): number }, ad: number[], hand: number[], close: (h: number, a: number) => boolean, tol: (k: number) => number, pointIndex: number): Set<number> | null {
  const n = d.components.length;
  if (n <= DIRECTIONAL_ABOVE) return null;
  const suspects: number[] = [];
  for (let k = 0; k < n; k++) {
    const a = ad[k];
    const h = hand[k];
    if (Number.isFinite(a) && Number.isFinite(h) && !close(h, a) && Math.abs(h - a) > 2 * tol(k)) suspects.push(k);
  }
  if (suspects.length <= 2) return null;
  const found = localiseWrong({ n, ad, hand, tolerance: tol, along: (v) => d.directionalDerivative(v) }, suspects, 0x9e3779b9 ^ pointIndex);
  return found.wrong;
}
