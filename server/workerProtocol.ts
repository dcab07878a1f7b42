// The wire contract between the LSP thread (analysisRunner.ts) and the analysis worker
// (analysisWorker.ts): one home that both sides import, so neither imports the other.

import type { AnalysisCache } from '../engine/analyzeFile';
import type { AnalysisOptions, FileAnalysis } from '../engine/api';
import type { EngineTask } from './engineTasks';

export const WORKER_ROLE = 'gradlens-analysis-worker';

export interface AnalyzeJob {
  uri: string;
  version: number;
  text: string;
  options: AnalysisOptions;
  /**
   * A file that is not open, checked by the workspace check (workspaceCheck.ts): analysed only
   * when no open document is waiting, without a per-file cache, without partial results.
   */
  background?: boolean;
}

export type AnalyzeOutcome =
  | { ok: true; analysis: FileAnalysis; ms: number }
  | { ok: false; error: string };

export type TaskOutcome =
  | { ok: true; value: unknown; logs: string[] }
  | { ok: false; error: string; logs: string[] };

export type ToWorker =
  /** `stopped`: functions a previous worker never finished (named with the reason), not run again. */
  | { type: 'analyze'; id: number; job: AnalyzeJob; stopped?: [string, string][] }
  | { type: 'task'; id: number; task: EngineTask }
  | { type: 'forget'; uri: string };
export type FromWorker =
  | { type?: undefined; id: number; outcome: AnalyzeOutcome | TaskOutcome }
  /** The worker starts analysing `fn` of job `id` (null: finishing the job). */
  | { type: 'progress'; id: number; fn: string | null }
  /** The analysis so far of a file that takes a while. */
  | { type: 'partial'; id: number; analysis: FileAnalysis; pending: string[]; ms: number };

/** What the worker bundle exports, for the in-process runner (GRADLENS_ANALYSIS_IN_PROCESS=1). */
export interface WorkerEntry {
  analyzeNow(job: AnalyzeJob, caches: Map<string, AnalysisCache>): AnalyzeOutcome;
  runTaskNow(task: EngineTask): TaskOutcome;
}
