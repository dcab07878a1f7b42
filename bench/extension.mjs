// Extension figures: the .vsix size, and the client bundle's load time. Activation proper needs a
// VS Code extension host, which does not run here: dist/client.js is loaded with a stub `vscode`
// module, which measures the part of activation that is our bundle being parsed and run.
// Usage: node bench/extension.mjs <out.json>

import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT_DIR } from './lib/objectives.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const result = { vsix: null, activation: null };

const vsixFiles = readdirSync(ROOT_DIR).filter((f) => f.endsWith('.vsix'));
if (vsixFiles.length === 0) {
  result.vsix = { available: false, reason: 'no .vsix in the repository root (built by `npm run package`)' };
} else {
  const newest = vsixFiles.map((f) => ({ f, s: statSync(join(ROOT_DIR, f)) })).sort((a, b) => b.s.mtimeMs - a.s.mtimeMs)[0];
  result.vsix = { available: true, file: newest.f, bytes: newest.s.size, builtAt: newest.s.mtime.toISOString() };
}

/** A `vscode` stand-in: every property is a callable stub returning another stub; never thenable. */
function stub(path = 'vscode') {
  const target = function () {};
  return new Proxy(target, {
    get(_, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => path;
      if (key === Symbol.iterator) return function* () {};
      if (typeof key === 'symbol') return undefined;
      return stub(`${path}.${key}`);
    },
    set: () => true,
    defineProperty: () => true,
    apply: () => stub(`${path}()`),
    construct: () => stub(`new ${path}`),
  });
}

/** The module object: a bundler's ESM interop copies its own keys, so the API's namespaces are listed. */
function vscodeModule() {
  const names = ['workspace', 'window', 'commands', 'languages', 'env', 'extensions', 'debug', 'tasks', 'scm', 'tests', 'l10n',
    'Uri', 'EventEmitter', 'Disposable', 'Range', 'Position', 'Selection', 'Location', 'MarkdownString', 'ThemeColor', 'ThemeIcon',
    'StatusBarAlignment', 'ViewColumn', 'ConfigurationTarget', 'WorkspaceEdit', 'TextEdit', 'CodeAction', 'CodeActionKind',
    'Diagnostic', 'DiagnosticSeverity', 'CancellationTokenSource', 'RelativePattern', 'ProgressLocation', 'version'];
  const m = {};
  for (const n of names) m[n] = stub(`vscode.${n}`);
  m.version = '1.100.0';
  return new Proxy(m, { get: (t, key) => (key in t ? t[key] : key === 'then' || typeof key === 'symbol' ? undefined : stub(`vscode.${String(key)}`)) });
}

const clientPath = join(ROOT_DIR, 'dist', 'client.js');
if (!existsSync(clientPath)) {
  result.activation = { available: false, reason: 'dist/client.js does not exist' };
} else {
  const originalLoad = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return vscodeModule();
    return originalLoad.call(this, request, ...rest);
  };
  try {
    const t0 = performance.now();
    const ext = require(clientPath);
    const loadMs = performance.now() - t0;
    result.activation = {
      available: false,
      reason: 'activation proper needs a VS Code extension host, which does not run here',
      bundleLoadMs: loadMs,
      exportsActivate: typeof ext.activate === 'function',
      note: 'bundleLoadMs: require() of dist/client.js with a stub vscode module, the part of activation that is our bundle',
    };
  } catch (e) {
    result.activation = { available: false, reason: `dist/client.js does not load with a stub vscode module: ${e.message.split('\n')[0]}` };
  }
}
writeFileSync(outPath, JSON.stringify(result, null, 1));
process.exit(0);
