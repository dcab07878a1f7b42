// The extension's activation time in the real VS Code extension host: code-server (VS Code 1.100)
// with the .vsix installed, driven by headless Chromium the way the e2e suite does
// (test/e2e/harness.ts). Each run starts code-server with a fresh user-data dir (the extensions dir
// is shared), opens a folder with one small annotated TypeScript file, opens the file (the
// `onLanguage:typescript` activation event), waits for Gradlens's status-bar item, then reads:
//  - the client's own line in the Gradlens output channel ("Gradlens activated in X ms (language
//    client ready after Y ms)", performance.now() inside activate());
//  - VS Code's own figure from Developer: Show Running Extensions (code loading + activate call);
//  - the exthost log's "ExtensionService#_doActivateExtension" timestamp, against the moment the
//    file was opened;
//  - from the browser side: file opened → status item shown → the file's check summary shown.
// It installs nothing: without code-server and Chromium it reports why. Everything it starts runs
// in process groups it kills, inside one temp folder it removes, also when it is killed itself (a
// detached watchdog does it then), with a hard time limit.
// Usage: node bench/activation.mjs <out.json> [--runs=N]

import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const outPath = process.argv[2];
if (!outPath) {
  console.error('usage: node bench/activation.mjs <out.json> [--runs=N]');
  process.exit(2);
}
const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 3);
const TOTAL_MS = 120_000;
const started = Date.now();
const left = () => started + TOTAL_MS - Date.now();
const log = (m) => process.stderr.write(`[activation ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}\n`);
const write = (result) => writeFileSync(outPath, JSON.stringify(result, null, 1) + '\n');
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

// --- What is needed, without installing anything -------------------------------------------------
const NOT_INSTALLED = 'run `npm run test:e2e` once to install code-server and Chromium';
function codeServerBin() {
  if (process.env.CODE_SERVER_BIN) return process.env.CODE_SERVER_BIN;
  const home = process.env.CODE_SERVER_HOME ?? join(homedir(), '.cache', 'code-server-e2e');
  return join(home, 'node_modules', '.bin', 'code-server');
}
function versions(bin) {
  try {
    const pkgDir = join(dirname(realpathSync(bin)), '..', '..');
    const codeServer = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
    const vscode = JSON.parse(readFileSync(join(pkgDir, 'lib', 'vscode', 'package.json'), 'utf8')).version;
    return { codeServer, vscode };
  } catch {
    return { codeServer: null, vscode: null };
  }
}
const bin = codeServerBin();
const chromiumBin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const vsix = join(ROOT, `${name}-${version}.vsix`);
let reason = null;
if (!existsSync(bin)) reason = `no code-server at ${bin}: ${NOT_INSTALLED}`;
else if (!existsSync(chromiumBin)) reason = `no Chromium at ${chromiumBin}: ${NOT_INSTALLED}`;
else if (!existsSync(vsix)) reason = `no ${name}-${version}.vsix in the repository root (built by \`npm run package\`)`;
let chromium;
if (!reason) {
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    reason = `playwright-core does not load (a devDependency of the extension: npm install): ${e.message.split('\n')[0]}`;
  }
}
if (reason) {
  write({ available: false, reason });
  log(`not available: ${reason}`);
  process.exit(0);
}
const vsixStat = statSync(vsix);
const env = { ...versions(bin), vsix: { file: `${name}-${version}.vsix`, bytes: vsixStat.size, builtAt: vsixStat.mtime.toISOString() } };

// --- Processes and the temp folder, cleaned up whatever happens -----------------------------------
const base = mkdtempSync(join(tmpdir(), 'gradlens-activation-'));
const pidFile = join(base, 'pids');
writeFileSync(pidFile, '');
const groups = new Set(); // process-group ids of what we started (each is spawned detached)
const track = (pid) => {
  groups.add(pid);
  appendFileSync(pidFile, `${pid}\n`);
};
// If this process is killed (SIGKILL by a parent's time limit included), a detached watchdog ends
// the process groups listed in the pid file and removes the temp folder.
const watchdogSource = `
const [parent, base] = process.argv.slice(1);
const fs = require('node:fs'), path = require('node:path');
const alive = (pid) => {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\\d+ \\(.*\\) Z/.test(fs.readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return false; }
};
const timer = setInterval(() => {
  if (alive(Number(parent))) return;
  clearInterval(timer);
  let pids = [];
  try { pids = fs.readFileSync(path.join(base, 'pids'), 'utf8').split('\\n').filter(Boolean).map(Number); } catch {}
  for (const p of pids) { try { process.kill(-p, 'SIGKILL'); } catch {} }
  setTimeout(() => {
    try { fs.rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); } catch {}
    process.exit(0);
  }, 1000);
}, 500);`;
const watchdog = spawn(process.execPath, ['-e', watchdogSource, String(process.pid), base], { detached: true, stdio: 'ignore' });
watchdog.unref();

let cleaning = null;
async function cleanup() {
  cleaning ??= (async () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    groups.clear();
    if (!process.env.GRADLENS_ACTIVATION_KEEP) rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    try {
      process.kill(watchdog.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  })();
  return cleaning;
}

const runs = [];
function summary() {
  const pick = (k) => median(runs.map((r) => r[k]));
  return {
    activateMs: pick('activateMs'),
    languageClientReadyMs: pick('languageClientReadyMs'),
    vscodeActivationMs: pick('vscodeActivationMs'),
    openToActivationEventMs: pick('openToActivationEventMs'),
    openToStatusItemMs: pick('openToStatusItemMs'),
    openToCheckSummaryMs: pick('openToCheckSummaryMs'),
  };
}
function finish(failure) {
  const result =
    runs.length > 0
      ? { available: true, runsWanted: RUNS, runs, median: summary(), ...env, ...(failure ? { incomplete: failure } : {}) }
      : { available: false, reason: failure ?? 'no run completed', ...env };
  write(result);
  return result;
}
const hardStop = setTimeout(async () => {
  log(`time limit of ${TOTAL_MS / 1000} s reached`);
  await cleanup();
  finish(`stopped by the bench's ${TOTAL_MS / 1000} s time limit after ${runs.length} of ${RUNS} runs`);
  process.exit(0);
}, TOTAL_MS);
// A parent that is killed leaves this process orphaned: then there is no one to report to.
const parentAtStart = process.ppid;
setInterval(async () => {
  if (process.ppid === parentAtStart) return;
  log('the parent process is gone: stopping');
  await cleanup();
  process.exit(1);
}, 500).unref();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await cleanup();
    finish(`interrupted by ${sig} after ${runs.length} of ${RUNS} runs`);
    process.exit(1);
  });
}

// --- Helpers ------------------------------------------------------------------------------------
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

/** Starts a process in a group of its own (so its children can be ended with it). */
function start(cmd, args, output) {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PASSWORD: undefined } });
  track(child.pid);
  child.stdout.on('data', (d) => output.push(d.toString()));
  child.stderr.on('data', (d) => output.push(d.toString()));
  return child;
}
const exited = (child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r)));

async function stopGroup(child) {
  if (!child) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  await Promise.race([exited(child), new Promise((r) => setTimeout(r, 2000))]);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  groups.delete(child.pid);
}

async function waitForHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${ms / 1000} s`);
}

function filesUnder(dir, test, out = []) {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) filesUnder(p, test, out);
    else if (test(f)) out.push(p);
  }
  return out;
}

/** A log line's "YYYY-MM-DD HH:MM:SS.mmm" local timestamp, as epoch milliseconds. */
function logTime(line) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(line);
  return m ? new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]).getTime() : null;
}

const ACTIVATION_LINE = /Gradlens activated in ([\d.]+) ms \(language client ready after ([\d.]+) ms\)/;

/** Waits for the client's activation line in the Gradlens output channel's log file. */
async function activationLine(logs, ms) {
  const end = Date.now() + ms;
  for (;;) {
    for (const f of filesUnder(logs, (n) => /Gradlens\.log$/.test(n))) {
      const m = ACTIVATION_LINE.exec(readFileSync(f, 'utf8'));
      if (m) return { activateMs: Number(m[1]), languageClientReadyMs: Number(m[2]) };
    }
    if (Date.now() > end) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The exthost log's "ExtensionService#_doActivateExtension gradlens.gradlens" line: when and why. */
function activationEvent(logs) {
  for (const f of filesUnder(logs, (n) => /exthost\.log$/.test(n))) {
    const line = readFileSync(f, 'utf8').split('\n').find((l) => l.includes('ExtensionService#_doActivateExtension gradlens.gradlens'));
    if (line) return { at: logTime(line), event: /activationEvent: '([^']*)'/.exec(line)?.[1] ?? null, line: line.trim() };
  }
  return null;
}

/** VS Code's own activation time (code loading + activate call) from Show Running Extensions. */
async function vscodeActivationMs(page) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill('>Developer: Show Running Extensions');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Running Extensions' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Gradlens' }).first();
  await row.waitFor({ timeout: 10_000 });
  const text = await row.locator('.activation-time').first().innerText({ timeout: 5_000 });
  const m = /([\d.]+)\s*ms/.exec(text);
  return m ? { ms: Number(m[1]), text: text.trim() } : { ms: null, text: text.trim() };
}

// --- The workspace: one small annotated file ----------------------------------------------------
const extensionsDir = join(base, 'extensions');
const workspace = join(base, 'workspace');
mkdirSync(workspace, { recursive: true });
const FILE = 'activation.ts';
writeFileSync(
  join(workspace, FILE),
  `/**
 * Rosenbrock's function.
 * @differentiable
 * @wrt x, y
 * @at x = 1.5, y = -0.25
 * @gradient rosenbrockGrad
 */
export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
}
`,
);
const settings = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'typescript.disableAutomaticTypeAcquisition': true,
  'files.autoSave': 'off',
};

// --- One run ------------------------------------------------------------------------------------
async function oneRun(i) {
  const userData = join(base, `user-data-${i}`);
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const port = await freePort();
  const output = [];
  let server;
  let context;
  try {
    server = start(bin, [
      '--extensions-dir', extensionsDir,
      '--user-data-dir', userData,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ], output);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, Math.min(60_000, left()));
    context = await chromium.launchPersistentContext(join(base, `chromium-${i}`), {
      executablePath: chromiumBin,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage', '--disable-extensions', '--no-first-run'],
    });
    trackChromium();
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(Math.max(1000, left()));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor();
    await page.locator('.explorer-folders-view').waitFor();

    // Open the file through Quick Open, as a person would: that is the activation event.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(FILE);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: FILE }).first().waitFor();
    const openedAt = Date.now();
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: 'Gradlens' }).first().waitFor();
    const statusAt = Date.now();
    await page.locator('.statusbar-item', { hasText: /Gradlens: .*function/ }).first().waitFor();
    const summaryAt = Date.now();

    const logs = join(userData, 'logs');
    const own = await activationLine(logs, Math.min(15_000, left()));
    const hostEvent = activationEvent(logs);
    let vscode = null;
    try {
      vscode = await vscodeActivationMs(page);
    } catch (e) {
      log(`run ${i + 1}: Show Running Extensions gave no figure: ${e.message.split('\n')[0]}`);
    }
    if (!own) throw new Error('the Gradlens output channel has no "Gradlens activated in" line (is the .vsix older than the client that writes it? run npm run package)');
    return {
      activateMs: own.activateMs,
      languageClientReadyMs: own.languageClientReadyMs,
      vscodeActivationMs: vscode?.ms ?? null,
      vscodeActivationText: vscode?.text ?? null,
      activationEvent: hostEvent?.event ?? null,
      openToActivationEventMs: hostEvent?.at != null ? hostEvent.at - openedAt : null,
      openToStatusItemMs: statusAt - openedAt,
      openToCheckSummaryMs: summaryAt - openedAt,
    };
  } catch (e) {
    const tail = output.join('').trim().split('\n').slice(-5).join(' | ');
    throw new Error(`${e.message.split('\n')[0]}${tail ? ` (code-server: ${tail})` : ''}`);
  } finally {
    await context?.close().catch(() => undefined);
    await stopGroup(server);
    if (!process.env.GRADLENS_ACTIVATION_KEEP) rmSync(userData, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

/** Chromium is started by playwright in a process group of its own: list it for the watchdog. */
function trackChromium() {
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const isChromium = /\(chrom/.test(stat);
      if (isChromium && Number(fields[1]) === process.pid && Number(fields[2]) === Number(p) && !groups.has(Number(p))) track(Number(p));
    } catch {
      /* gone */
    }
  }
}

// --- Main ---------------------------------------------------------------------------------------
let failure = null;
try {
  log(`installing ${env.vsix.file} into a fresh extensions dir (code-server ${env.codeServer}, VS Code ${env.vscode})`);
  const installOutput = [];
  const install = start(bin, ['--extensions-dir', extensionsDir, '--user-data-dir', join(base, 'user-data-install'), '--install-extension', vsix], installOutput);
  const code = await Promise.race([
    new Promise((r) => install.once('exit', (c) => r(c))),
    new Promise((r) => setTimeout(() => r('timeout'), Math.min(60_000, left()))),
  ]);
  await stopGroup(install);
  if (code !== 0) throw new Error(`installing the .vsix failed (${code}): ${installOutput.join('').trim().split('\n').slice(-3).join(' | ')}`);
  if (!readdirSync(extensionsDir).some((d) => d.startsWith(`${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).publisher}.${name}-`))) {
    throw new Error(`the extension is not in the extensions dir after --install-extension`);
  }
  for (let i = 0; i < RUNS; i++) {
    const r = await oneRun(i);
    runs.push(r);
    if (runs.length < RUNS) write({ available: true, inProgress: true, runsWanted: RUNS, runs, median: summary(), ...env });
    log(`run ${i + 1}: activate() ${r.activateMs} ms, language client ready ${r.languageClientReadyMs} ms, VS Code ${r.vscodeActivationMs ?? '—'} ms, open → summary ${r.openToCheckSummaryMs} ms`);
  }
} catch (e) {
  failure = e.message;
  log(`failed: ${failure}`);
}
clearTimeout(hardStop);
await cleanup();
const result = finish(failure);
log(result.available ? `median: ${JSON.stringify(result.median)}` : `not available: ${result.reason}`);
process.exit(0);
