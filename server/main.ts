// Entry point of dist/server.js, the language server over whichever transport the command line
// names (`--stdio`, `--node-ipc`, `--socket=N`). The engine runs in a worker thread whose script is
// its own bundle, dist/analysisWorker.js (server/workerMain.ts), so this thread never loads the
// engine or the TypeScript compiler.

import * as path from 'node:path';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// Last line of defence: a stray throw in a callback is logged, and the server keeps serving.
process.on('uncaughtException', (e) => connection.console.error(`Gradlens: uncaught ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => connection.console.error(`Gradlens: unhandled rejection ${String(e)}`));
const inProcess = process.env.GRADLENS_ANALYSIS_IN_PROCESS === '1';
startServer(connection, {
  workerScript: path.join(__dirname, 'analysisWorker.js'),
  workerLoader: path.join(__dirname, 'workerLoader.js'),
  inProcess,
});
