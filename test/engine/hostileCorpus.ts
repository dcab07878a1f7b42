// A hostile corpus (issue "Analysis that never stalls"): small inputs built to stall, bloat or
// crash the analysis. Each entry names the diagnostic that must answer it; the tests run each one
// within its budget, and the bench reports time to diagnostics and peak memory.

export interface HostileCase {
  name: string;
  text: string;
  /** A code the analysis must report on this input (GL007: a budget named; GL002: refused). */
  expect: 'GL007' | 'GL002' | 'none';
  /** A function of the text that must still be analysed with a value (the good neighbour). */
  survivor?: string;
  options?: Record<string, unknown>;
}

const GOOD = `
/**
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function good(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}
`;

const doc = (at = '') => `/**\n * @differentiable${at ? `\n * @at ${at}` : ''}\n */\n`;

export function hostileCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  cases.push({
    name: 'closed-form swell: a loop of v = v + 0.1 * sin(v * y)',
    text: `${doc()}export function swellLoop(x: number, y: number): number {\n  let v = x;\n  for (let i = 0; i < 12; i++) v = v + 0.1 * Math.sin(v * y);\n  return v;\n}\n${GOOD}`,
    expect: 'none', survivor: 'good',
  });
  cases.push({
    name: 'closed-form swell: ten unrolled gradient-descent steps',
    text: `${doc()}export function descent(t: number, a: number, b: number): number {\n${'  t -= 0.1 * (2 * (t - a) + 4 * b * t * t * t);\n'.repeat(10)}  return t;\n}\n${GOOD}`,
    expect: 'none', survivor: 'good',
  });
  cases.push({
    name: 'closed-form swell: f = f * f + sin(f), twelve times',
    text: `${doc()}export function square(x: number): number {\n  let f = x;\n${'  f = f * f + Math.sin(f);\n'.repeat(12)}  return f;\n}\n${GOOD}`,
    expect: 'none', survivor: 'good',
  });
  cases.push({
    name: 'a 300,000-iteration loop over a 500-factor product (tape growth)',
    text: `${doc('x = 1')}export function tape(x: number): number {\n  let s = 0;\n  for (let i = 0; i < 300000; i++) s += ${Array.from({ length: 500 }, () => 'x').join(' * ')};\n  return s;\n}\n${GOOD}`,
    expect: 'GL007', survivor: 'good',
  });
  cases.push({
    name: '2,000 @at lines',
    text: `/**\n * @differentiable\n${Array.from({ length: 2000 }, (_, i) => ` * @at x = ${(i / 1000).toFixed(3)}\n`).join('')} */\nexport function manyPoints(x: number): number {\n  let s = 0;\n  for (let i = 0; i < 200; i++) s += Math.sin(x * i);\n  return s;\n}\n${GOOD}`,
    expect: 'GL007', survivor: 'good',
  });
  cases.push({
    name: '50 functions each looping 300,000 times',
    text: Array.from({ length: 50 }, (_, k) => `${doc('x = 0.5')}export function loop${k}(x: number): number {\n  let s = 0;\n  for (let i = 0; i < 300000; i++) s += Math.sin(x + i);\n  return s;\n}\n`).join('') + GOOD,
    expect: 'GL007', survivor: 'good',
  });
  cases.push({
    name: 'a JSDoc line of 100,000 spaces',
    text: `/**\n${' '.repeat(100_000)}\n * @differentiable\n * @at x = 2\n */\nexport function spaces(x: number): number { return x * x; }\n${GOOD}`,
    expect: 'none', survivor: 'spaces',
  });
  cases.push({
    name: 'a tag followed by 80,000 blank lines',
    text: `/**\n * @differentiable\n * @at x = 2${'\n'.repeat(80_000)} */\nexport function blanks(x: number): number { return x * x; }\n${GOOD}`,
    expect: 'none', survivor: 'blanks',
  });
  const long = 'v'.repeat(80_000);
  cases.push({
    name: 'an 80,000-character identifier',
    text: `${doc('x = 2')}export function ident(x: number): number {\n  const ${long} = x * x;\n  return ${long} + 1;\n}\n${GOOD}`,
    expect: 'none', survivor: 'ident',
  });
  cases.push({
    name: 'one @at array of 1,000,000 numbers',
    text: `${doc(`w = [${Array.from({ length: 1_000_000 }, (_, i) => (i % 10) / 10).join(', ')}]`)}export function big(w: number[]): number {\n  let s = 0;\n  for (let i = 0; i < w.length; i++) s += w[i] * w[i];\n  return s;\n}\n${GOOD}`,
    expect: 'GL007', survivor: 'good',
  });
  cases.push({
    name: 'a 20,000-factor product',
    text: `${doc('x = 1')}export function product(x: number): number {\n  return ${Array.from({ length: 20_000 }, () => 'x').join(' * ')};\n}\n${GOOD}`,
    expect: 'GL007', survivor: 'good',
  });
  cases.push({
    name: '10,000-deep nesting',
    text: `${doc('x = 1')}export function nested(x: number): number {\n  return ${'('.repeat(10_000)}x${')'.repeat(10_000)};\n}\n${GOOD}`,
    expect: 'GL007', survivor: 'good',
  });
  cases.push({
    name: 'new Array(400000000).fill(x) with a step budget of 1e15',
    text: `${doc('x = 1')}export function huge(x: number): number {\n  const a = new Array(400000000).fill(x);\n  return a[0];\n}\n${GOOD}`,
    expect: 'GL007', survivor: 'good', options: { stepBudget: 1e15 },
  });
  cases.push({
    name: 'an infinite while loop with a step budget of 1e15 (the time budget stops it)',
    text: `${doc('x = 1')}export function forever(x: number): number {\n  let s = x;\n  while (s > 0) s = s + 1;\n  return s;\n}\n${GOOD}`,
    expect: 'GL007', survivor: 'good', options: { stepBudget: 1e15, timeBudgetMs: 500 },
  });
  cases.push({
    name: 'a 100,000-element array literal in the code',
    text: `${doc('x = 1')}export function literal(x: number): number {\n  const a = [${Array.from({ length: 100_000 }, (_, i) => i % 7).join(', ')}];\n  return a[3] * x;\n}\n${GOOD}`,
    expect: 'none', survivor: 'good',
  });
  cases.push({
    name: 'a Hessian-sized swell: 30 chained squarings with 8 parameters',
    text: `${doc()}export function chain(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number): number {\n  let s = a * b + c * d + e * f + g * h;\n${'  s = Math.sin(s * a) * s + Math.cos(s * b);\n'.repeat(30)}  return s;\n}\n${GOOD}`,
    expect: 'none', survivor: 'good',
  });
  return cases;
}
