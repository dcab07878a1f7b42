// Seeded pseudo-random numbers, so every run and every process sees the same data.

/** mulberry32: a small, well-mixed 32-bit generator; returns uniform numbers in [0, 1). */
export function makeRng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Box–Muller; one of the pair is thrown away, which is fine for test data
  const normal = () => {
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    uniform,
    normal,
    uniforms: (n, lo, hi) => Array.from({ length: n }, () => lo + (hi - lo) * uniform()),
    normals: (n, scale = 1) => Array.from({ length: n }, () => scale * normal()),
  };
}
