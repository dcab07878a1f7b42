// The analysis worker's side: runs the engine (analyzeFile with a per-document AnalysisCache, and
// the engine tasks) off the LSP thread. Loaded only in the worker thread (main.ts requires it
// lazily), so the LSP thread never initialises the engine or the TypeScript compiler.

import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { analyzeFile, AnalysisCache, BudgetExceeded, DEFAULT_OPTIONS, FileAnalysisJob, Meter, withMeter } from '../engine';
import { runEngineTask } from './engineTasks';
import { encodeAnalysis, sentAnalysis, type AnalyzeJob, type AnalyzeOutcome, type FileAnalysisDelta, type FromWorker, type SentAnalysis, type TaskOutcome, type ToWorker } from './workerProtocol';
import type { EngineTask } from './engineTasks';
// ---- imports (issue 13 item 6): an fs-backed module host, open documents' texts first ----
import { createFsModuleHost, moduleContextFor } from './moduleHost';
import { fileOfUri } from './importers';
import { withModuleContext } from '../engine/modules';

/** Open documents' texts by path (from their analyse messages), read before the files on disk. */
const openTexts = new Map<string, string>();

/** The context an analysis of `uri` reads its imports through (a host per analysis: its reads are bounded). */
function modulesFor(uri: string, text: string, background: boolean | undefined) {
  const file = fileOfUri(uri);
  if (file && !background) openTexts.set(file, text);
  return moduleContextFor(uri, createFsModuleHost({ openText: (f) => openTexts.get(f) }));
}

/** A task (code action, graph) reads imports as the analysis of its document does: the open document with its text. */
function taskModules(task: EngineTask) {
  const uri = task.kind === 'edits' ? task.uri : task.kind === 'testFile' ? pathToFileURL(task.sourcePath).href : task.task.params.uri;
  return uri ? moduleContextFor(uri, createFsModuleHost({ openText: (f) => openTexts.get(f) })) : undefined;
}
// ---- end imports ----

/** An analysis in progress in the worker: stepped one function at a time, round-robin with the others. */
interface ActiveJob {
  id: number;
  uri: string;
  job: FileAnalysisJob;
  started: number;
  lastPartial: number;
  /** A workspace-check file: its turns come only when no open document's analysis is waiting. */
  background: boolean;
  /** Send the whole analysis, not what changed since the last one sent. */
  full: boolean;
}

/**
 * A file whose analysis takes longer than PARTIAL_AFTER_MS (a slow function holds it up) publishes
 * what it has, then again every PARTIAL_EVERY_MS; a quick analysis publishes once, at the end.
 */
const PARTIAL_AFTER_MS = 1000;
const PARTIAL_EVERY_MS = 500;
/** A file's turn in the worker: functions are analysed until it is over, then the next file's turn. */
const TURN_MS = 8;

export function runAnalysisWorker(port: MessagePort): void {
  // The worker's stdout is the server's stdout, which is the LSP stream under --stdio.
  console.log = console.info = console.debug = console.warn = (...args: unknown[]) => console.error(...args);
  const caches = new Map<string, AnalysisCache>();
  /** Per open document, the last analysis sent: the next one is sent as what changed (workerProtocol.ts). */
  const sent = new Map<string, SentAnalysis>();
  let seq = 0;
  const active: ActiveJob[] = [];
  let pumping = false;
  /** What the runner was last told runs (`progress`; fn null: a job's cached functions, nothing it would name). */
  let announced: { id: number; fn: string | null } | undefined;

  // One function of one file per turn of the event loop: messages (new files, tasks) are read
  // between functions, and no file waits behind another beyond one function's time budget.
  const pump = (): void => {
    pumping = false;
    // Open documents first: a background (workspace-check) file never holds up the one being typed in.
    const i = active.findIndex((j) => !j.background);
    const a = active.splice(i < 0 ? 0 : i, 1)[0];
    if (!a) return;
    let more: boolean;
    try {
      // Functions are taken in turns of a few milliseconds (cached ones cost microseconds: a turn
      // per function would cost more than they do).
      // The runner is told which function runs (its watchdog names it) only before one that can
      // take a while: a message per cached function would cost more than the functions (a typed
      // character moves every function after it). During cached steps it knows the job only.
      const turnEnd = performance.now() + TURN_MS;
      do {
        const fn = a.job.nextIsCached() ? null : a.job.next();
        if (announced?.id !== a.id || announced.fn !== fn) {
          port.postMessage({ type: 'progress', id: a.id, fn } satisfies FromWorker);
          announced = { id: a.id, fn };
        }
        more = a.job.step();
      } while (more && performance.now() < turnEnd);
    } catch (e) {
      if (!a.background) caches.delete(a.uri);
      port.postMessage({ id: a.id, outcome: { ok: false, error: describe(e) } } satisfies FromWorker);
      schedule();
      return;
    }
    const now = performance.now();
    if (!more) {
      if (a.background) {
        port.postMessage({ id: a.id, outcome: { ok: true, analysis: a.job.result(), ms: now - a.started } } satisfies FromWorker);
      } else {
        port.postMessage({ id: a.id, outcome: { ok: true, delta: deltaOf(a), ms: now - a.started } } satisfies FromWorker);
      }
    } else {
      if (!a.background && now - a.started >= PARTIAL_AFTER_MS && now - a.lastPartial >= PARTIAL_EVERY_MS) {
        a.lastPartial = now;
        port.postMessage({ type: 'partial', id: a.id, delta: deltaOf(a), pending: a.job.pending(), ms: now - a.started } satisfies FromWorker);
      }
      active.push(a);
    }
    schedule();
  };
  /**
   * The analysis so far of an open document as what changed since the last one sent, partial or
   * not: each function's results cross once, however many partials a long analysis publishes (the
   * whole analysis so far each time made the LSP thread's young generation and the worker's malloc
   * arena grow by tens of MB on a 50,000-line file).
   */
  const deltaOf = (a: ActiveJob): FileAnalysisDelta => {
    const parts = a.job.resultParts();
    const delta = encodeAnalysis(parts, a.full ? undefined : sent.get(a.uri), ++seq);
    sent.set(a.uri, sentAnalysis(parts, delta.seq));
    a.full = false;
    return delta;
  };
  const schedule = (): void => {
    if (pumping || active.length === 0) return;
    pumping = true;
    setImmediate(pump);
  };

  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'forget':
        // (the runner no longer waits for an analysis of the closed document: it stops here)
        for (let i = active.length - 1; i >= 0; i--) if (active[i].uri === msg.uri && !active[i].background) active.splice(i, 1);
        caches.delete(msg.uri);
        sent.delete(msg.uri);
        openTexts.delete(fileOfUri(msg.uri) ?? ''); // (imports: a closed document is read from disk again)
        return;
      case 'analyze': {
        // A background file gets no cache: a workspace of files must not stay in the worker's heap.
        let cache = msg.job.background ? undefined : caches.get(msg.job.uri);
        if (!cache && !msg.job.background) caches.set(msg.job.uri, (cache = new AnalysisCache()));
        const t0 = performance.now();
        let job: FileAnalysisJob;
        try {
          job = new FileAnalysisJob(msg.job.text, msg.job.options, cache, new Map(msg.stopped ?? []), modulesFor(msg.job.uri, msg.job.text, msg.job.background));
        } catch (e) {
          caches.delete(msg.job.uri);
          port.postMessage({ id: msg.id, outcome: { ok: false, error: describe(e) } } satisfies FromWorker);
          return;
        }
        active.push({ id: msg.id, uri: msg.job.uri, job, started: t0, lastPartial: 0, background: !!msg.job.background, full: !!msg.full });
        schedule();
        return;
      }
      case 'task':
        // The runner now knows the task runs, and nothing once it ends: the next step of a job
        // announces its function again (a runaway is then named, not restarted forever).
        announced = undefined;
        port.postMessage({ type: 'progress', id: msg.id, fn: null } satisfies FromWorker);
        port.postMessage({ id: msg.id, outcome: runTaskNow(msg.task) } satisfies FromWorker);
        return;
    }
  });
  // The worker starts with the server; warm the parser and the engine up before the first file
  // arrives (a message that comes meanwhile waits for this ~0.1 s, once).
  setImmediate(warmUp);
}

const WARM_UP = `
/** @differentiable
 * @at x = 1.5, y = -0.25 */
function f(x: number, y: number): number { const a = 1 - x; return a ** 2 + 100 * (y - x * x) ** 2 + h(x); }
function fGrad(x: number, y: number): [number, number] { return [-2 * (1 - x) - 400 * x * (y - x * x) + 2 * x, 200 * (y - x * x)]; }
function h(u: number): number { return u > 0 ? u * u : Math.sin(u); }
/** @differentiable */
function g(w: number[]): number { let s = 0; for (let i = 0; i < w.length; i++) { if (w[i] > 1) continue; s += Math.exp(w[i]) * i; } return s; }
`;

export function warmUp(): void {
  try {
    analyzeFile(WARM_UP);
    // Lets dist/workerLoader.js save V8's code cache now that the engine's hot paths are compiled.
    (globalThis as { gradlensWarmedUp?: () => void }).gradlensWarmedUp?.();
  } catch {
    // Warming up is an optimisation; a failure here shows up in real analyses, with a diagnostic.
  }
}

/** One document's analysis; a fresh cache after a throw, which may have left it half-updated. */
export function analyzeNow(job: AnalyzeJob, caches: Map<string, AnalysisCache>): AnalyzeOutcome {
  const t0 = performance.now();
  try {
    let cache = job.background ? undefined : caches.get(job.uri);
    if (!cache && !job.background) caches.set(job.uri, (cache = new AnalysisCache()));
    const analysis = analyzeFile(job.text, job.options, cache, modulesFor(job.uri, job.text, job.background));
    return { ok: true, analysis, ms: performance.now() - t0 };
  } catch (e) {
    caches.delete(job.uri);
    return { ok: false, error: describe(e) };
  }
}

/** Engine tasks (code actions, graph, methods) run within the time budget of one function's analysis. */
const TASK_TIME_MS = 2 * DEFAULT_OPTIONS.timeBudgetMs;

export function runTaskNow(task: EngineTask): TaskOutcome {
  const logs: string[] = [];
  try {
    return { ok: true, value: withModuleContext(taskModules(task), () => withMeter(new Meter({ timeMs: TASK_TIME_MS }), () => runEngineTask(task, (m) => logs.push(m)))), logs };
  } catch (e) {
    if (e instanceof BudgetExceeded) return { ok: false, error: `Gradlens stopped: ${e.message}.`, logs };
    return { ok: false, error: describe(e), logs };
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
}
