// The gradient check: a hand-written derivative against reverse-mode AD, with central differences
// (Richardson-extrapolated) as the independent witness. A component is reported wrong only when
// it disagrees with AD beyond the tolerance AND the witness sides with AD; when the witness sides
// with neither, nothing is claimed.
//
// A hand-written derivative comes in the shapes real code writes (engine/check/conventions.ts):
// for each, the check builds the call from the check point (an out array, a flag, an upstream
// gradient, the output…), reads what it gives back as flat components, and the expected values
// from AD transformed alike (g · J for a vector-Jacobian product, s · ∂f/∂p for a scaled partial,
// H for a Hessian); the witness is transformed the same way. Messages speak the convention's terms.

import { numberAlgebra } from './algebra';
import { CheckComponent, EngineDiagnostic, GradientCheck, KinkEvent, PointCheck, Verdict } from './api';
import { conventionDescription, HandSpec } from './check/conventions';
import { closeness, directionalWrong, disagrees, REFERENCE_STEPS } from './check/directional';
import { traceStores } from './check/traceStores';
import type { LiveCode } from './compiled/live';
import { SHADOW_SUFFIX } from './check/shadow';
import { Differentiator } from './differentiate';
import { EvalError, Interpreter, Value, copyValue as copy, flatten } from './evaluate';
import { Expr, IrFunction, IrParam, Point, Range, Stmt } from './ir';
import { richardsonDerivative } from './numerical';
import type { Program } from './program';
import { formatNumber, formatPoint, formatValue } from './format';
import { plural } from './format';

export interface CheckOptions {
  rtol: number;
  atol: number | null;
  budget: number;
  /** false: the per-component witness for every component, however many (the tests compare the two paths). */
  directional?: boolean;
}

export interface CheckInput {
  /** The program the hand-written function lowers in (the shadow, when it needs one). */
  program: Program;
  fn: IrFunction;
  wrt: string[];
  hand: IrFunction;
  pairedBy: 'tag' | 'name';
  /** What the hand-written function computes and how it is called (default: a plain gradient). */
  spec?: HandSpec;
  points: Point[];
  /** Reverse-mode results already computed at each point (the check reuses them); `compiled` when compiled code gave them. */
  reverse?: (PointReverse | undefined)[];
  /** Compiled code for the function and its hand-written derivatives, used where it is trusted (engine/compiled/live.ts). */
  live?: LiveCode | null;
  options: CheckOptions;
}

type PointReverse = { jacobian: number[][]; kinks: KinkEvent[]; value: unknown; compiled?: boolean };

/** What the hand-written function gave back, as flat components with the source range of each. */
interface HandValues {
  values: number[];
  ranges: (Range | null)[];
  shape: string;
  /** Written into an out-array by compiled code, which does not say which statement wrote each (null ranges). */
  rangesUnknown?: boolean;
}

interface Label { label: string; param: string; index: number | null }

/** What the hand-written function should give back at one point, from AD. */
interface Target {
  values: number[];
  labels: Label[];
  /** The finite-difference witness of component k, transformed like the values. */
  witness(k: number): number;
}

class ShapeError extends Error {}

/** Upstream gradients, directions and tangents: fixed, distinct, of both signs (a factor or a sign error cannot hide). */
const PROBE = [0.75, -1.25, 0.5, 1.5, -0.5, 1.25, -0.75, 2];
const probe = (n: number): number[] => Array.from({ length: n }, (_, i) => PROBE[i % PROBE.length] * (1 + 0.1 * Math.floor(i / PROBE.length)));

/** Ratios that name a convention when a hand-written derivative is off by exactly that factor. */
const FACTORS: { factor: number; text: string; convention: string; scale: boolean }[] = [
  { factor: -1, text: '-1', convention: 'the sign is flipped', scale: false },
  { factor: 0.01, text: '0.01', convention: 'a per-1 % convention (0.01 ·, as vega and rho often are)', scale: true },
  { factor: -0.01, text: '-0.01', convention: 'a per-1 % convention with the sign flipped (-0.01 ·)', scale: true },
  { factor: 100, text: '100', convention: 'per unit where per 1 % is expected (100 ·)', scale: true },
  { factor: 1 / 365, text: '1/365', convention: 'a per-day convention (1/365 ·)', scale: true },
  { factor: -1 / 365, text: '-1/365', convention: 'a per-day convention (−1/365 ·, as theta often is)', scale: true },
  { factor: 1 / 252, text: '1/252', convention: 'a per-trading-day convention (1/252 ·)', scale: true },
  { factor: -1 / 252, text: '-1/252', convention: 'a per-trading-day convention (−1/252 ·)', scale: true },
];

export function checkGradient(input: CheckInput): { check: GradientCheck; diagnostics: EngineDiagnostic[] } {
  const { program, fn, wrt, hand, points, options } = input;
  const spec: HandSpec = input.spec ?? { kind: 'gradient', convention: 'plain', declared: false, name: hand.name, pairedBy: input.pairedBy, nameRange: null, tagRange: null, self: false };
  const diagnostics: EngineDiagnostic[] = [];
  const check: GradientCheck = {
    name: hand.name, pairedBy: input.pairedBy, nameRange: hand.nameRange, range: hand.range,
    status: 'ok', shape: '', points: [],
  };
  if (input.spec) {
    check.kind = spec.kind;
    check.convention = spec.convention;
    check.description = conventionDescription(spec);
    if (spec.kind === 'partial') { check.param = spec.param; check.scale = spec.scale; check.scaleText = spec.scaleText; }
    if (spec.self) check.self = true;
    if (spec.kind === 'gradient' && spec.convention !== 'plain' && !spec.declared) check.detected = true;
  }
  const relatedFn = [{ range: fn.nameRange, message: `'${fn.name}', differentiated by Gradlens` }];
  const reported = new Set<string>();
  const c = new Call(program, fn, wrt, hand, spec, options.budget, input.live ?? null);

  for (let pi = 0; pi < points.length; pi++) {
    const point = points[pi];
    const d = new Differentiator(program, fn, wrt, point, options.budget);
    d.compiled = input.live ?? null;
    let target: Target;
    let kinks: KinkEvent[];
    let handValues: HandValues;
    try {
      let rev: PointReverse = input.reverse?.[pi] ?? d.liveReverse();
      kinks = rev.kinks;
      target = c.target(d, rev);
      handValues = c.evaluate(point, d, rev, target.values.length, false);
      // A disagreement that compiled code found is derived again by the interpreter, the
      // reference, where that is cheap (the tape's values and kinks); an out-array's ranges always.
      if ((rev.compiled || handValues.rangesUnknown) && disagrees(target.values, handValues.values, options)) {
        if (rev.compiled && (input.live?.lastSteps ?? Infinity) <= REFERENCE_STEPS) {
          rev = d.reverse();
          kinks = rev.kinks;
          target = c.target(d, rev);
        }
        if (handValues.rangesUnknown) handValues = c.evaluate(point, d, rev, target.values.length, true);
      }
    } catch (e) {
      if (e instanceof ShapeError) {
        check.status = 'shape';
        diagnostics.push({
          code: 'GL006', severity: 'warning', range: spec.self && spec.nameRange ? spec.nameRange : hand.nameRange, functionName: fn.name,
          message: `'${hand.name}' has the wrong shape for ${c.what()}: ${e.message}${/[.)]$/.test(e.message) ? '' : '.'}`,
          related: relatedFn,
        });
        return { check, diagnostics };
      }
      if (e instanceof EvalError) {
        check.status = 'error';
        diagnostics.push(e.diagnostic(fn.name, `While checking '${hand.name}': ${e.message}`));
        return { check, diagnostics };
      }
      throw e;
    }
    check.shape = handValues.shape;

    const expected = target.values;
    const close = closeness(expected, options);
    const fdCache = new Map<number, number>();
    const fdAt = (k: number): number => {
      let v = fdCache.get(k);
      if (v === undefined) { v = target.witness(k); fdCache.set(k, v); }
      return v;
    };
    const fdTolOf = (k: number) => 1e-5 * (1 + Math.max(Math.abs(expected[k]), Math.abs(handValues.values[k])));
    const shownWrong = c.directional && options.directional !== false && kinks.length === 0 ? directionalWrong(d, expected, handValues.values, close, fdTolOf, pi) : null;
    const components: CheckComponent[] = expected.map((a, k) => {
      const h = handValues.values[k];
      // The finite-difference witness costs 4 evaluations a component: computed where it decides
      // a verdict, and everywhere at the first point (the hover shows it) when that is cheap.
      const eager = pi === 0 && expected.length <= 16;
      let f = eager ? fdAt(k) : NaN;
      const relError = Math.abs(h - a) / Math.max(Math.abs(h), Math.abs(a), 1e-300);
      let verdict: Verdict = 'ok';
      if (!Number.isFinite(h) || !Number.isFinite(a)) {
        verdict = Object.is(h, a) ? 'ok' : 'nonfinite';
      } else if (!close(h, a)) {
        const fdTol = fdTolOf(k);
        // (shown wrong along directions: its own witness is computed below where a message quotes it)
        if (shownWrong?.has(k)) verdict = 'wrong';
        else {
          f = fdAt(k);
          if (kinks.length > 0) verdict = 'kink';
          else if (Number.isFinite(f) && Math.abs(f - a) <= fdTol && Math.abs(f - h) > fdTol) verdict = 'wrong';
          else verdict = 'unverified';
        }
      }
      const l = target.labels[k];
      return { label: l.label, param: l.param, index: l.index, hand: h, ad: a, fd: f, relError, verdict, range: handValues.ranges[k] };
    });
    // Shown wrong along directions: the first of each source range (its message quotes the
    // component's own finite difference) gets the per-component witness, which has the last word.
    if (shownWrong) {
      const confirmed = new Set<string>();
      components.forEach((comp, k) => {
        const key = comp.range ? `${comp.range.start}-${comp.range.end}` : 'name';
        if (comp.verdict !== 'wrong' || !Number.isNaN(comp.fd) || confirmed.has(key)) return;
        comp.fd = fdAt(k);
        const tol = fdTolOf(k);
        if (Number.isFinite(comp.fd) && Math.abs(comp.fd - comp.ad) <= tol && Math.abs(comp.fd - comp.hand) > tol) confirmed.add(key);
        else comp.verdict = 'unverified';
      });
    }
    const pc: PointCheck = { point, components, kinks };
    check.points.push(pc);

    // One diagnostic per source range (an array built in a loop shares one), first point only.
    const byRange = new Map<string, CheckComponent[]>();
    for (const comp of components) {
      if (comp.verdict === 'ok') continue;
      const key = `${comp.verdict}:${comp.range ? `${comp.range.start}-${comp.range.end}` : 'name'}`;
      if (reported.has(key)) continue;
      const list = byRange.get(key) ?? [];
      list.push(comp);
      byRange.set(key, list);
    }
    for (const [key, list] of byRange) {
      reported.add(key);
      const range = list[0].range ?? hand.nameRange;
      const first = list[0];
      const k = components.indexOf(first);
      const more = list.length > 1 ? ` (and ${list.length - 1} more component${list.length > 2 ? 's' : ''}: ${list.slice(1, 4).map((x) => x.label).join(', ')}${list.length > 4 ? ', …' : ''})` : '';
      const at = c.pointText(point);
      switch (first.verdict) {
        case 'wrong': {
          const hint = c.hint(first, k, point, components, close);
          const numbers = `finite differences ${formatNumber(first.fd)}, relative error ${formatNumber(first.relError, 3)}`;
          const message = c.plainTerms
            ? `∂${fn.name}/∂${first.label} is wrong at ${at}: hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}, finite differences ${formatNumber(first.fd)} (relative error ${formatNumber(first.relError, 3)})${more}.`
            : `${c.shouldBe(k, first.ad, at, point)} ${formatNumber(first.hand)} (${numbers})${more}.`;
          diagnostics.push({ code: 'GL001', severity: 'warning', range, functionName: fn.name, related: relatedFn, message: message + (hint ? ` ${hint}` : '') });
          break;
        }
        case 'nonfinite':
          diagnostics.push({
            code: 'GL003', severity: 'warning', range, functionName: fn.name,
            message: `${c.componentText(k)} is not finite at ${at}: hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}${more}.`,
          });
          break;
        case 'kink':
          diagnostics.push({
            code: 'GL004', severity: 'hint', range, functionName: fn.name,
            message: `${c.componentText(k)} differs at ${at} (hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}), but the point sits on a non-differentiable point (${kinks[0].description}), where any subgradient is defensible; not reported as an error.`,
          });
          break;
        case 'unverified': {
          // Why the witness cannot decide: it agrees with both (the two differ by less than finite
          // differences resolve: often an approximation in the function or its derivative, made
          // consistently), or with neither (an ill-conditioned point).
          const tol = fdTolOf(k);
          const both = Number.isFinite(first.fd) && Math.abs(first.fd - first.ad) <= tol && Math.abs(first.fd - first.hand) <= tol;
          const why = both
            ? `: the two differ by ${formatNumber(first.relError, 2)} relative, less than finite differences resolve here, and those agree with both. A small, consistent difference is often an approximation in the function or in its derivative (a series, an approximate normal CDF)`
            : ' side with neither (an ill-conditioned point)';
          diagnostics.push({
            code: 'GL008', severity: 'information', range, functionName: fn.name,
            message: `${c.componentText(k)} could not be verified at ${at}: hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}, finite differences ${formatNumber(first.fd)}${why}${more}.`,
          });
          break;
        }
        default:
          break;
      }
    }
  }
  const all = check.points.flatMap((p) => p.components.map((x) => x.verdict));
  check.status = all.includes('wrong') ? 'wrong' : all.includes('nonfinite') ? 'nonfinite' : all.includes('unverified') ? 'unverified' : all.includes('kink') ? 'kink' : 'ok';
  return { check, diagnostics };
}

/** The call of one hand-written derivative in its convention, and the words its messages use. */
class Call {
  readonly wrtParams: IrParam[];
  /** Parameter names of the hand-written function as the user wrote them. */
  readonly handNames: string[];
  private vector = false;
  /** Components of one output row. */
  private n = 0;
  /** Rows (outputs). */
  private m = 1;
  /** The upstream gradient, direction or tangent of the current point. */
  private probeValues: number[] = [];
  /** The function's value at the current point. */
  private value: Value<number> = NaN;

  constructor(
    readonly program: Program,
    readonly fn: IrFunction,
    readonly wrt: string[],
    readonly hand: IrFunction,
    readonly spec: HandSpec,
    readonly budget: number,
    readonly live: LiveCode | null,
  ) {
    this.wrtParams = wrt.map((w) => fn.params.find((p) => p.name === w)!).filter((p) => p !== undefined);
    this.handNames = hand.params.map((p) => (p.name.endsWith(SHADOW_SUFFIX) ? p.name.slice(0, -SHADOW_SUFFIX.length) : p.name));
  }

  /** A gradient checked along directions first when it has many components (plain, out-array, fused; not a Jacobian). */
  get directional(): boolean {
    const s = this.spec;
    return s.kind === 'gradient' && (s.convention === 'plain' || s.convention === 'out' || s.convention === 'fused') && !this.vector;
  }

  /** Runs the hand-written function: compiled unless `reference` (or where compiled code stops), else the interpreter. */
  private runHand(args: Value<number>[], reference: boolean): { out: Value<number>; ret: (Stmt & { k: 'return' }) | undefined } {
    const r = reference ? null : this.live?.hand(this.hand, args);
    if (r) return { out: r.value, ret: r.ret };
    const interp = new Interpreter(numberAlgebra, this.program, this.budget);
    return { out: interp.run(this.hand, args), ret: interp.lastReturn };
  }

  /** Plain gradients and `@derivative` rules keep the messages they always had. */
  get plainTerms(): boolean {
    return (this.spec.kind === 'gradient' && this.spec.convention === 'plain') || this.spec.kind === 'rule';
  }

  private get extraName(): string {
    return this.spec.extra !== undefined ? this.handNames[this.spec.extra] ?? 'out' : 'out';
  }

  /** `backward(x, g)`, `act(x, true)`. */
  private callText(): string {
    const names = this.handNames.map((p, i) => (this.spec.convention === 'flag' && i === this.spec.extra ? 'true' : p));
    return `\`${this.hand.name}(${names.join(', ')})\``;
  }

  /** "the out-array gradient of 'f' (`@gradient g out`)": what the GL006 expected. */
  what(): string {
    const s = this.spec;
    const desc = conventionDescription(s);
    const article = /^[aeiou]/i.test(desc) ? 'an' : 'a';
    const tag = s.kind === 'rule' ? '' : s.kind === 'partial' ? ` (\`@partial ${s.param} ${s.name}${s.scale !== 1 ? ` scale ${s.scaleText}` : ''}\`)`
      : s.kind === 'hessian' || s.kind === 'hvp' ? ` (\`@hessian ${s.name}${s.kind === 'hvp' ? ' hvp' : ''}\`)`
        : s.kind === 'jvp' ? ` (\`@jvp ${s.name}\`)`
          : s.convention !== 'plain' ? ` (\`@gradient ${s.name} ${s.convention}\`${s.declared ? '' : ', detected from its parameters'})` : '';
    if (s.kind === 'gradient' && s.convention === 'plain' || s.kind === 'rule') return `the gradient of '${this.fn.name}'`;
    return `${article} ${desc} of '${this.fn.name}'${tag}`;
  }

  /** The point without a self convention's extra parameter (the gradient array, the flag). */
  pointText(point: Point): string {
    if (!this.spec.self || this.spec.extra === undefined) return formatPoint(point);
    const skip = this.fn.params[this.spec.extra]?.name;
    return formatPoint(Object.fromEntries(Object.entries(point).filter(([k]) => k !== skip)));
  }

  private derivativeOf(k: number): string {
    const l = this.labelsOf()[k];
    if (!l) return `∂${this.fn.name}`;
    if (this.n === 1 && !this.vector && this.wrtParams.length === 1 && this.wrtParams[0].type === 'num') return `${this.fn.name}′(${l.param})`;
    return `∂${this.fn.name}/∂${l.label}`;
  }

  private labelCache: Label[] | null = null;
  private labelsOf(): Label[] {
    return this.labelCache ?? [];
  }

  /** Component k in words, for GL003/GL004/GL008. */
  componentText(k: number): string {
    const l = this.labelsOf()[k];
    if (this.plainTerms || !l) return `∂${this.fn.name}/∂${l?.label ?? '?'}`;
    if (l.label === 'value') return `The value returned by ${this.callText()}`;
    return `Component ${l.label} of ${this.callText()}`;
  }

  /** "`backward(x, g)` should be g · f′(x) = 3 at x = 1, g = 0.75; it returns" (the hand's number follows). */
  shouldBe(k: number, ad: number, at: string, point: Point): string {
    const s = this.spec;
    const A = formatNumber(ad);
    const l = this.labelsOf()[k];
    const call = this.callText();
    if (l?.label === 'value') {
      const flagOff = s.convention === 'flag' ? `\`${this.hand.name}(${this.handNames.map((p, i) => (i === s.extra ? 'false' : p)).join(', ')})\`` : call;
      return `${flagOff} should return the value ${this.fn.name}(${this.fn.params.filter((_, i) => !(s.self && i === s.extra)).map((p) => p.name).join(', ')}) = ${A} at ${at}; it returns`;
    }
    switch (s.kind) {
      case 'partial': {
        const scale = s.scale === 1 ? '' : `${s.scaleText} · `;
        return `${call} should be ${scale}∂${this.fn.name}/∂${l.label} = ${A} at ${at}; it returns`;
      }
      case 'hessian': {
        const i = Math.floor(k / this.n);
        const j = k % this.n;
        const li = this.labelsFlat[i];
        const lj = this.labelsFlat[j];
        return `${call} should have ∂²${this.fn.name}/∂${li}∂${lj} = ${A} (entry [${i}][${j}]) at ${at}; it has`;
      }
      case 'hvp':
        return `${call} should be (H·v)[${l.label}] = ${A} at ${at}, v = ${formatValue(this.probeValues)}; it returns`;
      case 'jvp':
        return `${call} should be J·v${this.vector ? ` for output ${k}` : ''} = ${A} at ${at}, v = ${formatValue(this.probeValues)}; it returns`;
      default:
        break;
    }
    switch (s.convention) {
      case 'out':
      case 'fused':
        return `${call} should write ${this.derivativeOf(k)} = ${A} into ${this.extraName}[${k}] at ${at}; it writes`;
      case 'flag':
        return `${call} should return ${this.derivativeOf(k)} = ${A} at ${at}; it returns`;
      case 'vjp': {
        const g = this.extraName;
        if (!this.vector) return `${call} should be ${g} · ${this.derivativeOf(k)} = ${A} at ${at}, ${g} = ${formatNumber(this.probeValues[0])}; it returns`;
        return `${call} should be (${g} · J)[${l.label}] = ${A} at ${at}, ${g} = ${formatValue(this.probeValues)}; it returns`;
      }
      case 'output': {
        const y = this.spec.extra !== undefined ? this.handNames[this.spec.extra] : 'y';
        return `${call} should be ${this.derivativeOf(k)} = ${A} at ${at}, where ${y} = ${this.fn.name}(…) = ${formatValue(this.value)}; it returns`;
      }
      default:
        return `${call} should be ${this.derivativeOf(k)} = ${A} at ${at}; it returns`;
    }
  }

  private labelsFlat: string[] = [];

  /** The expected values at one point, from the reverse-mode Jacobian (and more AD for second order). */
  target(d: Differentiator, rev: { jacobian: number[][]; value: unknown; compiled?: boolean }): Target {
    const s = this.spec;
    const J = rev.jacobian;
    this.value = rev.value as Value<number>;
    this.vector = J.length !== 1 || Array.isArray(rev.value);
    this.n = d.components.length;
    this.m = J.length;
    const comps = d.components;
    this.labelsFlat = comps.map((x) => x.label);
    const fdJ = (r: number, k: number) => d.numericalComponent(k, this.vector ? r : -1);
    const label = (k: number, r?: number): Label => {
      const x = comps[k];
      return { label: r === undefined ? x.label : `${x.label} (output ${r})`, param: x.param, index: x.path.length ? x.path[0] : null };
    };
    let t: Target;
    switch (s.kind) {
      case 'partial': {
        const ks = comps.map((x, k) => (x.param === s.param ? k : -1)).filter((k) => k >= 0);
        const scale = s.scale ?? 1;
        const cells: [number, number][] = [];
        for (let r = 0; r < this.m; r++) for (const k of ks) cells.push([r, k]);
        t = {
          values: cells.map(([r, k]) => scale * J[r][k]),
          labels: cells.map(([r, k]) => label(k, this.vector ? r : undefined)),
          witness: (i) => scale * fdJ(cells[i][0], cells[i][1]),
        };
        break;
      }
      case 'hessian': {
        if (this.vector) throw new ShapeError(`'${this.fn.name}' is vector-valued; a Hessian is checked for a function that returns a number`);
        const H = d.hessian();
        const n = this.n;
        t = {
          values: H.flat(),
          labels: H.flatMap((row, i) => row.map((_, j) => ({ label: `${comps[i].label}, ${comps[j].label}`, param: comps[i].param, index: comps[i].path.length ? comps[i].path[0] : null }))),
          witness: (k) => richardsonDerivative((x) => gradientAt(d, x)[Math.floor(k / n)], d.flatPoint(), k % n),
        };
        break;
      }
      case 'hvp': {
        if (this.vector) throw new ShapeError(`'${this.fn.name}' is vector-valued; a Hessian-vector product is checked for a function that returns a number`);
        const v = probe(this.n);
        this.probeValues = v;
        const x0 = d.flatPoint();
        t = {
          values: d.hvp(v).hv,
          labels: comps.map((_, k) => label(k)),
          witness: (k) => richardsonDerivative(([h]) => gradientAt(d, x0.map((xi, i) => xi + h * v[i]))[k], [0], 0),
        };
        break;
      }
      case 'jvp': {
        const v = probe(this.n);
        this.probeValues = v;
        const x0 = d.flatPoint();
        // the generated JVP, compiled, where the compiled value met no kink; else forward mode interpreted
        const out = (rev.compiled ? this.live?.jvpAlong(d.point, d.components, v, this.vector ? this.m : 1) : null)
          ?? flatten(d.jvp(v).derivative) as number[];
        t = {
          values: out,
          labels: out.map((_, r) => ({ label: this.vector ? `J·v[${r}]` : 'J·v', param: comps[0]?.param ?? '', index: this.vector ? r : null })),
          witness: (r) => richardsonDerivative(([h]) => (flatten(d.value(x0.map((xi, i) => xi + h * v[i]))) as number[])[r], [0], 0),
        };
        break;
      }
      default: {
        if (s.convention === 'vjp') {
          const u = probe(this.m);
          this.probeValues = u;
          const x0 = d.flatPoint();
          // (the witness of component k differentiates uᵀf once, not each output apart)
          const uf = (x: number[]): number => (flatten(d.value(x)) as number[]).reduce((acc, y, r) => acc + (u[r] ?? 0) * y, 0);
          t = {
            values: comps.map((_, k) => J.reduce((acc, row, r) => acc + u[r] * row[k], 0)),
            labels: comps.map((_, k) => label(k)),
            witness: (k) => (this.vector ? richardsonDerivative(uf, x0, k) : u[0] * fdJ(0, k)),
          };
        } else if (this.vector) {
          // Jacobian: rows = outputs, flattened.
          t = {
            values: J.flat(),
            labels: J.flatMap((_, r) => comps.map((_c, k) => label(k, r))),
            witness: (i) => fdJ(Math.floor(i / this.n), i % this.n),
          };
        } else {
          t = { values: [...J[0]], labels: comps.map((_, k) => label(k)), witness: (k) => fdJ(0, k) };
        }
        // A fused function returns the value too, and a flag-fused one gives it with the flag off.
        if ((s.convention === 'fused' || s.convention === 'flag') && !s.self && !this.vector) {
          const v = rev.value as number;
          t.values.push(v);
          t.labels.push({ label: 'value', param: '', index: null });
          const w = t.witness;
          const nv = t.values.length - 1;
          t.witness = (k) => (k === nv ? v : w(k));
        }
      }
    }
    this.labelCache = t.labels;
    return t;
  }

  /** Runs the hand-written function in its convention at `point`: its components, in the target's order. */
  evaluate(point: Point, d: Differentiator, rev: { value: unknown }, count: number, reference: boolean): HandValues {
    const s = this.spec;
    const fnParams = this.fn.params;
    const handParams = this.hand.params;
    if (s.self && s.kind === 'gradient' && s.extra === undefined) {
      throw new ShapeError(`expected '${this.fn.name}' to take one more parameter, its gradient array written in place (\`@gradient ${this.fn.name} fused\`) or a boolean derivative flag (\`@gradient ${this.fn.name} flag derivative\`); found ${this.signature()}`);
    }
    const extraCount = s.kind === 'jvp' || s.kind === 'hvp'
      ? handParams.length - fnParams.length
      : s.kind === 'gradient' && s.convention !== 'plain' && !s.self && s.convention !== 'output' ? 1 : 0;
    const needsExtra = extraCount > 0;
    if (needsExtra && (s.kind === 'jvp' || s.kind === 'hvp') && extraCount !== 1 && extraCount !== this.wrtParams.length) {
      throw new ShapeError(`expected ${this.expectedSignature()}; found ${this.signature()}`);
    }
    if (!needsExtra && s.convention !== 'output' && !s.self && handParams.length !== fnParams.length) {
      if (this.plainTerms) {
        const more = handParams.length === fnParams.length + 1
          ? ` If '${this.handNames[handParams.length - 1]}' is an array it writes the gradient into, declare \`@gradient ${this.hand.name} out\` (or \`fused\` if it returns the value); if it is the upstream gradient of a vector-Jacobian product, \`@gradient ${this.hand.name} vjp\`; if it is the output y = ${this.fn.name}(…), \`@gradient ${this.hand.name} output\`.`
          : '';
        throw new ShapeError(`it takes ${handParams.length} parameter(s); a gradient takes the same parameters as the function (${fnParams.map((p) => p.name).join(', ')}).${more}`);
      }
      throw new ShapeError(`expected ${this.expectedSignature()}; found ${this.signature()}`);
    }
    if (needsExtra && s.kind === 'gradient' && (s.extra === undefined || handParams.length !== fnParams.length + extraCount)) {
      throw new ShapeError(`expected ${this.expectedSignature()}; found ${this.signature()}`);
    }
    const args = this.argsAt(point);
    const run = (a: Value<number>[]) => this.runHand(a, reference);
    const flatWrt = d.components.length;

    if (s.kind === 'gradient' && (s.convention === 'out' || s.convention === 'fused')) {
      if (this.vector) throw new ShapeError(`'${this.fn.name}' is vector-valued; an ${s.convention === 'out' ? 'out-array' : 'fused'} gradient is checked for a function that returns a number (a Jacobian is returned, not written)`);
      const xp = handParams[s.extra!];
      if (xp.type !== 'arr' || xp.depth !== 1) throw new ShapeError(`expected ${this.expectedSignature()}; found '${this.handNames[s.extra!]}' of type ${xp.typeText}, which cannot hold the gradient`);
      const out = new Array<number>(flatWrt).fill(0);
      args[s.extra!] = out;
      // Interpreted, with every store into the array recorded (which statement wrote each element):
      // compiled code runs on copies of its arguments, so it could not fill `out`.
      const traced = traceStores(this.hand, s.extra!);
      const interp = new Interpreter(numberAlgebra, this.program, this.budget, { onAssign: traced.onAssign });
      const ret: Value<number> = interp.run(traced.fn, args);
      const retStmt: (Stmt & { k: 'return' }) | undefined = interp.lastReturn;
      const ranges: (Range | null)[] = Array.from({ length: flatWrt }, (_, k) => traced.writers.get(k) ?? null);
      if (out.length !== flatWrt) throw new ShapeError(`expected ${plural(flatWrt, 'number')} written into '${this.extraName}'; found ${out.length} after the call`);
      if (out.some((x) => typeof x !== 'number')) throw new ShapeError(`expected numbers written into '${this.extraName}'; found an array in it`);
      const values = [...out];
      if (s.convention === 'fused') {
        if (typeof ret !== 'number') throw new ShapeError(`expected ${this.expectedSignature()}; found it returns ${describeValue(ret)}`);
        values.push(ret);
        ranges.push(retStmt?.value.range ?? this.hand.nameRange);
      }
      return { rangesUnknown: false, values, ranges, shape: s.convention === 'out' ? `writes the gradient into ${this.extraName}` : `returns the value, writes the gradient into ${this.extraName}` };
    }

    if (s.kind === 'gradient' && s.convention === 'flag') {
      args[s.extra!] = 1;
      const on = run(args);
      const hv = this.readGradient(on.out, on.ret, point, this.vector);
      if (!s.self && !this.vector) {
        const off = this.argsAt(point);
        off[s.extra!] = 0;
        const r = run(off);
        if (typeof r.out !== 'number') throw new ShapeError(`expected ${this.expectedSignature()}; found it returns ${describeValue(r.out)} with the flag off`);
        hv.values.push(r.out);
        hv.ranges.push(r.ret?.value.range ?? this.hand.nameRange);
      }
      return hv;
    }

    if (s.kind === 'gradient' && s.convention === 'vjp') {
      const xp = handParams[s.extra!];
      if (!this.vector && xp.type !== 'num') throw new ShapeError(`expected ${this.expectedSignature()} where '${this.extraName}' is a number ('${this.fn.name}' returns a number); found '${this.extraName}' of type ${xp.typeText}`);
      if (this.vector && xp.type !== 'arr') throw new ShapeError(`expected ${this.expectedSignature()} where '${this.extraName}' is an array of ${plural(this.m, 'number')}, one per output of '${this.fn.name}'; found '${this.extraName}' of type ${xp.typeText}`);
      args[s.extra!] = this.vector ? [...this.probeValues] : this.probeValues[0];
      const r = run(args);
      return this.readGradient(r.out, r.ret, point, false);
    }

    if (s.kind === 'gradient' && s.convention === 'output') {
      if (s.extra === undefined) throw new ShapeError(`expected ${this.expectedSignature()}; found ${this.signature()}`);
      args[s.extra] = copy(rev.value as Value<number>);
      const r = run(args);
      return this.readGradient(r.out, r.ret, point, this.vector);
    }

    if (s.kind === 'jvp' || s.kind === 'hvp') {
      this.fillTangents(args, handParams.length - fnParams.length, point, d);
      const r = run(args);
      if (s.kind === 'hvp') return this.readGradient(r.out, r.ret, point, false);
      return this.readJvp(r.out, r.ret, count);
    }

    const r = run(args);
    if (s.kind === 'partial') return this.readFlat(r.out, r.ret, count);
    if (s.kind === 'hessian') return this.readHessian(r.out, r.ret);
    return this.readGradient(r.out, r.ret, point, this.vector);
  }

  /** The hand-written function's arguments from the point (copies: its writes never reach the point). */
  private argsAt(point: Point): Value<number>[] {
    const s = this.spec;
    const fnNames = this.fn.params.map((p) => p.name);
    if (s.self) return this.fn.params.map((p) => copy(point[p.name] as Value<number>));
    // The parameters that take the function's arguments: all but the extra one (out, flag, gOut,
    // y), or the first ones before the tangents of a JVP or HVP.
    const all = this.handNames.map((n, i) => ({ n, i }));
    const others = s.kind === 'jvp' || s.kind === 'hvp' ? all.slice(0, this.fn.params.length)
      : s.kind === 'gradient' && s.extra !== undefined ? all.filter(({ i }) => i !== s.extra) : all;
    const args: Value<number>[] = new Array(this.hand.params.length).fill(0);
    const byName = others.every(({ n }) => fnNames.includes(n));
    if (s.convention === 'output' && s.kind === 'gradient') {
      // g(y), or g(params, y): the parameters it shares with the function by name.
      if (!byName) throw new ShapeError(`expected ${this.expectedSignature()}; found ${this.signature()}`);
    }
    others.forEach(({ n, i }, pos) => {
      const name = byName ? n : fnNames[pos];
      args[i] = copy(point[name] as Value<number>);
    });
    return args;
  }

  /** Tangents (JVP) or directions (HVP): one per `@wrt` parameter shaped like it, or one flat array. */
  private fillTangents(args: Value<number>[], count: number, point: Point, d: Differentiator): void {
    const v = this.probeValues;
    const base = this.fn.params.length;
    if (count === this.wrtParams.length) {
      let k = 0;
      this.wrtParams.forEach((p, j) => {
        const build = (x: Value<number>): Value<number> => (Array.isArray(x) ? x.map(build) : v[k++]);
        args[base + j] = build(point[p.name] as Value<number>);
      });
    } else {
      args[base] = d.components.length === 1 && this.wrtParams[0]?.type === 'num' ? v[0] : [...v];
    }
  }

  /** A gradient-shaped result (number, array, tuple in `@wrt` order, object by parameter), or a Jacobian. */
  private readGradient(out: Value<number>, ret: (Stmt & { k: 'return' }) | undefined, point: Point, jacobian: boolean): HandValues {
    const values: number[] = [];
    const ranges: (Range | null)[] = [];
    const retExpr = ret?.value ?? null;
    const whole = retExpr?.range ?? this.hand.nameRange;
    const wrt = this.wrt;
    const wrtParams = this.wrtParams;
    const n = this.n * (jacobian ? this.m : 1);

    if (jacobian) {
      if (!Array.isArray(out)) throw new ShapeError(this.plainTerms ? 'a vector-valued function needs a Jacobian (number[][], one row per output)' : `expected a Jacobian (number[][], one row per output of '${this.fn.name}'); found ${describeValue(out)}`);
      const rows = out as Value<number>[];
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        const flat = Array.isArray(row) ? (row as Value<number>[]).flat(4) as number[] : [row as number];
        flat.forEach((v) => { values.push(v); ranges.push(elementRange(retExpr, r) ?? whole); });
      }
      if (values.length !== n) throw new ShapeError(`its Jacobian has ${plural(values.length, 'entry', 'entries')}, but ${n} ${n === 1 ? 'is' : 'are'} expected (${plural(rows.length, 'row')})`);
      return { values, ranges, shape: 'Jacobian' };
    }

    let parts: { value: Value<number>; range: Range | null; expr: Expr | null }[];
    let shape: string;
    if (wrtParams.length === 1) {
      parts = [{ value: out, range: whole, expr: retExpr }];
      shape = wrtParams[0].type === 'num' ? 'number' : 'array';
    } else if (ret?.keys) {
      shape = 'object';
      const arr = out as Value<number>[];
      parts = wrtParams.map((p) => {
        const k = ret.keys!.indexOf(p.name);
        if (k < 0) throw new ShapeError(`the returned object has no key '${p.name}' (keys: ${ret.keys!.join(', ')})`);
        return { value: arr[k], range: elementRange(retExpr, k) ?? whole, expr: elementExpr(retExpr, k) };
      });
      const extra = ret.keys.filter((k) => !wrt.includes(k));
      if (extra.length) throw new ShapeError(`the returned object has key(s) ${extra.join(', ')} that are not differentiated parameters (@wrt ${wrt.join(', ')})`);
    } else {
      shape = 'tuple';
      if (!Array.isArray(out)) throw new ShapeError(`it returns a number, but ${wrt.length} parameters are differentiated (${wrt.join(', ')}): return a tuple [${wrt.map((w) => `d${w}`).join(', ')}] or an object`);
      const arr = out as Value<number>[];
      if (arr.length !== wrtParams.length) {
        throw new ShapeError(`it returns ${plural(arr.length, 'entry', 'entries')}, but ${plural(wrtParams.length, 'parameter')} ${wrtParams.length === 1 ? 'is' : 'are'} differentiated (${wrt.join(', ')})`);
      }
      parts = wrtParams.map((_, k) => ({ value: arr[k], range: elementRange(retExpr, k) ?? whole, expr: elementExpr(retExpr, k) }));
    }

    wrtParams.forEach((p, k) => {
      const part = parts[k];
      const expected = point[p.name];
      if (p.type === 'num') {
        if (typeof part.value !== 'number') throw new ShapeError(`the entry for '${p.name}' should be a number (∂/∂${p.name}), but it is an array`);
        values.push(part.value);
        ranges.push(part.range);
        return;
      }
      if (!Array.isArray(part.value)) throw new ShapeError(`the entry for '${p.name}' should be an array of ${plural((expected as number[]).length, 'number')}, but it is a number`);
      const flat = (part.value as Value<number>[]).flat(4) as number[];
      const want = (expected as Value<number>[]).flat(4).length;
      if (flat.length !== want) throw new ShapeError(`the entry for '${p.name}' has ${plural(flat.length, 'number')}, but '${p.name}' has ${want} at ${formatPoint(point)}`);
      flat.forEach((v, i) => { values.push(v); ranges.push(elementRange(part.expr, i) ?? part.range); });
    });
    return { values, ranges, shape };
  }

  /** `@partial`: a number, or an array (an array parameter, or a vector-valued function). */
  private readFlat(out: Value<number>, ret: (Stmt & { k: 'return' }) | undefined, count: number): HandValues {
    const retExpr = ret?.value ?? null;
    const whole = retExpr?.range ?? this.hand.nameRange;
    const flat = flatten(out) as number[];
    const scalar = !this.vector && this.wrtParams.find((p) => p.name === this.spec.param)?.type === 'num';
    if (flat.length !== count || flat.some((v) => typeof v !== 'number') || (scalar && Array.isArray(out))) {
      throw new ShapeError(`expected ${this.expectedSignature()}; found it returns ${describeValue(out)}`);
    }
    const ranges = flat.map((_, i) => (Array.isArray(out) ? elementRange(retExpr, i) ?? whole : whole));
    return { values: flat, ranges, shape: Array.isArray(out) ? 'array' : 'number' };
  }

  /** `@hessian`: number[][] (rows and columns the flat `@wrt` components), or a number for one. */
  private readHessian(out: Value<number>, ret: (Stmt & { k: 'return' }) | undefined): HandValues {
    const n = this.n;
    const retExpr = ret?.value ?? null;
    const whole = retExpr?.range ?? this.hand.nameRange;
    if (n === 1 && typeof out === 'number') return { values: [out], ranges: [whole], shape: 'number' };
    const rows = Array.isArray(out) ? out as Value<number>[] : [];
    if (rows.length !== n || rows.some((r) => !Array.isArray(r) || r.length !== n || r.some((x) => typeof x !== 'number'))) {
      throw new ShapeError(`expected ${this.expectedSignature()}; found it returns ${describeValue(out)}`);
    }
    const values: number[] = [];
    const ranges: (Range | null)[] = [];
    rows.forEach((row, i) => (row as number[]).forEach((v, j) => {
      values.push(v);
      ranges.push(elementRange(elementExpr(retExpr, i), j) ?? elementRange(retExpr, i) ?? whole);
    }));
    return { values, ranges, shape: 'number[][]' };
  }

  /** `@jvp`: J·v, or [value, J·v] (the shape Gradlens generates). */
  private readJvp(out: Value<number>, ret: (Stmt & { k: 'return' }) | undefined, count: number): HandValues {
    const retExpr = ret?.value ?? null;
    const whole = retExpr?.range ?? this.hand.nameRange;
    let derivative: Value<number> = out;
    let expr: Expr | null = retExpr;
    const pair = Array.isArray(out) && out.length === 2 && (this.vector ? Array.isArray(out[0]) && Array.isArray(out[1]) : typeof out[0] === 'number' && typeof out[1] === 'number');
    if (pair) { derivative = (out as Value<number>[])[1]; expr = elementExpr(retExpr, 1); }
    const flat = flatten(derivative) as number[];
    if (flat.length !== count || flat.some((v) => typeof v !== 'number')) {
      throw new ShapeError(`expected ${this.expectedSignature()}; found it returns ${describeValue(out)}`);
    }
    const r0 = expr?.range ?? whole;
    return { values: flat, ranges: flat.map((_, i) => (Array.isArray(derivative) ? elementRange(expr, i) ?? r0 : r0)), shape: pair ? '[value, J·v]' : 'J·v' };
  }

  /** `g(x, y)`: the hand-written function's parameters as written. */
  private signature(): string {
    return `\`${this.hand.name}(${this.handNames.join(', ')})\``;
  }

  /** The call this convention expects, in words. */
  private expectedSignature(): string {
    const s = this.spec;
    const f = this.fn.name;
    const ps = this.fn.params.filter((_, i) => !(s.self && i === s.extra)).map((p) => p.name);
    const g = this.hand.name;
    const extra = s.extra !== undefined && !s.self ? this.handNames[s.extra] : undefined;
    const sig = (...more: string[]) => `\`${g}(${[...ps, ...more].join(', ')})\``;
    const nWrt = this.n || this.wrtParams.length;
    switch (s.kind) {
      case 'partial': return `${sig()} returning ${s.scale === 1 ? '' : `${s.scaleText} · `}∂${f}/∂${s.param} (${this.wrtParams.find((p) => p.name === s.param)?.type === 'arr' || this.vector ? 'an array' : 'a number'})`;
      case 'hessian': return `${sig()} returning the ${nWrt}×${nWrt} Hessian (number[][], rows and columns the components of ${this.wrt.join(', ')})${nWrt === 1 ? ' or a number' : ''}`;
      case 'hvp': return `${sig(...this.wrt.map((w) => `d${w}`))} (or one flat direction \`v\`) returning H·v in the gradient's shape`;
      case 'jvp': return `${sig(...this.wrt.map((w) => `d${w}`))} (or one flat tangent \`v\`) returning J·v, or [value, J·v]`;
      default: break;
    }
    switch (s.convention) {
      case 'out': return `${sig(extra ?? 'out')} writing the ${nWrt} component(s) of the gradient into '${extra ?? 'out'}', its extra array parameter`;
      case 'fused': return s.self
        ? `'${f}' writing its gradient into its array parameter '${this.fn.params[s.extra ?? -1]?.name ?? 'grad'}' and returning its value`
        : `${sig(extra ?? 'grad')} returning the value of '${f}' and writing its gradient into '${extra ?? 'grad'}'`;
      case 'flag': return `${sig(extra ?? s.flagName ?? 'derivative')} returning '${f}' with the flag false and its derivative with the flag true${s.flagName && extra === undefined ? ` (it has no parameter '${s.flagName}')` : ''}`;
      case 'vjp': return `${sig(extra ?? 'gOut')} returning ${extra ?? 'gOut'} · ${f}′ in the gradient's shape`;
      case 'output': return `\`${g}(y)\` or \`${g}(${[...ps, 'y'].join(', ')})\` returning ${f}′ in terms of y = ${f}(${ps.join(', ')})`;
      default: return `${sig()} returning the gradient`;
    }
  }

  /**
   * A hint naming the likely convention when a component is off by a telling factor (a sign,
   * 0.01, 1/365), equals another component, or matches the derivative in terms of the output (or
   * of the input, where the output was declared).
   */
  hint(c: CheckComponent, k: number, point: Point, all: CheckComponent[], close: (h: number, a: number) => boolean): string {
    const s = this.spec;
    if (c.label === 'value') return '';
    const scale = s.kind === 'partial' ? s.scale ?? 1 : 1;
    const unscaled = c.ad / scale;
    if (unscaled !== 0 && Number.isFinite(unscaled)) {
      if (scale !== 1 && close(c.hand, unscaled)) {
        return `Hint: it returns ∂${this.fn.name}/∂${c.label} unscaled; \`scale ${s.scaleText}\` says it should be ${s.scaleText} times that.`;
      }
      if (scale !== 1 && close(c.hand, -scale * unscaled)) {
        return `Hint: the sign is flipped (it returns ${formatNumber(-scale)} · ∂${this.fn.name}/∂${c.label}).`;
      }
      for (const f of FACTORS) {
        if (f.factor === scale || !close(c.hand, f.factor * unscaled)) continue;
        if (f.factor === -1) return 'Hint: the sign is flipped.';
        const onePartial = s.kind === 'partial' || (s.kind === 'gradient' && s.convention === 'plain' && this.n === 1 && !this.vector);
        const param = s.kind === 'partial' ? s.param : this.wrtParams[0]?.name;
        const declare = f.scale && onePartial && !this.spec.self
          ? ` If that is intended, declare it: \`@partial ${param} ${this.hand.name} scale ${f.text}\`${s.kind === 'partial' ? '' : ' instead of the @gradient'}.`
          : '';
        return `Hint: it returns ${f.text} · ∂${this.fn.name}/∂${c.label}: ${f.convention}.${declare}`;
      }
    }
    // An index or order mix-up: it equals another component's expected value.
    if (Math.abs(c.hand) > 0) {
      const other = all.find((o, j) => j !== k && o.label !== 'value' && o.ad !== c.ad && close(c.hand, o.ad));
      if (other) return `Hint: it equals the expected ${other.label} (${formatNumber(other.ad)}): an index or order mix-up?`;
    }
    // Output instead of input, or input instead of output.
    if (s.kind === 'gradient' && !this.vector && this.n === 1 && this.wrtParams.length === 1 && this.wrtParams[0].type === 'num') {
      if (s.convention === 'plain' && this.hand.params.length === 1 && this.fn.params.length === 1) {
        const v = this.tryRun([this.value as number]);
        if (v !== null && close(v, c.ad)) {
          return `Hint: it gives ${this.fn.name}′ when called with the output y = ${this.fn.name}(${this.fn.params[0].name}) = ${formatNumber(this.value as number)}: a derivative written in terms of the output (like sigmoid′ = y(1 − y)). If that is intended, declare it: \`@gradient ${this.hand.name} output\`.`;
        }
      }
      if (s.convention === 'output' && s.extra !== undefined && this.hand.params.length === 1) {
        const x = point[this.wrtParams[0].name] as number;
        const v = this.tryRun([x]);
        if (v !== null && close(v, c.ad)) {
          return `Hint: it gives ${this.fn.name}′ when called with the input ${this.wrtParams[0].name} = ${formatNumber(x)} instead of the output: it is written in terms of the input, so drop \`output\` from the tag (or write it in terms of y).`;
        }
      }
    }
    return '';
  }

  private tryRun(args: Value<number>[]): number | null {
    try {
      const v = new Interpreter(numberAlgebra, this.program, this.budget).run(this.hand, args);
      return typeof v === 'number' ? v : null;
    } catch (e) {
      if (e instanceof EvalError) return null;
      throw e;
    }
  }
}

/** The gradient at a point given by its flat `@wrt` components (finite differences of a gradient). */
function gradientAt(d: Differentiator, x: number[]): number[] {
  const point: Point = {};
  for (const [k, v] of Object.entries(d.point)) point[k] = copy(v) as Point[string]; // deep: rows of a matrix, fields of a record
  d.components.forEach((c, i) => {
    if (c.path.length === 0) { point[c.param] = x[i]; return; }
    let arr = point[c.param] as unknown as Value<number>[];
    for (let j = 0; j < c.path.length - 1; j++) arr = arr[c.path[j]] as Value<number>[];
    arr[c.path[c.path.length - 1]] = x[i];
  });
  const e = new Differentiator(d.program, d.fn, d.wrtParams.map((p) => p.name), point, d.budget);
  // compiled value and gradient where trusted (liveReverse), the tape otherwise
  e.compiled = d.compiled;
  return e.liveReverse().jacobian[0];
}


function describeValue(v: Value<number> | undefined): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return `a number (${formatNumber(v)})`;
  if (v.every((x) => typeof x === 'number')) return `an array of ${v.length} number${v.length === 1 ? '' : 's'}`;
  return `an array of ${v.length} arrays`;
}

function elementExpr(e: Expr | null, k: number): Expr | null {
  return e && e.k === 'arrayLit' ? e.elements[k] ?? null : null;
}

function elementRange(e: Expr | null, k: number): Range | null {
  return elementExpr(e, k)?.range ?? null;
}
