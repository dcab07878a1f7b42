// The engine's public data types: everything the server, the CLI and the webview see.
// Plain data only (offsets, strings, numbers, arrays), so it crosses JSON-RPC unchanged.

import type { Point, Range } from './ir';
export type { Point, Range } from './ir';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/**
 * GL001 hand-written gradient component disagrees; GL002 construct outside the subset;
 * GL003 non-finite value or derivative; GL004 check point on a non-differentiable point;
 * GL005 annotation error; GL006 gradient has the wrong shape; GL007 evaluation budget exceeded;
 * GL008 the point could not be verified (finite differences side with neither);
 * GL009 internal fault of Gradlens, confined to one function.
 * Every code has an entry in engine/diagnosticCodes.ts (its severity, title, documentation page,
 * quick fixes, whether it fails `gradlens check`) and a page docs/diagnostics/<code>.md.
 */
export type DiagnosticCode =
  | 'GL001' | 'GL002' | 'GL003' | 'GL004' | 'GL005' | 'GL006' | 'GL007' | 'GL008' | 'GL009';

export interface RelatedInfo {
  range: Range;
  message: string;
}

export interface EngineDiagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: Range;
  /** The annotated function this diagnostic belongs to, when there is one. */
  functionName?: string;
  related?: RelatedInfo[];
  /** Edits that fix it, known where it is found ("did you mean `y`?"): offered as quick fixes. */
  fixes?: DiagnosticFix[];
  /**
   * A GL002 on a call whose value cannot be computed: its callee is not a function of this file
   * (on the callee), or is one outside the subset (on the whole call). engine/callFixes.ts offers
   * to pass the value in as a parameter.
   */
  uncomputedCall?: UncomputedCall;
}

export type UncomputedCall = 'notInFile' | 'outsideSubset';

export interface DiagnosticFix {
  title: string;
  edits: { range: Range; newText: string }[];
}

/** A gradient keyed by parameter name, in `@wrt` order. */
export type Gradient = Record<string, number | number[]>;

export type Verdict =
  /** hand-written and AD agree */
  | 'ok'
  /** they disagree and finite differences side with AD: GL001 */
  | 'wrong'
  /** they disagree and finite differences side with neither: nothing is claimed */
  | 'unverified'
  /** a value is NaN or infinite: GL003 */
  | 'nonfinite'
  /** the point sits on a kink or a tied branch: GL004 */
  | 'kink';

export interface CheckComponent {
  /** `x`, or `w[2]` for an array element. */
  label: string;
  param: string;
  /** Element index for array parameters, else null. */
  index: number | null;
  hand: number;
  ad: number;
  /** Finite-difference witness (central differences with Richardson extrapolation). */
  fd: number;
  /** |hand − AD| / max(|hand|, |AD|, tiny). */
  relError: number;
  verdict: Verdict;
  /** Source range of the expression in the hand-written gradient that computes this component. */
  range: Range | null;
}

export interface PointCheck {
  point: Point;
  components: CheckComponent[];
  /** Descriptions of non-differentiable points the evaluation passed through. */
  kinks: KinkEvent[];
}

export interface KinkEvent {
  range: Range;
  /** E.g. "abs(x) at x = 0", "branch condition x > 0 is tied". */
  description: string;
}

/**
 * How a hand-written gradient is called and what it gives back (README, "The annotation language"):
 * `plain` g(params) returns the gradient; `out` g(params, out) writes it into `out`; `fused`
 * g(params, grad) returns the value and writes the gradient; `flag` g(params, flag) returns the
 * derivative when the flag is true; `vjp` g(params, gOut) returns gOut · f′; `output` g(y) returns
 * f′ in terms of y = f(params).
 */
export type GradientConvention = 'plain' | 'out' | 'fused' | 'flag' | 'vjp' | 'output';

/**
 * What a hand-written function computes: a gradient (in a convention), one partial derivative
 * (`@partial`), a Hessian or Hessian-vector product (`@hessian`), a Jacobian-vector product
 * (`@jvp`), or a helper's `@derivative` rule.
 */
export type HandKind = 'gradient' | 'partial' | 'hessian' | 'hvp' | 'jvp' | 'rule';

export interface GradientCheck {
  /** The hand-written gradient function's name. */
  name: string;
  /** What it computes (absent: a gradient). */
  kind?: HandKind;
  /** How it is called (absent: plain). */
  convention?: GradientConvention;
  /** Both in words: "out-array gradient", "partial derivative with respect to sigma, scaled by 0.01". */
  description?: string;
  /** `@partial`: the parameter and the factor (and the factor as written: `-1/365`). */
  param?: string;
  scale?: number;
  scaleText?: string;
  /** The hand-written function is the differentiable function itself (fused, flag). */
  self?: boolean;
  /** The convention was detected from the function's parameters, not written in the tag. */
  detected?: boolean;
  pairedBy: 'tag' | 'name';
  nameRange: Range;
  range: Range;
  status: 'ok' | 'wrong' | 'shape' | 'unverified' | 'nonfinite' | 'kink' | 'error';
  /** Shape the hand-written gradient returns: tuple, object, number, array. */
  shape: string;
  points: PointCheck[];
}

export interface LocalPartials {
  name: string;
  /** Every range where the variable is declared or used. */
  ranges: Range[];
  /** Value at the first check point (the last value it took). */
  value: number | number[];
  /** Partial derivatives with respect to each `@wrt` parameter at the first check point. */
  partials: Gradient;
}

export interface ClosedFormPartial {
  param: string;
  /** `∂f/∂x = −2(1 − x) − 400x(y − x²)` style text (the right-hand side only). */
  unicode: string;
}

export interface FunctionAnalysis {
  name: string;
  range: Range;
  nameRange: Range;
  /** Every parameter name, and which are differentiated. */
  params: string[];
  wrt: string[];
  vectorValued: boolean;
  /** The check points used (from `@at`, or drawn at random). */
  points: Point[];
  /** Value at the first check point. */
  value: number | number[] | null;
  /** Gradient at the first check point (scalar functions). */
  gradient: Gradient | null;
  /** Jacobian at the first check point (vector-valued functions): rows = outputs, columns = flattened `@wrt` components. */
  jacobian: number[][] | null;
  /** Closed-form partials, where readable (straight-line code). */
  closedForm: ClosedFormPartial[] | null;
  /**
   * The check of the hand-written derivative: of several (`@gradient` tags, `@partial`, `@hessian`,
   * `@jvp`), the first that fails, else the first.
   */
  check: GradientCheck | null;
  /** Every hand-written derivative's check, in tag order (absent or empty: none). */
  checks?: GradientCheck[];
  locals: LocalPartials[];
  diagnostics: EngineDiagnostic[];
  /** Whether a closed-form gradient can be generated for this function. */
  closedFormAvailable: boolean;
}

export interface FileAnalysis {
  functions: FunctionAnalysis[];
  /** Every diagnostic of the file (those of the functions included). */
  diagnostics: EngineDiagnostic[];
  /** Numeric functions without `@differentiable` (for the "Add @differentiable" action). */
  candidates: { name: string; nameRange: Range; range: Range }[];
  /**
   * Annotated functions left out of this analysis because the parser reported an error inside
   * them (mid-edit); an editor keeps showing their last good results, the CLI says so. Also every
   * `@differentiable` on a form the engine does not analyse (an object-literal method, a class
   * method, a nested function, a CommonJS export…): named by its path, at its tag, with the form
   * as the reason (and a GL005 on the tag).
   */
  skipped: { name: string; nameRange: Range; reason: string }[];
  /**
   * Helpers with a `@derivative` rule (and no `@differentiable`): each one's analysis, whose `check`
   * is the rule's own check against AD (kind `rule`), for the helper's hover and code lens. Their
   * diagnostics are in `diagnostics` already. Absent: none (or an analysis from before this field).
   */
  ruleHelpers?: FunctionAnalysis[];
}

export interface AnalysisOptions {
  rtol: number;
  /** Absolute tolerance; when null, 1e-8 · (1 + max |AD component|). */
  atol: number | null;
  /** Random check points per function when there is no `@at`. */
  randomPoints: number;
  seed: number;
  /** Evaluation steps (statements, operations, array elements) per function run before GL007. */
  stepBudget: number;
  /** Wall time of one function's analysis before GL007 (its results so far are kept). */
  timeBudgetMs: number;
  /** Leave out what only the editor shows, the closed form and the locals' partials (the CLI's check). */
  checkOnly?: boolean;
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  rtol: 1e-6,
  atol: null,
  randomPoints: 3,
  seed: 42,
  stepBudget: 1_000_000,
  timeBudgetMs: 2_000,
};

export interface GraphNode {
  id: number;
  /** Operation: `input`, `const`, `+`, `*`, `sin`, `call:helper`, `loop`, `output`, … */
  op: string;
  /** Short display text: variable name or expression. */
  label: string;
  range: Range | null;
  value: number;
  adjoint: number;
  inputs: number[];
  /** Set on nodes computed inside a loop: the loop's id and the iteration. */
  loop?: { id: number; iteration: number };
  /** The statement of the analysed function this node is part of (an id of `ComputationGraph.statements`). */
  statement?: number;
  /** Set on nodes computed by a helper call of the analysed function (an id of `ComputationGraph.calls`). */
  call?: number;
}

export interface GraphEdge {
  from: number;
  to: number;
  /** Local partial derivative ∂to/∂from. */
  partial: number;
}

export interface ComputationGraph {
  functionName: string;
  point: Point;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Ids of the nodes of the output (one for a scalar function). */
  outputs: number[];
  loops: { id: number; range: Range; tripCount: number }[];
  /** The analysed function's statements that nodes belong to, with their source text (shortened). */
  statements: { id: number; range: Range; text: string }[];
  /** Each helper call the analysed function made (one per call at run time), with the call's source text. */
  calls: { id: number; helper: string; range: Range; text: string }[];
  /** True when the graph was cut at the node limit. */
  truncated: boolean;
}

export type CodegenMode = 'reverse' | 'closed' | 'jvp' | 'hessian';

export interface GeneratedCode {
  /** Name of the generated function. */
  name: string;
  /** TypeScript source of the function (with its JSDoc), ready to insert. */
  code: string;
}

export interface MethodComponent {
  label: string;
  forward: number;
  reverse: number;
  /** Closed form (symbolic), where the function is straight-line code. */
  closed: number | null;
  central: number;
  /** Complex step, where the function is analytic along that direction. */
  complexStep: number | null;
  /** The function's hand-written gradient (`@gradient`, `@partial` or paired by name), where it has one. */
  handWritten: number | null;
  /** The gradient check's own verdict on this component of the hand-written gradient (GL001's), so the view and the hover never disagree. */
  handWrong: boolean;
}

export interface MethodsComparison {
  functionName: string;
  point: Point;
  components: MethodComponent[];
  /** Name of the hand-written gradient the `handWritten` column comes from, if any. */
  handWrittenName: string | null;
  /** Error of one-sided, central and complex-step differences against reverse mode, for the first component, by step h. */
  errorCurve: { h: number; forward: number; central: number; complexStep: number | null }[];
}

export interface GradientResult {
  value: number | number[] | null;
  gradient: Gradient | null;
  jacobian: number[][] | null;
  point: Point | null;
  diagnostics: EngineDiagnostic[];
}
