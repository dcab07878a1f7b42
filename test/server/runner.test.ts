// The LSP thread's analysis runner (server/analysisRunner.ts) against a stand-in worker script that
// speaks the worker protocol and can be told to hang or to exhaust its heap on one function: the
// watchdog stops only that function, every other queued job is re-sent to the new worker and
// answered, and the runaway function is reported instead of run again.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkerAnalysisRunner } from '../../server/analysisRunner';
import { DEFAULT_OPTIONS } from '../../engine/api';

const FAKE_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (msg) => {
  if (msg.type !== 'analyze') {
    if (msg.type === 'task') parentPort.postMessage({ id: msg.id, outcome: { ok: true, value: 'done', logs: [] } });
    return;
  }
  const stopped = new Map(msg.stopped ?? []);
  const diagnostics = [];
  for (const fn of msg.job.text.split(' ')) {
    parentPort.postMessage({ type: 'progress', id: msg.id, fn });
    if (stopped.has(fn)) { diagnostics.push({ code: 'GL007', severity: 'warning', message: stopped.get(fn), range: { start: 0, end: 1 }, functionName: fn }); continue; }
    if (fn === 'hang') for (;;) {}
    if (fn === 'balloon') { const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random())); }
  }
  parentPort.postMessage({ id: msg.id, outcome: { ok: true, analysis: { functions: [], diagnostics, candidates: [], skipped: [] }, ms: 1 } });
});
`;

function job(uri: string, text: string) {
  return { uri, version: 1, text, options: DEFAULT_OPTIONS };
}

describe('server: the analysis runner and its watchdog', function () {
  this.timeout(60_000);
  let dir: string;
  let script: string;
  const logs: string[] = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-runner-'));
    script = path.join(dir, 'fakeWorker.js');
    fs.writeFileSync(script, FAKE_WORKER);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stops only the function that hangs; the jobs queued behind it are answered by a new worker', async () => {
    const runner = new WorkerAnalysisRunner(script, (m) => logs.push(m), 500);
    try {
      const a = runner.analyze(job('file:///a.ts', 'first hang last'));
      const b = runner.analyze(job('file:///b.ts', 'one two'));
      const task = runner.run({ kind: 'graph', task: {} as never });
      const [ra, rb] = await Promise.all([a, b]);
      assert.ok(ra.ok && rb.ok, JSON.stringify([ra, rb]));
      assert.deepEqual(rb.analysis.diagnostics, []);
      assert.equal(ra.analysis.diagnostics.length, 1);
      assert.equal(ra.analysis.diagnostics[0].functionName, 'hang');
      assert.match(ra.analysis.diagnostics[0].message, /stopped analysing 'hang'.*took more than 0\.5 s.*rest of the file is analysed/);
      assert.equal(await task, 'done');
      assert.equal(runner.restartCount, 1);
    } finally {
      runner.dispose();
    }
  });

  it('a function that exhausts the worker heap costs that function only', async () => {
    const runner = new WorkerAnalysisRunner(script, (m) => logs.push(m), 30_000);
    try {
      const [ra, rb] = await Promise.all([
        runner.analyze(job('file:///c.ts', 'balloon fine')),
        runner.analyze(job('file:///d.ts', 'fine')),
      ]);
      assert.ok(ra.ok && rb.ok, JSON.stringify([ra, rb]));
      assert.equal(ra.analysis.diagnostics[0]?.functionName, 'balloon');
      assert.match(ra.analysis.diagnostics[0].message, /ran out of memory/);
      assert.equal(runner.restartCount, 1);
    } finally {
      runner.dispose();
    }
  });
});
