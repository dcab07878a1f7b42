// What the symbolic engine and the code generators charge to the current meter (engine/budget.ts):
// expression nodes built, characters printed (closed forms) and characters of generated code. The
// counts are kept per meter, so one function's analysis (or one code action) is bounded as a whole,
// and reading the clock every few hundred nodes bounds it in time too.

import { BudgetExceeded, BudgetPhase, Meter, meter } from '../budget';

interface Counts {
  symbolicNodes: number;
  printedChars: number;
  generatedChars: number;
  codeNodes: number;
  sinceClock: number;
}

const counts = new WeakMap<Meter, Counts>();

function countsOf(m: Meter): Counts {
  let c = counts.get(m);
  if (!c) {
    c = { symbolicNodes: 0, printedChars: 0, generatedChars: 0, codeNodes: 0, sinceClock: 0 };
    counts.set(m, c);
  }
  return c;
}

/** Work units (nodes, or ~16 characters) between two readings of the clock. */
const CLOCK_EVERY = 256;

/**
 * No one expression is printed longer than this, whatever the meter (even the unlimited one of a
 * direct engine call): V8 cannot hold much longer strings, and would fail only after the work.
 */
const STRING_CEILING = 2 ** 28;

function tick(m: Meter, c: Counts, units: number, phase: BudgetPhase): void {
  c.sinceClock += units;
  if (c.sinceClock >= CLOCK_EVERY) {
    c.sinceClock = 0;
    m.checkTime(phase);
  }
}

/** `n` nodes of the symbolic expression graph built (simplification and differentiation). */
export function chargeSymbolicNodes(n: number): void {
  const m = meter();
  const c = countsOf(m);
  c.symbolicNodes += n;
  m.size('symbolic simplification', c.symbolicNodes, m.limits.symbolicNodes, 'symbolic expression nodes');
  tick(m, c, n, 'symbolic simplification');
}

/** Throws BudgetExceeded now if printing `n` more characters of closed forms would run over. */
export function reservePrintedChars(n: number): void {
  const m = meter();
  m.size('symbolic printing', n, STRING_CEILING, 'printed characters in one expression');
  m.size('symbolic printing', countsOf(m).printedChars + n, m.limits.printedChars, 'printed characters');
}

/** `n` characters of closed forms printed (hover formulas, closed-form code). */
export function chargePrintedChars(n: number): void {
  const m = meter();
  const c = countsOf(m);
  c.printedChars += n;
  m.size('symbolic printing', c.printedChars, m.limits.printedChars, 'printed characters');
  tick(m, c, 1 + (n >> 4), 'symbolic printing');
}

/** Throws BudgetExceeded now if `n` more characters of generated code would run over. */
export function reserveGeneratedChars(n: number): void {
  const m = meter();
  m.size('code generation', n, STRING_CEILING, 'characters of generated code in one expression');
  m.size('code generation', countsOf(m).generatedChars + n, m.limits.generatedChars, 'characters of generated code');
}

/** `n` characters of generated code printed. */
export function chargeGeneratedChars(n: number): void {
  const m = meter();
  const c = countsOf(m);
  c.generatedChars += n;
  m.size('code generation', c.generatedChars, m.limits.generatedChars, 'characters of generated code');
  tick(m, c, 1 + (n >> 4), 'code generation');
}

/**
 * `n` expression nodes built by the code generators (derivative expressions of statements). They
 * share the symbolic engine's node limit, ten times over: a code generator builds a few nodes per
 * operation of the function, where the symbolic engine builds one per distinct subexpression.
 */
export function chargeCodeNodes(n: number): void {
  const m = meter();
  const c = countsOf(m);
  c.codeNodes += n;
  m.size('code generation', c.codeNodes, 10 * m.limits.symbolicNodes, 'expression nodes built by the code generator');
  tick(m, c, n, 'code generation');
}

/** Reads the clock of the current meter (throws BudgetExceeded once the time budget is spent). */
export function checkTime(phase: BudgetPhase): void {
  meter().checkTime(phase);
}

/** What has been charged to the current meter so far (for tests and measurements). */
export function charged(): Readonly<Omit<Counts, 'sinceClock'>> {
  const { symbolicNodes, printedChars, generatedChars, codeNodes } = countsOf(meter());
  return { symbolicNodes, printedChars, generatedChars, codeNodes };
}

export { BudgetExceeded };
