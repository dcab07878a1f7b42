// Code lenses above each annotated function: its check status, and "Show graph".

import type { CodeLens, Range } from 'vscode-languageserver';
import type { FunctionAnalysis } from '../engine/api';
import { diagnosticInfo } from '../engine/diagnosticCodes';
import { plural } from '../engine/format';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisSnapshot } from './documentAnalysis';
import type { OffsetMapping } from './offsetMapping';
import { Commands } from './protocol';
import type { GradlensSettings } from './settings';
import { toLspRange } from './toLsp';
import { functionPlaces } from './workerProtocol';

/** textDocument/codeLens without fetching the analysis: none when `gradlens.codeLens.enabled` is off. */
export function codeLensesFor(snap: AnalysisSnapshot, doc: TextDocument, mapping: OffsetMapping, settings: Pick<GradlensSettings, 'codeLens'>): CodeLens[] {
  return settings.codeLens ? codeLenses(snap, doc, mapping) : [];
}

/** Lenses on the live document `doc`; `mapping` carries the analysed offsets over to it. */
export function codeLenses(snap: AnalysisSnapshot, doc: TextDocument, mapping: OffsetMapping): CodeLens[] {
  const lenses: CodeLens[] = [];
  // (Lenses are asked for after every edit: only a wrong function's analysis is moved into place.)
  for (const place of functionPlaces(snap.analysis)) {
    const fa = place.made;
    const start = mapping.toLive(place.nameRange.start);
    const end = mapping.toLive(place.nameRange.end);
    if (start === null || end === null) continue; // edited since: the next analysis will place it
    const range = toLspRange(doc, { start, end });
    // An empty command id renders the title as plain text in VS Code; other clients show it too.
    // A wrong gradient's lens takes the user to the first wrong component; else to the methods view.
    const wrong = fa.check?.status === 'wrong' ? firstWrongRange(place.placed(), mapping, doc) : null;
    lenses.push({
      range,
      command: wrong
        ? { title: statusTitle(fa), command: Commands.revealRange, arguments: [snap.uri, wrong] }
        : { title: statusTitle(fa), command: fa.check ? Commands.showMethods : '', arguments: fa.check ? [snap.uri, fa.name] : undefined },
    });
    lenses.push({ range, command: { title: 'Show graph', command: Commands.showGraph, arguments: [snap.uri, fa.name] } });
  }
  // A helper's @derivative rule, checked against AD through the helper's body.
  for (const fa of snap.analysis.ruleHelpers ?? []) {
    const start = mapping.toLive(fa.nameRange.start);
    const end = mapping.toLive(fa.nameRange.end);
    if (start === null || end === null || !fa.check) continue;
    const wrong = fa.check.status === 'wrong' ? firstWrongRange(fa, mapping, doc) : null;
    lenses.push({
      range: toLspRange(doc, { start, end }),
      command: wrong
        ? { title: ruleTitle(fa), command: Commands.revealRange, arguments: [snap.uri, wrong] }
        : { title: ruleTitle(fa), command: '' },
    });
  }
  return lenses;
}

/** The lens of a helper's `@derivative` rule: "✓ rule dsq matches AD at 3 points". */
export function ruleTitle(fa: FunctionAnalysis): string {
  return fa.check ? checkTitle(fa, true) : `∇ rule: not checked`;
}

export function statusTitle(fa: FunctionAnalysis): string {
  // The catalogue says which codes are problems of a function (errors, unsupported constructs, budgets, faults).
  const errors = fa.diagnostics.filter((d) => diagnosticInfo(d.code)?.lensProblem ?? d.severity === 'error').length;
  if (!fa.check) return errors > 0 ? `∇ ${plural(errors, 'problem')}` : '∇ differentiable · no hand-written gradient';
  return checkTitle(fa, false);
}

/** A check's verdict in a lens title, on the function (`rosenbrockGrad`) or on a helper's rule (`rule dsq`). */
function checkTitle(fa: FunctionAnalysis, rule: boolean): string {
  const c = fa.check!;
  const subject = rule ? `rule ${c.name}` : c.name;
  const n = plural(c.points.length, 'point');
  switch (c.status) {
    case 'ok': return rule ? `✓ ${subject} matches AD at ${n}` : `✓ ${subject} checked at ${n}`;
    case 'wrong': {
      const wrong = new Set(c.points.flatMap((p) => p.components.filter((k) => k.verdict === 'wrong').map((k) => (rule ? `∂${fa.name}/∂${k.label}` : k.label))));
      const max = rule ? 3 : 4;
      const list = `${[...wrong].slice(0, max).join(', ')}${wrong.size > max ? ', …' : ''}`;
      return rule ? `✗ ${subject} wrong: ${list}` : `✗ ${subject}: ${list} wrong`;
    }
    case 'shape': return `✗ ${subject}: wrong shape`;
    case 'unverified': return `? ${subject}: could not be verified`;
    case 'nonfinite': return `✗ ${subject}: non-finite value`;
    case 'kink': return `~ ${subject}: check point on a kink`;
    case 'error': return `✗ ${subject}: could not be evaluated`;
  }
}

/** The live range of the first component the check found wrong, if it can be placed. */
function firstWrongRange(fa: FunctionAnalysis, mapping: OffsetMapping, doc: TextDocument): Range | null {
  for (const p of fa.check?.points ?? []) {
    for (const c of p.components) {
      if (c.verdict !== 'wrong' || !c.range) continue;
      const start = mapping.toLive(c.range.start);
      const end = mapping.toLive(c.range.end);
      if (start !== null && end !== null) return toLspRange(doc, { start, end });
    }
  }
  return null;
}
