// The one place where the engine's plain data (UTF-16 offsets, severities as strings, diagnostic
// records) becomes LSP data (line/character positions, numeric severities, Diagnostic objects).
// Every other server module speaks engine offsets and calls this module at the boundary.

import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
  Position,
  Range as LspRange,
  TextEdit,
} from 'vscode-languageserver';
import type { EngineDiagnostic, Range, Severity } from '../engine/api';
import { catalogueSeverity, helpUri, isDiagnosticCode } from '../engine/diagnosticCodes';
import { boundMessage } from '../engine/format';

export const DIAGNOSTIC_SOURCE = 'gradlens';

/** What a Gradlens diagnostic carries in `data`, so code actions can route it back to a function. */
export interface DiagnosticData {
  functionName?: string;
  /** Edits that fix the diagnostic (engine `fixes`), in positions of the analysed text. */
  fixes?: { title: string; edits: TextEdit[] }[];
}

export function toLspRange(doc: TextDocument, range: Range): LspRange {
  const length = doc.getText().length;
  const start = clamp(range.start, 0, length);
  const end = clamp(range.end, start, length);
  return { start: doc.positionAt(start), end: doc.positionAt(end) };
}

export function toOffset(doc: TextDocument, position: Position): number {
  return doc.offsetAt(position);
}

export function toOffsetRange(doc: TextDocument, range: LspRange): Range {
  return { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) };
}

export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error': return DiagnosticSeverity.Error;
    case 'warning': return DiagnosticSeverity.Warning;
    case 'information': return DiagnosticSeverity.Information;
    case 'hint': return DiagnosticSeverity.Hint;
  }
}

/**
 * The LSP diagnostic of an engine diagnostic. Its severity is the catalogue's
 * (engine/diagnosticCodes.ts), its code links to the code's documentation page.
 */
export function toLspDiagnostic(doc: TextDocument, d: EngineDiagnostic): Diagnostic {
  const known = isDiagnosticCode(d.code);
  const diagnostic: Diagnostic = {
    range: toLspRange(doc, d.range),
    severity: toLspSeverity(known ? catalogueSeverity(d.code, d.severity) : d.severity),
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    // Messages quote user text (names, types): cut and cleaned here, where they leave the server.
    message: boundMessage(d.message),
  };
  if (known) diagnostic.codeDescription = { href: helpUri(d.code) };
  if (d.related && d.related.length > 0) {
    diagnostic.relatedInformation = d.related.map((r) =>
      DiagnosticRelatedInformation.create({ uri: doc.uri, range: toLspRange(doc, r.range) }, boundMessage(r.message)),
    );
  }
  const data: DiagnosticData = {};
  if (d.functionName !== undefined) data.functionName = d.functionName;
  if (d.fixes && d.fixes.length > 0) {
    data.fixes = d.fixes.map((f) => ({ title: boundMessage(f.title), edits: f.edits.map((e) => TextEdit.replace(toLspRange(doc, e.range), e.newText)) }));
  }
  diagnostic.data = data;
  return diagnostic;
}

export function toLspDiagnostics(doc: TextDocument, diagnostics: readonly EngineDiagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => toLspDiagnostic(doc, d));
}

/** An insertion or replacement expressed in offsets of `doc`. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export function toLspEdit(doc: TextDocument, edit: OffsetEdit): TextEdit {
  return TextEdit.replace(toLspRange(doc, edit), edit.newText);
}

export function contains(range: Range, offset: number): boolean {
  return range.start <= offset && offset <= range.end;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(Number.isFinite(n) ? n : lo, lo), hi);
}
