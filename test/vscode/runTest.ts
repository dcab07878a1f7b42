// Runs the @vscode/test-electron suite: downloads VS Code (1.100.3, the engine the manifest asks
// for) and starts it with the extension under development and a copy of the e2e fixtures. Where
// VS Code cannot be downloaded (no network), it says so plainly and exits 0: that is a skip.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const VERSION = '1.100.3';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  let executable: string;
  try {
    executable = await Promise.race([
      downloadAndUnzipVSCode({ version: VERSION, cachePath: join(root, '.vscode-test') }),
      new Promise<never>((_, fail) => setTimeout(() => fail(new Error('no answer within 120 s')), 120_000)),
    ]);
  } catch (e) {
    console.log(`SKIPPED: VS Code could not be downloaded (${e instanceof Error ? e.message : String(e)})`);
    process.exit(0);
  }
  const workspace = mkdtempSync(join(tmpdir(), 'gradlens-vscode-'));
  cpSync(join(root, 'test', 'e2e', 'fixtures'), join(workspace, 'fixtures'), { recursive: true });
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: root,
      extensionTestsPath: join(__dirname, 'suite', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (e) {
    console.error(`the VS Code suite failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

void main();
