// The wire contract between the LSP thread (analysisRunner.ts) and the analysis worker
// (analysisWorker.ts): one home that both sides import, so neither imports the other.

import type { AnalysisCache, FileAnalysisParts } from '../engine/analyzeFile';
import type { AnalysisOptions, EngineDiagnostic, FileAnalysis, FunctionAnalysis, Range } from '../engine/api';
import { placed, shiftedRanges, type PlacedAnalysis, type RangeShift } from '../engine/ranges';
import type { EngineTask } from './engineTasks';

export const WORKER_ROLE = 'gradlens-analysis-worker';

export interface AnalyzeJob {
  uri: string;
  version: number;
  text: string;
  options: AnalysisOptions;
  /**
   * A file that is not open, checked by the workspace check (workspaceCheck.ts): analysed only
   * when no open document is waiting, without a per-file cache, without partial results.
   */
  background?: boolean;
}

export type AnalyzeOutcome =
  | { ok: true; analysis: FileAnalysis; ms: number }
  | { ok: false; error: string };

/** The outcome of an analysis of a document closed before it finished (or began): nobody shows it. */
export function closedOutcome(uri: string): AnalyzeOutcome {
  return { ok: false, error: `${uri} was closed` };
}

export type TaskOutcome =
  | { ok: true; value: unknown; logs: string[] }
  | { ok: false; error: string; logs: string[] };

export type ToWorker =
  /**
   * `stopped`: functions a previous worker never finished (named with the reason), not run again.
   * `full`: send the whole analysis (the server lost track of the last one sent).
   */
  | { type: 'analyze'; id: number; job: AnalyzeJob; stopped?: [string, string][]; full?: boolean }
  | { type: 'task'; id: number; task: EngineTask }
  | { type: 'forget'; uri: string };
export type FromWorker =
  | { type?: undefined; id: number; outcome: AnalyzeOutcome | TaskOutcome | DeltaOutcome }
  /** The worker starts analysing `fn` of job `id` (null: finishing the job). */
  | { type: 'progress'; id: number; fn: string | null }
  /** The analysis so far of a file that takes a while, as what changed since the last one sent. */
  | { type: 'partial'; id: number; delta: FileAnalysisDelta; pending: string[]; ms: number };

/** What the worker bundle exports, for the in-process runner (GRADLENS_ANALYSIS_IN_PROCESS=1). */
export interface WorkerEntry {
  analyzeNow(job: AnalyzeJob, caches: Map<string, AnalysisCache>): AnalyzeOutcome;
  runTaskNow(task: EngineTask): TaskOutcome;
}

// ---- An analysis sent as what changed -----------------------------------------------------------
// After an edit inside one function, the worker's analysis is the last one with that function
// replaced: the other functions' results are the very objects the engine's cache held, each with
// how far it has moved since it was made (an edit above it changed the length: engine/analyzeFile.ts
// `PlacedAnalysis`). So the worker sends the functions (and diagnostics) it did not send last time,
// names the others and says how far the moved ones have moved; the LSP thread rebuilds the analysis
// from the last one it received (analysisRunner.ts), moving a function's ranges only when they are
// read. An edit that moves a thousand functions costs a thousand small records, not their analyses;
// and typing on (each character moves them all once more) one record for all of them, a run: the
// base's functions from one on, each moved by as much again (or back where it was made).

/** An analysis relative to the last one sent for the document (`base`; -1: relative to nothing). */
export interface FileAnalysisDelta {
  base: number;
  seq: number;
  /** Each function in order: its analysis, its name when it is the base's one (as far moved), the base's one (or the one given) moved this far, or a run of the base's. */
  functions: (SentFunction | MovedRun)[];
  ruleHelpers?: SentFunction[];
  /** Each diagnostic, or where it is in a function's analysis as made: `[name, index]`, moved as that function is. */
  diagnostics: (EngineDiagnostic | { ref: [string, number] })[];
  /** The candidates, or the base's: the first `same` as they were, the others moved `by` (typing moves all those after it). */
  candidates: FileAnalysis['candidates'] | { same: number; by: number };
  skipped: FileAnalysis['skipped'];
}

export type SentFunction = FunctionAnalysis | string | { moved: string; shifts: readonly RangeShift[]; analysis?: FunctionAnalysis };
/**
 * The base's functions `from` … `from + count - 1` (in the base's order), each its base analysis
 * moved `by` more than in the base (every shift of it), or, `by` null, back where it was made.
 */
export interface MovedRun { from: number; count: number; by: number | null }

export type DeltaOutcome = { ok: true; delta: FileAnalysisDelta; ms: number };

/** What one side keeps of the last analysis sent (or received) for a document: each function's analysis as made and how far it had moved. */
export interface SentAnalysis {
  seq: number;
  functions: Map<string, PlacedAnalysis>;
  /** The functions' names in order (not the rule helpers'): what a run counts in. */
  order: readonly string[];
  candidates: FileAnalysis['candidates'];
}

export function sentAnalysis(parts: { functions: readonly PlacedAnalysis[]; ruleHelpers?: readonly PlacedAnalysis[]; candidates?: FileAnalysis['candidates'] }, seq: number): SentAnalysis {
  const functions = new Map<string, PlacedAnalysis>();
  const order = parts.functions.map((p) => p.analysis.name);
  for (const p of parts.functions) functions.set(p.analysis.name, p);
  for (const p of parts.ruleHelpers ?? []) functions.set(p.analysis.name, p);
  return { seq, functions, order, candidates: parts.candidates ?? [] };
}

type Candidate = FileAnalysis['candidates'][number];

function movedCandidate(a: Candidate, b: Candidate, by: number): boolean {
  return a.name === b.name && a.range.start + by === b.range.start && a.range.end + by === b.range.end &&
    a.nameRange.start + by === b.nameRange.start && a.nameRange.end + by === b.nameRange.end;
}

/** `now` as the base's candidates, the first `same` unmoved and the others moved `by`; undefined when it is not that. */
function candidatesMoved(before: readonly Candidate[], now: readonly Candidate[]): { same: number; by: number } | undefined {
  if (before.length !== now.length || now.length === 0) return undefined;
  let same = 0;
  while (same < now.length && movedCandidate(before[same], now[same], 0)) same++;
  const by = same < now.length ? now[same].range.start - before[same].range.start : 0;
  for (let i = same; i < now.length; i++) if (!movedCandidate(before[i], now[i], by)) return undefined;
  return { same, by };
}

/** Per base, where each of its functions is in its order (made when first needed: most edits keep the order). */
const positions = new WeakMap<SentAnalysis, Map<string, number>>();

/** Where `name` is in the base's order; `guess` first (the same place as now, or right after the run). */
function positionIn(base: SentAnalysis, name: string, guess: number): number | undefined {
  if (base.order[guess] === name) return guess;
  let at = positions.get(base);
  if (!at) positions.set(base, (at = new Map(base.order.map((n, i) => [n, i]))));
  return at.get(name);
}

/** How much more `now` moves each range than `before` does, when it is the same for all (null: not moved at all now); undefined when it is not that. */
function movedMore(before: readonly RangeShift[], now: readonly RangeShift[]): number | null | undefined {
  if (now.length === 0) return before.length > 0 ? null : undefined;
  if (before.length !== now.length) return undefined;
  const by = now[0].delta - before[0].delta;
  for (let i = 0; i < now.length; i++) {
    if (now[i].start !== before[i].start || now[i].end !== before[i].end || now[i].delta - before[i].delta !== by) return undefined;
  }
  return by;
}

/** `parts` (engine/analyzeFile.ts FileAnalysisJob.resultParts) as what changed since `last` (everything when there is no `last`). */
export function encodeAnalysis(parts: FileAnalysisParts, last: SentAnalysis | undefined, seq: number): FileAnalysisDelta {
  const encodeOne = (p: PlacedAnalysis, known: PlacedAnalysis | undefined): SentFunction => {
    const name = p.analysis.name;
    if (known?.analysis === p.analysis) return sameShifts(known.shifts, p.shifts) ? name : { moved: name, shifts: p.shifts };
    return p.shifts.length === 0 ? p.analysis : { moved: name, shifts: p.shifts, analysis: p.analysis };
  };
  // The functions, with runs: consecutive functions of the base, each moved by the same more.
  const functions: (SentFunction | MovedRun)[] = [];
  let run: MovedRun | null = null;
  for (let i = 0; i < parts.functions.length; i++) {
    const p = parts.functions[i];
    const known = last?.functions.get(p.analysis.name);
    const by = known?.analysis === p.analysis && !sameShifts(known.shifts, p.shifts) ? movedMore(known.shifts, p.shifts) : undefined;
    const at: number | undefined = by === undefined ? undefined : positionIn(last!, p.analysis.name, run ? run.from + run.count : i);
    if (by !== undefined && at !== undefined) {
      if (run && run.by === by && run.from + run.count === at) run.count++;
      else functions.push((run = { from: at, count: 1, by }));
      continue;
    }
    run = null;
    functions.push(encodeOne(p, known));
  }
  const ruleHelpers = parts.ruleHelpers.length > 0 ? parts.ruleHelpers.map((p) => encodeOne(p, last?.functions.get(p.analysis.name))) : undefined;
  return {
    base: last ? last.seq : -1, seq, functions, ...(ruleHelpers ? { ruleHelpers } : {}),
    diagnostics: parts.diagnostics.map((d) => { const ref = parts.origins.get(d); return ref ? { ref } : d; }),
    candidates: (last && candidatesMoved(last.candidates, parts.candidates)) ?? parts.candidates, skipped: parts.skipped,
  };
}

function sameShifts(a: readonly RangeShift[], b: readonly RangeShift[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].start !== b[i].start || a[i].end !== b[i].end || a[i].delta !== b[i].delta) return false;
  return true;
}

/** Per received function, its analysis with the ranges moved (made once, when first read). */
const movedAnalyses = new WeakMap<PlacedAnalysis, FunctionAnalysis>();

function movedAnalysis(p: PlacedAnalysis): FunctionAnalysis {
  let a = movedAnalyses.get(p);
  if (!a) movedAnalyses.set(p, (a = placed(p)));
  return a;
}

/** Per analysis rebuilt from a delta, its functions as made (their ranges not moved yet). */
const asMade = new WeakMap<FileAnalysis, readonly PlacedAnalysis[]>();

/**
 * The functions' analyses of `analysis`, their ranges possibly not moved to where they now are:
 * for what reads no range (counts, check statuses), without moving every function's ranges.
 */
export function analysedFunctions(analysis: FileAnalysis): readonly FunctionAnalysis[] {
  return asMade.get(analysis)?.map((p) => p.analysis) ?? analysis.functions;
}

/** A function of an analysis, where it now is, its analysis moved into place only when asked for. */
export interface FunctionPlace {
  /** Its analysis as made: every field but the ranges is the placed one's. */
  made: FunctionAnalysis;
  range: Range;
  nameRange: Range;
  /** A range of `made` (a check's name, a local's use), where it now is. */
  at(r: Range): Range;
  placed(): FunctionAnalysis;
}

/**
 * Where `analysis`'s functions now are, without moving every function's ranges: for what reads
 * their places and statuses (code lenses, inlay hints, after every edit) and places few.
 */
export function functionPlaces(analysis: FileAnalysis): FunctionPlace[] {
  const made = asMade.get(analysis);
  const same = (r: Range): Range => r;
  if (!made) return analysis.functions.map((fa) => ({ made: fa, range: fa.range, nameRange: fa.nameRange, at: same, placed: () => fa }));
  return made.map((p) => p.shifts.length === 0
    ? { made: p.analysis, range: p.analysis.range, nameRange: p.analysis.nameRange, at: same, placed: () => movedAnalysis(p) }
    : { made: p.analysis, range: shiftedRanges(p.analysis.range, p.shifts), nameRange: shiftedRanges(p.analysis.nameRange, p.shifts), at: (r: Range) => shiftedRanges(r, p.shifts), placed: () => movedAnalysis(p) });
}

/**
 * The analysis `delta` stands for, and what to keep for the next delta; null when it is relative
 * to another base than `last`. Its `functions` are moved into place when first read (the
 * diagnostics, which are published at once, one by one now).
 */
export function decodeAnalysis(delta: FileAnalysisDelta, last: SentAnalysis | undefined): { analysis: FileAnalysis; received: SentAnalysis } | null {
  if (delta.base !== -1 && delta.base !== last?.seq) return null;
  let missing = false;
  const received = new Map<string, PlacedAnalysis>();
  const decodeOne = (f: SentFunction): PlacedAnalysis => {
    let out: PlacedAnalysis | undefined;
    if (typeof f === 'string') out = last?.functions.get(f);
    else if ('moved' in f) {
      const analysis = f.analysis ?? last?.functions.get(f.moved)?.analysis;
      out = analysis && { analysis, shifts: f.shifts };
    } else out = { analysis: f, shifts: [] };
    if (!out) missing = true;
    else received.set(out.analysis.name, out);
    return out!;
  };
  const decode = (fs: SentFunction[]): PlacedAnalysis[] => fs.map(decodeOne);
  const functions: PlacedAnalysis[] = [];
  for (const f of delta.functions) {
    if (typeof f !== 'object' || !('from' in f)) { functions.push(decodeOne(f)); continue; }
    for (let i = f.from; i < f.from + f.count; i++) {
      const known = last ? last.functions.get(last.order[i]) : undefined;
      if (!known) { missing = true; break; }
      const { by } = f;
      const out = { analysis: known.analysis, shifts: by === null ? [] : known.shifts.map((s) => ({ start: s.start, end: s.end, delta: s.delta + by })) };
      received.set(out.analysis.name, out);
      functions.push(out);
    }
  }
  const ruleHelpers = delta.ruleHelpers ? decode(delta.ruleHelpers) : undefined;
  const diagnostics = delta.diagnostics.map((d) => {
    if (!('ref' in d)) return d;
    const p = received.get(d.ref[0]);
    const known = p?.analysis.diagnostics[d.ref[1]];
    if (!known) { missing = true; return d as unknown as EngineDiagnostic; }
    const moved = movedAnalyses.get(p!);
    return moved ? moved.diagnostics[d.ref[1]] : shiftedRanges(known, p!.shifts);
  });
  let candidates = delta.candidates;
  if (!Array.isArray(candidates)) {
    if (!last || last.candidates.length === 0) return null;
    const { same, by } = candidates;
    const moved = [{ start: -Infinity, end: Infinity, delta: by }];
    candidates = last.candidates.map((c, i) => i < same ? c : shiftedRanges(c, moved));
  }
  if (missing) return null;
  const analysis = { diagnostics, candidates, skipped: delta.skipped, ...(ruleHelpers ? { ruleHelpers: ruleHelpers.map(movedAnalysis) } : {}) } as FileAnalysis;
  // Moved into place when first read (hovers, lenses, code actions): never, for most edits, before the diagnostics are published.
  Object.defineProperty(analysis, 'functions', {
    enumerable: true, configurable: true,
    get(this: FileAnalysis): FunctionAnalysis[] {
      const value = functions.map(movedAnalysis);
      Object.defineProperty(this, 'functions', { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
  });
  asMade.set(analysis, functions);
  return { analysis, received: { seq: delta.seq, functions: received, order: functions.map((p) => p.analysis.name), candidates } };
}

/** `analysis` with `changes`; its functions, unless changed, still moved into place only when first read. */
export function withChanges(analysis: FileAnalysis, changes: Partial<FileAnalysis>): FileAnalysis {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(analysis)) as FileAnalysis;
  for (const [k, value] of Object.entries(changes)) Object.defineProperty(out, k, { value, enumerable: true, configurable: true, writable: true });
  const made = asMade.get(analysis);
  if (made && !('functions' in changes)) asMade.set(out, made);
  return out;
}
