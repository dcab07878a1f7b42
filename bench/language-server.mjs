// Language-server figures of SPEC §7, measured by driving `node dist/server.js --stdio` over
// JSON-RPC like any editor would: full analysis of the generated 2,000-line file (open → its
// diagnostics), re-analysis after an edit inside one function (change → diagnostics of that
// version), hover latency p50/p95, and the server's memory.
// Usage: node bench/language-server.mjs <out.json>

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ROOT_DIR } from './lib/objectives.mjs';
import { generateBigFile } from './lib/bigFile.mjs';
import { median } from './lib/timing.mjs';
import { serverCachedDataVersionTag, spawnServer } from './lib/serverProcess.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const result = { available: false, reason: null };
const save = () => writeFileSync(outPath, JSON.stringify(result, null, 1));

const EDITS = 15;
const HOVERS = 200;
const TIMEOUT_MS = 60_000;

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** VmRSS and VmHWM (peak) of a process in MB, from /proc (Linux). */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(/\s(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(key + ':')) ?? '')?.[1] ?? NaN);
    return { rssMB: kb('VmRSS') / 1024, peakRssMB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMB: null, peakRssMB: null };
  }
}

async function main() {
  const serverPath = join(ROOT_DIR, 'dist', 'server.js');
  if (!existsSync(serverPath)) {
    result.reason = 'dist/server.js does not exist (server/main.ts not built)';
    return;
  }
  const rpc = require('vscode-jsonrpc/node');
  const server = spawnServer({ stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  const logs = [];
  connection.onNotification('window/logMessage', (p) => logs.push(p.message));
  connection.onRequest(() => null); // client/registerCapability, workspace/codeLens/refresh, …
  const status = new Map();
  connection.onNotification('gradlens/status', (p) => status.set(p.uri, p));

  // Waiters for the diagnostics of a given document version
  const waiters = [];
  const published = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    published.set(p.version, p.diagnostics);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && (p.version === undefined || p.version >= w.version)) {
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

  try {
    // Whether the analysis worker's V8 code cache (written by dist/workerLoader.js) exists yet,
    // for a process with the server's V8 flags.
    const cachePath = require(join(ROOT_DIR, 'dist', 'workerLoader.js')).cachePathOf('analysis', Number(serverCachedDataVersionTag()));
    result.workerCodeCache = cachePath !== null && existsSync(cachePath);
    const t0 = performance.now();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: { versionSupport: true } } },
      // No workspace/configuration: the settings come from here. Debounce 0 so the figures are the analysis, not the wait.
      initializationOptions: { gradlens: { debounce: 0 } },
    });
    connection.sendNotification('initialized', {});
    result.initializeMs = performance.now() - t0;

    const { text, functions } = generateBigFile();
    const annotated = functions.length;
    const lines = text.split('\n').length - 1;

    // Full analysis, twice: the first open pays for the cold process (V8 compiling the engine),
    // the second is a new document of the same size in a warm process.
    const open = async (uri, version, body) => {
      const start = performance.now();
      const wait = diagnosticsOf(uri, version);
      connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version, text: body } });
      const p = await wait;
      return { ms: performance.now() - start, diagnostics: p.diagnostics };
    };
    const uri = pathToFileURL(join(ROOT_DIR, 'bench', '.build', 'big-file.ts')).href;
    const cold = await open(uri, 1, text);
    const uri2 = pathToFileURL(join(ROOT_DIR, 'bench', '.build', 'big-file-2.ts')).href;
    const warm = await open(uri2, 1, text.replaceAll('Family', 'Kind'));
    const byCode = {};
    for (const d of cold.diagnostics) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
    result.file = { lines, annotatedFunctions: annotated, diagnostics: cold.diagnostics.length, diagnosticsByCode: byCode, status: status.get(uri) ? { ...status.get(uri), uri: 'bench/.build/big-file.ts' } : null };
    result.fullAnalysisColdMs = cold.ms;
    result.fullAnalysisWarmMs = warm.ms;

    // Re-analysis after an edit inside one function: the literal in the middle function's body
    // changes (same length), and the diagnostics of that version arrive.
    const target = functions[Math.floor(functions.length / 2)];
    const editTimes = [];
    let version = 1;
    for (let e = 0; e < EDITS; e++) {
      version++;
      const literal = e % 2 === 0 ? (Number(target.edit.literal) + 0.01).toFixed(2) : target.edit.literal;
      const start = performance.now();
      const wait = diagnosticsOf(uri, version);
      connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [
          {
            range: { start: target.edit, end: { line: target.edit.line, character: target.edit.character + literal.length } },
            text: literal,
          },
        ],
      });
      await wait;
      editTimes.push(performance.now() - start);
    }
    result.edit = { function: target.name, edits: EDITS };
    result.reanalysisAfterEditMs = median(editTimes);
    result.reanalysisAfterEditP95Ms = quantile(editTimes, 0.95);

    // Hover on annotated function names, round trip per request
    const hoverTimes = [];
    let withContent = 0;
    for (let h = 0; h < HOVERS; h++) {
      const f = functions[(h * 37) % functions.length];
      const start = performance.now();
      const hover = await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: f.namePosition });
      hoverTimes.push(performance.now() - start);
      if (hover && hover.contents) withContent++;
    }
    result.hover = { requests: HOVERS, withContent, p50Ms: quantile(hoverTimes, 0.5), p95Ms: quantile(hoverTimes, 0.95) };
    result.memory = memoryOf(server.pid);
    result.functionsAnalysed = status.get(uri)?.functions ?? null;
    if (!result.functionsAnalysed) result.note = 'the server reported no analysed functions: the figures measure an engine that did no work (stub?)';
    result.available = true;

    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  } catch (e) {
    result.reason = `${e.message}${stderr ? ' — server stderr: ' + stderr.trim().split('\n').slice(-3).join(' | ') : ''}`;
  } finally {
    if (server.exitCode === null) server.kill();
    connection.dispose();
    if (logs.length) result.serverLog = logs.slice(-5);
  }
}

await main();
save();
process.exit(0);
