// `npm run package`: production esbuild bundles (minified, no source maps), then `vsce package`
// into gradlens-<version>.vsix. The bundles carry their dependencies, so vsce is told not to walk
// node_modules (--no-dependencies); .vscodeignore is an allowlist of what ships.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`package: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
};

run(process.execPath, ['scripts/build.mjs', '--production']);
for (const f of ['dist/client.js', 'dist/server.js', 'dist/analysisWorker.js', 'dist/workerLoader.js', 'dist/webview.js', 'media/icon.png']) {
  if (!existsSync(join(root, f))) {
    console.error(`package: ${f} is missing; the extension cannot run without it`);
    process.exit(1);
  }
}
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = `${name}-${version}.vsix`;
run(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', out]);
console.log(out);
