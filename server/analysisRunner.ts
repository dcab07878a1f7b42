// The LSP thread's handle on the engine. By default the engine runs in a worker thread, so hovers,
// code lenses and code actions are answered from the last good analysis while a newer one runs,
// and a fault or a runaway analysis (a native stack overflow, an engine bug that loops, a heap
// beyond the worker's limit) costs that one function and a worker restart, never the server or
// another file: the jobs queued behind it are sent to the new worker. The worker's script is its
// own bundle, dist/analysisWorker.js; the messages both sides exchange are in workerProtocol.ts.

import { Worker } from 'node:worker_threads';
import type { FileAnalysis } from '../engine/api';
import type { EngineTask, EngineTaskResults } from './engineTasks';
import { closedOutcome, decodeAnalysis, WORKER_ROLE, type AnalyzeJob, type AnalyzeOutcome, type FileAnalysisDelta, type FromWorker, type SentAnalysis, type TaskOutcome, type ToWorker, type WorkerEntry } from './workerProtocol';

export { WORKER_ROLE } from './workerProtocol';
export type { AnalyzeJob, AnalyzeOutcome, FromWorker, TaskOutcome, ToWorker } from './workerProtocol';

export interface AnalysisRunner {
  /** `onPartial` receives the analysis so far of a file that takes a while (results stream per function). */
  analyze(job: AnalyzeJob, onPartial?: PartialListener): Promise<AnalyzeOutcome>;
  /** Code-action edits, graph, methods: engine work other than the analysis. Rejects on failure. */
  run<K extends EngineTask['kind']>(task: Extract<EngineTask, { kind: K }>): Promise<EngineTaskResults[K]>;
  /** The document closed: drop its per-function cache. */
  forget(uri: string): void;
  dispose(): void;
}

/** The analysis so far, and the functions not analysed yet. */
export type PartialListener = (analysis: FileAnalysis, pending: string[]) => void;

interface Pending {
  resolve: (o: AnalyzeOutcome | TaskOutcome) => void;
  /** The message, re-posted to a new worker when the old one had to be stopped. */
  message: ToWorker;
  what: string;
  onPartial?: PartialListener;
  /** Analyses: functions stopped by the watchdog, with the reason. */
  stopped: Map<string, string>;
}

/** Heap of the analysis worker: beyond it the worker dies and only the function that ran it up is lost. */
const WORKER_HEAP_MB = 256;

export class WorkerAnalysisRunner implements AnalysisRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** What the worker is busy with, as far as its last message says. */
  private busy: { id: number; fn: string | null } | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private restarts = 0;
  /** Per open document, the last analysis received: the worker sends the next as what changed. */
  private readonly received = new Map<string, SentAnalysis>();

  constructor(
    private readonly script: string,
    private readonly log: (message: string) => void,
    /**
     * Longest the worker may stay silent on one function or task before it is restarted (the
     * engine's own budgets stop a function after gradlens.timeBudgetMs, 10 s at most; this is the
     * backstop for a fault of ours).
     */
    private readonly silenceLimitMs = 30_000,
  ) {
    // Start (and warm up) the worker now, not with the first document.
    try { this.ensureWorker(); } catch (e) { this.log(`cannot start the analysis worker yet: ${String(e)}`); }
  }

  analyze(job: AnalyzeJob, onPartial?: PartialListener): Promise<AnalyzeOutcome> {
    return this.post((id) => ({ type: 'analyze', id, job }), `analysis of ${job.uri}`, onPartial) as Promise<AnalyzeOutcome>;
  }

  async run<K extends EngineTask['kind']>(task: Extract<EngineTask, { kind: K }>): Promise<EngineTaskResults[K]> {
    const outcome = (await this.post((id) => ({ type: 'task', id, task }), `${task.kind} task`)) as TaskOutcome;
    return unwrap(outcome, this.log) as EngineTaskResults[K];
  }

  forget(uri: string): void {
    this.received.delete(uri);
    // An analysis of the closed document still running ends here: its answer would be relative to
    // what was just forgotten, and asking again in full would analyse a closed document anew.
    for (const [id, p] of this.pending) {
      if (p.message.type !== 'analyze' || p.message.job.uri !== uri || p.message.job.background) continue;
      this.pending.delete(id);
      if (this.busy?.id === id) this.busy = null;
      p.resolve(closedOutcome(uri));
    }
    if (this.pending.size === 0) this.disarm();
    this.worker?.postMessage({ type: 'forget', uri } satisfies ToWorker);
  }

  dispose(): void {
    this.received.clear();
    for (const [id, p] of this.pending) {
      p.resolve({ ok: false, error: 'server shutting down', logs: [] });
      this.pending.delete(id);
    }
    this.disarm();
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }

  /** Restarts so far (for tests and logs). */
  get restartCount(): number {
    return this.restarts;
  }

  private post(message: (id: number) => ToWorker, what: string, onPartial?: Pending['onPartial']): Promise<AnalyzeOutcome | TaskOutcome> {
    return new Promise((resolve) => {
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (e) {
        resolve({ ok: false, error: `cannot start the analysis worker: ${String(e)}`, logs: [] });
        return;
      }
      const id = this.nextId++;
      const msg = message(id);
      this.pending.set(id, { resolve, message: msg, what, onPartial, stopped: new Map() });
      worker.postMessage(msg);
      if (!this.watchdog) this.arm();
    });
  }

  /** The analysis `delta` stands for, kept as the base of the next one; null when it is relative to another base than the one this side has. */
  private receive(uri: string, delta: FileAnalysisDelta): FileAnalysis | null {
    const decoded = decodeAnalysis(delta, this.received.get(uri));
    if (decoded) this.received.set(uri, decoded.received);
    return decoded?.analysis ?? null;
  }

  /** (Re)starts the silence timer: any message from the worker proves it is making progress. */
  private arm(): void {
    this.disarm();
    if (this.pending.size === 0) return;
    this.watchdog = setTimeout(() => this.stopRunaway(`took more than ${this.silenceLimitMs / 1000} s`), this.silenceLimitMs);
    this.watchdog.unref?.();
  }

  private disarm(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A smaller young generation keeps the worker's resident memory down (the server's budget is 150 MB on a 2,000-line file) at
    // little cost: the analysis allocates mostly short-lived, small objects (started as the client
    // starts it, --max-semi-space-size of server/processOptions.json sets it instead: V8's flag
    // wins). The old generation is capped so that no input can take the whole process's memory.
    const worker = new Worker(this.script, {
      workerData: { role: WORKER_ROLE },
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.unref();
    worker.on('message', (msg: FromWorker) => {
      if (this.worker !== worker) return;
      this.arm();
      if (msg.type === 'progress') { this.busy = { id: msg.id, fn: msg.fn }; return; }
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'partial') {
        if (p.message.type !== 'analyze') return;
        const uri = p.message.job.uri;
        const analysis = this.receive(uri, msg.delta);
        // (Relative to an analysis this side no longer has: not shown, and the final one, relative
        // to this one, is then asked for again whole.)
        if (!analysis) { this.received.delete(uri); return; }
        try { p.onPartial?.(analysis, msg.pending); } catch (e) { this.log(`publishing a partial analysis failed: ${String(e)}`); }
        return;
      }
      let outcome = msg.outcome;
      if ('delta' in outcome && p.message.type === 'analyze') {
        const analysis = this.receive(p.message.job.uri, outcome.delta);
        if (!analysis) {
          // Relative to an analysis this side no longer has: asked again, whole.
          p.message = { ...p.message, full: true };
          worker.postMessage(p.message);
          return;
        }
        outcome = { ok: true, analysis, ms: outcome.ms };
      }
      this.pending.delete(msg.id);
      if (this.busy?.id === msg.id) this.busy = null;
      if (this.pending.size === 0) this.disarm();
      p.resolve(outcome as AnalyzeOutcome | TaskOutcome);
    });
    worker.on('error', (e) => {
      if (this.worker !== worker) return;
      const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.stopRunaway(oom ? `ran out of memory (the analysis worker's ${WORKER_HEAP_MB} MB heap)` : `failed (${e instanceof Error ? e.message : String(e)})`);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.stopRunaway(`made the analysis worker exit with code ${code}`);
    });
    this.worker = worker;
    this.busy = null;
    return worker;
  }

  /**
   * The worker is stuck or dead. Only what it was busy with pays: that function is reported and
   * not run again (or that task fails); every other queued job is sent to a new worker.
   */
  private stopRunaway(what: string): void {
    this.disarm();
    const old = this.worker;
    this.worker = null;
    void old?.terminate();
    this.restarts++;
    const busy = this.busy;
    this.busy = null;
    const culprit = busy ? this.pending.get(busy.id) : undefined;
    if (culprit && culprit.message.type === 'analyze' && busy!.fn) {
      const reason = `Gradlens stopped analysing '${busy!.fn}': it ${what}. The rest of the file is analysed.`;
      this.log(`${culprit.what}: '${busy!.fn}' ${what}; restarting the analysis worker`);
      culprit.stopped.set(busy!.fn, reason);
    } else if (culprit) {
      this.log(`${culprit.what} ${what}; restarting the analysis worker`);
      this.pending.delete(busy!.id);
      culprit.resolve({ ok: false, error: `${culprit.what} ${what}`, logs: [] });
    } else {
      this.log(`the analysis worker ${what}; restarting it`);
    }
    if (this.pending.size === 0) return;
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (e) {
      for (const [id, p] of this.pending) { p.resolve({ ok: false, error: `cannot restart the analysis worker: ${String(e)}`, logs: [] }); this.pending.delete(id); }
      return;
    }
    for (const p of this.pending.values()) {
      const msg = p.message.type === 'analyze' ? { ...p.message, stopped: [...p.stopped] } : p.message;
      worker.postMessage(msg);
    }
    this.arm();
  }
}

/** Same contract on the LSP thread (GRADLENS_ANALYSIS_IN_PROCESS=1): less memory, no concurrency. */
export class InProcessAnalysisRunner implements AnalysisRunner {
  private readonly caches = new Map<string, unknown>();
  private readonly worker: WorkerEntry;
  /** Per document, how many times it was forgotten (an analysis queued before its close does not run). */
  private readonly closes = new Map<string, number>();

  constructor(workerScript: string, private readonly log: (message: string) => void) {
    // The worker bundle, loaded here by its path so the engine stays out of dist/server.js.
    this.worker = require(workerScript) as WorkerEntry;
  }

  analyze(job: AnalyzeJob): Promise<AnalyzeOutcome> {
    const closes = this.closes.get(job.uri) ?? 0;
    return new Promise((resolve) => setImmediate(() => {
      if (!job.background && (this.closes.get(job.uri) ?? 0) !== closes) resolve(closedOutcome(job.uri));
      else resolve(this.worker.analyzeNow(job, this.caches as never));
    }));
  }


  async run<K extends EngineTask['kind']>(task: Extract<EngineTask, { kind: K }>): Promise<EngineTaskResults[K]> {
    return unwrap(this.worker.runTaskNow(task), this.log) as EngineTaskResults[K];
  }

  forget(uri: string): void {
    this.caches.delete(uri);
    this.closes.set(uri, (this.closes.get(uri) ?? 0) + 1);
  }

  dispose(): void {
    this.caches.clear();
  }
}

function unwrap(outcome: TaskOutcome, log: (message: string) => void): unknown {
  for (const l of outcome.logs) log(l);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value;
}
