// The hostile corpus (test/engine/hostileCorpus.ts) as users meet it: for each case a fresh
// `node dist/server.js --stdio` opens the hostile file and, beside it, a normal file; measured are
// the time to the hostile file's diagnostics, the time to the normal file's (opened just after),
// and the server's peak RSS (VmHWM: the analysis worker is a thread of that process). Then the CLI
// (`node dist/cli.js check`) on the same file: wall time, exit code and peak RSS.
// Usage: node bench/hostile.mjs <out.json>

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUILD_DIR, ROOT_DIR } from './lib/objectives.mjs';
import { spawnServer } from './lib/serverProcess.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const result = { available: false, reason: null, cases: [] };
const save = () => writeFileSync(outPath, JSON.stringify(result, null, 1));
const TIMEOUT_MS = 30_000;

const NORMAL = `/**
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}
export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
}
`;

function peakRssMB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return null;
  }
}

async function serverCase(c) {
  const rpc = require('vscode-jsonrpc/node');
  const server = spawnServer({ stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  connection.onRequest(() => null);
  const first = new Map();
  const waiters = [];
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    if (!first.has(p.uri)) first.set(p.uri, { t: performance.now(), codes: p.diagnostics.map((d) => d.code) });
    for (const w of [...waiters]) if (w.uri === p.uri) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  const complete = new Map();
  connection.onNotification('gradlens/status', (p) => {
    if (!complete.has(p.uri)) complete.set(p.uri, performance.now());
    for (const w of [...waiters]) if (w.uri === `status:${p.uri}`) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  connection.listen();
  const completed = (uri) => (complete.has(uri) ? Promise.resolve() : new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no complete analysis of ${uri} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    waiters.push({ uri: `status:${uri}`, resolve: () => { clearTimeout(timer); resolve(); } });
  }));
  const published = (uri) => (first.has(uri) ? Promise.resolve() : new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    waiters.push({ uri, resolve: () => { clearTimeout(timer); resolve(); } });
  }));
  try {
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } }, initializationOptions: c.options ?? {} });
    connection.sendNotification('initialized', {});
    const hostileUri = 'file:///virtual/hostile.ts';
    const normalUri = 'file:///virtual/normal.ts';
    const t0 = performance.now();
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri: hostileUri, languageId: 'typescript', version: 1, text: c.text } });
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri: normalUri, languageId: 'typescript', version: 1, text: NORMAL } });
    await Promise.all([published(hostileUri), published(normalUri), completed(hostileUri), completed(normalUri)]);
    const h = first.get(hostileUri);
    return {
      // first diagnostics (a long analysis streams them), the complete analysis, the normal file's
      hostileFirstMs: h.t - t0, hostileMs: complete.get(hostileUri) - t0, normalMs: first.get(normalUri).t - t0,
      peakRssMB: peakRssMB(server.pid), firstCodes: [...new Set(h.codes)].sort(),
    };
  } finally {
    connection.dispose();
    server.kill();
  }
}

function cliCase(c, dir) {
  const file = join(dir, 'hostile.ts');
  writeFileSync(file, c.text);
  const preload = join(dir, 'peak.cjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write(`\\nGRADLENS_PEAK_RSS_KB=${process.resourceUsage().maxRSS}\\n`));");
  const flags = c.options?.stepBudget ? ['--budget', String(c.options.stepBudget)] : [];
  if (c.options?.timeBudgetMs) flags.push('--time-budget', String(c.options.timeBudgetMs));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', preload, join(ROOT_DIR, 'dist', 'cli.js'), 'check', '--no-progress', ...flags, file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  const kb = Number(/GRADLENS_PEAK_RSS_KB=(\d+)/.exec(r.stderr ?? '')?.[1] ?? NaN);
  return { ms, exitCode: r.status, signal: r.signal, peakRssMB: kb / 1024 };
}

async function main() {
  if (!existsSync(join(ROOT_DIR, 'dist', 'server.js'))) { result.reason = 'dist/server.js is not built'; return; }
  const esbuild = await import('esbuild');
  const corpus = join(BUILD_DIR, 'hostileCorpus.cjs');
  await esbuild.build({ entryPoints: [join(ROOT_DIR, 'test', 'engine', 'hostileCorpus.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: corpus, logLevel: 'silent' });
  const { hostileCases } = require(corpus);
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-hostile-'));
  try {
    for (const c of hostileCases()) {
      const row = { name: c.name, bytes: Buffer.byteLength(c.text) };
      try { row.server = await serverCase(c); } catch (e) { row.server = { error: e.message }; }
      try { row.cli = cliCase(c, dir); } catch (e) { row.cli = { error: e.message }; }
      result.cases.push(row);
      save();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  result.available = true;
}

main().catch((e) => { result.reason = e.message; }).finally(save);
