// `gradlens check --format sarif|github`: the same report for CI systems. SARIF 2.1.0 (for code
// scanning: one rule per diagnostic code, with its documentation page as helpUri) and GitHub
// Actions workflow commands (annotations on the pull request's diff). Both read the catalogue of
// codes, so a new code needs nothing here.

import { DIAGNOSTIC_CODES, DIAGNOSTICS, helpUri, isDiagnosticCode, REPOSITORY_URL } from '../engine/diagnosticCodes';
import type { EngineDiagnostic, Severity } from '../engine/index';
import type { CheckResult, FileReport } from './check';
import { shownDiagnostic } from './diagnostics';
import { version } from '../package.json';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

function sarifLevel(s: Severity): SarifLevel {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

/** Every diagnostic of a report, as the CLI shows it (catalogue severity, user text bounded). */
function shown(r: FileReport): EngineDiagnostic[] {
  return (r.analysis?.diagnostics ?? []).map(shownDiagnostic);
}

/** A file path as a SARIF artifact URI: relative, forward slashes, each segment percent-encoded. */
function artifactUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export function toSarif(result: CheckResult): unknown {
  const rules = DIAGNOSTIC_CODES.map((code) => ({
    id: code,
    name: DIAGNOSTICS[code].title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
    shortDescription: { text: DIAGNOSTICS[code].title },
    fullDescription: { text: DIAGNOSTICS[code].description },
    helpUri: helpUri(code),
    defaultConfiguration: { level: sarifLevel(DIAGNOSTICS[code].severity) },
    properties: { tags: DIAGNOSTICS[code].failsCheck ? ['correctness'] : ['maintainability'] },
  }));
  const ruleIndex = new Map<string, number>(DIAGNOSTIC_CODES.map((c, i) => [c, i]));
  const results: unknown[] = [];
  for (const r of result.files) {
    for (const d of shown(r)) {
      const start = r.index.position(d.range.start);
      const end = r.index.position(Math.max(d.range.end, d.range.start));
      results.push({
        ruleId: d.code,
        ...(ruleIndex.has(d.code) ? { ruleIndex: ruleIndex.get(d.code) } : {}),
        level: sarifLevel(d.severity),
        message: { text: d.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: artifactUri(r.file), uriBaseId: '%SRCROOT%' },
            region: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
          },
          ...(d.functionName ? { logicalLocations: [{ name: d.functionName, kind: 'function' }] } : {}),
        }],
        ...(d.related?.length ? {
          relatedLocations: d.related.map((rel, i) => {
            const p = r.index.position(rel.range.start);
            return { id: i, message: { text: rel.message }, physicalLocation: { artifactLocation: { uri: artifactUri(r.file), uriBaseId: '%SRCROOT%' }, region: { startLine: p.line, startColumn: p.column } } };
          }),
        } : {}),
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'Gradlens', version, semanticVersion: version, informationUri: REPOSITORY_URL, rules } },
      columnKind: 'utf16CodeUnits',
      results,
      invocations: [{ executionSuccessful: result.fileErrors.length === 0, toolExecutionNotifications: result.fileErrors.map((m) => ({ level: 'error', message: { text: m } })) }],
    }],
  };
}

/** GitHub's escaping of a workflow command's data and of its properties. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=…,line=…::message` lines, one per diagnostic (hints and notes as `notice`). */
export function toGithubAnnotations(result: CheckResult): string {
  const lines: string[] = [];
  for (const r of result.files) {
    for (const d of shown(r)) {
      const start = r.index.position(d.range.start);
      const end = r.index.position(Math.max(d.range.end, d.range.start));
      const command = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
      const title = isDiagnosticCode(d.code) ? `${d.code} ${DIAGNOSTICS[d.code].title}` : d.code;
      const props = [
        `file=${escapeProperty(r.file.split('\\').join('/'))}`,
        `line=${start.line}`, `col=${start.column}`, `endLine=${end.line}`, `endColumn=${end.column}`,
        `title=${escapeProperty(title)}`,
      ];
      lines.push(`::${command} ${props.join(',')}::${escapeData(d.message)}`);
    }
  }
  for (const m of result.fileErrors) lines.push(`::error::${escapeData(m)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}
