// Only what changed crosses from the worker (issue 15 item 4): the worker names the functions whose
// analysis it sent last time and sends the others; the LSP thread rebuilds the whole analysis. The
// rebuilt analysis must equal the engine's, a delta against another base must be asked again in full.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeFile, AnalysisCache, FileAnalysisJob } from '../../engine/analyzeFile';
import { DEFAULT_OPTIONS } from '../../engine/api';
import { placedStats } from '../../engine/ranges';
import { InProcessAnalysisRunner, WorkerAnalysisRunner } from '../../server/analysisRunner';
import { analysedFunctions, decodeAnalysis, encodeAnalysis, functionPlaces, sentAnalysis } from '../../server/workerProtocol';
import { ensureServerBuilt } from './lspClient';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { hoverAt } from '../../server/hover';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function file(count: number, wrongAt = -1): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = (1 + i / 10).toFixed(1);
    out.push(`/**\n * @differentiable\n * @at x = 0.5\n */\nexport function f${i}(x: number): number {\n  return ${c} * x * x;\n}\n`);
    out.push(`export function f${i}Grad(x: number): number {\n  return ${i === wrongAt ? '3' : (2 * Number(c)).toFixed(1)} * x;\n}\n`);
  }
  return out.join('\n');
}

/** Through the structured clone a worker message goes through. */
const wire = <T>(x: T): T => structuredClone(x);

/** The job of `text` run to the end (as the worker runs it). */
function analysed(text: string, cache: AnalysisCache): FileAnalysisJob {
  const job = new FileAnalysisJob(text, {}, cache);
  while (job.step()) { /* one function per step */ }
  return job;
}

describe('server: analyses sent as what changed', () => {
  it('an edit in one function sends that function; the rebuilt analysis is the engine’s', () => {
    const cache = new AnalysisCache();
    const t1 = file(30, 4);
    const j1 = analysed(t1, cache);
    const a1 = j1.result();
    assert.ok(a1.diagnostics.some((d) => d.code === 'GL001' && d.functionName === 'f4'));
    const first = wire(encodeAnalysis(j1.resultParts(), undefined, 1));
    assert.equal(first.functions.filter((f) => typeof f === 'string').length, 0);
    const received1 = decodeAnalysis(first, undefined)!;
    assert.deepEqual(received1.analysis, a1);

    const t2 = t1.replace('return 1.7 * x * x;', 'return 1.8 * x * x;');
    assert.notEqual(t2, t1);
    const j2 = analysed(t2, cache);
    const delta = wire(encodeAnalysis(j2.resultParts(), sentAnalysis(j1.resultParts(), 1), 2));
    assert.deepEqual(delta.functions.filter((f) => typeof f !== 'string').map((f) => (f as { name: string }).name), ['f7']);
    // f4's GL001 is named, not sent again.
    assert.ok(delta.diagnostics.some((d) => 'ref' in d && d.ref[0] === 'f4'));
    assert.ok(JSON.stringify(delta).length * 5 < JSON.stringify(j2.result()).length);
    const received2 = decodeAnalysis(delta, received1.received)!;
    assert.deepEqual(received2.analysis, analyzeFile(t2));
  });

  it('typing above the functions sends how far they moved; none is copied until it is read, and then each lands on its code', () => {
    const cache = new AnalysisCache();
    const t1 = file(60, 9);
    const j1 = analysed(t1, cache);
    const received1 = decodeAnalysis(wire(encodeAnalysis(j1.resultParts(), undefined, 1)), undefined)!;
    assert.deepEqual(received1.analysis.functions, j1.result().functions);
    let text = t1;
    let last = { parts: j1.resultParts(), received: received1.received, seq: 1 };
    // A digit typed in the first function and taken away again, twice (its value kept, so its check stays right): every later function moves, then back.
    for (const [k, next] of [t1.replace('return 1.0 * x * x;', 'return 1.00 * x * x;'), t1, t1.replace('return 1.0 * x * x;', 'return 1.000 * x * x;'), t1].entries()) {
      text = next;
      const before = placedStats.moved;
      const job = analysed(text, cache);
      const parts = job.resultParts();
      // The later functions' analyses are the very objects first made, each with how far it moved.
      for (const p of parts.functions.slice(1)) {
        assert.equal(p.analysis, j1.resultParts().functions.find((q) => q.analysis.name === p.analysis.name)!.analysis, p.analysis.name);
        // the function and its gradient, each moved (by the digits typed) or back (0, kept once moved)
        assert.deepEqual(p.shifts.map((d) => d.delta), [[1, 1], [0, 0], [2, 2], [0, 0]][k], p.analysis.name);
      }
      const delta = wire(encodeAnalysis(parts, sentAnalysis(last.parts, last.seq), last.seq + 1));
      const moved = delta.functions.filter((f) => typeof f === 'object' && 'moved' in f);
      assert.ok(moved.every((f) => !('analysis' in f)), 'a moved analysis was sent again');
      // Moved from where they were made: a record each; back there, and out again: one run of all of them.
      const runs = delta.functions.filter((f) => typeof f === 'object' && 'from' in f);
      if (k === 0) assert.equal(moved.length, 59, `edit ${k}`);
      else assert.deepEqual([moved.length, runs], [0, [{ from: 1, count: 59, by: [0, -1, 2, -2][k] }]], `edit ${k}`);
      // f9's GL001 is named, not sent again.
      assert.ok(delta.diagnostics.some((d) => 'ref' in d && d.ref[0] === 'f9'));
      const received = decodeAnalysis(delta, last.received)!;
      // Publishing reads the diagnostics: moved one by one, no analysis copied.
      const gl001 = received.analysis.diagnostics.find((d) => d.code === 'GL001')!;
      assert.equal(text.slice(gl001.range.start, gl001.range.end), '3 * x');
      assert.deepEqual(analysedFunctions(received.analysis).map((f) => f.check?.status), analyzeFile(text).functions.map((f) => f.check?.status));
      assert.equal(placedStats.moved - before, 0, 'analyses were copied to move them');
      // Where each function now is (lenses, inlay hints), without copying any analysis; one placed on demand.
      const places = functionPlaces(received.analysis);
      assert.equal(placedStats.moved - before, 0, 'places were read by copying analyses');
      assert.equal(text.slice(places[9].nameRange.start, places[9].nameRange.end), 'f9');
      assert.equal(places[9].placed().check?.status, 'wrong');
      assert.equal(placedStats.moved - before, k % 2 === 0 ? 1 : 0);
      // A hover on a function's name, then on its hand-written gradient's: that function alone is placed.
      const snap = { uri: 'file:///delta.ts', version: k + 2, doc: TextDocument.create('file:///delta.ts', 'typescript', k + 2, text), analysis: received.analysis, ms: 0 };
      const onName = hoverAt(snap, text.indexOf('function f20(') + 'function '.length + 1);
      assert.equal(text.slice(onName!.range.start, onName!.range.end), 'f20');
      assert.match(onName!.markdown, /\*\*f20\*\*/);
      const onGradient = hoverAt(snap, text.indexOf('function f21Grad(') + 'function '.length + 1);
      assert.equal(text.slice(onGradient!.range.start, onGradient!.range.end), 'f21Grad');
      assert.match(onGradient!.markdown, /of `f21`/);
      assert.equal(placedStats.moved - before, k % 2 === 0 ? 3 : 0);
      // Read (a hover, a lens): moved then, and what a fresh analysis gives.
      assert.deepEqual(received.analysis, analyzeFile(text));
      assert.deepEqual(places.map((p) => [p.range, p.nameRange]), received.analysis.functions.map((f) => [f.range, f.nameRange]));
      assert.equal(placedStats.moved - before, k % 2 === 0 ? 59 : 0); // (f9's, f20's and f21's, placed above, are not copied again)
      assert.ok(JSON.stringify(delta).length * 5 < JSON.stringify(job.result()).length);
      last = { parts, received: received.received, seq: last.seq + 1 };
    }
  });

  it('typing on: each character moves every function after it once more, and they are sent as one run', () => {
    const cache = new AnalysisCache();
    // (with functions that could be annotated: the candidates move too)
    const t1 = `${file(60, 9)}\nexport function plain1(x: number): number { return Math.sin(x) * x; }\nexport function plain2(x: number): number { return x * x; }\n`;
    const j1 = analysed(t1, cache);
    let last = { parts: j1.resultParts(), received: decodeAnalysis(wire(encodeAnalysis(j1.resultParts(), undefined, 1)), undefined)!.received, seq: 1 };
    let literal = '1.0';
    for (let k = 0; k < 4; k++) {
      literal += '0';
      const text = t1.replace('return 1.0 * x * x;', `return ${literal} * x * x;`);
      const job = analysed(text, cache);
      const parts = job.resultParts();
      const delta = wire(encodeAnalysis(parts, sentAnalysis(last.parts, last.seq), last.seq + 1));
      const records = delta.functions.filter((f) => typeof f === 'object');
      // The first character moves them from where they were made (a record each); each next one, by one more.
      if (k === 0) assert.equal(records.length, 60, 'f0 and 59 moved');
      else assert.deepEqual(records.slice(1), [{ from: 1, count: 59, by: 1 }]);
      assert.deepEqual(delta.candidates, { same: 0, by: 1 });
      const received = decodeAnalysis(delta, last.received)!;
      const gl001 = received.analysis.diagnostics.find((d) => d.code === 'GL001')!;
      assert.equal(text.slice(gl001.range.start, gl001.range.end), '3 * x');
      assert.deepEqual(received.analysis, analyzeFile(text));
      assert.deepEqual(received.analysis.candidates.map((c) => text.slice(c.nameRange.start, c.nameRange.end)), ['plain1', 'plain2']);
      if (k > 0) assert.ok(JSON.stringify(delta.functions.slice(1)).length < 100, JSON.stringify(delta.functions.slice(1)));
      last = { parts, received: received.received, seq: last.seq + 1 };
    }
  });

  it('typing a character and taking it away, again and again: after the first, every move is sent as one run', () => {
    // (Back where they were made, the functions keep a shift of 0 per span: a move back and the
    // next move out are each "by one more" than the last. With no shift kept, each was a record per function.)
    const cache = new AnalysisCache();
    const t0 = file(60, 9);
    const typed = t0.replace('return 1.0 * x * x;', 'return 1.00 * x * x;');
    const j0 = analysed(t0, cache);
    let last = { parts: j0.resultParts(), received: decodeAnalysis(wire(encodeAnalysis(j0.resultParts(), undefined, 1)), undefined)!.received, seq: 1 };
    for (let k = 0; k < 6; k++) {
      const text = k % 2 === 0 ? typed : t0;
      const parts = analysed(text, cache).resultParts();
      const delta = wire(encodeAnalysis(parts, sentAnalysis(last.parts, last.seq), last.seq + 1));
      const records = delta.functions.slice(1).filter((f) => typeof f === 'object');
      if (k === 0) assert.equal(records.length, 59, 'moved from where they were made: a record each');
      else assert.deepEqual(records, [{ from: 1, count: 59, by: k % 2 === 0 ? 1 : -1 }]);
      const received = decodeAnalysis(delta, last.received)!;
      assert.deepEqual(received.analysis, analyzeFile(text));
      const gl001 = received.analysis.diagnostics.find((d) => d.code === 'GL001')!;
      assert.equal(text.slice(gl001.range.start, gl001.range.end), '3 * x');
      last = { parts, received: received.received, seq: last.seq + 1 };
    }
  });

  it('a delta against another base than the last one received is refused', () => {
    const job = analysed(file(3), new AnalysisCache());
    const parts = job.resultParts();
    const delta = encodeAnalysis(parts, sentAnalysis(parts, 5), 6);
    assert.equal(decodeAnalysis(delta, sentAnalysis(parts, 4)), null);
    assert.equal(decodeAnalysis(delta, undefined), null);
    assert.equal(decodeAnalysis(delta, sentAnalysis({ functions: parts.functions.slice(1) }, 5)), null);
  });
});

// A stand-in worker: answers each analysis with a delta whose functions all refer to the base it
// is told (in the text), unless the runner asks for the whole analysis.
const FAKE_WORKER = `
const { parentPort } = require('node:worker_threads');
let seq = 0;
parentPort.on('message', (msg) => {
  if (msg.type !== 'analyze') return;
  const fn = (name) => ({ name, range: { start: 0, end: 1 }, nameRange: { start: 0, end: 1 }, params: [], wrt: [], vectorValued: false, points: [], value: 1, gradient: null, jacobian: null, closedForm: null, check: null, locals: [], diagnostics: [], closedFormAvailable: false });
  const base = Number(msg.job.text);
  seq++;
  const delta = msg.full || base < 0
    ? { base: -1, seq, functions: [fn('a'), fn('b')], diagnostics: [], candidates: [], skipped: [] }
    : { base, seq, functions: ['a', fn('b')], diagnostics: [], candidates: [], skipped: [] };
  parentPort.postMessage({ id: msg.id, outcome: { ok: true, delta, ms: 1, full: !!msg.full } });
});
`;

// A stand-in worker that takes 300 ms over the text 'slow' and answers relative to a base the
// runner never received (so the runner asks again in full); each function's value counts the
// analyses it was asked for.
const SLOW_WORKER = `
const { parentPort } = require('node:worker_threads');
let analyses = 0, seq = 0;
parentPort.on('message', (msg) => {
  if (msg.type !== 'analyze') return;
  analyses++;
  const fn = (name) => ({ name, range: { start: 0, end: 1 }, nameRange: { start: 0, end: 1 }, params: [], wrt: [], vectorValued: false, points: [], value: analyses, gradient: null, jacobian: null, closedForm: null, check: null, locals: [], diagnostics: [], closedFormAvailable: false });
  const answer = () => parentPort.postMessage({ id: msg.id, outcome: { ok: true, delta: { base: msg.full ? -1 : 7, seq: ++seq, functions: [fn('a')], diagnostics: [], candidates: [], skipped: [] }, ms: 1 } });
  if (msg.job.text === 'slow') setTimeout(answer, 300); else answer();
});
`;

describe('server: the runner rebuilds analyses from deltas', function () {
  this.timeout(120_000);
  let dir: string;
  let script: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-delta-'));
    script = path.join(dir, 'fakeWorker.js');
    fs.writeFileSync(script, FAKE_WORKER);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('asks again in full when a delta is relative to an analysis it does not have', async () => {
    const runner = new WorkerAnalysisRunner(script, () => undefined);
    try {
      const job = (text: string) => runner.analyze({ uri: 'file:///a.ts', version: 1, text, options: DEFAULT_OPTIONS });
      const o1 = await job('-1');
      assert.ok(o1.ok);
      assert.deepEqual(o1.ok && o1.analysis.functions.map((f) => f.name), ['a', 'b']);
      // Relative to seq 1, which the runner has: rebuilt.
      const o2 = await job('1');
      assert.deepEqual(o2.ok && o2.analysis.functions.map((f) => f.name), ['a', 'b']);
      // Relative to seq 99, which it never received: asked again in full, still answered.
      const o3 = await job('99');
      assert.deepEqual(o3.ok && o3.analysis.functions.map((f) => f.name), ['a', 'b']);
      assert.equal(o3.ok && o3.analysis.functions[0].value, 1);
    } finally {
      runner.dispose();
    }
  });

  it('a document closed during its analysis: the analysis ends at once, and its answer is not asked for again', async () => {
    const slow = path.join(dir, 'slowWorker.js');
    fs.writeFileSync(slow, SLOW_WORKER);
    const runner = new WorkerAnalysisRunner(slow, () => undefined);
    try {
      const closing = runner.analyze({ uri: 'file:///closed.ts', version: 1, text: 'slow', options: DEFAULT_OPTIONS });
      const t0 = Date.now();
      runner.forget('file:///closed.ts');
      const outcome = await closing;
      assert.equal(outcome.ok, false);
      assert.ok(Date.now() - t0 < 250, 'ended before the worker answered');
      // The worker's answer (relative to a base the runner never had) comes and is dropped.
      await new Promise((r) => setTimeout(r, 500));
      // Another document: its answer is asked for again in full, the third analysis the worker
      // made (a fourth, had the closed one been asked for again).
      const other = await runner.analyze({ uri: 'file:///other.ts', version: 1, text: 'now', options: DEFAULT_OPTIONS });
      assert.deepEqual(other.ok && other.analysis.functions.map((f) => [f.name, f.value]), [['a', 3]]);
    } finally {
      runner.dispose();
    }
  });

  it('in process (GRADLENS_ANALYSIS_IN_PROCESS=1): an analysis queued before its document closed does not run', async () => {
    const entry = path.join(dir, 'inProcessEntry.js');
    fs.writeFileSync(entry, `let runs = 0;
module.exports = {
  analyzeNow: (job) => ({ ok: true, analysis: { functions: [], diagnostics: [], candidates: [], skipped: [], runs: ++runs }, ms: 0 }),
  runTaskNow: () => ({ ok: true, value: null, logs: [] }),
};
`);
    const runner = new InProcessAnalysisRunner(entry, () => undefined);
    const job = { uri: 'file:///closed.ts', version: 1, text: '', options: DEFAULT_OPTIONS };
    const closing = runner.analyze(job);
    runner.forget(job.uri);
    assert.equal((await closing).ok, false);
    const opened = await runner.analyze(job);
    assert.equal(opened.ok && (opened.analysis as unknown as { runs: number }).runs, 1, 'the closed one never ran');
    runner.dispose();
  });

  it('the real worker: an edit inside one function gives what a fresh analysis gives', async () => {
    ensureServerBuilt();
    const runner = new WorkerAnalysisRunner(path.join(ROOT, 'dist', 'workerLoader.js'), () => undefined);
    try {
      const uri = 'file:///delta-real.ts';
      const t1 = file(12, 2);
      const o1 = await runner.analyze({ uri, version: 1, text: t1, options: DEFAULT_OPTIONS });
      assert.ok(o1.ok);
      assert.deepEqual(o1.ok && o1.analysis, analyzeFile(t1));
      const t2 = t1.replace('return 1.5 * x * x;', 'return 1.5 * x * x * 1;');
      assert.notEqual(t2, t1);
      const o2 = await runner.analyze({ uri, version: 2, text: t2, options: DEFAULT_OPTIONS });
      assert.deepEqual(o2.ok && o2.analysis, analyzeFile(t2));
      // Closed and opened again: the worker forgets what it sent, and sends everything.
      runner.forget(uri);
      const o3 = await runner.analyze({ uri, version: 3, text: t1, options: DEFAULT_OPTIONS });
      assert.deepEqual(o3.ok && o3.analysis, analyzeFile(t1));
    } finally {
      runner.dispose();
    }
  });
});
