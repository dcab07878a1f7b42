// Bundles every entry point that exists with esbuild. Entry points appear as the project grows,
// so a missing one is skipped rather than failing the build.
import { build } from 'esbuild';
import { existsSync, chmodSync, readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const targets = [
  { entryPoints: ['server/main.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The engine (with the TypeScript compiler) runs in the server's worker thread, from its own bundle.
  { entryPoints: ['server/workerMain.ts'], outfile: 'dist/analysisWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The worker thread's script: loads analysisWorker.js through V8's code cache.
  { entryPoints: ['server/workerLoader.ts'], outfile: 'dist/workerLoader.js', platform: 'node', format: 'cjs', target: 'node20' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { entryPoints: ['cli/main.ts'], outfile: 'dist/cliMain.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The `gradlens` command: a few lines that run dist/cliMain.js through the loader's code cache.
  { entryPoints: ['cli/bin.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' }, external: ['./workerLoader.js'] },
  { entryPoints: ['client/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

for (const t of targets) {
  if (!existsSync(t.entryPoints[0])) continue;
  await build({ ...common, ...t });
}
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);

// V8 keeps a script's source for as long as its functions live, as a one-byte string when every
// character is ASCII and as a two-byte one otherwise: one `π` in a regular expression doubles the
// 4 MB the analysis worker holds for its bundle. esbuild escapes strings but not regular
// expressions (nor comments, which it keeps only when not minifying), so a production bundle that
// Node runs is checked here.
if (production) {
  for (const t of targets) {
    if (t.platform !== 'node' || !existsSync(t.outfile)) continue;
    const text = readFileSync(t.outfile, 'utf8');
    const at = text.search(/[^\x00-\x7f]/);
    if (at >= 0) {
      console.error(`${t.outfile}: a non-ASCII character at offset ${at} (${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}); write it as a \\u escape in the source`);
      process.exit(1);
    }
  }
}
