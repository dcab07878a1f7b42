// Analyses every annotated function of a file. Incremental: a function's analysis is cached under
// its own text, the texts of the helpers it calls and of its hand-written gradient, and the
// options; an edit elsewhere in the file only moves it, so cached ranges are shifted, not recomputed.

import ts from 'typescript';
import { AnalysisOptions, DEFAULT_OPTIONS, EngineDiagnostic, FileAnalysis, FunctionAnalysis } from './api';
import { analyzeFunction, findHandGradient } from './analyzeFunction';
import { paramType } from './lowerToIr';
import { ParseState, parseProgram, Program, SourceFunction } from './program';

interface CacheEntry {
  analysis: FunctionAnalysis;
  /** Start (full start, JSDoc included) and end of every function the analysis covers, when it was made. */
  spans: Map<string, { start: number; end: number }>;
}

export class AnalysisCache {
  private entries = new Map<string, CacheEntry>();
  /** The last parse, for incremental re-parsing. */
  parse: ParseState | undefined;
  hits = 0;
  misses = 0;

  get(key: string): CacheEntry | undefined { return this.entries.get(key); }

  set(key: string, entry: CacheEntry): void { this.entries.set(key, entry); }

  /** Drops entries not used by the last analysis (keeps memory bounded as the file changes). */
  retain(keys: Set<string>): void {
    for (const k of this.entries.keys()) if (!keys.has(k)) this.entries.delete(k);
  }

  get size(): number { return this.entries.size; }
}

export function analyzeFile(text: string, options?: Partial<AnalysisOptions>, cache?: AnalysisCache): FileAnalysis {
  const opts: AnalysisOptions = { ...DEFAULT_OPTIONS, ...options };
  let program: Program;
  try {
    try {
      program = parseProgram(text, cache?.parse);
    } catch {
      // The incremental parser gave up; a full parse cannot depend on the old tree.
      program = parseProgram(text);
    }
    if (cache) cache.parse = { text, sourceFile: program.sourceFile };
  } catch (e) {
    return { functions: [], candidates: [], skipped: [], diagnostics: [internalError({ start: 0, end: 0 }, '(file)', e)] };
  }
  const functions: FunctionAnalysis[] = [];
  const diagnostics: EngineDiagnostic[] = [];
  const usedKeys = new Set<string>();
  const skipped: FileAnalysis['skipped'] = [];

  for (const sf of program.functions.values()) {
    const ann = sf.annotations;
    if (!ann.differentiable && !ann.derivative) continue;
    if (sf.hasSyntaxError) {
      // Mid-edit: the server keeps showing the last good result.
      skipped.push({ name: sf.name, nameRange: { start: sf.nameNode.getStart(program.sourceFile), end: sf.nameNode.end }, reason: 'it has a syntax error' });
      continue;
    }
    let analysis: FunctionAnalysis;
    try {
      const involved = involvedFunctions(program, sf);
      const key = cacheKey(opts, involved);
      usedKeys.add(key);
      const hit = cache?.get(key);
      if (hit) {
        cache!.hits++;
        analysis = rebase(hit, involved);
        if (analysis !== hit.analysis) cache!.set(key, { analysis, spans: spansOf(involved) });
      } else {
        if (cache) cache.misses++;
        analysis = analyzeFunction(program, sf, opts);
        cache?.set(key, { analysis, spans: spansOf(involved) });
      }
    } catch (e) {
      // A fault of ours in one function never takes the rest of the file with it.
      analysis = emptyAnalysis(sf);
      analysis.diagnostics.push(internalError(sf.nameNode ? { start: sf.nameNode.getStart(), end: sf.nameNode.end } : sf.range, sf.name, e));
    }
    if (ann.differentiable) functions.push(analysis);
    diagnostics.push(...analysis.diagnostics);
  }
  cache?.retain(usedKeys);
  return { functions, diagnostics: dedupe(diagnostics), candidates: candidates(program), skipped };
}

/**
 * The function, the functions it may call (found by scanning its text for `name(`, a superset of
 * what lowering would find, and far cheaper: no function is lowered to compute a cache key), its
 * hand-written gradient, and theirs, transitively.
 */
function involvedFunctions(program: Program, sf: SourceFunction): SourceFunction[] {
  const out = new Map<string, SourceFunction>();
  const visit = (f: SourceFunction) => {
    if (out.has(f.name)) return;
    out.set(f.name, f);
    for (const m of f.text.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) {
      const g = program.functions.get(m[1]);
      if (g) visit(g);
    }
    for (const tag of [f.annotations.derivative, f.annotations.gradient]) {
      const g = tag ? program.functions.get(tag) : undefined;
      if (g) visit(g);
    }
  };
  visit(sf);
  const hand = findHandGradient(program, sf);
  const h = hand ? program.functions.get(hand.name) : undefined;
  if (h) visit(h);
  return [...out.values()];
}

function cacheKey(opts: AnalysisOptions, involved: SourceFunction[]): string {
  // Names matter too: renaming the hand-written gradient changes the pairing.
  return JSON.stringify(opts) + '\u0000' + involved.map((f) => `${f.name}\u0001${f.text}`).sort().join('\u0000');
}

function spansOf(involved: SourceFunction[]): Map<string, { start: number; end: number }> {
  return new Map(involved.map((f) => [f.name, { start: f.textStart, end: f.range.end }]));
}

/** The cached analysis with every range moved to where its function now starts. */
function rebase(entry: CacheEntry, involved: SourceFunction[]): FunctionAnalysis {
  const shifts: { start: number; end: number; delta: number }[] = [];
  for (const f of involved) {
    const old = entry.spans.get(f.name);
    if (old && old.start !== f.textStart) shifts.push({ start: old.start, end: old.end, delta: f.textStart - old.start });
  }
  if (shifts.length === 0) return entry.analysis;
  const moved = structuredClone(entry.analysis);
  // structuredClone keeps shared objects shared: shift each range object once.
  const seen = new Set<object>();
  const visit = (x: unknown, top = false): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) { x.forEach((y) => visit(y)); return; }
    const o = x as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number' && Object.keys(o).length === 2) {
      const s = shifts.find((sh) => (o.start as number) >= sh.start && (o.start as number) <= sh.end);
      if (s) { o.start = (o.start as number) + s.delta; o.end = (o.end as number) + s.delta; }
      return;
    }
    // Check points are user data, never ranges (a parameter may well be called `start`).
    for (const [k, v] of Object.entries(o)) if (k !== 'point' && !(top && k === 'points')) visit(v);
  };
  visit(moved, true);
  return moved;
}

function emptyAnalysis(sf: SourceFunction): FunctionAnalysis {
  return {
    name: sf.name, range: sf.range, nameRange: { start: sf.nameNode.getStart(), end: sf.nameNode.end }, params: [], wrt: [],
    vectorValued: false, points: [], value: null, gradient: null, jacobian: null, closedForm: null,
    check: null, locals: [], diagnostics: [], closedFormAvailable: false,
  };
}

function internalError(range: { start: number; end: number }, name: string, e: unknown): EngineDiagnostic {
  const msg = e instanceof Error ? e.message : String(e);
  return {
    code: 'GL009', severity: 'warning', range, functionName: name,
    message: `Gradlens could not analyse '${name}' (an internal error: ${msg}). The rest of the file is analysed; please report this.`,
  };
}

function dedupe(ds: EngineDiagnostic[]): EngineDiagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}:${d.range.start}:${d.range.end}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Numeric functions without `@differentiable`, for the "Add @differentiable" action. */
function candidates(program: Program): FileAnalysis['candidates'] {
  const referenced = new Set<string>();
  for (const f of program.functions.values()) {
    if (f.annotations.gradient) referenced.add(f.annotations.gradient);
    if (f.annotations.derivative) referenced.add(f.annotations.derivative);
    if (f.annotations.differentiable) {
      const h = findHandGradient(program, f);
      if (h) referenced.add(h.name);
    }
  }
  const out: FileAnalysis['candidates'] = [];
  const sfile = program.sourceFile;
  for (const f of program.functions.values()) {
    const a = f.annotations;
    if (a.differentiable || a.nondifferentiable || a.derivative || referenced.has(f.name)) continue;
    if (/(Grad|_grad|Jvp|Hessian)$/.test(f.name) || /^grad[A-Z]/.test(f.name)) continue;
    const node = f.node;
    if (node.parameters.length === 0) continue;
    if (!node.parameters.every((p) => p.type && paramType(p.type, sfile)?.type !== undefined)) continue;
    if (!node.type || node.type.kind !== ts.SyntaxKind.NumberKeyword) continue;
    out.push({ name: f.name, nameRange: { start: f.nameNode.getStart(sfile), end: f.nameNode.end }, range: f.range });
  }
  return out;
}
