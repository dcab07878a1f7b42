// Runs the engine's analyzeFile off the LSP thread, so hovers, code lenses and code actions are
// answered from the last good analysis while a newer one runs, and a fault or a runaway analysis
// (a native stack overflow, an engine bug that loops) costs a worker restart, never the server.
// The same bundle (dist/server.js) is the worker script: main.ts dispatches on `workerData`.

import { Worker, type MessagePort } from 'node:worker_threads';
import { analyzeFile, AnalysisCache, type AnalysisOptions, type FileAnalysis } from '../engine';

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

type ToWorker = { type: 'analyze'; id: number; job: AnalyzeJob } | { type: 'forget'; uri: string };
type FromWorker = { id: number; outcome: AnalyzeOutcome };

export interface AnalysisRunner {
  analyze(job: AnalyzeJob): Promise<AnalyzeOutcome>;
  /** The document closed: drop its per-function cache. */
  forget(uri: string): void;
  dispose(): void;
}

/** Worker side: one AnalysisCache per document, so an edit re-checks only the functions it touched. */
export function runAnalysisWorker(port: MessagePort): void {
  // The worker's stdout is the server's stdout, which is the LSP stream under --stdio.
  console.log = console.info = console.debug = console.warn = (...args: unknown[]) => console.error(...args);
  const caches = new Map<string, AnalysisCache>();
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'forget') {
      caches.delete(msg.uri);
      return;
    }
    port.postMessage({ id: msg.id, outcome: analyzeNow(msg.job, caches) } satisfies FromWorker);
  });
}

export function analyzeNow(job: AnalyzeJob, caches: Map<string, AnalysisCache>): AnalyzeOutcome {
  const t0 = performance.now();
  try {
    let cache = caches.get(job.uri);
    if (!cache) caches.set(job.uri, (cache = new AnalysisCache()));
    const analysis = analyzeFile(job.text, job.options, cache);
    return { ok: true, analysis, ms: performance.now() - t0 };
  } catch (e) {
    // A fresh cache next time: whatever threw may have left it half-updated.
    caches.delete(job.uri);
    return { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
}

/** Main-thread side of the worker. Restarts it after a crash or a job that overran its time limit. */
export class WorkerAnalysisRunner implements AnalysisRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (o: AnalyzeOutcome) => void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly script: string,
    private readonly log: (message: string) => void,
    /** Longest one analysis may take before the worker is restarted. */
    private readonly timeLimitMs = 60_000,
  ) {}

  analyze(job: AnalyzeJob): Promise<AnalyzeOutcome> {
    return new Promise((resolve) => {
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (e) {
        resolve({ ok: false, error: `cannot start the analysis worker: ${String(e)}` });
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => this.restart(`analysis of ${job.uri} exceeded ${this.timeLimitMs} ms`), this.timeLimitMs);
      this.pending.set(id, { resolve, timer });
      worker.postMessage({ type: 'analyze', id, job } satisfies ToWorker);
    });
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

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: { role: WORKER_ROLE }, stdout: false, stderr: false });
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
      p.resolve({ ok: false, error: reason });
      this.pending.delete(id);
    }
  }
}

/** Same contract on the LSP thread; used when workers are unavailable (and by unit tests). */
export class InProcessAnalysisRunner implements AnalysisRunner {
  private readonly caches = new Map<string, AnalysisCache>();
  analyze(job: AnalyzeJob): Promise<AnalyzeOutcome> {
    return new Promise((resolve) => setImmediate(() => resolve(analyzeNow(job, this.caches))));
  }
  forget(uri: string): void {
    this.caches.delete(uri);
  }
  dispose(): void {
    this.caches.clear();
  }
}
