// How the live features scale with the input (issue "Live checks at the speed of compiled code",
// item 6), measured like an editor sees them, over JSON-RPC against `node dist/server.js --stdio`:
// - open → diagnostics, and re-analysis after an edit inside one function (in the middle of the
//   file, and in the first function, which moves every range after it), at 1k … 50k lines, with
//   the server's memory at each size (a new server per size);
// - the CLI's files per second over 10 … 500 files of 200 lines, on every core (`--jobs`) and on one.
// Usage: node bench/scale.mjs <out.json> [--quick]

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ROOT_DIR } from './lib/objectives.mjs';
import { generateBigFile } from './lib/bigFile.mjs';
import { median } from './lib/timing.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const quick = process.argv.includes('--quick');
const SIZES = quick ? [1000, 5000] : [1000, 5000, 20000, 50000];
const FILE_COUNTS = quick ? [10, 50] : [10, 100, 500];
const EDITS = quick ? 5 : 9;
const TIMEOUT_MS = 180_000;
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
async function serverAt(lines) {
  const rpc = require('vscode-jsonrpc/node');
  const server = spawn(process.execPath, [join(ROOT_DIR, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
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
  connection.listen();
  const row = { lines };
  try {
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions: { gradlens: { debounce: 0 } },
    });
    connection.sendNotification('initialized', {});
    const { text, functions } = generateBigFile(lines);
    row.functions = functions.length;
    const uri = pathToFileURL(join(ROOT_DIR, 'bench', '.build', `scale-${lines}.ts`)).href;
    let start = performance.now();
    let wait = diagnosticsOf(uri, 1);
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    const opened = await wait;
    row.openMs = performance.now() - start;
    row.diagnostics = opened.diagnostics.length;
    let version = 1;
    const editAt = async (target) => {
      const times = [];
      for (let e = 0; e < EDITS; e++) {
        version++;
        const literal = e % 2 === 0 ? (Number(target.edit.literal) + 0.01).toFixed(2) : target.edit.literal;
        start = performance.now();
        wait = diagnosticsOf(uri, version);
        connection.sendNotification('textDocument/didChange', {
          textDocument: { uri, version },
          contentChanges: [{ range: { start: target.edit, end: { line: target.edit.line, character: target.edit.character + literal.length } }, text: literal }],
        });
        await wait;
        times.push(performance.now() - start);
      }
      return { medianMs: median(times), maxMs: Math.max(...times) };
    };
    row.editMiddle = await editAt(functions[Math.floor(functions.length / 2)]);
    row.editFirst = await editAt(functions[0]);
    row.memory = memoryOf(server.pid);
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
  } catch (e) {
    row.error = `${e.message}${stderr ? ' — ' + stderr.trim().split('\n').slice(-2).join(' | ') : ''}`;
  } finally {
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
    const run = (jobs) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT_DIR, 'dist', 'cli.js'), 'check', dir, '--jobs', String(jobs), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
      const ms = performance.now() - t0;
      let files = null;
      try { files = JSON.parse(r.stdout).summary.files; } catch { /* reported below */ }
      return { jobs, ms, filesPerSecond: (count / ms) * 1000, exit: r.status, filesChecked: files };
    };
    return { files: count, linesPerFile: 200, all: run(cpus().length), one: run(1) };
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
for (const count of FILE_COUNTS) {
  result.cli.push(cliOver(count));
  save();
}
save();
process.exit(0);
