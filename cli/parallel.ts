// `gradlens check` on every core: the files are shared out to worker threads (each loads the
// engine once and analyses files as they come, so a slow file does not hold the others up), and
// `--shard i/n` keeps the i-th of n slices of the file list, so CI can split a repository across
// jobs and merge their reports. The report is the same as a run on one core, file for file.

import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AnalysisOptions } from '../engine/index';
import { checkFile, finishCheck, type CheckResult, type CheckRun, type FileReport } from './check';
import { displayPath, expandInputs } from './files';
import { LineIndex } from './lineIndex';

const ROLE = 'gradlens-check-worker';

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

/** Below this many files a worker's start (loading the engine, ~0.3 s) costs more than it saves. */
const PARALLEL_FROM_FILES = 8;

/** Worker threads for a run: one per core, no more than files, 1 for a few files. */
export function defaultJobs(files: number): number {
  if (files < PARALLEL_FROM_FILES) return 1;
  return Math.max(1, Math.min(files, cpus().length));
}

interface Job { id: number; file: string; shown: string; options: Partial<AnalysisOptions> }
interface Done { id: number; report: Omit<FileReport, 'index'>; text: string }

export async function runCheckParallel(inputs: string[], run: CheckRun & { jobs?: number; shard?: Shard }): Promise<CheckResult> {
  const { files: all, errors } = expandInputs(inputs, run.cwd);
  if (errors.length > 0) return finishCheck(errors, []);
  const files = shardOf(all, run.shard);
  const jobs = Math.min(run.jobs ?? defaultJobs(files.length), files.length);
  const shownOf = (f: string) => displayPath(f, run.cwd);
  if (jobs <= 1) {
    const reports = files.map((f, i) => {
      run.progress?.(i, files.length, shownOf(f));
      return checkFile(f, shownOf(f), run.options);
    });
    run.progress?.(files.length, files.length, '');
    return finishCheck([], reports);
  }
  const reports: FileReport[] = new Array(files.length);
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    const give = (w: Worker): void => {
      if (next >= files.length) { void w.terminate(); return; }
      const id = next++;
      // "[k/n] file": the k-th file is starting (several are under way at once).
      run.progress?.(id, files.length, shownOf(files[id]));
      w.postMessage({ id, file: files[id], shown: shownOf(files[id]), options: run.options } satisfies Job);
    };
    for (let k = 0; k < jobs; k++) {
      const w = new Worker(__filename, { workerData: { role: ROLE } });
      workers.push(w);
      w.on('message', (m: Done) => {
        reports[m.id] = { ...m.report, index: new LineIndex(m.text) };
        done++;
        if (done === files.length) { run.progress?.(done, files.length, ''); resolve(); }
        give(w);
      });
      w.on('error', (e) => { for (const x of workers) void x.terminate(); reject(e); });
      give(w);
    }
  });
  return finishCheck([], reports);
}

/** The worker's side: analyse each file it is given and send the report back. */
function serve(): void {
  parentPort!.on('message', (job: Job) => {
    const report = checkFile(job.file, job.shown, job.options);
    const { index, ...rest } = report;
    parentPort!.postMessage({ id: job.id, report: rest, text: index.text } satisfies Done);
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) serve();
