// A second, independent LSP client: headless Neovim (Debian's `neovim`, installed by
// scripts/install-test-deps-server.sh) attaches dist/server.js over stdio and reads a hover and a
// completion back, so nothing in the server depends on VS Code.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Position } from 'vscode-languageserver-protocol';
import { ROSENBROCK_RIGHT } from './fixtures';
import { ensureServerBuilt, positionOf, ROOT, SERVER } from './lspClient';

function nvimAvailable(): boolean {
  return spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Opens `text` in headless Neovim, runs test/fixtures/server/<script> (which asks the server at
 * `at` and writes what came back), and returns that result.
 */
async function runNeovim(script: string, text: string, at: Position): Promise<string> {
  ensureServerBuilt();
  const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-nvim-'));
  try {
    const file = path.join(dir, 'rosenbrock.ts');
    const out = path.join(dir, 'result.txt');
    writeFileSync(file, text);
    const lua = path.join(ROOT, 'test', 'fixtures', 'server', script);
    const nvim = spawn('nvim', ['--headless', '-n', '-i', 'NONE', '-u', 'NONE', '-c', `luafile ${lua}`, file], {
      cwd: dir,
      env: { ...process.env, GRADLENS_SERVER: SERVER, GRADLENS_OUT: out, GRADLENS_LINE: String(at.line), GRADLENS_CHAR: String(at.character) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    nvim.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    nvim.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => { nvim.kill('SIGKILL'); resolve(null); }, 60_000);
      nvim.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    assert.ok(existsSync(out), `Neovim wrote no result (exit ${code}):\n${output}`);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('server: headless Neovim as the client', function () {
  this.timeout(90_000);

  before(function () {
    if (!nvimAvailable()) {
      // In CI a missing Neovim is a failure (the lead's CI installs it); locally, say how to get it.
      if (process.env.CI === 'true' || process.env.CI === '1') {
        assert.fail('nvim is not installed: run scripts/install-test-deps-server.sh before the tests');
      }
      console.log('      SKIPPED locally: nvim not found (run scripts/install-test-deps-server.sh). In CI this fails.');
      this.skip();
    }
  });

  it('attaches over stdio and reads the hover of an annotated function', async function () {
    const result = await runNeovim('nvim-hover.lua', ROSENBROCK_RIGHT, positionOf(ROSENBROCK_RIGHT, 'rosenbrock(', 3));
    assert.ok(result.startsWith('HOVER:'), result);
    assert.ok(result.includes('**rosenbrock**(x, y)'), result);
    assert.ok(result.includes('- ∂f/∂x = 1501'), result);
    assert.ok(result.includes('✓ `rosenbrockGrad`'), result);
  });

  it('completes the parameter names after @wrt in a JSDoc block', async function () {
    const text = ROSENBROCK_RIGHT.replace(' * @differentiable\n', ' * @differentiable\n * @wrt \n');
    const result = await runNeovim('nvim-completion.lua', text, positionOf(text, '@wrt ', 5));
    assert.equal(result, 'COMPLETION:x,y');
  });
});
