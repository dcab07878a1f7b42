// One engine diagnostic as a line of text (`file:line:col  warning  GL001  message`) or as JSON
// with line/column added. The only place the CLI turns offsets into positions for diagnostics.

import type { EngineDiagnostic, Severity } from '../engine/index';
import { helpUri, isDiagnosticCode, withCatalogueSeverity } from '../engine/diagnosticCodes';
import { boundDiagnostic } from '../engine/format';

/** What every command prints of a diagnostic: the catalogue's severity, user text bounded. */
export function shownDiagnostic(d: EngineDiagnostic): EngineDiagnostic {
  return boundDiagnostic(isDiagnosticCode(d.code) ? withCatalogueSeverity(d) : d);
}
import type { Palette } from './format';
import type { LineIndex } from './lineIndex';

export function severityColor(severity: Severity, p: Palette): (s: string) => string {
  switch (severity) {
    case 'error':
      return p.red;
    case 'warning':
      return p.yellow;
    case 'information':
      return p.cyan;
    case 'hint':
      return p.dim;
  }
}

/** Multi-line messages keep their line breaks, indented under the first line. */
export function formatDiagnostic(file: string, index: LineIndex, diagnostic: EngineDiagnostic, p: Palette, indent = ''): string {
  // User text quoted in messages is bounded (and stripped of control and bidi characters) here,
  // where every command prints diagnostics.
  const d = shownDiagnostic(diagnostic);
  const { line, column } = index.position(d.range.start);
  const color = severityColor(d.severity, p);
  const [first, ...rest] = d.message.split(/\r?\n/);
  const where = p.cyan(`${file}:${line}:${column}`);
  const fn = d.functionName ? p.dim(` [${d.functionName}]`) : '';
  const lines = [`${indent}${where}  ${color(d.severity)}  ${color(d.code)}  ${first}${fn}`];
  for (const r of rest) lines.push(`${indent}    ${r}`);
  for (const related of d.related ?? []) {
    const pos = index.position(related.range.start);
    lines.push(`${indent}    ${p.dim(`${file}:${pos.line}:${pos.column}`)}  ${related.message}`);
  }
  return lines.join('\n');
}

export interface DiagnosticJson {
  code: string;
  severity: Severity;
  message: string;
  functionName: string | null;
  /** 1-based positions of the range start and end. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The engine's UTF-16 offsets. */
  start: number;
  end: number;
  related: { line: number; column: number; message: string }[];
  /** The code's documentation page. */
  helpUri: string | null;
}

export function diagnosticToJson(diagnostic: EngineDiagnostic, index: LineIndex): DiagnosticJson {
  const d = shownDiagnostic(diagnostic);
  const start = index.position(d.range.start);
  const end = index.position(d.range.end);
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    functionName: d.functionName ?? null,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    start: d.range.start,
    end: d.range.end,
    related: (d.related ?? []).map((r) => ({ ...index.position(r.range.start), message: r.message })),
    helpUri: isDiagnosticCode(d.code) ? helpUri(d.code) : null,
  };
}
