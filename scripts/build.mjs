// Bundles every entry point that exists with esbuild. Entry points appear as the project grows,
// so a missing one is skipped rather than failing the build.
import { build } from 'esbuild';
import { existsSync, chmodSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const targets = [
  { entryPoints: ['server/main.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The engine (with the TypeScript compiler) runs in the server's worker thread, from its own bundle.
  { entryPoints: ['server/workerMain.ts'], outfile: 'dist/analysisWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The worker thread's script: loads analysisWorker.js through V8's code cache.
  { entryPoints: ['server/workerLoader.ts'], outfile: 'dist/workerLoader.js', platform: 'node', format: 'cjs', target: 'node20' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['client/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

for (const t of targets) {
  if (!existsSync(t.entryPoints[0])) continue;
  await build({ ...common, ...t });
}
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
