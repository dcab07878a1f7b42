// The data of the live rows' logistic loss (bench/live.mjs, bench/livePeer.mjs): d = 100 features,
// m samples, X of at most 10,000 numbers read cyclically, seeded so that every process sees the same.

import { makeRng } from './rng.mjs';

export const LIVE_FEATURES = 100;

export function liveLogisticData(m) {
  const rng = makeRng(11);
  const nX = Math.min(m * LIVE_FEATURES, 10_000);
  const round = (x) => Number(x.toFixed(3));
  const X = Array.from({ length: nX }, () => round(rng.uniform() * 2 - 1));
  const y = Array.from({ length: m }, () => (rng.uniform() < 0.5 ? 0 : 1));
  const w = Array.from({ length: LIVE_FEATURES }, () => round((rng.uniform() * 2 - 1) * 0.1));
  return { w, X, y };
}
