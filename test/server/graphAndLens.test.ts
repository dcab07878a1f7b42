// The custom requests (gradlens/graph, gradlens/methods), code lenses, settings and the status
// notification, over stdio.

import * as assert from 'node:assert/strict';
import { Commands } from '../../server/protocol';
import { close } from './compileAndRun';
import { ROSENBROCK_DOC, ROSENBROCK_RIGHT, ROSENBROCK_WRONG, SUM_OF_SQUARES, uri } from './fixtures';
import { LspTestClient, positionOf } from './lspClient';

describe('server: graph request, methods request', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start(); });
  after(async () => { await client.stop(); });

  it('returns the graph of the function by name: forward values and adjoints at the check point', async () => {
    const u = uri('graph');
    await client.open(u, ROSENBROCK_RIGHT + SUM_OF_SQUARES);
    const r = await client.graph({ uri: u, functionName: 'rosenbrock' });
    assert.ok(r.graph, r.message);
    assert.deepEqual(r.functions.sort(), ['rosenbrock', 'sumSquares']);
    const g = r.graph;
    assert.equal(g.functionName, 'rosenbrock');
    assert.deepEqual(g.point, { x: 1.5, y: -0.25 });
    assert.equal(g.outputs.length, 1);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    assert.ok(close(byId.get(g.outputs[0])!.value, 625.25));
    const inputs = g.nodes.filter((n) => n.op === 'input');
    const x = inputs.find((n) => n.label === 'x')!;
    const y = inputs.find((n) => n.label === 'y')!;
    assert.ok(close(x.adjoint, 1501) && close(y.adjoint, -500), JSON.stringify(inputs));
    for (const e of g.edges) assert.ok(byId.has(e.from) && byId.has(e.to));
    for (const n of g.nodes) if (n.range) assert.ok(n.range.start >= 0 && n.range.end <= (ROSENBROCK_RIGHT + SUM_OF_SQUARES).length);
  });

  it('picks the function under a position, and takes an explicit point', async () => {
    const u = uri('graph-pos');
    const text = ROSENBROCK_RIGHT + SUM_OF_SQUARES;
    await client.open(u, text);
    const r = await client.graph({ uri: u, position: positionOf(text, 's += w[i]'), point: { w: [1, 2, 3] } });
    assert.ok(r.graph, r.message);
    assert.equal(r.graph.functionName, 'sumSquares');
    assert.ok(close(r.graph.nodes.find((n) => n.id === r.graph!.outputs[0])!.value, 14));
  });

  it('answers without a graph where there is no annotated function', async () => {
    const u = uri('graph-none');
    await client.open(u, 'const a = 1;\n');
    const r = await client.graph({ uri: u, position: { line: 0, character: 3 } });
    assert.equal(r.graph, null);
    assert.ok(r.message);
    const missing = await client.graph({ uri: 'file:///not/open.ts', functionName: 'f' });
    assert.equal(missing.graph, null);
  });

  it('compares the differentiation methods', async () => {
    const u = uri('methods');
    await client.open(u, ROSENBROCK_DOC);
    const r = await client.methods({ uri: u, functionName: 'rosenbrock' });
    assert.ok(r.comparison, r.message);
    const x = r.comparison.components.find((c) => c.label === 'x')!;
    assert.ok(close(x.forward, 1501) && close(x.reverse, 1501) && close(x.central, 1501, 1e-5));
    assert.ok(r.comparison.errorCurve.length > 3);
  });
});

describe('server: code lens, status, settings', function () {
  it('puts the check status and "Show graph" above each annotated function', async () => {
    const client = await LspTestClient.start();
    try {
      const u = uri('lens');
      await client.open(u, ROSENBROCK_WRONG);
      const status = await client.status(u);
      assert.deepEqual({ functions: status.functions, checked: status.checked, failing: status.failing }, { functions: 1, checked: 0, failing: 1 });
      assert.match(status.text, /1 function/);
      const lenses = await client.codeLenses(u);
      assert.equal(lenses.length, 2);
      const titles = lenses.map((l) => l.command!.title);
      assert.ok(titles.includes('Show graph'));
      assert.ok(titles.some((t) => t.startsWith('✗ rosenbrockGrad: y wrong')), titles.join(' | '));
      const show = lenses.find((l) => l.command!.title === 'Show graph')!;
      assert.equal(show.command!.command, Commands.showGraph);
      assert.deepEqual(show.command!.arguments, [u, 'rosenbrock']);
      assert.equal(show.range.start.line, positionOf(ROSENBROCK_WRONG, 'rosenbrock(').line);
    } finally {
      await client.stop();
    }
  });

  it('reads gradlens.* with workspace/configuration and honours codeLens = false', async () => {
    const client = await LspTestClient.start({ settings: { codeLens: { enabled: false }, debounce: 10 } });
    try {
      const u = uri('settings');
      await client.open(u, ROSENBROCK_RIGHT);
      await client.diagnostics(u);
      assert.ok(client.configurationRequests > 0);
      assert.deepEqual(await client.codeLenses(u), []);
    } finally {
      await client.stop();
    }
  });

  it('applies tolerances from the settings: a huge rtol accepts the wrong gradient', async () => {
    const client = await LspTestClient.start({ settings: { rtol: 0.9 } });
    try {
      const u = uri('rtol');
      await client.open(u, ROSENBROCK_WRONG);
      assert.deepEqual((await client.diagnostics(u)).filter((d) => d.code === 'GL001'), []);
    } finally {
      await client.stop();
    }
  });
});
