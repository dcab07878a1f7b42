// The LSP thread's handle on the engine. By default the engine runs in a worker thread, so hovers,
// code lenses and code actions are answered from the last good analysis while a newer one runs,
// and a fault or a runaway analysis (a native stack overflow, an engine bug that loops) costs a
// worker restart, never the server. The worker's script is its own bundle, dist/analysisWorker.js.

import { Worker } from 'node:worker_threads';
import type { AnalysisOptions, FileAnalysis } from '../engine/api';
import type { EngineTask, EngineTaskResults } from './engineTasks';

export const WORKER_ROLE = 'gradlens-analysis-worker';

export interface AnalyzeJob {
  uri: string;
  version: number;
  text: string;
  options: AnalysisOptions;
}

export type AnalyzeOutcome =
  | { ok: true; analysis: FileAnalysis; ms: number }
  | { ok: false; error: string };

export type TaskOutcome =
  | { ok: true; value: unknown; logs: string[] }
  | { ok: false; error: string; logs: string[] };

export type ToWorker =
  | { type: 'analyze'; id: number; job: AnalyzeJob }
  | { type: 'task'; id: number; task: EngineTask }
  | { type: 'forget'; uri: string };
export type FromWorker = { id: number; outcome: AnalyzeOutcome | TaskOutcome };

export interface AnalysisRunner {
  analyze(job: AnalyzeJob): Promise<AnalyzeOutcome>;
  /** Code-action edits, graph, methods: engine work other than the analysis. Rejects on failure. */
  run<K extends EngineTask['kind']>(task: Extract<EngineTask, { kind: K }>): Promise<EngineTaskResults[K]>;
  /** The document closed: drop its per-function cache. */
  forget(uri: string): void;
  dispose(): void;
}

type Pending = { resolve: (o: AnalyzeOutcome | TaskOutcome) => void; timer: NodeJS.Timeout };

export class WorkerAnalysisRunner implements AnalysisRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly script: string,
    private readonly log: (message: string) => void,
    /** Longest one job may take (queueing included) before the worker is restarted. */
    private readonly timeLimitMs = 60_000,
  ) {
    // Start (and warm up) the worker now, not with the first document.
    try { this.ensureWorker(); } catch (e) { this.log(`cannot start the analysis worker yet: ${String(e)}`); }
  }

  analyze(job: AnalyzeJob): Promise<AnalyzeOutcome> {
    return this.post((id) => ({ type: 'analyze', id, job }), `analysis of ${job.uri}`) as Promise<AnalyzeOutcome>;
  }

  async run<K extends EngineTask['kind']>(task: Extract<EngineTask, { kind: K }>): Promise<EngineTaskResults[K]> {
    const outcome = (await this.post((id) => ({ type: 'task', id, task }), `${task.kind} task`)) as TaskOutcome;
    return unwrap(outcome, this.log) as EngineTaskResults[K];
  }

  forget(uri: string): void {
    this.worker?.postMessage({ type: 'forget', uri } satisfies ToWorker);
  }

  dispose(): void {
    this.failAll('server shutting down');
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }

  private post(message: (id: number) => ToWorker, what: string): Promise<AnalyzeOutcome | TaskOutcome> {
    return new Promise((resolve) => {
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (e) {
        resolve({ ok: false, error: `cannot start the analysis worker: ${String(e)}`, logs: [] });
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => this.restart(`${what} exceeded ${this.timeLimitMs} ms; restarting the analysis worker`), this.timeLimitMs);
      this.pending.set(id, { resolve, timer });
      worker.postMessage(message(id));
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A smaller young generation keeps the worker's resident memory down (SPEC §7: server ≤ 150 MB) at
    // little cost: the analysis allocates mostly short-lived, small objects.
    const worker = new Worker(this.script, { workerData: { role: WORKER_ROLE }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    worker.unref();
    worker.on('message', (msg: FromWorker) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      p.resolve(msg.outcome);
    });
    worker.on('error', (e) => this.restart(`analysis worker failed: ${e instanceof Error ? e.message : String(e)}`));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.restart(`analysis worker exited with code ${code}`);
    });
    this.worker = worker;
    return worker;
  }

  private restart(reason: string): void {
    this.log(reason);
    const w = this.worker;
    this.worker = null;
    this.failAll(reason);
    void w?.terminate();
  }

  private failAll(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error: reason, logs: [] });
      this.pending.delete(id);
    }
  }
}

/** Same contract on the LSP thread (GRADLENS_ANALYSIS_IN_PROCESS=1): less memory, no concurrency. */
export class InProcessAnalysisRunner implements AnalysisRunner {
  private readonly caches = new Map<string, unknown>();
  private readonly worker: typeof import('./workerMain');

  constructor(workerScript: string, private readonly log: (message: string) => void) {
    // The worker bundle, loaded here by its path so the engine stays out of dist/server.js.
    this.worker = require(workerScript) as typeof import('./workerMain');
  }

  analyze(job: AnalyzeJob): Promise<AnalyzeOutcome> {
    return new Promise((resolve) => setImmediate(() => resolve(this.worker.analyzeNow(job, this.caches as never))));
  }

  async run<K extends EngineTask['kind']>(task: Extract<EngineTask, { kind: K }>): Promise<EngineTaskResults[K]> {
    return unwrap(this.worker.runTaskNow(task), this.log) as EngineTaskResults[K];
  }

  forget(uri: string): void {
    this.caches.delete(uri);
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
