// `gradlens check`: analyse every file, then report per function (does its hand-written gradient
// agree?), every diagnostic with file:line:col, and a summary. Failing = any diagnostic whose code
// the catalogue (engine/diagnosticCodes.ts) marks `failsCheck` (GL001, GL006).

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyzeFile,
  type AnalysisOptions,
  type DiagnosticCode,
  type EngineDiagnostic,
  type FileAnalysis,
  type FunctionAnalysis,
  type GradientCheck,
} from '../engine/index';
import { codeOfCheckStatus, FAILING_CODES as CATALOGUE_FAILING_CODES, failsCheck } from '../engine/diagnosticCodes';
import { boundMessage, boundUserText, formatNumber } from '../engine/format';
import { diagnosticToJson, formatDiagnostic, shownDiagnostic } from './diagnostics';
import { describeFsError, displayPath, expandInputs } from './files';
import { plural, type Palette } from './format';
import { LineIndex } from './lineIndex';
import { createFsModuleHost } from '../server/moduleHost';
import { version } from '../package.json';

/** Codes that fail a check run (exit code 1), from the catalogue. */
export const FAILING_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>(CATALOGUE_FAILING_CODES);

/** The failing codes as the output names them: `GL001/GL006`. */
export const FAILING_CODES_TEXT = CATALOGUE_FAILING_CODES.join('/');

export interface FileReport {
  /** Path as shown to the user (relative to the working directory when inside it). */
  file: string;
  index: LineIndex;
  analysis: FileAnalysis | null;
  /** Set when the file could not be read or analysed. */
  error?: string;
}

export interface CheckSummary {
  files: number;
  /** Files with at least one @differentiable function. */
  filesWithFunctions: number;
  functions: number;
  /** `@differentiable` functions left out (mid-edit, or on a form the engine does not analyse). */
  notAnalysed: number;
  /** Functions with a hand-written gradient, by check status. */
  gradients: { checked: number; ok: number; wrong: number; shape: number; unverified: number; other: number };
  diagnostics: Partial<Record<DiagnosticCode, number>>;
  /** Number of diagnostics of a failing code (FAILING_CODES). */
  failures: number;
  /** Files that could not be read or analysed. */
  errors: number;
}

export interface CheckResult {
  /** Bad paths or globs: nothing was checked. */
  inputErrors: string[];
  /** Files that could not be read or analysed (the others were). */
  fileErrors: string[];
  files: FileReport[];
  summary: CheckSummary;
  failed: boolean;
  json: unknown;
}

export interface CheckRun {
  cwd: string;
  options: Partial<AnalysisOptions>;
  /** Called before each file (done = files finished so far) and once at the end (done = total). */
  progress?: (done: number, total: number, file: string) => void;
}

export function runCheck(inputs: string[], run: CheckRun): CheckResult {
  const { files, errors } = expandInputs(inputs, run.cwd);
  const reports: FileReport[] = [];
  const fileErrors: string[] = [];
  if (errors.length === 0) {
    files.forEach((file, i) => {
      const shown = displayPath(file, run.cwd);
      run.progress?.(i, files.length, shown);
      reports.push(checkFile(file, shown, run.options));
    });
    run.progress?.(files.length, files.length, '');
  }
  for (const r of reports) if (r.error) fileErrors.push(r.error);
  return finishCheck(errors, reports, fileErrors);
}

/** The result of a run from its reports (also for cli/parallel.ts, whose reports come from workers). */
export function finishCheck(errors: string[], reports: FileReport[], fileErrors: string[] = reports.flatMap((r) => (r.error ? [r.error] : []))): CheckResult {
  const summary = summarize(reports);
  const failed = summary.failures > 0;
  return { inputErrors: errors, fileErrors, files: reports, summary, failed, json: toJson(reports, summary, failed) };
}

export function checkFile(file: string, shown: string, options: Partial<AnalysisOptions>): FileReport {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { file: shown, index: new LineIndex(''), analysis: null, error: `cannot read '${shown}': ${describeFsError(e)}` };
  }
  const index = new LineIndex(text);
  try {
    // Helpers imported from other files of the workspace are read from disk (server/moduleHost.ts), as TypeScript resolves them.
    const modules = { file: path.resolve(file), host: createFsModuleHost() };
    // (what only the editor shows, the closed forms and the locals' partials, is left out)
    return { file: shown, index, analysis: analyzeFile(text, { ...options, checkOnly: true }, undefined, modules) };
  } catch (e) {
    // The engine promises not to throw on user input; if it does, the other files still get checked.
    const message = e instanceof Error ? e.message : String(e);
    return { file: shown, index, analysis: null, error: `internal error while analysing '${shown}': ${message}` };
  }
}

function summarize(reports: FileReport[]): CheckSummary {
  const s: CheckSummary = {
    files: reports.length,
    filesWithFunctions: 0,
    functions: 0,
    notAnalysed: 0,
    gradients: { checked: 0, ok: 0, wrong: 0, shape: 0, unverified: 0, other: 0 },
    diagnostics: {},
    failures: 0,
    errors: 0,
  };
  for (const r of reports) {
    if (r.error) s.errors++;
    if (!r.analysis) continue;
    if (r.analysis.functions.length > 0) s.filesWithFunctions++;
    s.functions += r.analysis.functions.length;
    s.notAnalysed += r.analysis.skipped.length;
    for (const fn of r.analysis.functions) {
      if (!fn.check) continue;
      s.gradients.checked++;
      const st = fn.check.status;
      if (st === 'ok' || st === 'kink') s.gradients.ok++;
      else if (st === 'wrong') s.gradients.wrong++;
      else if (st === 'shape') s.gradients.shape++;
      else if (st === 'unverified') s.gradients.unverified++;
      else s.gradients.other++;
    }
    for (const d of r.analysis.diagnostics) {
      s.diagnostics[d.code] = (s.diagnostics[d.code] ?? 0) + 1;
      if (failsCheck(d.code)) s.failures++;
    }
  }
  return s;
}

type Status = 'fail' | 'warn' | 'ok' | 'none';

/**
 * A diagnostic as the text output shows it. Messages quote user text (names, types), so they are
 * cut and cleaned where they leave the CLI: here, and in the JSON (shownDiagnostic).
 */
function shown(d: EngineDiagnostic): EngineDiagnostic {
  const b = shownDiagnostic(d);
  return d.functionName === undefined ? b : { ...b, functionName: boundUserText(d.functionName) };
}

/** One line per function: does its hand-written gradient check out, and what else was found. */
export function functionStatus(fn: FunctionAnalysis): { status: Status; text: string } {
  const failing = fn.diagnostics.filter((d) => failsCheck(d.code));
  const warnings = fn.diagnostics.map(shownDiagnostic).filter((d) => !failsCheck(d.code) && (d.severity === 'warning' || d.severity === 'error'));
  const extra = warnings.length > 0 ? `; ${plural(warnings.length, 'diagnostic')} (${[...new Set(warnings.map((d) => d.code))].join(', ')})` : '';
  const check = fn.check;
  if (!check) {
    const what = fn.vectorValued ? 'Jacobian' : 'gradient';
    const computed = fn.vectorValued ? fn.jacobian !== null : fn.gradient !== null;
    return {
      status: failing.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'none',
      text: `no hand-written ${what}${computed ? `; AD ${what} computed` : ''}${extra}`,
    };
  }
  // Several hand-written derivatives (`@gradient` tags, `@partial`, `@hessian`, `@jvp`): each one's status.
  const checks = fn.checks && fn.checks.length > 0 ? fn.checks : [check];
  const parts = checks.map((c) => checkStatus(c, failing.length > 0, warnings.length > 0));
  const rank: Record<Status, number> = { fail: 3, warn: 2, ok: 1, none: 0 };
  const status = parts.reduce<Status>((w, p) => (rank[p.status] > rank[w] ? p.status : w), 'none');
  return { status, text: parts.map((p) => p.text).join('; ') + extra };
}

/** What the hand-written function is, in the status line: `gradient g (@gradient)`, `out-array gradient g (@gradient out)`. */
function checkHead(c: GradientCheck): string {
  switch (c.kind) {
    case 'rule': return `@derivative rule ${c.name}`;
    case 'partial': return `partial ${c.name} (@partial ${c.param ?? '?'}${c.scale !== undefined && c.scale !== 1 ? ` scale ${c.scaleText ?? formatNumber(c.scale)}` : ''})`;
    case 'hessian': return `Hessian ${c.name} (@hessian)`;
    case 'hvp': return `Hessian-vector product ${c.name} (@hessian hvp)`;
    case 'jvp': return `JVP ${c.name} (@jvp)`;
    default: break;
  }
  const convention = c.convention ?? 'plain';
  if (convention === 'plain') return `gradient ${c.name} (${c.pairedBy === 'name' ? 'paired by name' : '@gradient'})`;
  const what: Record<Exclude<typeof convention, 'plain'>, string> = {
    out: 'out-array gradient', fused: 'fused value and gradient', flag: 'flag-fused derivative',
    vjp: 'vector-Jacobian product', output: 'derivative in terms of the output',
  };
  const how = c.pairedBy === 'name' ? 'detected' : c.detected ? '@gradient, detected' : `@gradient ${convention}`;
  return `${what[convention]} ${c.name}${c.self ? ' (itself)' : ''} (${how})`;
}

function checkStatus(check: GradientCheck, failing: boolean, warnings: boolean): { status: Status; text: string } {
  const head = checkHead(check);
  const points = plural(check.points.length, 'point');
  const code = codeOfCheckStatus(check.status);
  const tag = code ? ` (${code})` : '';
  switch (check.status) {
    case 'wrong': {
      const labels = [...new Set(check.points.flatMap((p) => p.components.filter((c) => c.verdict === 'wrong').map((c) => c.label)))];
      return { status: 'fail', text: `${head} is wrong${labels.length ? ` in ${labels.join(', ')}` : ''}${tag}` };
    }
    case 'shape':
      return { status: 'fail', text: `${head} has the wrong shape${check.shape ? `: it ${/^(writes|returns)/.test(check.shape) ? '' : 'returns '}${check.shape}` : ''}${tag}` };
    case 'ok':
      return { status: failing ? 'fail' : warnings ? 'warn' : 'ok', text: `${head} agrees with AD at ${points}` };
    case 'kink':
      return { status: failing ? 'fail' : warnings ? 'warn' : 'ok', text: `${head} agrees; a check point sits on a non-differentiable point${tag}` };
    case 'unverified':
      return { status: failing ? 'fail' : 'warn', text: `${head} disagrees with AD, but finite differences cannot tell which is right: not verified${tag}` };
    case 'nonfinite':
      return { status: failing ? 'fail' : 'warn', text: `${head}: non-finite value or derivative at a check point${tag}` };
    case 'error':
      return { status: failing ? 'fail' : 'warn', text: `${head} could not be checked` };
  }
}

export function renderCheck(result: CheckResult, p: Palette): string {
  const lines: string[] = [];
  const symbol: Record<Status, string> = { fail: p.red('✗'), warn: p.yellow('!'), ok: p.green('✓'), none: p.dim('•') };
  for (const report of result.files) {
    const analysis = report.analysis;
    const skipped = analysis?.skipped ?? [];
    if (!analysis || (analysis.functions.length === 0 && analysis.diagnostics.length === 0 && skipped.length === 0)) continue;
    lines.push(p.bold(report.file));
    for (const fn of analysis.functions) {
      const { status, text } = functionStatus(fn);
      const pos = report.index.position(fn.nameRange.start);
      lines.push(`  ${symbol[status]} ${p.bold(boundUserText(fn.name))} ${p.dim(`(${pos.line}:${pos.column})`)}  ${boundMessage(text)}`);
    }
    for (const fn of skipped) {
      const pos = report.index.position(fn.nameRange.start);
      lines.push(`  ${symbol.warn} ${p.bold(boundUserText(fn.name))} ${p.dim(`(${pos.line}:${pos.column})`)}  not analysed: ${boundMessage(fn.reason)}`);
    }
    const diagnostics = [...analysis.diagnostics].sort((a, b) => a.range.start - b.range.start);
    for (const d of diagnostics) lines.push(formatDiagnostic(report.file, report.index, shown(d), p, '    '));
    lines.push('');
  }

  const s = result.summary;
  const parts = [
    plural(s.files, 'file'),
    `${plural(s.functions, '@differentiable function')}${s.filesWithFunctions > 0 && s.filesWithFunctions !== s.files ? ` in ${plural(s.filesWithFunctions, 'file')}` : ''}${s.notAnalysed > 0 ? ` (${s.notAnalysed} more not analysed)` : ''}`,
  ];
  const g = s.gradients;
  if (g.checked > 0) {
    const detail = [`${g.ok} agree`];
    if (g.wrong) detail.push(p.red(`${g.wrong} wrong`));
    if (g.shape) detail.push(p.red(`${g.shape} wrong shape`));
    if (g.unverified) detail.push(p.yellow(`${g.unverified} unverified`));
    if (g.other) detail.push(p.yellow(`${g.other} not checked`));
    parts.push(`${plural(g.checked, 'hand-written gradient')}: ${detail.join(', ')}`);
  } else {
    parts.push('no hand-written gradients');
  }
  lines.push(`Checked ${parts.join('; ')}.`);
  const codes = Object.entries(s.diagnostics).sort(([a], [b]) => a.localeCompare(b));
  if (codes.length > 0) lines.push(`Diagnostics: ${codes.map(([code, n]) => `${code} ×${n}`).join(', ')}.`);
  if (s.errors > 0) lines.push(p.red(`${plural(s.errors, 'file')} could not be checked.`));
  if (result.failed) {
    lines.push(p.red(p.bold(`✗ ${plural(s.failures, 'wrong gradient finding')} (${FAILING_CODES_TEXT}).`)));
  } else if (s.errors === 0) {
    const others = Object.values(s.diagnostics).reduce((a, b) => a + (b ?? 0), 0);
    if (g.checked > 0 && g.ok === g.checked && others === 0) lines.push(p.green('✓ Every hand-written gradient agrees.'));
    else lines.push(p.green(`✓ No wrong hand-written gradient${others > 0 ? ` (see the ${plural(others, 'other diagnostic')} above)` : ''}.`));
  }
  return lines.join('\n') + '\n';
}

function toJson(reports: FileReport[], summary: CheckSummary, failed: boolean): unknown {
  return {
    version,
    failed,
    summary,
    files: reports.map((r) => ({
      file: r.file,
      error: r.error ?? null,
      functions: (r.analysis?.functions ?? []).map((fn) => functionToJson(fn, r.index)),
      skipped: (r.analysis?.skipped ?? []).map((fn) => ({ name: fn.name, line: r.index.position(fn.nameRange.start).line, column: r.index.position(fn.nameRange.start).column, reason: fn.reason })),
      diagnostics: (r.analysis?.diagnostics ?? []).map((d) => diagnosticToJson(d, r.index)),
    })),
  };
}

function functionToJson(fn: FunctionAnalysis, index: LineIndex): unknown {
  const pos = index.position(fn.nameRange.start);
  const { status } = functionStatus(fn);
  return {
    name: fn.name,
    line: pos.line,
    column: pos.column,
    status,
    params: fn.params,
    wrt: fn.wrt,
    vectorValued: fn.vectorValued,
    points: fn.points,
    value: fn.value,
    gradient: fn.gradient,
    jacobian: fn.jacobian,
    check: fn.check ? checkToJson(fn.check, index) : null,
    // every hand-written derivative the tags name (several `@gradient`, `@partial`, `@hessian`, `@jvp`)
    checks: (fn.checks && fn.checks.length > 0 ? fn.checks : fn.check ? [fn.check] : []).map((c) => checkToJson(c, index)),
    diagnostics: fn.diagnostics.map((d) => diagnosticToJson(d, index)),
  };
}

/** One hand-written derivative's check, as the JSON report gives it. */
function checkToJson(check: GradientCheck, index: LineIndex) {
  return {
    name: check.name,
    kind: check.kind ?? 'gradient',
    convention: check.convention ?? 'plain',
    description: check.description ?? null,
    ...(check.param !== undefined ? { param: check.param, scale: check.scale ?? 1, scaleText: check.scaleText ?? null } : {}),
    self: check.self ?? false,
    detected: check.detected ?? false,
    pairedBy: check.pairedBy,
    status: check.status,
    shape: check.shape,
    ...index.position(check.nameRange.start),
    points: check.points.map((pt) => ({
      point: pt.point,
      components: pt.components.map((c) => ({
        label: c.label,
        param: c.param,
        index: c.index,
        hand: c.hand,
        ad: c.ad,
        fd: c.fd,
        relError: c.relError,
        verdict: c.verdict,
        ...(c.range ? index.position(c.range.start) : { line: null, column: null }),
      })),
      kinks: pt.kinks.map((k) => ({ description: k.description, ...index.position(k.range.start) })),
    })),
  };
}
