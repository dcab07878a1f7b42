// How the live features scale with the input (issue "Live checks at the speed of compiled code",
// item 6), measured like an editor sees them, over JSON-RPC against `node dist/server.js --stdio`:
// - open → diagnostics, and re-analysis after an edit inside one function (a literal replaced by
//   one of the same length, in the middle of the file and in the first function; and typing in the
//   first function, a digit added and taken away, which moves every range after it; and typing on,
//   a digit added after the last each time, which moves them once more each time), at 1k … 50k
//   lines, with the server's memory at each size right after the edits and, from 20k lines, after
//   12 s idle (a new server per size);
// - the CLI's files per second over 10 … 500 files of 200 lines: by default, on every core (`--jobs`) and on one.
// Usage: node bench/scale.mjs <out.json> [--quick] [--sizes 20000,50000] [--edits-only]
//   --sizes: the file sizes (lines) to measure; --edits-only: the server rows only, no CLI rows.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ROOT_DIR } from './lib/objectives.mjs';
import { generateBigFile } from './lib/bigFile.mjs';
import { median } from './lib/timing.mjs';
import { spawnServer } from './lib/serverProcess.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const quick = process.argv.includes('--quick');
const flag = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const SIZES = flag('--sizes')?.split(',').map(Number) ?? (quick ? [1000, 5000] : [1000, 5000, 20000, 50000]);
const FILE_COUNTS = process.argv.includes('--edits-only') ? [] : quick ? [10, 50] : [10, 100, 500];
const EDITS = quick ? 5 : 9;
const TIMEOUT_MS = 180_000;
/** How long the server is left idle before its memory is read again. */
const IDLE_MS = 12_000;
const result = { sizes: [], cli: [], cores: cpus().length };
const save = () => writeFileSync(outPath, JSON.stringify(result, null, 1));

function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(/\s(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(key + ':')) ?? '')?.[1] ?? NaN);
    return { rssMB: kb('VmRSS') / 1024, peakRssMB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMB: null, peakRssMB: null };
  }
}

/** The server's RSS plus its children's (the analysis worker is a thread, so this is one process). */
async function serverAt(lines, style = 'plain') {
  const rpc = require('vscode-jsonrpc/node');
  // GRADLENS_BENCH_NODE_ARGS: options for the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`, to profile it).
  const nodeArgs = process.env.GRADLENS_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const server = spawnServer({ stdio: ['pipe', 'pipe', 'pipe'] }, nodeArgs);
  let stderr = '';
  server.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  // GRADLENS_BENCH_STDERR=1: the server's log on this process's stderr (timings traced there).
  if (process.env.GRADLENS_BENCH_STDERR) server.stderr.pipe(process.stderr);
  // a reply the server asked for may still be on its way when it exits: not this bench's failure
  server.stdin.on('error', () => undefined);
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  connection.onRequest(() => null);
  const waiters = [];
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    for (const w of [...waiters]) {
      if (w.uri === p.uri && p.version !== undefined && p.version >= w.version) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  const diagnosticsOf = (uri, version) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for version ${version} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      waiters.push({ uri, version, resolve: (p) => (clearTimeout(timer), resolve(p)) });
    });
  // The server sends its status once an analysis is complete (diagnostics may stream in before).
  const statusWaiters = [];
  connection.onNotification('gradlens/status', (p) => {
    for (const w of [...statusWaiters]) if (w.uri === p.uri) { statusWaiters.splice(statusWaiters.indexOf(w), 1); w.resolve(p); }
  });
  const completeOf = (uri) => new Promise((resolve) => statusWaiters.push({ uri, resolve }));
  connection.listen();
  const row = { lines, style };
  try {
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions: { gradlens: { debounce: 0 } },
    });
    connection.sendNotification('initialized', {});
    const { text, functions } = generateBigFile(lines, undefined, style);
    row.functions = functions.length;
    const uri = pathToFileURL(join(ROOT_DIR, 'bench', '.build', `scale-${lines}${style === 'plain' ? '' : `-${style}`}.ts`)).href;
    let start = performance.now();
    let wait = diagnosticsOf(uri, 1);
    const complete = completeOf(uri);
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    const opened = await wait;
    row.openMs = performance.now() - start;
    row.diagnostics = opened.diagnostics.length;
    // Edits are timed once the whole file is analysed (the first diagnostics may be a partial result).
    await complete;
    row.openCompleteMs = performance.now() - start;
    let version = 1;
    /** EDITS edits, the e-th `changeOf(e)`, each timed until its diagnostics arrive: median and maximum. */
    const timedEdits = async (changeOf) => {
      const times = [];
      for (let e = 0; e < EDITS; e++) {
        version++;
        const change = changeOf(e);
        start = performance.now();
        wait = diagnosticsOf(uri, version);
        connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
        await wait;
        times.push(performance.now() - start);
      }
      return { medianMs: median(times), maxMs: Math.max(...times) };
    };
    const after = (target, by = 0) => ({ line: target.edit.line, character: target.edit.character + target.edit.literal.length + by });
    // A literal replaced by one of the same length (and back).
    const editAt = (target) => timedEdits((e) => {
      const literal = e % 2 === 0 ? (Number(target.edit.literal) + 0.01).toFixed(2) : target.edit.literal;
      return { range: { start: target.edit, end: { line: target.edit.line, character: target.edit.character + literal.length } }, text: literal };
    });
    // Typing: a digit added after the literal, then taken away, so that every range after it moves.
    const typeAt = (target) => timedEdits((e) => (e % 2 === 0
      ? { range: { start: after(target), end: after(target) }, text: '1' }
      : { range: { start: after(target), end: after(target, 1) }, text: '' }));
    // Typing on: a digit added after the last one each time (what typing is; the row above brings the
    // file back every second edit, which lets the server's caches of the text before serve again).
    const typeOnAt = (target) => timedEdits((e) => ({ range: { start: after(target, e), end: after(target, e) }, text: '1' }));
    row.editMiddle = await editAt(functions[Math.floor(functions.length / 2)]);
    row.editFirst = await editAt(functions[0]);
    row.typingFirst = await typeAt(functions[0]);
    row.typingOn = await typeOnAt(functions[0]);
    row.memory = memoryOf(server.pid);
    // And once the server has been idle a while: V8 collects the edits' garbage only when it has
    // been idle for some seconds (its memory reducer); at 20k lines and more, where that is most.
    if (lines >= 20000) {
      await new Promise((r) => setTimeout(r, IDLE_MS));
      row.memoryIdle = { ...memoryOf(server.pid), afterMs: IDLE_MS };
    }
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
  } catch (e) {
    row.error = `${e.message}${stderr ? ' — ' + stderr.trim().split('\n').slice(-2).join(' | ') : ''}`;
  } finally {
    // A moment to exit on its own (a profile is written at exit), then stopped.
    if (server.exitCode === null) await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
    if (server.exitCode === null) server.kill();
    connection.dispose();
  }
  return row;
}

/** `gradlens check` over `count` generated files of 200 lines (9 annotated functions each). */
function cliOver(count) {
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-scale-'));
  try {
    for (let i = 0; i < count; i++) {
      const { text } = generateBigFile(200, 9);
      writeFileSync(join(dir, `file${i}.ts`), text.replace(/Family/g, `File ${i}, family`));
    }
    // The median of three runs: one run of a second or two moves by ±15% on a two-core machine.
    const once = (jobs) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT_DIR, 'dist', 'cli.js'), 'check', dir, ...(jobs === null ? [] : ['--jobs', String(jobs)]), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
      const ms = performance.now() - t0;
      let files = null;
      try { files = JSON.parse(r.stdout).summary.files; } catch { /* reported below */ }
      return { jobs, ms, filesPerSecond: (count / ms) * 1000, exit: r.status, filesChecked: files };
    };
    const run = (jobs) => {
      const runs = [once(jobs), once(jobs), once(jobs)].sort((a, b) => a.ms - b.ms);
      return { ...runs[1], runsMs: runs.map((r) => Math.round(r.ms)) };
    };
    // The default (threads chosen by the CLI for this machine and count), every core, one thread.
    return { files: count, linesPerFile: 200, default: run(null), all: run(cpus().length), one: run(1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A write to a server that has exited (see above): EPIPE or a destroyed stream, not this bench's failure.
const GONE = new Set(['ERR_STREAM_DESTROYED', 'EPIPE']);
process.on('uncaughtException', (e) => {
  if (GONE.has(e?.code)) return;
  throw e;
});
process.on('unhandledRejection', (e) => {
  if (GONE.has(e?.code)) return;
  throw e;
});

for (const lines of SIZES) {
  result.sizes.push(await serverAt(lines));
  save();
}
// The same size written with classes and record types (bench/lib/bigFile.mjs `style`): their
// analyses depend on the file's types and classes, not only on the functions they involve.
if (SIZES.includes(20000)) {
  result.sizes.push(await serverAt(20000, 'classes'));
  save();
}
for (const count of FILE_COUNTS) {
  result.cli.push(cliOver(count));
  save();
}
save();
process.exit(0);
