// Entry point of dist/analysisWorker.js, the analysis worker's own bundle: the engine and the
// TypeScript compiler live here and only here, so the LSP thread's bundle (dist/server.js) stays
// small and the process holds one copy of them. Required on the main thread (in-process mode, or the
// loader's priming child: workerLoader.ts) it only exports the analysis functions and the warm-up.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runAnalysisWorker } from './analysisWorker';
import { WORKER_ROLE } from './workerProtocol';

export { analyzeNow, runTaskNow, warmUp } from './analysisWorker';

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  runAnalysisWorker(parentPort);
}
