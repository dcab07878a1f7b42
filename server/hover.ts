// Hover texts, built from the last good analysis only: no engine call on this path.
// Three kinds: an annotated function's name, a local variable inside one, a hand-written gradient.

import { MarkupKind, type Hover, type Position, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CheckComponent, FunctionAnalysis, GradientCheck, LocalPartials } from '../engine/api';
import { Commands } from './protocol';
import type { AnalysisSnapshot } from './documentAnalysis';
import { commandLink, formatNumber, formatPoint, formatValue } from './format';
import type { OffsetMapping } from './offsetMapping';
import { contains, toLspRange } from './toLsp';
import { functionPlaces } from './workerProtocol';

export interface HoverContent {
  markdown: string;
  /** Range of the hovered name, in offsets of the analysed text. */
  range: { start: number; end: number };
}

/**
 * The LSP hover at `position` of the live document `doc`, from the analysis `snap` (whose text
 * `mapping` maps to the live one): textDocument/hover without fetching the analysis.
 */
export function hoverAtPosition(snap: AnalysisSnapshot, doc: TextDocument, position: Position, mapping: OffsetMapping): Hover | null {
  const offset = mapping.toAnalysed(doc.offsetAt(position));
  if (offset === null) return null;
  const content = hoverAt(snap, offset);
  if (!content) return null;
  const start = mapping.toLive(content.range.start);
  const end = mapping.toLive(content.range.end);
  return toLspHover(content, start !== null && end !== null ? toLspRange(doc, { start, end }) : null);
}

/** The hover at `offset` (in the analysed text), or null. */
export function hoverAt(snap: AnalysisSnapshot, offset: number): HoverContent | null {
  // Where each function is, read without moving every analysis into place (the first hover after
  // an edit above them would move thousands): only the one the hover shows is placed.
  const places = functionPlaces(snap.analysis);
  for (const p of places) {
    if (contains(p.nameRange, offset)) return hover(snap, p.nameRange, functionHover(snap.uri, p.placed()));
  }
  const helpers = snap.analysis.ruleHelpers ?? [];
  for (const fa of helpers) {
    if (contains(fa.nameRange, offset)) return hover(snap, fa.nameRange, ruleHelperHover(fa));
  }
  // Every hand-written derivative of the function (several @gradient, @partial, @hessian, @jvp),
  // and a helper's @derivative rule.
  const checksOf = (fa: FunctionAnalysis) => (fa.checks?.length ? fa.checks : fa.check ? [fa.check] : []);
  for (const p of places) {
    const checks = checksOf(p.made);
    for (let i = 0; i < checks.length; i++) {
      const at = p.at(checks[i].nameRange);
      if (contains(at, offset)) { const fa = p.placed(); return hover(snap, at, gradientHover(fa, checksOf(fa)[i])); }
    }
  }
  for (const fa of helpers) {
    for (const check of checksOf(fa)) {
      if (contains(check.nameRange, offset)) return hover(snap, check.nameRange, gradientHover(fa, check));
    }
  }
  // Innermost function first, for a local of a nested arrow.
  const around = places.filter((p) => contains(p.range, offset)).sort((a, b) => (a.range.end - a.range.start) - (b.range.end - b.range.start)).map((p) => p.placed());
  for (const fa of around) {
    for (const local of fa.locals) {
      const r = local.ranges.find((rg) => contains(rg, offset));
      if (r) return hover(snap, r, localHover(fa, local));
    }
  }
  return null;
}

function hover(_snap: AnalysisSnapshot, range: { start: number; end: number }, markdown: string): HoverContent {
  return { markdown, range };
}

export function toLspHover(content: HoverContent, range: Range | null): Hover {
  const h: Hover = { contents: { kind: MarkupKind.Markdown, value: content.markdown } };
  if (range) h.range = range;
  return h;
}

export function functionHover(uri: string, fa: FunctionAnalysis): string {
  const out: string[] = [];
  const wrt = fa.wrt.length > 0 ? fa.wrt : fa.params;
  out.push(`**${fa.name}**(${fa.params.join(', ')}) · differentiable with respect to ${wrt.map((w) => `\`${w}\``).join(', ') || 'nothing'}`);

  // Symbolic partials, or how the derivative is computed when there is no readable closed form.
  if (fa.closedForm && fa.closedForm.length > 0) {
    out.push('```text\n' + fa.closedForm.map((p) => `∂f/∂${p.param} = ${p.unicode}`).join('\n') + '\n```');
  } else if (fa.vectorValued) {
    out.push(`Jacobian by forward-mode AD (rows = outputs, columns = ${wrt.join(', ')}); no readable closed form.`);
  } else {
    out.push(`No readable closed form (loops, branches or arrays): ${wrt.map((w) => `∂f/∂${w}`).join(', ')} ` +
      `${wrt.length === 1 ? 'is' : 'are'} the adjoint${wrt.length === 1 ? '' : 's'} of ${wrt.map((w) => `\`${w}\``).join(', ')} ` +
      'accumulated by reverse-mode AD through the body.');
  }

  // Value and gradient at the first check point.
  const point = fa.points[0];
  if (point) {
    const lines: string[] = [`At ${formatPoint(point, fa.params)}:`];
    if (fa.value !== null) lines.push(`- f = ${formatValue(fa.value)}`);
    if (fa.gradient) {
      for (const w of orderKeys(fa.gradient, wrt)) lines.push(`- ∂f/∂${w} = ${formatValue(fa.gradient[w])}`);
    }
    if (fa.jacobian) {
      const rows = fa.jacobian.slice(0, 6).map((row, i) => `- J[${i}] = ${formatValue(row)}`);
      lines.push(...rows);
      if (fa.jacobian.length > 6) lines.push(`- … (${fa.jacobian.length} rows)`);
    }
    out.push(lines.join('\n'));
  }

  out.push(checkSummary(fa));

  const links = [commandLink('Show graph', Commands.showGraph, [uri, fa.name])];
  links.push(commandLink('Compare methods', Commands.showMethods, [uri, fa.name]));
  if (!fa.vectorValued) links.push(commandLink('Insert gradient', Commands.insertCode, [uri, fa.name, 'reverse']));
  if (fa.closedFormAvailable && !fa.vectorValued) links.push(commandLink('closed form', Commands.insertCode, [uri, fa.name, 'closed']));
  links.push(commandLink('JVP', Commands.insertCode, [uri, fa.name, 'jvp']));
  if (!fa.vectorValued) links.push(commandLink('Hessian', Commands.insertCode, [uri, fa.name, 'hessian']));
  out.push(links.join(' · '));
  return out.join('\n\n');
}

/**
 * A helper with a `@derivative` rule: the rule's own check against AD through the helper's body
 * (calls of the helper in differentiable functions are differentiated through the rule).
 */
export function ruleHelperHover(fa: FunctionAnalysis): string {
  const c = fa.check;
  const out = [`**${fa.name}**(${fa.params.join(', ')}) · helper differentiated through its \`@derivative\` rule${c ? ` \`${c.name}\`` : ''}`];
  out.push(c ? `Derivative rule: ${checkLine(fa, c)}` : 'Derivative rule: not checked (see the diagnostics of the helper).');
  const point = fa.points[0];
  if (point && fa.gradient) {
    const wrt = fa.wrt.length > 0 ? fa.wrt : fa.params;
    const lines = [`AD through the body at ${formatPoint(point, fa.params)}:`];
    if (fa.value !== null) lines.push(`- ${fa.name} = ${formatValue(fa.value)}`);
    for (const w of orderKeys(fa.gradient, wrt)) lines.push(`- ∂${fa.name}/∂${w} = ${formatValue(fa.gradient[w])}`);
    out.push(lines.join('\n'));
  }
  return out.join('\n\n');
}

/**
 * The hand-written derivatives' checks, for the function's hover and its code lens: one line for
 * one, a list for several (each `@gradient`, `@partial`, `@hessian`, `@jvp`).
 */
export function checkSummary(fa: FunctionAnalysis): string {
  const checks = fa.checks && fa.checks.length > 0 ? fa.checks : fa.check ? [fa.check] : [];
  if (checks.length === 0) {
    return fa.vectorValued
      ? 'No hand-written Jacobian to check.'
      : `No hand-written gradient to check (add \`@gradient ${fa.name}Grad\` and a function of that name, or insert one).`;
  }
  if (checks.length === 1) return checkLine(fa, checks[0]);
  return checks.map((c) => `- ${checkLine(fa, c)}`).join('\n');
}

/** `vega` (partial derivative with respect to sigma, scaled by 0.01): how it is called, when it is not a plain gradient. */
function described(c: GradientCheck): string {
  const plain = (c.kind === undefined || c.kind === 'gradient') && (c.convention === undefined || c.convention === 'plain');
  return plain || !c.description ? '' : ` (${c.description})`;
}

function checkLine(fa: FunctionAnalysis, c: GradientCheck): string {
  const paired = c.pairedBy === 'name' ? ' (paired by name)' : '';
  const who = `\`${c.name}\`${described(c)}${paired}`;
  const n = c.points.length;
  const pts = `${n} point${n === 1 ? '' : 's'}`;
  switch (c.status) {
    case 'ok': {
      const worst = Math.max(0, ...c.points.flatMap((p) => p.components.map((k) => k.relError)).filter(Number.isFinite));
      return `✓ ${who} agrees with AD at ${pts} (largest relative error ${formatRelError(worst)}).`;
    }
    case 'wrong': {
      const bad = firstBad(c, 'wrong');
      return `✗ ${who} is wrong` + (bad
        ? `: ${c.kind === 'rule' ? `its ∂${fa.name}/∂${bad.component.label}` : c.kind === 'gradient' || c.kind === undefined ? `hand-written ∂${fa.name}/∂${bad.component.label}` : `its component ${bad.component.label}`} is ${formatNumber(bad.component.hand)}, AD says ${formatNumber(bad.component.ad)} ` +
          `(finite differences ${formatNumber(bad.component.fd)}) at ${formatPoint(bad.point, fa.params)}.`
        : '.');
    }
    case 'shape': return `✗ ${who} returns the wrong shape${c.shape ? ` (${c.shape})` : ''}.`;
    case 'unverified': return `? ${who} could not be verified: AD and the hand-written gradient disagree, and finite differences cannot tell which is right (see the diagnostic).`;
    case 'nonfinite': return `✗ ${who}: a value or derivative is not finite at a check point.`;
    case 'kink': return `~ ${who}: a check point sits on a non-differentiable point; see the hint.`;
    case 'error': return `✗ ${who} could not be evaluated.`;
  }
}

export function gradientHover(fa: FunctionAnalysis, c: GradientCheck): string {
  const out: string[] = [];
  const what = c.kind === 'rule' ? 'derivative rule' : c.description && described(c) ? `hand-written ${c.description}` : 'hand-written gradient';
  const how = c.kind === 'rule' ? ' (`@derivative`)' : c.pairedBy === 'name' ? ' (paired by name)' : c.kind === 'partial' ? ' (`@partial`)' : c.kind === 'hessian' || c.kind === 'hvp' ? ' (`@hessian`)' : c.kind === 'jvp' ? ' (`@jvp`)' : ' (`@gradient`)';
  out.push(`**${c.name}** · ${what} of \`${fa.name}\`${how}${c.shape ? `, ${/^(writes|returns)/.test(c.shape) ? c.shape : `returns ${c.shape}`}` : ''}`);
  out.push(checkLine(fa, c));
  for (const p of c.points.slice(0, 3)) {
    const rows = [
      `At ${formatPoint(p.point, fa.params)}:`,
      '',
      '| component | hand-written | AD | finite diff. | rel. error | |',
      '|---|---|---|---|---|---|',
      ...p.components.slice(0, 24).map(componentRow),
    ];
    if (p.components.length > 24) rows.push(`| … | | | | | ${p.components.length} components |`);
    for (const k of p.kinks) rows.push('', `Non-differentiable point: ${k.description}`);
    out.push(rows.join('\n'));
  }
  if (c.points.length > 3) out.push(`… and ${c.points.length - 3} more points.`);
  return out.join('\n\n');
}

function componentRow(k: CheckComponent): string {
  const mark = k.verdict === 'ok' ? '✓' : k.verdict === 'wrong' ? '✗ wrong' : k.verdict === 'unverified' ? '? unverified'
    : k.verdict === 'nonfinite' ? '✗ not finite' : '~ kink';
  return `| ${k.label} | ${formatNumber(k.hand)} | ${formatNumber(k.ad)} | ${formatNumber(k.fd)} | ${formatRelError(k.relError)} | ${mark} |`;
}

/** A relative error at the level of rounding (2.1e-16) reads as what it means: ≈ 0. */
export function formatRelError(x: number): string {
  if (x === 0) return '0';
  return Number.isFinite(x) && Math.abs(x) < 1e-12 ? '≈ 0' : formatNumber(x);
}

export function localHover(fa: FunctionAnalysis, local: LocalPartials): string {
  const wrt = fa.wrt.length > 0 ? fa.wrt : fa.params;
  const point = fa.points[0];
  const out = [`\`${local.name}\` in **${fa.name}**` + (point ? ` at ${formatPoint(point, fa.params)}` : '')];
  const lines = [`- ${local.name} = ${formatValue(local.value)}`];
  for (const w of orderKeys(local.partials, wrt)) lines.push(`- ∂${local.name}/∂${w} = ${formatValue(local.partials[w])}`);
  out.push(lines.join('\n'));
  return out.join('\n\n');
}

function firstBad(c: GradientCheck, verdict: CheckComponent['verdict']) {
  for (const point of c.points) {
    const component = point.components.find((k) => k.verdict === verdict);
    if (component) return { point: point.point, component };
  }
  return null;
}

function orderKeys(obj: Record<string, unknown>, order: readonly string[]): string[] {
  return [...order.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !order.includes(k))];
}
