// Budgets on every phase of one function's analysis: time, evaluated operations, live
// memory (tape entries, array elements), check points, finite-difference runs, symbolic nodes and
// printed characters, generated code. Work that can grow with the input charges the meter as it
// goes; a charge past a limit throws BudgetExceeded, which the function's analysis turns into one
// GL007 naming the phase, keeping every result it already had.
//
// The meter is ambient (set with `withMeter` around one function's work) so that the interpreter,
// the tape, the symbolic engine and the code generators charge it without threading a parameter
// through every signature. The engine is synchronous, so exactly one meter is current at a time.

export type BudgetPhase =
  | 'lowering'
  | 'evaluation'
  | 'memory'
  | 'check points'
  | 'gradient check'
  | 'finite differences'
  | 'symbolic simplification'
  | 'symbolic printing'
  | 'code generation'
  | 'local partials';

export interface BudgetLimits {
  /** Wall time of one function's analysis, in milliseconds. */
  timeMs: number;
  /** Scalar operations evaluated over all runs of the analysis (interpreter, every mode). */
  operations: number;
  /** Entries of one tape alive at once (reverse mode), and elements of one array. */
  tapeEntries: number;
  arrayElements: number;
  /** Check points analysed (written with @at or drawn), and numbers in one point. */
  points: number;
  pointElements: number;
  /** Nodes the symbolic engine may build, characters it may print. */
  symbolicNodes: number;
  printedChars: number;
  /** Characters of generated code. */
  generatedChars: number;
}

/** Ceilings no setting can lift: a repository's settings must not make the analysis unsafe. */
export const BUDGET_CEILINGS = {
  timeBudgetMs: { min: 100, max: 10_000 },
  stepBudget: { min: 1_000, max: 50_000_000 },
  randomPoints: { min: 0, max: 100 },
} as const;

/** Budget options brought within their ceilings (settings, CLI flags, engine callers alike). */
export function clampBudgets<T extends { stepBudget?: number; timeBudgetMs?: number; randomPoints?: number }>(o: T): T {
  const out = { ...o };
  for (const k of ['stepBudget', 'timeBudgetMs', 'randomPoints'] as const) {
    const v = out[k];
    if (v === undefined) continue;
    const { min, max } = BUDGET_CEILINGS[k];
    out[k] = Number.isFinite(v) ? Math.min(max, Math.max(min, Math.trunc(v))) : (v > 0 ? max : min);
  }
  return out;
}

export const DEFAULT_LIMITS: BudgetLimits = {
  timeMs: 2_000,
  operations: 20_000_000,
  tapeEntries: 1_000_000,
  arrayElements: 1_000_000,
  points: 64,
  pointElements: 100_000,
  symbolicNodes: 200_000,
  printedChars: 200_000,
  generatedChars: 2_000_000,
};

/** What a phase ran out of, for the GL007 message. */
export class BudgetExceeded extends Error {
  constructor(readonly phase: BudgetPhase, readonly resource: string) {
    super(`the ${phase} ran out of its budget (${resource})`);
  }
}

const CLOCK_EVERY = 1024;

export class Meter {
  readonly limits: BudgetLimits;
  readonly deadline: number;
  /** The phase charges are attributed to when the caller does not name one. */
  phase: BudgetPhase = 'evaluation';
  operations = 0;
  private sinceClock = 0;
  private exhausted: BudgetExceeded | null = null;

  constructor(limits: Partial<BudgetLimits> = {}, private readonly now: () => number = () => performance.now()) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.deadline = this.now() + this.limits.timeMs;
  }

  /** Charges `n` operations; reads the clock every ~1,000 of them. */
  chargeOperations(n: number): void {
    this.operations += n;
    if (this.operations > this.limits.operations) this.fail(new BudgetExceeded(this.phase, `${this.limits.operations.toLocaleString('en-US')} operations`));
    this.sinceClock += n;
    if (this.sinceClock >= CLOCK_EVERY) {
      this.sinceClock = 0;
      this.checkTime();
    }
  }

  /** Throws once the time budget is spent. Cheap enough to call per statement of a phase. */
  checkTime(phase: BudgetPhase = this.phase): void {
    if (this.exhausted) throw this.exhausted;
    if (this.now() > this.deadline) this.fail(new BudgetExceeded(phase, `${formatMs(this.limits.timeMs)} of time, setting gradlens.timeBudgetMs`));
  }

  /** A size that must stay under a limit (`what` names it for the message). */
  size(phase: BudgetPhase, n: number, limit: number, what: string): void {
    if (n > limit) this.fail(new BudgetExceeded(phase, `${limit.toLocaleString('en-US')} ${what}`));
  }

  /** True once any budget has run out (later phases should not start). */
  get spent(): boolean {
    return this.exhausted !== null;
  }

  get failure(): BudgetExceeded | null {
    return this.exhausted;
  }

  private fail(e: BudgetExceeded): never {
    // Time stays spent: every later charge fails too, so no phase quietly runs on.
    if (!this.exhausted && e.resource.includes('time')) this.exhausted = e;
    throw e;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${ms} ms`;
}

/** A meter that never runs out (the default outside an analysis, e.g. a direct engine call in a test). */
const UNLIMITED = new Meter({
  timeMs: Number.POSITIVE_INFINITY, operations: Number.POSITIVE_INFINITY, tapeEntries: DEFAULT_LIMITS.tapeEntries,
  arrayElements: DEFAULT_LIMITS.arrayElements, points: Number.POSITIVE_INFINITY, pointElements: Number.POSITIVE_INFINITY, symbolicNodes: Number.POSITIVE_INFINITY,
  printedChars: Number.POSITIVE_INFINITY, generatedChars: Number.POSITIVE_INFINITY,
});

let current: Meter = UNLIMITED;

/** The meter work is charged to now. */
export function meter(): Meter {
  return current;
}

/** Runs `f` with `m` as the current meter (restored afterwards, also on a throw). */
export function withMeter<T>(m: Meter, f: () => T): T {
  const saved = current;
  current = m;
  try {
    return f();
  } finally {
    current = saved;
  }
}

/** Runs `f` in phase `phase` of the current meter. */
export function inPhase<T>(phase: BudgetPhase, f: () => T): T {
  const m = current;
  const saved = m.phase;
  m.phase = phase;
  try {
    return f();
  } finally {
    m.phase = saved;
  }
}

/**
 * Runs `f` under a fresh meter of `timeMs` unless a meter is already current (an engine query
 * called on its own, by the CLI or a server task, gets the budgets an analysis has).
 */
export function budgeted<T>(timeMs: number, f: () => T): T {
  if (current !== UNLIMITED) return f();
  return withMeter(new Meter({ timeMs }), f);
}
