// Analyses every annotated function of a file. Incremental: a function's analysis is cached with
// what it depends on (its own text, the texts of the helpers it calls and of its hand-written
// gradient, the options, the texts of the modules its imported names come from); an edit elsewhere
// in the file only moves it: the cached analysis is kept as it was made, with how far it moved
// (`PlacedAnalysis`), and its ranges are moved only where they are read. The work per edit is
// that of the statements the edit touches: discovery is memoised per statement
// (engine/declarationForms.ts), and what a function involves is kept while the functions it
// involves keep their versions.

import ts = require('typescript');
import { AnalysisOptions, DEFAULT_OPTIONS, EngineDiagnostic, FileAnalysis, FunctionAnalysis, Range } from './api';
import { clampBudgets, Meter, withMeter } from './budget';
import { placed, rangesWithin, shiftedRanges, type PlacedAnalysis, type RangeShift } from './ranges';
import { dedupeDiagnostics as dedupe } from './diagnosticCodes';
import { analyzeFunction, findHandGradient, handFunctionNames } from './analyzeFunction';
import { paramType } from './lowerToIr';
import { discoveryOf, ParseState, parseProgram, Program, SourceFunction, unanalysedTags, nextToken } from './program';
import { handTagsOf } from './check/tags';
import { namePairs } from './check/conventions';
import { structuralPairNames } from './declarationForms';
import type { ModuleContext } from './modules';
import type { Annotations } from './ir';
import { detached, detachStrings } from './textDiff';

/**
 * What a function's analysis depends on: the options, each function it involves (its name, text
 * and the inputs its context gives it), the module constants they read, and the texts of the
 * modules its imported names come from.
 * Compared field by field (a text kept from the last parse is the same string: compared at once).
 */
interface Dependencies {
  options: string;
  functions: { name: string; text: string; environment: string }[];
  /** The values of the file's module constants the functions' texts name (lowering inlines them). */
  constants: string;
  imported: string;
  /** The texts of the file's type declarations (record classes, interfaces, aliases, typedefs) the functions' texts name, and those these name. */
  types: string;
}

interface CacheEntry {
  analysis: FunctionAnalysis;
  /** Start (full start, JSDoc included) and end of every function the analysis covers, when it was made. */
  spans: Map<string, { start: number; end: number }>;
  dependencies: Dependencies;
}

/** The functions a function involves, valid while every one keeps its version and resolved tags and no name of the file changes. */
interface InvolvedMemo {
  names: string[];
  versions: number[];
  tags: string[];
  /** The function's hand-written derivatives (engine/analyzeFunction.ts `handFunctionNames`). */
  hands: string[];
  /** Its dependencies, when they depend on nothing else (no context inputs, no imports): kept with the rest. */
  dependencies?: Dependencies;
  /**
   * Its dependencies depend on the file's types or on the class or function around an involved
   * function, no more (no imports, no context in another statement): only an edit that changed
   * such a statement can change them, which an edit inside a function never is (resume).
   */
  keyedByFile?: boolean;
}

export class AnalysisCache {
  /** Per function (its qualified name), its last analysis. */
  private entries = new Map<string, CacheEntry>();
  /** The last parse, for incremental re-parsing. */
  parse: ParseState | undefined;
  /** The names (and forms) of the file's functions at the last analysis, and per function what it involved then (cleared when they change). */
  signature: Signature = NO_SIGNATURE;
  readonly involved = new Map<string, InvolvedMemo>();
  /** Per function name, the annotated functions whose involved sets (above) hold it. */
  readonly involvedBy = new Map<string, Set<string>>();
  /** The last analysis, when it finished whole: the next one starts from it (FileAnalysisJob.resume). */
  last: LastAnalysis | undefined;
  hits = 0;
  misses = 0;
  /** Analyses that started from the last one (FileAnalysisJob.resume): for tests. */
  resumes = 0;
  /** Functions whose dependencies were computed again to check their cached analysis (FileAnalysisJob.keyed): for tests. */
  keysComputed = 0;

  get(name: string): CacheEntry | undefined { return this.entries.get(name); }

  set(name: string, entry: CacheEntry): void { this.entries.set(name, entry); }

  /** Drops entries not used by the last analysis (keeps memory bounded as the file changes). */
  retain(names: Set<string>): void {
    this.entries.forEach((_, k) => { if (!names.has(k)) this.entries.delete(k); });
    this.involved.forEach((_, k) => { if (!names.has(k)) this.involved.delete(k); });
  }

  get size(): number { return this.entries.size; }
}

/**
 * The functions of one file share a time budget of this much, or of two functions' budgets if
 * that is more, and FILE_BUDGET_PER_FUNCTION_MS more per function to analyse (a file of thousands
 * of cheap functions is not cut short by their number). Cheap functions come first (see
 * FIRST_SLICE_MS), so the budget only ever cuts expensive ones; their results are cached as they
 * finish, so the next analysis goes on from there.
 */
const FILE_BUDGET_MS = 4_000;
const FILE_BUDGET_PER_FUNCTION_MS = 5;
/**
 * A function's first attempt gets this slice of time; one that needs more is put back behind the
 * others and then given its whole budget. So the cheap functions of a file are never held up by
 * the expensive ones (at most a slice each is spent before them), and a repeat costs one slice.
 */
const FIRST_SLICE_MS = 25;

/**
 * With a context (the file's path and a host that resolves and reads other files, engine/modules.ts),
 * helpers and constants imported from modules of the workspace are read; without one, as a file alone.
 */
export function analyzeFile(text: string, options?: Partial<AnalysisOptions>, cache?: AnalysisCache, context?: ModuleContext): FileAnalysis {
  const job = new FileAnalysisJob(text, options, cache, undefined, context);
  while (job.step()) { /* one function per step */ }
  return job.result();
}

/**
 * One file's analysis, one function per `step()`, so that a scheduler can interleave the functions
 * of several files (no file waits behind another beyond one function's time budget) and publish a
 * file's results as they arrive (`result()` at any time is the analysis so far). Functions whose
 * result is cached come first: they cost nothing, and a partial result then holds everything known.
 */
export class FileAnalysisJob {
  readonly options: AnalysisOptions;
  private readonly program: Program | null;
  private readonly queue: SourceFunction[] = [];
  /** Functions whose first slice was not enough: analysed again, with the whole budget. */
  private readonly deferred = new Map<string, number>();
  private readonly results = new Map<string, PlacedAnalysis>();
  /** Functions whose cached analysis was found when the job was made (their steps cost microseconds). */
  private readonly hitNames = new Set<string>();
  private readonly fileDiagnostics: EngineDiagnostic[] = [];
  private readonly skipped: FileAnalysis['skipped'] = [];
  private readonly usedNames = new Set<string>();
  private readonly optionsKey: string;
  /** The file's function names and forms (what callee and tag resolution reads): involved sets stay valid while it does. */
  private readonly signature: Signature = NO_SIGNATURE;
  private order: string[] = [];
  private fileDeadline: number;
  private fileBudgetMs: number;
  /** Functions a supervisor stopped (they ran past every budget): reported, not analysed again. */
  private readonly stopped: Map<string, string>;
  private done = false;
  /** The newest version of a function of this program (versions only grow: engine/declarationForms.ts). */
  private maxVersion = 0;
  /** Started from the last analysis (`resume`): only the functions the edit affects were queued. */
  private resumed = false;
  /** When resumed: the last analysis, and the functions queued again (the others keep their last results and keys). */
  private resumedFrom: { last: LastAnalysis; affected: ReadonlySet<string> } | undefined;
  /** The functions analysed, as a set (carried from the last analysis when resumed). */
  private listed: ReadonlySet<string> | undefined;
  /** Whether every function's result is one a next analysis may start from (none cut short by the file's budget). */
  private whole = true;
  /** The function the last `step()` analysed (a supervisor names it when a step never returns). */
  current: string | null = null;

  constructor(text: string, options?: Partial<AnalysisOptions>, private readonly cache?: AnalysisCache, stopped?: Map<string, string>, context?: ModuleContext) {
    this.options = clampBudgets({ ...DEFAULT_OPTIONS, ...options });
    this.stopped = stopped ?? new Map();
    this.fileBudgetMs = Math.max(FILE_BUDGET_MS, 2 * this.options.timeBudgetMs);
    this.fileDeadline = performance.now() + this.fileBudgetMs;
    let program: Program | null = null;
    /** The tree this one was spliced from, if it was (the last parse's). */
    const parsedFrom = cache?.parse?.sourceFile;
    try {
      program = parseWithFallback(text, cache, this.fileDiagnostics, context);
    } catch (e) {
      this.fileDiagnostics.push(internalError({ start: 0, end: 0 }, '(file)', e));
    }
    this.program = program;
    this.optionsKey = JSON.stringify(this.options);
    if (!program) return;
    this.signature = signatureOf(program);
    if (cache && !sameSignature(cache.signature, this.signature)) {
      cache.involved.clear();
      cache.involvedBy.clear();
      cache.signature = this.signature;
    }
    const hits: SourceFunction[] = [];
    const misses: SourceFunction[] = [];
    const midEdit = midEditFunctions(program);
    const last = cache?.last;
    if (cache) cache.last = undefined;
    const resumed = !!last && midEdit.size === 0 && this.resume(program, cache!, last);
    if (!resumed) program.functions.forEach((sf) => {
      if (sf.version > this.maxVersion) this.maxVersion = sf.version;
      const ann = sf.tags;
      if (!ann.differentiable && !ann.derivative) return;
      // A declaration without a name (`const = (x) => …` being typed): the parser's error says all.
      if (sf.name === '') return;
      this.order.push(sf.name);
      const reason = midEdit.has(sf) ? (sf.deepNesting ? 'it is nested too deeply to parse' : SYNTAX_ERROR) : this.brokenDependency(sf, midEdit);
      if (reason !== null) {
        // Mid-edit: what lowering would say about the broken construct repeats the parser's error;
        // the server keeps showing the function's last good result instead.
        this.skipped.push({ name: sf.name, nameRange: nameRangeOf(sf, program), reason });
        return;
      }
      if (cache && this.cached(sf)) {
        hits.push(sf);
        this.hitNames.add(sf.name);
      } else misses.push(sf);
    });
    this.queue.push(...hits, ...misses);
    this.fileBudgetMs += FILE_BUDGET_PER_FUNCTION_MS * this.queue.length;
    this.fileDeadline += FILE_BUDGET_PER_FUNCTION_MS * this.queue.length;
    // Never silent: a @differentiable on a form the engine does not analyse gets a GL005 on its
    // tag, and counts as a function not analysed (the CLI lists it, the status bar counts it).
    try {
      // (`last` is made only by an analysis without file diagnostics: every tag of its program was
      // analysed; it must be the program this one's tree was spliced from.)
      for (const t of unanalysedTags(program, last !== undefined && last.sourceFile === parsedFrom)) {
        this.fileDiagnostics.push({
          code: 'GL005', severity: 'error', range: t.tagRange,
          message: `@differentiable on ${t.form} is not analysed. ${t.advice}`,
        });
        this.skipped.push({ name: t.name, nameRange: t.tagRange, reason: `@differentiable on ${t.form}` });
      }
    } catch (e) {
      this.fileDiagnostics.push(internalError({ start: 0, end: 0 }, '(file)', e));
    }
  }

  /**
   * Starts from the last analysis: an edit that leaves every name and form of the file as it was
   * (the signature) and every function it did not re-discover as it was (their versions) changes
   * only the analyses of the functions it re-discovered and of those that involve them; the others
   * are the last ones, moved. False (nothing done) when this is not certain: then every function's
   * key is checked, as for a first analysis.
   */
  private resume(program: Program, cache: AnalysisCache, last: LastAnalysis): boolean {
    if (last.options !== this.optionsKey || !sameSignature(last.signature, this.signature) || this.stopped.size > 0 || !this.importsNothing()) return false;
    // The functions discovered anew since the last analysis (versions only grow).
    const fresh: SourceFunction[] = [];
    let maxVersion = last.maxVersion;
    program.functions.forEach((f) => {
      if (f.version <= last.maxVersion) return;
      fresh.push(f);
      if (f.version > maxVersion) maxVersion = f.version;
    });
    // An edit that re-discovered much (a re-parse of the whole file) gains nothing from this.
    if (fresh.length > RESUME_MAX_FRESH) return false;
    const affected = new Set(last.unsettled);
    // An edit inside a statement of functions only changed no type, constant or class of the file.
    if (!program.discovery.functionsOnlyEdit) for (const n of last.keyedByFile) affected.add(n);
    for (const f of fresh) {
      const listed = (f.tags.differentiable || !!f.tags.derivative) && f.name !== '';
      // A function that gained or lost its tag changes the file's list of analysed functions.
      if (listed !== last.listed.has(f.name)) return false;
      if (listed) affected.add(f.name);
      const users = cache.involvedBy.get(f.name);
      if (users) for (const n of users) affected.add(n);
    }
    this.maxVersion = maxVersion;
    this.resumed = true;
    this.resumedFrom = { last, affected };
    cache.resumes++;
    this.order = last.order;
    this.listed = last.listed;
    // An edit that kept the length moved nothing outside the span it re-parsed (every statement in
    // that span is new, so its functions are fresh): the last placement stands.
    const moved = program.text.length !== last.textLength;
    const hits: SourceFunction[] = [];
    const misses: SourceFunction[] = [];
    for (let i = 0; i < last.order.length; i++) {
      const name = last.order[i];
      if (affected.has(name)) {
        const sf = program.functions.get(name)!;
        if (this.cached(sf)) {
          hits.push(sf);
          this.hitNames.add(name);
        } else misses.push(sf);
        continue;
      }
      // Unaffected: its analysis as last placed, moved again if the text before it changed length.
      const p = last.results.get(name)!;
      this.results.set(name, moved ? this.moved(name, p, program, cache) : p);
      cache.hits++;
    }
    this.queue.push(...hits, ...misses);
    return true;
  }

  /**
   * An unaffected function's last result, with the shifts to where the functions it covers now are.
   * Once moved, it keeps a shift per span, of 0 where one is back where it was made: typing a
   * character and taking it away then moves every function after it by -1 and +1 alike, which the
   * delta sends as one run (server/workerProtocol.ts movedMore), not as a record per function.
   */
  private moved(name: string, p: PlacedAnalysis, program: Program, cache: AnalysisCache): PlacedAnalysis {
    const entry = cache.get(name)!;
    const names = cache.involved.get(name)!.names;
    // Unmoved, as made or back there, and still: the last result stands (nothing allocated: typing
    // in the middle of a file leaves every function before it so).
    if (!p.shifts.some((s) => s.delta !== 0)) {
      let moves = false;
      for (let i = 0; i < names.length && !moves; i++) {
        const old = entry.spans.get(names[i]);
        moves = !!old && program.functions.get(names[i])!.textStart !== old.start;
      }
      if (!moves) return p;
    }
    const shifts: RangeShift[] = [];
    for (let i = 0; i < names.length; i++) {
      const old = entry.spans.get(names[i]);
      if (old) shifts.push({ start: old.start, end: old.end, delta: program.functions.get(names[i])!.textStart - old.start });
    }
    return { analysis: entry.analysis, shifts };
  }

  private readonly keys = new Map<string, { dependencies: Dependencies; involved: SourceFunction[] } | null>();

  /** What the function's analysis depends on and the functions it involves (computed once per job). */
  private keyed(sf: SourceFunction): { dependencies: Dependencies; involved: SourceFunction[] } | null {
    if (!this.keys.has(sf.name)) {
      let k: { dependencies: Dependencies; involved: SourceFunction[] } | null = null;
      try {
        const { involved, memo } = this.involvement(sf);
        // Kept only while nothing but the involved functions' versions can change them.
        const keep = this.importsNothing() && involved.every((f) => !f.context && !f.inheritedDoc);
        let dependencies = keep ? memo?.dependencies : undefined;
        if (dependencies?.options !== this.optionsKey) {
          dependencies = dependenciesOf(this.program!, this.optionsKey, involved);
          if (this.cache) this.cache.keysComputed++;
          if (memo && keep && dependencies.imported === '' && dependencies.types === '') memo.dependencies = dependencies;
          else if (memo) memo.keyedByFile = this.importsNothing() && dependencies.imported === '' && involved.every((f) => !f.inheritedDoc && contextInOwnStatement(f));
        }
        k = { dependencies, involved };
      } catch { k = null; }
      this.keys.set(sf.name, k);
    }
    return this.keys.get(sf.name)!;
  }

  private noImports: boolean | undefined;

  /** The file imports nothing (so no function's dependencies include another module's text). */
  private importsNothing(): boolean {
    return this.noImports ??= !this.program!.imports || this.program!.imports.typeBindings().size === 0;
  }

  private readonly involvements = new Map<string, { involved: SourceFunction[]; hands: string[]; memo?: InvolvedMemo }>();

  /** The functions `sf` involves (and its hand-written derivatives): those of the last analysis while they are unchanged, else found again. */
  private involvement(sf: SourceFunction): { involved: SourceFunction[]; hands: string[]; memo?: InvolvedMemo } {
    const known = this.involvements.get(sf.name);
    if (known) return known;
    const program = this.program!;
    const memo = this.cache?.involved.get(sf.name);
    let found: { involved: SourceFunction[]; hands: string[]; memo?: InvolvedMemo } | undefined;
    if (memo && memo.names[0] === sf.name) {
      const fns: SourceFunction[] = [];
      for (let i = 0; i < memo.names.length; i++) {
        const f = program.functions.get(memo.names[i]);
        if (!f || f.version !== memo.versions[i] || tagsOf(f) !== memo.tags[i]) break;
        fns.push(f);
      }
      if (fns.length === memo.names.length) found = { involved: fns, hands: memo.hands, memo };
    }
    if (!found) {
      // Pairing reads the parameters' text of the functions it considers (engine/check/conventions.ts).
      program.ensurePlacedFor(pairable(program, sf));
      const hands = handFunctionNames(program, sf);
      const involved = involvedFunctions(program, sf, hands);
      const fresh: InvolvedMemo = { names: involved.map((f) => f.name), versions: involved.map((f) => f.version), tags: involved.map(tagsOf), hands };
      if (this.cache) {
        this.cache.involved.set(sf.name, fresh);
        // (An earlier set's names stay listed: one more function analysed again, never one less.)
        for (const n of fresh.names) {
          let users = this.cache.involvedBy.get(n);
          if (!users) this.cache.involvedBy.set(n, (users = new Set()));
          users.add(sf.name);
        }
      }
      found = { involved, hands, ...(this.cache ? { memo: fresh } : {}) };
    }
    this.involvements.set(sf.name, found);
    return found;
  }

  /** The cached analysis of `sf`, if what it depends on is unchanged. */
  private cached(sf: SourceFunction): CacheEntry | undefined {
    const k = this.keyed(sf);
    const entry = k ? this.cache?.get(sf.name) : undefined;
    return entry && sameDependencies(entry.dependencies, k!.dependencies) ? entry : undefined;
  }

  /**
   * Why `sf` cannot be checked while its hand-written gradient, a `@derivative` or a helper it
   * calls is mid-edit (a check of half-typed code is noise, e.g. a tuple that is one entry short),
   * or null when every function it involves parses.
   */
  private brokenDependency(sf: SourceFunction, midEdit: Set<SourceFunction>): string | null {
    if (midEdit.size === 0) return null;
    const broken = this.keyed(sf)?.involved.find((f) => f !== sf && midEdit.has(f));
    if (!broken) return null;
    const role = broken.name === findHandGradient(this.program!, sf)?.name || broken.name === sf.tags.gradient
      ? 'its hand-written gradient'
      : broken.name === sf.tags.derivative ? 'its @derivative' : 'a function it involves';
    return `${role}, '${broken.name}', has a syntax error`;
  }

  /** Analyses the next function; false when there is none left. */
  step(): boolean {
    const sf = this.queue.shift();
    if (!sf || !this.program) {
      this.finish();
      return false;
    }
    this.current = sf.name;
    const analysis = this.analyzeOne(this.program, sf);
    if (analysis) this.results.set(sf.name, analysis);
    this.current = null;
    if (this.queue.length === 0) this.finish();
    return this.queue.length > 0;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The function the next `step()` analyses. */
  next(): string | null {
    return this.queue[0]?.name ?? null;
  }

  /** Whether the next `step()` takes a cached analysis (microseconds, not a function's budget). */
  nextIsCached(): boolean {
    const next = this.queue[0];
    return !!next && this.hitNames.has(next.name) && !this.deferred.has(next.name);
  }

  /** Names of the functions not analysed yet. */
  pending(): string[] {
    return this.queue.map((f) => f.name);
  }

  /** The function's analysis, or null when it was put back for a second, longer attempt. */
  private analyzeOne(program: Program, sf: SourceFunction): PlacedAnalysis | null {
    const a = this.analysisOf(program, sf);
    return a && ('shifts' in a ? a : { analysis: a, shifts: NO_SHIFTS });
  }

  private analysisOf(program: Program, sf: SourceFunction): FunctionAnalysis | PlacedAnalysis | null {
    const stoppedReason = this.stopped.get(sf.name);
    if (stoppedReason !== undefined) {
      this.whole = false;
      const a = emptyAnalysis(sf, program);
      a.diagnostics.push({ code: 'GL007', severity: 'warning', range: a.nameRange, functionName: sf.name, message: stoppedReason });
      return a;
    }
    if (performance.now() > this.fileDeadline) {
      this.whole = false;
      const a = emptyAnalysis(sf, program);
      a.diagnostics.push({
        code: 'GL007', severity: 'information', range: a.nameRange, functionName: sf.name,
        message: `'${sf.name}' was not analysed: the file's time budget (${this.fileBudgetMs / 1000} s: twice gradlens.timeBudgetMs or 4 s, and ${FILE_BUDGET_PER_FUNCTION_MS} ms per function to analyse) ran out on slower functions before it. Its analysis goes on at the next edit (finished functions are kept).`,
      });
      return a;
    }
    const cache = this.cache;
    try {
      const keyed = this.keyed(sf);
      const involved = keyed?.involved ?? involvedFunctions(program, sf);
      const dependencies = keyed?.dependencies ?? dependenciesOf(program, this.optionsKey, involved);
      this.usedNames.add(sf.name);
      const hit = this.cached(sf);
      if (hit) {
        // The entry stays as it was made: how far it moved is reckoned from there each time, and
        // its ranges are moved only where they are read (`placed`).
        cache!.hits++;
        return { analysis: hit.analysis, shifts: shiftsOf(hit, involved) };
      }
      const firstTry = !this.deferred.has(sf.name) && this.options.timeBudgetMs > FIRST_SLICE_MS;
      const m = new Meter({ timeMs: firstTry ? FIRST_SLICE_MS : this.options.timeBudgetMs });
      program.ensurePlacedFor(involved);
      const analysis = withMeter(m, () => analyzeFunction(program, sf, this.options));
      if (firstTry && m.failure) {
        // Put back behind every first attempt, the least evaluation-hungry first: a function that
        // spent its slice on cold code (the first closed form a fresh process prints) is cheap and
        // goes before one that spent it running a long loop, which may take its whole budget.
        this.deferred.set(sf.name, m.operations);
        let i = this.queue.length;
        while (i > 0 && (this.deferred.get(this.queue[i - 1].name) ?? -1) > m.operations) i--;
        this.queue.splice(i, 0, sf);
        return null;
      }
      if (cache) cache.misses++;
      // A result cut short by time depends on the machine's load: analysed again next time; so is
      // one with a range outside the functions it involves (moving them would leave it behind),
      // but for an import's name (what an imported function says is shown there: the key holds
      // where each import it uses is, engine/imports.ts).
      // (Kept across edits: its strings must not be slices that keep this version's whole text.)
      const spans = cache && !m.failure ? spansOf(involved) : undefined;
      if (spans && rangesWithin(analysis, [...spans.values(), ...importSites(program)])) cache!.set(sf.name, { analysis: detachStrings(analysis), spans, dependencies });
      return analysis;
    } catch (e) {
      // A fault of ours in one function never takes the rest of the file with it.
      const analysis = emptyAnalysis(sf, program);
      analysis.diagnostics.push(faultDiagnostic(analysis.nameRange, sf.name, e));
      return analysis;
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const cache = this.cache;
    if (!cache) return;
    // Resumed, the file has the names it had: nothing to drop.
    if (!this.resumed) cache.retain(this.usedNames);
    const program = this.program;
    if (!program || !this.whole || this.skipped.length > 0 || this.fileDiagnostics.length > 0 || this.stopped.size > 0) return;
    // What the next analysis may take as it is: each function whose result is the one cached (not
    // one cut short by time or a fault, which is analysed again next time, while an older version's
    // entry may still be there) and whose key changes only with the versions of the functions it
    // involves (no context, types or imports).
    const unsettled: string[] = [];
    const keyedByFile: string[] = [];
    const classify = (name: string): void => {
      const result = this.results.get(name);
      const memo = cache.involved.get(name);
      if (!result || cache.get(name)?.analysis !== result.analysis) unsettled.push(name);
      else if (!memo?.dependencies) (memo?.keyedByFile ? keyedByFile : unsettled).push(name);
    };
    if (this.resumedFrom) {
      // Resumed: a function not queued again kept its last result, entry and key, so it is what it
      // was (settled, or keyed by the file); the last unsettled ones were all queued again.
      const { last, affected } = this.resumedFrom;
      for (const name of last.keyedByFile) if (!affected.has(name)) keyedByFile.push(name);
      for (const name of affected) if (last.listed.has(name)) classify(name);
    } else {
      for (let i = 0; i < this.order.length; i++) classify(this.order[i]);
    }
    cache.last = {
      options: this.optionsKey, signature: this.signature, maxVersion: this.maxVersion, textLength: program.text.length, sourceFile: program.sourceFile,
      order: this.order, listed: this.listed ?? new Set(this.order), results: this.results, unsettled, keyedByFile,
    };
  }

  /** The analysis so far (all of it once `step()` has returned false). */
  result(): FileAnalysis {
    const functions: FunctionAnalysis[] = [];
    const ruleHelpers: FunctionAnalysis[] = [];
    const diagnostics: EngineDiagnostic[] = [...this.fileDiagnostics];
    this.inOrder((p, isRuleHelper) => {
      const a = placed(p);
      (isRuleHelper ? ruleHelpers : functions).push(a);
      diagnostics.push(...a.diagnostics);
    });
    return { functions, diagnostics: dedupe(diagnostics), candidates: this.candidates(), skipped: [...this.skipped], ...(ruleHelpers.length > 0 ? { ruleHelpers } : {}) };
  }

  /**
   * The analysis so far as `result()` gives it, each function's analysis as it was made with how
   * far it has moved since: O(diagnostics) and O(1) per function however many moved (the worker
   * sends it so, server/workerProtocol.ts). The diagnostics are where they now are.
   */
  resultParts(): FileAnalysisParts {
    const functions: PlacedAnalysis[] = [];
    const ruleHelpers: PlacedAnalysis[] = [];
    const diagnostics: EngineDiagnostic[] = [...this.fileDiagnostics];
    const origins = new Map<EngineDiagnostic, [string, number]>();
    this.inOrder((p, isRuleHelper) => {
      (isRuleHelper ? ruleHelpers : functions).push(p);
      // (an indexed loop: a closure per function per edit adds up at thousands of functions)
      const ds = p.analysis.diagnostics;
      for (let i = 0; i < ds.length; i++) {
        const moved = p.shifts.length > 0 ? shiftedRanges(ds[i], p.shifts) : ds[i];
        if (!origins.has(moved)) origins.set(moved, [p.analysis.name, i]);
        diagnostics.push(moved);
      }
    });
    return { functions, ruleHelpers, diagnostics: dedupe(diagnostics), origins, candidates: this.candidates(), skipped: [...this.skipped] };
  }

  /** Each result in the file's order, and whether it is a helper analysed for its @derivative rule (shown on the helper, not as an annotated function). */
  private inOrder(visit: (p: PlacedAnalysis, isRuleHelper: boolean) => void): void {
    for (let i = 0; i < this.order.length; i++) {
      const name = this.order[i];
      const p = this.results.get(name);
      if (p) visit(p, !this.program?.functions.get(name)?.tags.differentiable);
    }
  }

  private candidates(): FileAnalysis['candidates'] {
    // An unaffected function's hand-written derivatives are those of the last analysis (resume).
    const handsOf = (f: SourceFunction) => this.involvements.get(f.name)?.hands ?? (this.resumed ? this.cache?.involved.get(f.name)?.hands : undefined) ?? this.involvement(f).hands;
    try { return this.program ? candidates(this.program, handsOf) : []; } catch { return []; }
  }
}

const NO_SHIFTS: readonly RangeShift[] = [];

/** Past this many functions discovered anew, an analysis checks every function's key (resume gains nothing). */
const RESUME_MAX_FRESH = 64;

/** What an analysis that finished whole leaves for the next one to start from (FileAnalysisJob.resume). */
interface LastAnalysis {
  options: string;
  signature: Signature;
  /** The newest function version it saw: a function with a newer one was re-discovered since. */
  maxVersion: number;
  textLength: number;
  /** Its program's tree (the next one's may be spliced from it). */
  sourceFile: ts.SourceFile;
  /** The functions analysed, in the file's order, and the same as a set. */
  order: string[];
  listed: ReadonlySet<string>;
  results: ReadonlyMap<string, PlacedAnalysis>;
  /** Functions analysed again whatever changed: not cached, or keyed by more than the file (imports, a context in another statement). */
  unsettled: readonly string[];
  /** Functions keyed by the file's types or the contexts in their own statements too (InvolvedMemo.keyedByFile): analysed again unless the edit was inside functions. */
  keyedByFile: readonly string[];
}

/** A file's analysis with each function's as made and moved (FileAnalysisJob.resultParts). */
export interface FileAnalysisParts {
  functions: PlacedAnalysis[];
  ruleHelpers: PlacedAnalysis[];
  /** Every diagnostic, where it now is (those of moved functions moved one by one). */
  diagnostics: EngineDiagnostic[];
  /** Per diagnostic of a function, that function's name and the diagnostic's index in its analysis's diagnostics. */
  origins: Map<EngineDiagnostic, [string, number]>;
  candidates: FileAnalysis['candidates'];
  skipped: FileAnalysis['skipped'];
}

/** The reason of a function skipped for a syntax error of its own (the server matches "syntax error"). */
const SYNTAX_ERROR = 'it has a syntax error';

/** TypeScript's "Declaration or statement expected.": a stray token after a statement, not part of it. */
const STATEMENT_EXPECTED = 1128;

/**
 * The functions the parser reported an error in: inside them, or at the token that follows them,
 * where a missing `}`, `)` or type is reported (at the end of the file when an unclosed `{`
 * swallowed the rest of it; after a signature the parser had to end early).
 */
function midEditFunctions(program: Program): Set<SourceFunction> {
  const out = new Set<SourceFunction>();
  const parseDiagnostics = (program.sourceFile as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const after = parseDiagnostics.filter((d) => d.code !== STATEMENT_EXPECTED).map((d) => d.start ?? 0);
  program.functions.forEach((sf) => {
    if (sf.hasSyntaxError) { out.add(sf); return; }
    if (after.length === 0) return;
    const next = nextToken(program.text, sf.range.end);
    if (after.some((p) => p > sf.range.end && p <= next)) out.add(sf);
  });
  return out;
}

function nameRangeOf(sf: SourceFunction, program: Program): Range {
  program.ensurePlaced(sf.nameNode);
  return { start: sf.nameNode.getStart(program.sourceFile), end: sf.nameNode.end };
}

/** Nesting beyond this many brackets is blanked out before parsing when TypeScript's parser overflows. */
const MAX_PARSE_NESTING = 400;

/**
 * Parses `text` (incrementally with the cache's last parse). When the text is nested too deeply
 * for TypeScript's recursive parser (a stack overflow), the too-deep parts are blanked out (same
 * offsets) and the file parsed again: the functions holding them get a GL007, the rest is analysed.
 */
function parseWithFallback(text: string, cache: AnalysisCache | undefined, diagnostics: EngineDiagnostic[], context: ModuleContext | undefined): Program {
  let program: Program;
  try {
    try {
      program = parseProgram(text, cache?.parse, context);
    } catch (e) {
      if (isStackOverflow(e)) throw e;
      // The incremental parser gave up; a full parse cannot depend on the old tree.
      program = parseProgram(text, undefined, context);
    }
    if (cache) cache.parse = { text, sourceFile: program.sourceFile, discovery: discoveryOf(program) };
    return program;
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    if (cache) cache.parse = undefined;
    const { text: blanked, regions } = blankDeepNesting(text, MAX_PARSE_NESTING);
    program = parseProgram(blanked, undefined, context);
    // Offsets are those of the real text; the source text of functions is the real one too.
    for (const r of regions) {
      const owner = [...program.functions.values()].find((f) => f.range.start <= r.start && r.end <= f.range.end);
      if (owner) { owner.hasSyntaxError = true; owner.deepNesting = true; }
      diagnostics.push({
        code: 'GL007', severity: 'warning', range: { start: r.start, end: Math.min(r.end, r.start + 1) }, functionName: owner?.name,
        message: `This expression is nested more than ${MAX_PARSE_NESTING} levels deep, beyond what the parser's budget allows${owner ? `; '${owner.name}' is not analysed` : ''}. The rest of the file is analysed.`,
      });
    }
    return program;
  }
}

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/**
 * Replaces the inside of every bracket pair opened at depth `max` by spaces (newlines kept, so
 * every offset and line stays where it was). A linear scan that skips strings and comments
 * roughly; it only runs on text the parser could not take.
 */
export function blankDeepNesting(text: string, max: number): { text: string; regions: Range[] } {
  const chars = text.split('');
  const regions: Range[] = [];
  let depth = 0;
  let blankFrom = -1;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (blankFrom < 0) {
      if (c === '/' && chars[i + 1] === '/') { while (i < chars.length && chars[i] !== '\n') i++; continue; }
      if (c === '/' && chars[i + 1] === '*') { i += 2; while (i < chars.length && !(chars[i] === '*' && chars[i + 1] === '/')) i++; i++; continue; }
      if (c === '"' || c === "'" || c === '`') { const q = c; i++; while (i < chars.length && chars[i] !== q && chars[i] !== '\n') { if (chars[i] === '\\') i++; i++; } continue; }
    }
    if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth === max && blankFrom < 0) blankFrom = i + 1;
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth === max && blankFrom >= 0) {
        regions.push({ start: blankFrom - 1, end: i + 1 });
        // `(0)`, `[0]`, `{}`: still an expression, array or block, so the parse around it holds.
        let first = true;
        for (let k = blankFrom; k < i; k++) {
          if (chars[k] === '\n' || chars[k] === '\r') continue;
          chars[k] = first && c !== '}' ? '0' : ' ';
          first = false;
        }
        blankFrom = -1;
      }
      depth = Math.max(0, depth - 1);
    }
  }
  if (blankFrom >= 0) {
    regions.push({ start: blankFrom - 1, end: chars.length });
    for (let k = blankFrom; k < chars.length; k++) if (chars[k] !== '\n' && chars[k] !== '\r') chars[k] = ' ';
  }
  return { text: chars.join(''), regions };
}

/**
 * The function, the functions it may call (the callees of its call expressions, found on the
 * syntax tree: no function is lowered to compute a cache key), its hand-written gradient, and
 * theirs, transitively.
 */
function involvedFunctions(program: Program, sf: SourceFunction, hands = handFunctionNames(program, sf)): SourceFunction[] {
  const out = new Map<string, SourceFunction>();
  const visit = (f: SourceFunction) => {
    if (out.has(f.name)) return;
    out.set(f.name, f);
    for (const g of calleesOf(program, f)) visit(g);
    for (const tag of [f.tags.derivative, f.tags.gradient]) {
      const g = tag ? program.functions.get(tag) : undefined;
      if (g) visit(g);
    }
  };
  visit(sf);
  // Every hand-written derivative is checked (several @gradient, @partial, @hessian, @jvp): an edit
  // to any of them must miss the cache.
  for (const name of hands) {
    const h = program.functions.get(name);
    if (h) visit(h);
  }
  return [...out.values()];
}

/**
 * The functions the hand-written derivatives of `sf` may be among: itself, those its tags name, and
 * those pairing looks up by name (`fGrad`, `f_grad`, `gradF`, a table's `f.derivative`), found by
 * name (a scan of every function here made each new memo O(functions): O(n²) at an open).
 */
function pairable(program: Program, sf: SourceFunction): SourceFunction[] {
  const ann = sf.tags;
  const names = new Set([sf.name, ann.gradient, ann.derivative, ...handTagsOf(ann).map((t) => t.name), ...namePairs(sf), ...structuralPairNames(sf)]);
  const out: SourceFunction[] = [];
  for (const n of names) {
    const f = n ? program.functions.get(n) : undefined;
    if (f) out.push(f);
  }
  return out;
}

/** Per function node, the callee expressions in it (an incremental re-parse reuses untouched nodes). */
const calleeCache = new WeakMap<ts.Node, ts.Expression[]>();

/**
 * The functions called inside a function (`g(x)`, `this.m(x)`, `activations.f(x)`) and the getters
 * it reads (`this.scale`), resolved as lowering resolves them (an explicit stack: deep trees cannot
 * overflow it).
 */
function calleesOf(program: Program, f: SourceFunction): SourceFunction[] {
  let callees = calleeCache.get(f.node);
  if (!callees) {
    callees = [];
    const stack: ts.Node[] = [f.node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (ts.isCallExpression(n)) callees.push(n.expression);
      else if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword) callees.push(n);
      n.forEachChild((c) => { stack.push(c); });
    }
    calleeCache.set(f.node, callees);
  }
  const found = new Set<SourceFunction>();
  for (const c of callees) {
    const g = program.resolveCallee(f, c);
    if (g) found.add(g);
  }
  return [...found];
}

function dependenciesOf(program: Program, options: string, involved: SourceFunction[]): Dependencies {
  // Names matter too: renaming the hand-written gradient changes the pairing.
  // And what a method or closure reads from its class, object or factory (its context's inputs),
  // and the texts of the modules its imported names come from (engine/imports.ts).
  const imported = program.imports?.involvedTexts(involved.map((f) => f.text)) ?? '';
  const functions = involved.map((f) => ({ name: f.name, text: f.text, environment: program.contextInputs(f).environment }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const read = new Set<string>();
  if (program.constants.size > 0) {
    for (const f of involved) for (const n of namesIn(f)) if (program.constants.has(n)) read.add(n);
  }
  const constants = [...read].sort().map((n) => `${n}=${Object.is(program.constants.get(n), -0) ? '-0' : String(program.constants.get(n))}`).join(',');
  return { options, functions, constants, imported, types: typesRead(program, involved) };
}

/**
 * Per program, the statements declaring its top-level types by name: classes (records, `new C(…)`),
 * interfaces, type aliases, enums and JSDoc `@typedef`s, which lowering reads by name (a
 * `@typedef` after the last statement is the end-of-file token's JSDoc).
 */
const typeDeclarations = new WeakMap<Program, Map<string, ts.Node>>();

function typeDeclarationsOf(program: Program): Map<string, ts.Node> {
  let out = typeDeclarations.get(program);
  if (out) return out;
  out = new Map();
  const statements = program.sourceFile.statements;
  for (let i = 0; i <= statements.length; i++) {
    const s = i < statements.length ? statements[i] : program.sourceFile.endOfFileToken;
    const names = typeNamesOf(s);
    for (let k = 0; k < names.length; k++) out.set(names[k], s);
  }
  typeDeclarations.set(program, out);
  return out;
}

const NO_NAMES: readonly string[] = [];

/** Per statement (the same node while an edit leaves it alone), the type names it declares. */
const typeNames = new WeakMap<ts.Node, readonly string[]>();

function typeNamesOf(s: ts.Node): readonly string[] {
  let names = typeNames.get(s);
  if (names) return names;
  let found: string[] | undefined;
  if ((ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) (found ??= []).push(s.name.text);
  for (const doc of (s as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
    for (const t of doc.tags ?? []) if (ts.isJSDocTypedefTag(t) && t.name && ts.isIdentifier(t.name)) (found ??= []).push(t.name.text);
  }
  names = found ?? NO_NAMES;
  typeNames.set(s, names);
  return names;
}

/** The texts of the type declarations the functions name, and those these name in turn (statements' own positions are always in place). */
function typesRead(program: Program, involved: SourceFunction[]): string {
  const declared = typeDeclarationsOf(program);
  if (declared.size === 0) return '';
  const used = new Set<string>();
  const visit = (names: Iterable<string>): void => {
    for (const n of names) {
      const s = declared.get(n);
      if (!s || used.has(n)) continue;
      used.add(n);
      visit(declarationText(program, s).names);
    }
  };
  for (const f of involved) visit(namesIn(f));
  return [...used].sort().map((n) => `${n}\u0001${declarationText(program, declared.get(n)!).text}`).join('\u0000');
}

/** Per type declaration, its text and the names in it: read once per version of the statement (an edit elsewhere keeps the node), not per function and edit. */
const declarationTexts = new WeakMap<ts.Node, { text: string; names: string[] }>();

function declarationText(program: Program, s: ts.Node): { text: string; names: string[] } {
  let known = declarationTexts.get(s);
  if (!known) {
    const text = detached(program.text.slice(s.pos, s.end));
    known = { text, names: text.match(/[A-Za-z_$][\w$]*/g) ?? [] };
    declarationTexts.set(s, known);
  }
  return known;
}

/** Per function node, the names its text holds (JSDoc included): read once per version of the function. */
const namesOfNode = new WeakMap<ts.Node, Set<string>>();

function namesIn(f: SourceFunction): Set<string> {
  const known = f.inheritedDoc ? undefined : namesOfNode.get(f.node);
  if (known) return known;
  const names = new Set(f.text.match(/[A-Za-z_$][\w$]*/g) ?? []);
  if (!f.inheritedDoc) namesOfNode.set(f.node, names);
  return names;
}

function sameDependencies(a: Dependencies, b: Dependencies): boolean {
  if (a === b) return true;
  if (a.options !== b.options || a.imported !== b.imported || a.constants !== b.constants || a.types !== b.types || a.functions.length !== b.functions.length) return false;
  for (let i = 0; i < a.functions.length; i++) {
    const x = a.functions[i];
    const y = b.functions[i];
    if (x.name !== y.name || x.text !== y.text || x.environment !== y.environment) return false;
  }
  return true;
}

/**
 * What callee and tag resolution read of the file's functions, their names and forms, and the
 * module constants and type names (which dependencies kept with an involved set read).
 */
function signatureOf(program: Program): Signature {
  let rest = '';
  program.constants.forEach((v, n) => { rest += `${n}=${Object.is(v, -0) ? '-0' : String(v)}\u0002`; });
  // A type declared or removed may change what a function's unchanged text means.
  typeDeclarationsOf(program).forEach((_, n) => { rest += `${n}\u0003`; });
  return { shapes: program.discovery.shapes, rest };
}

/**
 * What callee and tag resolution read of the file (signatureOf): per statement, its functions'
 * names and forms (compared string by string, the same strings while the statements are), then
 * the module constants and type names.
 */
interface Signature {
  shapes: readonly string[];
  rest: string;
}

const NO_SIGNATURE: Signature = { shapes: [], rest: '' };

function sameSignature(a: Signature, b: Signature): boolean {
  if (a.rest !== b.rest || a.shapes.length !== b.shapes.length) return false;
  for (let i = 0; i < a.shapes.length; i++) if (a.shapes[i] !== b.shapes[i]) return false;
  return true;
}


/** Per tags object, the names they resolved to (a function's tags are copied, never changed, once discovered). */
const tagNames = new WeakMap<Annotations, string>();

/** The names a function's tags resolved to (tag resolution depends on other statements: engine/declarationForms.ts). */
function tagsOf(f: SourceFunction): string {
  const a = f.tags;
  let names = tagNames.get(a);
  if (names === undefined) {
    const hands = handTagsOf(a);
    names = hands.length === 0 ? `${a.gradient}\u0001${a.derivative}` : `${a.gradient}\u0001${a.derivative}\u0001${hands.map((t) => t.name).join('\u0001')}`;
    tagNames.set(a, names);
  }
  return names;
}

/** Where the file's imports name what they import (ranges of an imported function's problems). */
function importSites(program: Program): Range[] {
  const imports = program.imports;
  return imports ? [...imports.bindings().values()].map((b) => b.range) : [];
}

function spansOf(involved: SourceFunction[]): Map<string, { start: number; end: number }> {
  return new Map(involved.map((f) => [f.name, { start: f.textStart, end: f.range.end }]));
}

/** How the ranges of a cached analysis move to where the functions it covers now are. */
function shiftsOf(entry: CacheEntry, involved: SourceFunction[]): readonly RangeShift[] {
  let shifts: RangeShift[] | undefined;
  for (let i = 0; i < involved.length; i++) shifts = shiftOf(entry, involved[i], shifts);
  return shifts ?? NO_SHIFTS;
}

/**
 * `f` has no context, or one inside its own top-level statement (a class's method, a closure, a
 * member of an object literal): an edit that changes the context re-discovers `f` (engine/declarationForms.ts).
 */
function contextInOwnStatement(f: SourceFunction): boolean {
  let n: ts.Node | undefined = f.context;
  while (n && n !== f.statement) n = n.parent;
  return !f.context || n === f.statement;
}

/** `shifts` with how far `f` has moved since `entry` was made (none: `shifts` as it was). */
function shiftOf(entry: CacheEntry, f: SourceFunction, shifts: RangeShift[] | undefined): RangeShift[] | undefined {
  const old = entry.spans.get(f.name);
  if (old && old.start !== f.textStart) (shifts ??= []).push({ start: old.start, end: old.end, delta: f.textStart - old.start });
  return shifts;
}

function emptyAnalysis(sf: SourceFunction, program: Program): FunctionAnalysis {
  return {
    name: sf.name, range: sf.range, nameRange: nameRangeOf(sf, program), params: [], wrt: [],
    vectorValued: false, points: [], value: null, gradient: null, jacobian: null, closedForm: null,
    check: null, locals: [], diagnostics: [], closedFormAvailable: false,
  };
}

/** GL007 for a stack overflow (nesting beyond the engine's recursion), else GL009. */
function faultDiagnostic(range: Range, name: string, e: unknown): EngineDiagnostic {
  if (isStackOverflow(e)) {
    return {
      code: 'GL007', severity: 'warning', range, functionName: name,
      message: `'${name}' is nested too deeply for Gradlens to analyse (an expression or call chain beyond its recursion budget). The rest of the file is analysed.`,
    };
  }
  return internalError(range, name, e);
}

function internalError(range: { start: number; end: number }, name: string, e: unknown): EngineDiagnostic {
  const msg = e instanceof Error ? e.message : String(e);
  return {
    code: 'GL009', severity: 'warning', range, functionName: name,
    message: `Gradlens could not analyse '${name}' (an internal error: ${msg}). The rest of the file is analysed; please report this.`,
  };
}

/**
 * Per function name node, where it starts from the start of its declaration (`range.start`):
 * kept while the statement is (the node is then the same), so that moving a function needs no
 * placing of its nodes (engine/statementSplice.ts).
 */
const nameOffsets = new WeakMap<ts.Node, { start: number; length: number }>();

/** Numeric functions without `@differentiable`, for the "Add @differentiable" action. */
function candidates(program: Program, handNames: (f: SourceFunction) => string[]): FileAnalysis['candidates'] {
  const referenced = new Set<string>();
  program.functions.forEach((f) => {
    if (f.tags.gradient) referenced.add(f.tags.gradient);
    if (f.tags.derivative) referenced.add(f.tags.derivative);
    if (!f.tags.differentiable) return;
    const hands = handNames(f);
    for (let i = 0; i < hands.length; i++) referenced.add(hands[i]);
  });
  const out: FileAnalysis['candidates'] = [];
  program.functions.forEach((f) => {
    const a = f.tags;
    if (a.differentiable || a.nondifferentiable || a.derivative || referenced.has(f.name)) return;
    const offset = candidateName(f, program);
    if (offset === null) return;
    const start = f.range.start + offset.start;
    out.push({ name: f.name, nameRange: { start, end: start + offset.length }, range: f.range });
  });
  return out;
}

/**
 * Per function node, whether its name and signature make it a candidate (numbers in, a number out,
 * not named as a derivative) and where its name is from the start of its declaration; kept while
 * the statement is, when its parameter types name no type (which another statement or file declares).
 */
const candidateNames = new WeakMap<ts.Node, { start: number; length: number } | null>();

function candidateName(f: SourceFunction, program: Program): { start: number; length: number } | null {
  const known = candidateNames.get(f.node);
  if (known !== undefined) return known;
  const node = f.node;
  const sfile = program.sourceFile;
  let plain = true;
  const offset = ((): { start: number; length: number } | null => {
    if (/(Grad|_grad|Jvp|Hessian)$/.test(f.name) || /^grad[A-Z]/.test(f.name)) return null;
    if (node.parameters.length === 0) return null;
    if (!node.type || node.type.kind !== ts.SyntaxKind.NumberKeyword) return null;
    if (!node.parameters.every((p) => !!p.type)) return null;
    // A type other than numbers, arrays and tuples of them is found by its name (another
    // statement or file declares it, which may change alone: not kept).
    plain = node.parameters.every((p) => plainType(p.type!));
    if (!node.parameters.every((p) => paramType(p.type!, sfile)?.type !== undefined)) return null;
    let at = nameOffsets.get(f.nameNode);
    if (at === undefined) {
      program.ensurePlaced(f.statement);
      const nameStart = f.nameNode.getStart(sfile);
      nameOffsets.set(f.nameNode, (at = { start: nameStart - f.range.start, length: f.nameNode.end - nameStart }));
    }
    return at;
  })();
  if (plain) candidateNames.set(f.node, offset);
  return offset;
}

/** `number`, `boolean`, `string`, and arrays, tuples and `readonly` of them: types read without another declaration. */
function plainType(t: ts.TypeNode): boolean {
  if (t.kind === ts.SyntaxKind.NumberKeyword || t.kind === ts.SyntaxKind.BooleanKeyword || t.kind === ts.SyntaxKind.StringKeyword) return true;
  if (ts.isArrayTypeNode(t)) return plainType(t.elementType);
  if (ts.isTypeOperatorNode(t) || ts.isParenthesizedTypeNode(t)) return plainType(t.type);
  if (ts.isTupleTypeNode(t)) return t.elements.every((e) => !ts.isNamedTupleMember(e) && plainType(e));
  return false;
}
