// Extension figures: the .vsix size; the activation time in the real VS Code extension host
// (bench/activation.mjs: code-server + headless Chromium, as the e2e suite drives it); and, as a
// secondary figure, dist/client.js loaded with a stub `vscode` module (our bundle being parsed and
// run, without an extension host).
// Usage: node bench/extension.mjs <out.json>
// The result file is written before the activation runs and again as they progress, so a parent's
// time limit leaves a report that says how far they got.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT_DIR } from './lib/objectives.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const result = { vsix: null, activation: null, bundleLoad: null };
const write = () => writeFileSync(outPath, JSON.stringify(result, null, 1));

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
  result.bundleLoad = { available: false, reason: 'dist/client.js does not exist' };
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
    result.bundleLoad = {
      available: true,
      bundleLoadMs: loadMs,
      exportsActivate: typeof ext.activate === 'function',
      note: 'require() of dist/client.js with a stub vscode module: our bundle parsed and run, outside an extension host',
    };
  } catch (e) {
    result.bundleLoad = { available: false, reason: `dist/client.js does not load with a stub vscode module: ${e.message.split('\n')[0]}` };
  } finally {
    Module._load = originalLoad;
  }
}

// The real activation, in code-server's extension host. Its own hard limit is 120 s; this one is
// a backstop. Until it ends, the result says how far it got.
const activationOut = `${outPath}.activation.json`;
rmSync(activationOut, { force: true });
const stoppedEarly = 'extension.mjs was stopped (bench/run.mjs time limit?) before the activation runs in code-server ended';
result.activation = { available: false, reason: stoppedEarly };
write();
const readActivation = () => {
  try {
    return JSON.parse(readFileSync(activationOut, 'utf8'));
  } catch {
    return null;
  }
};
const progress = setInterval(() => {
  const a = readActivation();
  if (a?.inProgress) {
    result.activation = { ...a, inProgress: undefined, incomplete: `${a.runs.length} of ${a.runsWanted} runs: ${stoppedEarly}` };
    write();
  }
}, 1000);
const child = spawn(process.execPath, [join(ROOT_DIR, 'bench', 'activation.mjs'), activationOut], { stdio: ['ignore', 'ignore', 'inherit'] });
const backstop = setTimeout(() => child.kill('SIGTERM'), 150_000);
const code = await new Promise((r) => child.once('exit', (c, sig) => r(sig ?? c)));
clearTimeout(backstop);
clearInterval(progress);
const a = readActivation();
result.activation = a && !a.inProgress ? a : { available: false, reason: `bench/activation.mjs ended (${code}) without a result` };
rmSync(activationOut, { force: true });
write();
process.exit(0);
