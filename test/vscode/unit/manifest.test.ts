// The extension manifest and the packaging allowlist: what VS Code and vsce read.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Commands } from '../../../server/protocol';

const root = join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('extension manifest', () => {
  it('activates on TypeScript and JavaScript and on a restored graph panel', () => {
    for (const l of ['typescript', 'typescriptreact', 'javascript', 'javascriptreact']) assert.ok(manifest.activationEvents.includes(`onLanguage:${l}`), l);
    assert.ok(manifest.activationEvents.includes('onWebviewPanel:gradlens.graph'));
    assert.equal(manifest.main, './dist/client.js');
  });

  it('contributes every command the server links to, with the palette title', () => {
    const ids = manifest.contributes.commands.map((c: { command: string }) => c.command);
    for (const id of Object.values(Commands)) assert.ok(ids.includes(id), id);
    const show = manifest.contributes.commands.find((c: { command: string }) => c.command === Commands.showGraph);
    assert.equal(`${show.category}: ${show.title}`, 'Gradlens: Show Computation Graph');
  });

  it('contributes every setting with a description, a type and a default', () => {
    const props = manifest.contributes.configuration.properties;
    const keys = ['rtol', 'atol', 'randomPoints', 'seed', 'stepBudget', 'timeBudgetMs', 'codeLens.enabled', 'inlayHints.enabled', 'debounceMs', 'workspaceCheck'].map((k) => `gradlens.${k}`);
    assert.deepEqual(Object.keys(props).sort(), keys.sort());
    for (const k of keys) {
      const p = props[k];
      assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, `${k} has no description`);
      assert.ok(p.type, `${k} has no type`);
      assert.ok('default' in p, `${k} has no default`);
    }
    assert.equal(props['gradlens.rtol'].default, 1e-6);
    assert.equal(props['gradlens.inlayHints.enabled'].type, 'boolean');
    assert.equal(props['gradlens.inlayHints.enabled'].default, true);
    // The workspace check is off unless asked for, and a workspace cannot turn it on while untrusted.
    assert.deepEqual(props['gradlens.workspaceCheck'].enum, ['off', 'background']);
    assert.equal(props['gradlens.workspaceCheck'].default, 'off');
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('gradlens.workspaceCheck'));
  });

  it('contributes "Gradlens: Check Workspace", the command the server executes (workspace/executeCommand)', () => {
    const check = manifest.contributes.commands.find((c: { command: string }) => c.command === 'gradlens.checkWorkspace');
    assert.ok(check, 'gradlens.checkWorkspace is not contributed');
    assert.equal(`${check.category}: ${check.title}`, 'Gradlens: Check Workspace');
  });

  it('contributes a Getting Started walkthrough whose pages ship in the package', () => {
    const walkthroughs = manifest.contributes.walkthroughs as { id: string; title: string; description: string; steps: { id: string; title: string; description: string; media: { markdown?: string }; completionEvents?: string[] }[] }[];
    assert.equal(walkthroughs.length, 1);
    const w = walkthroughs[0];
    assert.ok(w.id && w.title && w.description);
    assert.ok(w.steps.length >= 4 && w.steps.length <= 5, `${w.steps.length} steps`);
    const commands = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const step of w.steps) {
      assert.ok(step.id && step.title && step.description, JSON.stringify(step));
      const page = step.media.markdown;
      assert.ok(page && /^media\/walkthrough\/[\w-]+\.md$/.test(page), `${step.id}: ${page}`);
      assert.ok(existsSync(join(root, page)), `${page} is missing`);
      assert.match(readFileSync(join(root, page), 'utf8'), /^# /, `${page} has no title`);
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id} has no completion event`);
      for (const e of step.completionEvents!) assert.match(e, /^(onCommand|onContext|onView|onSettingChanged|onLink):\S+$/, e);
      // Gradlens's own commands named by a step exist.
      for (const e of step.completionEvents!) {
        const cmd = e.startsWith('onCommand:gradlens.') ? e.slice('onCommand:'.length) : null;
        if (cmd) assert.ok(commands.has(cmd), cmd);
      }
    }
    assert.ok(ignore.includes('!media/walkthrough/*.md'), '.vscodeignore does not ship the walkthrough pages');
    const events = w.steps.flatMap((s) => s.completionEvents ?? []);
    assert.ok(events.includes('onCommand:gradlens.showGraph'));
    assert.ok(events.includes('onCommand:gradlens.insertCode'));
  });

  it('is complete for the Marketplace: publisher, engine, repository, license, icon, categories', () => {
    for (const k of ['publisher', 'displayName', 'description', 'version', 'license', 'icon', 'repository', 'categories', 'keywords']) assert.ok(manifest[k], k);
    assert.match(manifest.engines.vscode, /^\^1\.\d+/);
    const png = readFileSync(join(root, manifest.icon));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the icon is not a PNG');
    assert.equal(png.readUInt32BE(16), 128, 'the icon is not 128 px wide');
    for (const f of ['LICENSE', 'CHANGELOG.md']) assert.ok(existsSync(join(root, f)), f);
  });

  it('ships only what runs: .vscodeignore is an allowlist', () => {
    const lines = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '**', 'the first rule must exclude everything');
    const allowed = lines.slice(1);
    assert.ok(allowed.every((l) => l.startsWith('!')), 'every later rule re-includes a file');
    for (const f of ['!dist/client.js', '!dist/server.js', '!dist/analysisWorker.js', '!dist/webview.js', '!media/icon.png', '!media/webview.css', '!package.json']) assert.ok(allowed.includes(f), f);
    assert.ok(!allowed.some((l) => /node_modules|\.map|src|test|out\//.test(l)), 'sources, maps or tests would ship');
  });

  it('has the package and test:e2e scripts, the latter using the shared setup script by a relative path', () => {
    assert.equal(manifest.scripts.package, 'node scripts/package.mjs');
    assert.equal(manifest.scripts['test:e2e'], 'node scripts/run-e2e.mjs');
    const runner = readFileSync(join(root, 'scripts', 'run-e2e.mjs'), 'utf8');
    assert.match(runner, /join\(root, '\.\.', 'shared', 'tools', 'setup-code-server\.sh'\)/);
    assert.doesNotMatch(runner, /\/work\//, 'an absolute machine path in a committed file');
  });
});
