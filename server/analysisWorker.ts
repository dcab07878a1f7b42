// The analysis worker's side: runs the engine (analyzeFile with a per-document AnalysisCache, and
// the engine tasks) off the LSP thread. Loaded only in the worker thread (main.ts requires it
// lazily), so the LSP thread never initialises the engine or the TypeScript compiler.

import type { MessagePort } from 'node:worker_threads';
import { analyzeFile, AnalysisCache } from '../engine';
import { runEngineTask } from './engineTasks';
import type { AnalyzeJob, AnalyzeOutcome, FromWorker, TaskOutcome, ToWorker } from './analysisRunner';
import type { EngineTask } from './engineTasks';

export function runAnalysisWorker(port: MessagePort): void {
  // The worker's stdout is the server's stdout, which is the LSP stream under --stdio.
  console.log = console.info = console.debug = console.warn = (...args: unknown[]) => console.error(...args);
  const caches = new Map<string, AnalysisCache>();
  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'forget':
        caches.delete(msg.uri);
        return;
      case 'analyze':
        port.postMessage({ id: msg.id, outcome: analyzeNow(msg.job, caches) } satisfies FromWorker);
        return;
      case 'task':
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

function warmUp(): void {
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
    let cache = caches.get(job.uri);
    if (!cache) caches.set(job.uri, (cache = new AnalysisCache()));
    const analysis = analyzeFile(job.text, job.options, cache);
    return { ok: true, analysis, ms: performance.now() - t0 };
  } catch (e) {
    caches.delete(job.uri);
    return { ok: false, error: describe(e) };
  }
}

export function runTaskNow(task: EngineTask): TaskOutcome {
  const logs: string[] = [];
  try {
    return { ok: true, value: runEngineTask(task, (m) => logs.push(m)), logs };
  } catch (e) {
    return { ok: false, error: describe(e), logs };
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
}
