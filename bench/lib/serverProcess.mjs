// The language server's process as the editor's client starts it (client/src/extension.ts reads
// the same server/processOptions.json), so that the bench measures what users run.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from './objectives.mjs';

const options = JSON.parse(readFileSync(join(ROOT_DIR, 'server', 'processOptions.json'), 'utf8'));

/** `node dist/server.js --stdio`, with the client's node options and environment (and `extraNodeArgs`, e.g. to profile it). */
export function spawnServer(spawnOptions, extraNodeArgs = []) {
  return spawn(process.execPath, [...options.nodeArgs, ...extraNodeArgs, join(ROOT_DIR, 'dist', 'server.js'), '--stdio'], {
    ...spawnOptions,
    env: { ...process.env, ...options.env, ...spawnOptions.env },
  });
}
