// The catalogue of diagnostics: for every code, its severity, title, documentation, quick fixes,
// whether it fails `gradlens check`, and its documentation page. Pure data (no IO): the engine,
// the language server (severities, codeDescription, quick fixes, code lens), the CLI (failing
// codes, status texts, helpUri) and the docs under docs/diagnostics/ all read it from here.

import type { DiagnosticCode, EngineDiagnostic, GradientCheck, Severity } from './api';

type CheckStatus = GradientCheck['status'];

/** The quick fixes the language server can offer on a diagnostic (titles: server/codeActions.ts). */
export type QuickFixId = 'fixGradient';

export interface DiagnosticInfo {
  readonly code: DiagnosticCode;
  /** Short title, the heading of its documentation page. */
  readonly title: string;
  /** The severity Gradlens reports this code with. */
  readonly severity: Severity;
  /**
   * Lower severities a note of this code may carry instead (e.g. a GL007 information note: "the
   * first 8 @at points are checked"). Any other severity is reported as `severity`.
   */
  readonly noteSeverities: readonly Severity[];
  /** What it means, in one paragraph (its documentation page says more). */
  readonly description: string;
  /** Quick fixes offered on it. */
  readonly quickFixes: readonly QuickFixId[];
  /** Whether it fails `gradlens check` (exit code 1). */
  readonly failsCheck: boolean;
  /** Whether the code lens of a function without a hand-written gradient counts it as a problem. */
  readonly lensProblem: boolean;
  /** The status of a hand-written gradient's check that this code reports, if any. */
  readonly checkStatus: CheckStatus | null;
  /** Settings that bear on it: VS Code `gradlens.*` keys and the matching CLI options. */
  readonly settings: readonly string[];
  /** Path of its documentation page in the repository. */
  readonly docPath: string;
}

/** The repository (package.json `repository.url`) and the branch the documentation links point at. */
export const REPOSITORY_URL = 'https://github.com/gradlens/gradlens';
export const DOCS_BASE_URL = `${REPOSITORY_URL}/blob/main/`;

function entry(code: DiagnosticCode, e: Omit<DiagnosticInfo, 'code' | 'docPath' | 'noteSeverities' | 'quickFixes' | 'failsCheck' | 'lensProblem' | 'checkStatus' | 'settings'> & Partial<DiagnosticInfo>): DiagnosticInfo {
  return Object.freeze({
    code,
    noteSeverities: [],
    quickFixes: [],
    failsCheck: false,
    lensProblem: false,
    checkStatus: null,
    settings: [],
    ...e,
    docPath: `docs/diagnostics/${code}.md`,
  });
}

export const DIAGNOSTICS: { readonly [C in DiagnosticCode]: DiagnosticInfo } = Object.freeze({
  GL001: entry('GL001', {
    title: 'Hand-written gradient component disagrees',
    severity: 'warning',
    description: 'A component of the hand-written gradient differs from automatic differentiation beyond the tolerances, and finite differences side with AD: the hand-written component is wrong. Reported on the expression that computes it, with both values, the finite-difference witness, the point and the relative error.',
    quickFixes: ['fixGradient'],
    failsCheck: true,
    checkStatus: 'wrong',
    settings: ['gradlens.rtol (--rtol)', 'gradlens.atol (--atol)', 'gradlens.randomPoints (--points)', 'gradlens.seed (--seed)'],
  }),
  GL002: entry('GL002', {
    title: 'Construct outside the differentiable subset',
    severity: 'warning',
    noteSeverities: ['information'],
    description: 'The function uses a construct Gradlens does not differentiate (objects, classes, calls to functions of other files, unsupported library calls, …), or code generation cannot express it. Reported on the exact construct; the rest of the file is still analysed.',
    lensProblem: true,
  }),
  GL003: entry('GL003', {
    title: 'Non-finite value or derivative',
    severity: 'warning',
    description: 'At a check point the function, its derivative or the hand-written gradient is NaN or infinite (a log of 0, a division by zero, an index out of bounds, …), so nothing can be compared there.',
    checkStatus: 'nonfinite',
    settings: ['gradlens.randomPoints (--points)', 'gradlens.seed (--seed)'],
  }),
  GL004: entry('GL004', {
    title: 'Check point on a non-differentiable point',
    severity: 'hint',
    description: 'A check point sits on a kink (abs at 0, a tied max/min, floor, a tied branch condition). Gradlens uses the minimum-norm subgradient there, as PyTorch does, and does not report a mismatch that finite differences cannot confirm.',
    checkStatus: 'kink',
  }),
  GL005: entry('GL005', {
    title: 'Annotation error',
    severity: 'error',
    description: 'A JSDoc tag of an annotated function is malformed or names something that does not exist: an @wrt parameter that is not a parameter, a malformed @at point, a @gradient or @derivative target that is not a function of the file; or a @differentiable on a form Gradlens does not analyse (an object-literal or class method, a nested function, a CommonJS export…), with the top-level function to move it to.',
    lensProblem: true,
  }),
  GL006: entry('GL006', {
    title: 'Gradient has the wrong shape',
    severity: 'warning',
    description: 'The hand-written gradient returns something of the wrong shape for the parameters differentiated: a number where a tuple is needed, a tuple of the wrong length, an array of the wrong size, an object with the wrong keys.',
    quickFixes: ['fixGradient'],
    failsCheck: true,
    checkStatus: 'shape',
  }),
  GL007: entry('GL007', {
    title: 'Evaluation budget exceeded',
    severity: 'warning',
    noteSeverities: ['information'],
    description: 'Analysing the function ran out of a budget (evaluation steps, time, memory, check points, nesting): an infinite loop, a very long computation, or a closed form that swells. Results computed before the budget ran out are kept; the rest of the file is analysed.',
    lensProblem: true,
    settings: ['gradlens.stepBudget (--budget)', 'gradlens.timeBudgetMs (--time-budget)'],
  }),
  GL008: entry('GL008', {
    title: 'Point could not be verified',
    severity: 'information',
    description: 'The hand-written gradient and AD disagree at a point, but the finite-difference witness cannot decide: it agrees with both (they differ by less than it resolves: often an approximation made consistently) or with neither (an ill-conditioned point, or a fault of ours). Nothing is claimed.',
    checkStatus: 'unverified',
    settings: ['gradlens.rtol (--rtol)', 'gradlens.atol (--atol)'],
  }),
  GL009: entry('GL009', {
    title: 'Internal fault',
    severity: 'warning',
    description: 'Gradlens itself failed on this function (or, from the language server, on the whole file): a fault of ours, not of your code. It is confined to that function; everything else is analysed. Please report it.',
    lensProblem: true,
  }),
});

/** Every code, in order. */
export const DIAGNOSTIC_CODES: readonly DiagnosticCode[] = Object.freeze(Object.keys(DIAGNOSTICS).sort() as DiagnosticCode[]);

/** Codes that fail `gradlens check`. */
export const FAILING_CODES: readonly DiagnosticCode[] = Object.freeze(DIAGNOSTIC_CODES.filter((c) => DIAGNOSTICS[c].failsCheck));

export function isDiagnosticCode(code: unknown): code is DiagnosticCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(DIAGNOSTICS, code);
}

/** The catalogue entry of `code`, or undefined for a code that is not Gradlens's. */
export function diagnosticInfo(code: unknown): DiagnosticInfo | undefined {
  return isDiagnosticCode(code) ? DIAGNOSTICS[code] : undefined;
}

/** The URL of the code's documentation page. */
export function helpUri(code: DiagnosticCode): string {
  return DOCS_BASE_URL + DIAGNOSTICS[code].docPath;
}

/** Whether a diagnostic of this code fails `gradlens check`. */
export function failsCheck(code: unknown): boolean {
  return diagnosticInfo(code)?.failsCheck ?? false;
}

/** Codes on which the quick fix `fix` is offered. */
export function codesWithQuickFix(fix: QuickFixId): DiagnosticCode[] {
  return DIAGNOSTIC_CODES.filter((c) => DIAGNOSTICS[c].quickFixes.includes(fix));
}

/** The code reporting a hand-written gradient's check status ('wrong' → GL001), or null. */
export function codeOfCheckStatus(status: CheckStatus): DiagnosticCode | null {
  return DIAGNOSTIC_CODES.find((c) => DIAGNOSTICS[c].checkStatus === status) ?? null;
}

/** The severity to report: the catalogue's, or one of the code's note severities when asked for. */
export function catalogueSeverity(code: DiagnosticCode, severity?: Severity): Severity {
  const info = DIAGNOSTICS[code];
  if (!info) return severity ?? 'warning';
  return severity !== undefined && info.noteSeverities.includes(severity) ? severity : info.severity;
}

/** The diagnostic with its severity taken from the catalogue (the same object when it already is). */
export function withCatalogueSeverity<D extends EngineDiagnostic>(d: D): D {
  const severity = catalogueSeverity(d.code, d.severity);
  return severity === d.severity ? d : { ...d, severity };
}

/** Diagnostics without repeats (the same code, range and message), first occurrence kept. */
export function dedupeDiagnostics<D extends { code: string; range: { start: number; end: number }; message: string }>(ds: readonly D[]): D[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}:${d.range.start}:${d.range.end}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
