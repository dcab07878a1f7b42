// Entry point of dist/server.js. The same bundle is also the analysis worker's script: in a worker
// thread it runs the engine; in the main thread it is the language server, over whichever
// transport the command line names (`--stdio`, `--node-ipc`, `--socket=N`). Both sides are
// `require`d lazily so that each thread initialises only its own half (the engine and the
// TypeScript compiler stay out of the LSP thread).

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WORKER_ROLE } from './analysisRunner';

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  const worker = require('./analysisWorker') as typeof import('./analysisWorker');
  worker.runAnalysisWorker(parentPort!);
} else {
  const lsp = require('vscode-languageserver/node') as typeof import('vscode-languageserver/node');
  const server = require('./server') as typeof import('./server');
  const connection = lsp.createConnection(lsp.ProposedFeatures.all);
  // Last line of defence: a stray throw in a callback is logged, and the server keeps serving.
  process.on('uncaughtException', (e) => connection.console.error(`Gradlens: uncaught ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => connection.console.error(`Gradlens: unhandled rejection ${String(e)}`));
  const inProcess = process.env.GRADLENS_ANALYSIS_IN_PROCESS === '1';
  server.startServer(connection, { workerScript: inProcess ? null : __filename });
}
