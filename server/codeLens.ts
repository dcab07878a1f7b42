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

/** textDocument/codeLens without fetching the analysis: none when `gradlens.codeLens.enabled` is off. */
export function codeLensesFor(snap: AnalysisSnapshot, doc: TextDocument, mapping: OffsetMapping, settings: Pick<GradlensSettings, 'codeLens'>): CodeLens[] {
  return settings.codeLens ? codeLenses(snap, doc, mapping) : [];
}

/** Lenses on the live document `doc`; `mapping` carries the analysed offsets over to it. */
export function codeLenses(snap: AnalysisSnapshot, doc: TextDocument, mapping: OffsetMapping): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const fa of snap.analysis.functions) {
    const start = mapping.toLive(fa.nameRange.start);
    const end = mapping.toLive(fa.nameRange.end);
    if (start === null || end === null) continue; // edited since: the next analysis will place it
    const range = toLspRange(doc, { start, end });
    // An empty command id renders the title as plain text in VS Code; other clients show it too.
    // A wrong gradient's lens takes the user to the first wrong component; else to the methods view.
    const wrong = fa.check?.status === 'wrong' ? firstWrongRange(fa, mapping, doc) : null;
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
  const c = fa.check;
  if (!c) return `∇ rule: not checked`;
  const n = c.points.length;
  switch (c.status) {
    case 'ok': return `✓ rule ${c.name} matches AD at ${plural(n, 'point')}`;
    case 'wrong': {
      const wrong = new Set(c.points.flatMap((p) => p.components.filter((k) => k.verdict === 'wrong').map((k) => `∂${fa.name}/∂${k.label}`)));
      return `✗ rule ${c.name} wrong: ${[...wrong].slice(0, 3).join(', ')}${wrong.size > 3 ? ', …' : ''}`;
    }
    case 'shape': return `✗ rule ${c.name}: wrong shape`;
    case 'unverified': return `? rule ${c.name}: could not be verified`;
    case 'nonfinite': return `✗ rule ${c.name}: non-finite value`;
    case 'kink': return `~ rule ${c.name}: check point on a kink`;
    case 'error': return `✗ rule ${c.name}: could not be evaluated`;
  }
}

export function statusTitle(fa: FunctionAnalysis): string {
  const c = fa.check;
  // The catalogue says which codes are problems of a function (errors, unsupported constructs, budgets, faults).
  const errors = fa.diagnostics.filter((d) => diagnosticInfo(d.code)?.lensProblem ?? d.severity === 'error').length;
  if (!c) return errors > 0 ? `∇ ${plural(errors, 'problem')}` : '∇ differentiable · no hand-written gradient';
  switch (c.status) {
    case 'ok': return `✓ ${c.name} checked at ${plural(c.points.length, 'point')}`;
    case 'wrong': {
      const wrong = new Set(c.points.flatMap((p) => p.components.filter((k) => k.verdict === 'wrong').map((k) => k.label)));
      return `✗ ${c.name}: ${[...wrong].slice(0, 4).join(', ')}${wrong.size > 4 ? ', …' : ''} wrong`;
    }
    case 'shape': return `✗ ${c.name}: wrong shape`;
    case 'unverified': return `? ${c.name}: could not be verified`;
    case 'nonfinite': return `✗ ${c.name}: non-finite value`;
    case 'kink': return `~ ${c.name}: check point on a kink`;
    case 'error': return `✗ ${c.name}: could not be evaluated`;
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
