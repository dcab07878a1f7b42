// Keeps, per open document, the last good analysis and schedules the next one: debounced after
// edits, at most one in flight per document (edits that arrive meanwhile coalesce into one re-run,
// so intermediate versions are never analysed), and stale results are never published over newer
// ones. The engine's AnalysisCache (in the runner) makes each run re-check only changed functions.
// A function that does not parse mid-edit keeps its last good results (carryOver.ts), and the
// diagnostics published while a run streams in keep those of the functions not analysed yet, so
// nothing flickers while the user types.

import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver';
import type { EngineDiagnostic, FileAnalysis } from '../engine/api';
import { DIAGNOSTICS } from '../engine/diagnosticCodes';
import type { AnalysisRunner } from './analysisRunner';
import { carriedResults, dedupe, namesToCarry, withCarried } from './carryOver';
import { SettingsStore, toAnalysisOptions } from './settings';
import { closedOutcome } from './workerProtocol';

export interface AnalysisSnapshot {
  uri: string;
  version: number;
  /** The text the analysis was computed on (its offsets refer to this, not to the live document). */
  doc: TextDocument;
  analysis: FileAnalysis;
  ms: number;
  /**
   * Functions shown from an earlier analysis because they (or their hand-written gradient) do not
   * parse now: stale, but the user's last good results; their ranges are moved into `doc`.
   */
  carried?: string[];
}

/** What one run produced: a new snapshot, or a failure reported as a diagnostic on that version. */
export interface AnalysisEvent {
  uri: string;
  version: number;
  /** True when the document has not changed since the analysed version. */
  current: boolean;
  /** The text analysed, for converting `diagnostics` to positions. */
  doc: TextDocument;
  diagnostics: EngineDiagnostic[];
  snapshot: AnalysisSnapshot | null;
  /** The analysis so far of a file still being analysed (functions stream in as they finish). */
  partial?: boolean;
}

interface DocState {
  lastGood: AnalysisSnapshot | null;
  /** Diagnostics of the last run (a failure's diagnostic included). */
  lastEvent: AnalysisEvent | null;
  /** Cancels the scheduled run, if one is. */
  cancel: (() => void) | null;
  generation: number;
  inFlight: boolean;
  rerun: boolean;
  /** `check` re-tests a waiter's condition after a run; `finish` releases it unconditionally. */
  waiters: { check: () => void; finish: () => void }[];
}

export class DocumentAnalysis {
  private readonly states = new Map<string, DocState>();

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly settings: SettingsStore,
    private readonly runner: AnalysisRunner,
    private readonly onAnalyzed: (event: AnalysisEvent) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** After an open or an edit: analyse after the debounce delay (at once when `immediate`). */
  schedule(uri: string, immediate = false): void {
    const state = this.state(uri);
    const generation = ++state.generation;
    state.cancel?.();
    state.cancel = null;
    void this.settings.get(uri).then((s) => {
      if (state.generation !== generation || !this.states.has(uri)) return;
      state.cancel?.();
      state.cancel = later(() => {
        state.cancel = null;
        this.run(uri);
      }, immediate ? 0 : s.debounce);
    });
  }

  reanalyzeAll(): void {
    for (const uri of this.states.keys()) this.schedule(uri, true);
  }

  close(uri: string): void {
    const state = this.states.get(uri);
    if (!state) return;
    state.cancel?.();
    for (const w of [...state.waiters]) w.finish();
    this.states.delete(uri);
    this.runner.forget(uri);
  }

  /** The last good analysis, whatever its version: the hot path of hover, code lens, code actions. */
  latest(uri: string): AnalysisSnapshot | null {
    return this.states.get(uri)?.lastGood ?? null;
  }

  /**
   * The document to convert `event`'s offsets to positions with: the live one while it still has
   * the analysed version (its line offsets are kept as edits arrive), else the analysed text (whose
   * line offsets a conversion computes from the whole text).
   */
  positionsFor(event: AnalysisEvent): TextDocument {
    const live = this.documents.get(event.uri);
    return live && live.version === event.version ? live : event.doc;
  }

  lastEvent(uri: string): AnalysisEvent | null {
    return this.states.get(uri)?.lastEvent ?? null;
  }

  /** The last good analysis, waiting (up to `timeoutMs`) only when there is none yet. */
  async latestOrFirst(uri: string, timeoutMs: number): Promise<AnalysisSnapshot | null> {
    const snap = this.latest(uri);
    if (snap || !this.documents.get(uri)) return snap;
    await this.waitUntil(uri, () => this.latest(uri) !== null, timeoutMs);
    return this.latest(uri);
  }

  /**
   * Waits (up to `timeoutMs`) until the document's current version has been analysed (with
   * `acceptPartial`, until the first partial result of a long analysis of it).
   */
  async current(uri: string, timeoutMs: number, acceptPartial = false): Promise<AnalysisEvent | null> {
    const isCurrent = (): boolean => {
      const doc = this.documents.get(uri);
      const ev = this.lastEvent(uri);
      return !doc || (ev !== null && ev.version === doc.version && (acceptPartial || !ev.partial));
    };
    if (!isCurrent()) await this.waitUntil(uri, isCurrent, timeoutMs);
    return this.lastEvent(uri);
  }

  private waitUntil(uri: string, done: () => boolean, timeoutMs: number): Promise<void> {
    const state = this.states.get(uri);
    if (!state || done()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      const waiter = { check, finish };
      state.waiters.push(waiter);
      function check(): void {
        if (done()) finish();
      }
      function finish(): void {
        clearTimeout(timer);
        const i = state!.waiters.indexOf(waiter);
        if (i >= 0) state!.waiters.splice(i, 1);
        resolve();
      }
    });
  }

  private state(uri: string): DocState {
    let s = this.states.get(uri);
    if (!s) {
      s = { lastGood: null, lastEvent: null, cancel: null, generation: 0, inFlight: false, rerun: false, waiters: [] };
      this.states.set(uri, s);
    }
    return s;
  }

  /** `next` with the last good results of the functions that do not parse in it (see carryOver.ts). */
  private carryOver(last: AnalysisSnapshot | null, next: FileAnalysis, doc: TextDocument): { analysis: FileAnalysis; names: string[] } {
    if (!last || next.skipped.length === 0) return { analysis: next, names: [] };
    try {
      const text = doc.getText();
      const names = namesToCarry(earlier(last), next, text);
      if (names.size === 0) return { analysis: next, names: [] };
      return withCarried(next, carriedResults({ text: last.doc.getText(), functions: last.analysis.functions, diagnostics: last.analysis.diagnostics }, text, names), names);
    } catch (e) {
      this.log(`Gradlens: keeping the last results of ${doc.uri} failed: ${String(e)}`);
      return { analysis: next, names: [] };
    }
  }

  private run(uri: string): void {
    const state = this.states.get(uri);
    const live = this.documents.get(uri);
    if (!state || !live) return;
    if (state.inFlight) {
      // The running analysis is already stale; run once more, on the newest text, when it ends.
      state.rerun = true;
      return;
    }
    state.inFlight = true;
    const version = live.version;
    const doc = TextDocument.create(uri, live.languageId, version, live.getText());
    const onPartial = (analysis: FileAnalysis, pending: string[]): void => {
      if (this.states.get(uri) !== state) return;
      // Diagnostics stream in; hovers, lenses and actions keep answering from the last complete
      // analysis. A function still pending keeps its previous diagnostics, so nothing flickers.
      // So does a function that does not parse (its last good ones), each moved to where it now is.
      const text = doc.getText();
      const last = state.lastEvent;
      const good = state.lastGood;
      const names = namesToCarry(earlier(good), analysis, text, pending);
      const previous = dedupe([
        ...(last ? carriedResults({ text: last.doc.getText(), functions: [], diagnostics: last.diagnostics }, text, names).diagnostics : []),
        ...(good ? carriedResults({ text: good.doc.getText(), functions: good.analysis.functions, diagnostics: [] }, text, names).diagnostics : []),
      ]);
      const diagnostics = withCarried(analysis, { functions: [], diagnostics: previous }, names).analysis.diagnostics;
      const event: AnalysisEvent = { uri, version, doc, diagnostics, snapshot: null, partial: true, current: this.documents.get(uri)?.version === version };
      state.lastEvent = event;
      try {
        this.onAnalyzed(event);
      } catch (e) {
        this.log(`Gradlens: publishing the analysis of ${uri} failed: ${String(e)}`);
      }
      for (const w of [...state.waiters]) w.check();
    };
    void this.settings
      .get(uri)
      // (closed while its settings were read: not analysed, so the worker keeps nothing of it)
      .then((s) => this.states.get(uri) !== state ? closedOutcome(uri) : this.runner.analyze({ uri, version, text: doc.getText(), options: toAnalysisOptions(s) }, onPartial))
      .then(
        (outcome) => {
          if (this.states.get(uri) !== state) return; // closed meanwhile
          let event: AnalysisEvent;
          if (outcome.ok) {
            const { analysis, names } = this.carryOver(state.lastGood, outcome.analysis, doc);
            const snapshot: AnalysisSnapshot = { uri, version, doc, analysis, ms: outcome.ms, ...(names.length > 0 ? { carried: names } : {}) };
            if (!state.lastGood || state.lastGood.version <= version) state.lastGood = snapshot;
            event = { uri, version, doc, diagnostics: analysis.diagnostics, snapshot, current: false };
          } else {
            this.log(`Gradlens: analysis of ${uri} failed: ${outcome.error}`);
            event = { uri, version, doc, diagnostics: [failureDiagnostic(outcome.error)], snapshot: null, current: false };
          }
          event.current = this.documents.get(uri)?.version === version;
          state.lastEvent = event;
          try {
            this.onAnalyzed(event);
          } catch (e) {
            this.log(`Gradlens: publishing the analysis of ${uri} failed: ${String(e)}`);
          }
        },
        (e) => this.log(`Gradlens: analysis of ${uri} failed: ${String(e)}`),
      )
      .finally(() => {
        state.inFlight = false;
        for (const w of [...state.waiters]) w.check();
        if (state.rerun && this.states.get(uri) === state) {
          state.rerun = false;
          this.run(uri);
        }
      });
  }
}

/** Runs `run` after `ms`, or with no delay at 0 (in the next turn of the event loop, not after a timer's 1 ms minimum); returns how to cancel it. */
function later(run: () => void, ms: number): () => void {
  if (ms <= 0) {
    const immediate = setImmediate(run);
    return () => clearImmediate(immediate);
  }
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
}

/** The last good results, their functions read (and so moved into place: workerProtocol.ts) only if a function is mid-edit. */
function earlier(snap: AnalysisSnapshot | null): { text: string; functions: FileAnalysis['functions'] } | null {
  return snap ? { text: snap.doc.getText(), get functions() { return snap.analysis.functions; } } : null;
}

function failureDiagnostic(error: string): EngineDiagnostic {
  const firstLine = error.split('\n')[0];
  return {
    code: 'GL009',
    severity: DIAGNOSTICS.GL009.severity,
    message: `Gradlens could not analyse this file (a fault of ours, not of your code): ${firstLine}`,
    range: { start: 0, end: 0 },
  };
}
