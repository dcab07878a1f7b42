// The language server's process as the editor's client starts it (client/src/extension.ts reads
// the same server/processOptions.json), so that the bench measures what users run.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from './objectives.mjs';

const options = JSON.parse(readFileSync(join(ROOT_DIR, 'server', 'processOptions.json'), 'utf8'));

/**
 * The server's node options: the in-process rows of the engine (bench/live.mjs,
 * bench/engine-analysis.mjs) run with them too, since the engine runs in the server's process.
 */
export const SERVER_NODE_ARGS = options.nodeArgs;

/** `node dist/server.js --stdio`, with the client's node options and environment (and `extraNodeArgs`, e.g. to profile it). */
export function spawnServer(spawnOptions, extraNodeArgs = []) {
  return spawn(process.execPath, [...SERVER_NODE_ARGS, ...extraNodeArgs, join(ROOT_DIR, 'dist', 'server.js'), '--stdio'], {
    ...spawnOptions,
    env: { ...process.env, ...options.env, ...spawnOptions.env },
  });
}

/** V8's tag of code caches under the server's flags (part of the worker's cache key, server/workerLoader.ts). */
export function serverCachedDataVersionTag() {
  return spawnSync(process.execPath, [...SERVER_NODE_ARGS, '-p', 'require("v8").cachedDataVersionTag()'], { encoding: 'utf8' }).stdout.trim();
}
