// `gradlens check` on every core: the files are shared out to worker threads (each loads the
// engine once and analyses files as they come, so a slow file does not hold the others up), and
// `--shard i/n` keeps the i-th of n slices of the file list, so CI can split a repository across
// jobs and merge their reports. The report is the same as a run on one core, file for file.

import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AnalysisOptions } from '../engine/index';
import { checkFile, finishCheck, type CheckResult, type CheckRun, type FileReport } from './check';
import { displayPath, expandInputs } from './files';
import { LineIndex } from './lineIndex';

export const CHECK_WORKER_ROLE = 'gradlens-check-worker';

/** The script a check worker starts, and its workerData. */
export interface WorkerEntry { script: string; workerData: { role: string; bundle?: 'cli' } }

/** Through the loader in `dist` (dist/workerLoader.js), which runs the CLI's bundle there through V8's code cache. */
export function loaderEntry(dist: string): WorkerEntry {
  return { script: path.join(dist, 'workerLoader.js'), workerData: { role: CHECK_WORKER_ROLE, bundle: 'cli' } };
}

/** From the bundle (dist/cliMain.js), through the loader beside it; compiled by tsc (the tests), this file itself. */
function workerEntry(): WorkerEntry {
  const viaLoader = loaderEntry(__dirname);
  if (path.basename(__filename) === 'cliMain.js' && fs.existsSync(viaLoader.script)) return viaLoader;
  return { script: __filename, workerData: { role: CHECK_WORKER_ROLE } };
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The files of shard `index` of `count`: every count-th file of the sorted list. */
export function shardOf(files: readonly string[], shard: Shard | undefined): string[] {
  if (!shard) return [...files];
  return [...files].sort().filter((_, i) => i % shard.count === shard.index - 1);
}

export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return `--shard takes i/n (e.g. 2/4), not '${text}'`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return `--shard ${text}: i must be between 1 and n`;
  return { index, count };
}

/**
 * Files a worker must have to pay for itself: its start (loading the engine and TypeScript: ready
 * ~0.15 s after it is started, from V8's code cache, ~0.37 s without) and its first, slower files (V8 compiling the
 * engine's hot code again in that thread) cost about as much as 40 files of 200 lines.
 */
const FILES_PER_WORKER = 48;
/** Files a worker holds at once: the next is there when it finishes one, and few are left waiting at the end. */
const PREFETCH = 2;

/**
 * Threads for a run (this one and the workers): a worker per FILES_PER_WORKER files, and one core
 * left to V8's own compiler and collector threads, which one thread already keeps busy (measured:
 * 2.1 s of CPU in 1.5 s for 100 files). On two cores a worker made `check` slower at 10 and 100
 * files and no faster at 500 (docs/cli.md, `--jobs`), so the default there is one thread.
 */
export function defaultJobs(files: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores - 1, 1 + Math.floor(files / FILES_PER_WORKER)));
}

interface Job { id: number; file: string; shown: string; options: Partial<AnalysisOptions> }
type FromWorker = { ready: true } | { id: number; report: Omit<FileReport, 'index'>; text: string };

/**
 * Checks the files on `jobs` threads: this one and `jobs - 1` workers. The main thread starts on
 * the files at once, while the workers load the engine (a third of a second each, on the other
 * cores); each worker then takes files as it finishes them, PREFETCH at a time, and one that is
 * still loading when the main thread has taken the last file is stopped unused. Reports keep the
 * files' order, whichever thread analysed them.
 */
export async function runCheckParallel(inputs: string[], run: CheckRun & { jobs?: number; shard?: Shard; /** tests: the workers take every file */ workersOnly?: boolean; /** tests: how the workers start */ worker?: WorkerEntry }): Promise<CheckResult> {
  const { files: all, errors } = expandInputs(inputs, run.cwd);
  if (errors.length > 0) return finishCheck(errors, []);
  const files = shardOf(all, run.shard);
  const jobs = Math.min(run.jobs ?? defaultJobs(files.length), files.length);
  const shownOf = (f: string) => displayPath(f, run.cwd);
  const reports: FileReport[] = new Array(files.length);
  let next = 0;
  let done = 0;
  // "[k/n] file": the k-th file is starting (several may be under way at once).
  const take = (): number => {
    if (next >= files.length) return -1;
    run.progress?.(next, files.length, shownOf(files[next]));
    return next++;
  };
  // This thread's files; after its first, the code cache is written if there was none (warmedUp).
  let warm = false;
  const checkHere = (id: number): FileReport => {
    const report = checkFile(files[id], shownOf(files[id]), run.options);
    if (!warm) { warm = true; warmedUp(); }
    return report;
  };
  if (jobs <= 1) {
    for (let id = take(); id >= 0; id = take()) reports[id] = checkHere(id);
    run.progress?.(files.length, files.length, '');
    return finishCheck([], reports);
  }
  await new Promise<void>((resolve, reject) => {
    const started: Worker[] = [];
    /** The workers that have loaded, and how many files each holds. */
    const held = new Map<Worker, number>();
    let over = false;
    const stop = (w: Worker) => { held.delete(w); void w.terminate(); };
    const end = (e?: unknown) => {
      if (over) return;
      over = true;
      for (const w of started) void w.terminate();
      if (e === undefined) resolve(); else reject(e);
    };
    const finished = () => {
      if (++done < files.length) return;
      run.progress?.(done, files.length, '');
      end();
    };
    const feed = (w: Worker) => {
      while (held.get(w)! < PREFETCH) {
        const id = take();
        if (id < 0) break;
        held.set(w, held.get(w)! + 1);
        w.postMessage({ id, file: files[id], shown: shownOf(files[id]), options: run.options } satisfies Job);
      }
      if (held.get(w) === 0) stop(w);
    };
    const entry = run.worker ?? workerEntry();
    let startError: unknown;
    for (let k = 1; k < jobs; k++) {
      let w: Worker;
      try {
        w = new Worker(entry.script, { workerData: entry.workerData });
      } catch (e) {
        // (as one that fails before it is ready: the other threads check its share)
        startError = e;
        continue;
      }
      started.push(w);
      w.on('message', (m: FromWorker) => {
        if (over) return;
        if ('ready' in m) {
          held.set(w, 0);
          feed(w);
          return;
        }
        reports[m.id] = { ...m.report, index: new LineIndex(m.text) };
        held.set(w, held.get(w)! - 1);
        feed(w);
        finished();
      });
      // A worker that fails before it is ready holds no file: the others and this thread check its
      // share (a machine that cannot start a thread still gets its report). One that fails holding
      // files ends the run: which of them stopped it is not known.
      const lost = (e: unknown) => {
        const at = started.indexOf(w);
        if (over || at < 0) return;
        if ((held.get(w) ?? 0) > 0) { end(e); return; }
        held.delete(w);
        started.splice(at, 1);
        if (run.workersOnly && started.length === 0) end(e);
      };
      w.on('error', (e) => lost(e));
      // (a worker that leaves without an error: said so rather than waited for)
      w.on('exit', (code) => lost(new Error(`a worker thread stopped (exit code ${code}) before its files were checked`)));
    }
    if (run.workersOnly && started.length === 0) { end(startError); return; }
    // The main thread's share: one file per turn of the event loop, so the workers' messages are
    // served between files. With none left, a worker still loading is stopped: it is not needed.
    const mine = () => {
      if (over || run.workersOnly) return;
      const id = take();
      if (id < 0) {
        for (const w of started) if (!held.has(w)) void w.terminate();
        return;
      }
      try {
        reports[id] = checkHere(id);
      } catch (e) {
        end(e);
        return;
      }
      finished();
      setImmediate(mine);
    };
    setImmediate(mine);
  });
  return finishCheck([], reports);
}

/**
 * Lets dist/workerLoader.js save V8's code cache of the CLI's bundle (when it found none) with what
 * a first file compiled: in the main thread (dist/cli.js) and in each check worker.
 */
function warmedUp(): void {
  (globalThis as { gradlensWarmedUp?: () => void }).gradlensWarmedUp?.();
}

/** The worker's side: say it is ready once the engine is loaded, then analyse each file it is given and send the report back. */
function serve(): void {
  let first = true;
  parentPort!.on('message', (job: Job) => {
    const report = checkFile(job.file, job.shown, job.options);
    if (first) {
      first = false;
      // Before the report, so the run cannot end (and stop this thread) halfway through the write.
      warmedUp();
    }
    const { index, ...rest } = report;
    parentPort!.postMessage({ id: job.id, report: rest, text: index.text } satisfies FromWorker);
  });
  parentPort!.postMessage({ ready: true } satisfies FromWorker);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === CHECK_WORKER_ROLE) serve();
