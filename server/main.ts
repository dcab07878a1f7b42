// Entry point of dist/server.js. The same bundle is also the analysis worker's script: in a worker
// thread it runs the engine loop; in the main thread it is the language server, over whichever
// transport the command line names (`--stdio`, `--node-ipc`, `--socket=N`).

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { runAnalysisWorker, WORKER_ROLE } from './analysisWorker';
import { startServer } from './server';

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  runAnalysisWorker(parentPort!);
} else {
  const connection = createConnection(ProposedFeatures.all);
  // Last line of defence: a stray throw in a callback is logged, and the server keeps serving.
  process.on('uncaughtException', (e) => connection.console.error(`Gradlens: uncaught ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => connection.console.error(`Gradlens: unhandled rejection ${String(e)}`));
  const inProcess = process.env.GRADLENS_ANALYSIS_IN_PROCESS === '1';
  startServer(connection, { workerScript: inProcess ? null : __filename });
}
