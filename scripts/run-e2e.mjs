// `npm run test:e2e`: the end-to-end suite in the real VS Code workbench.
// 1. ../shared/tools/setup-code-server.sh (beside the repository, as CI lays it out) installs
//    code-server and Debian's Chromium and prints the code-server launcher's path;
// 2. `npm run package` builds the .vsix that gets installed;
// 3. the e2e tests are compiled on their own (test/e2e/tsconfig.json) and run by mocha with their
//    own config, outside the default `out/test/**/*.test.js` glob.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const fail = (msg) => {
  console.error(`test:e2e: ${msg}`);
  process.exit(1);
};
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  return r.status ?? 1;
};

const setup = join(root, '..', 'shared', 'tools', 'setup-code-server.sh');
if (!existsSync(setup)) fail(`${setup} not found: the shared/ folder must sit beside the repository`);
let codeServer = process.env.CODE_SERVER_BIN;
if (!codeServer) {
  const r = spawnSync('bash', [setup], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) fail(`setup-code-server.sh failed (${r.status})`);
  codeServer = r.stdout.trim().split('\n').pop();
}
if (!codeServer || !existsSync(codeServer)) fail(`no code-server launcher at "${codeServer}"`);

const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `${name}-${version}.vsix`);
if (!process.env.GRADLENS_E2E_SKIP_PACKAGE) {
  if (run(process.execPath, ['scripts/package.mjs']) !== 0) fail('packaging failed');
}
if (!existsSync(vsix)) fail(`${vsix} was not built`);

if (run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'test/e2e/tsconfig.json']) !== 0) fail('the e2e tests do not compile');

const status = run(process.execPath, [join(root, 'node_modules/mocha/bin/mocha.js'), '--config', 'test/e2e/.mocharc.json', ...process.argv.slice(2)], {
  env: { ...process.env, CODE_SERVER_BIN: codeServer, GRADLENS_VSIX: vsix },
});
console.log(`screenshots: ${join(root, 'test-results', 'screenshots')}`);

// The same scenarios through the vscode API in a downloaded VS Code; it prints SKIPPED and exits 0
// where VS Code cannot be downloaded.
let electron = 0;
if (!process.env.GRADLENS_E2E_SKIP_ELECTRON) {
  if (run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'test/vscode/tsconfig.json']) !== 0) fail('the VS Code suite does not compile');
  electron = run(process.execPath, [join(root, 'out/test/vscode/runTest.js')]);
}
process.exit(status || electron);
