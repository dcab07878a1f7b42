import * as assert from 'node:assert/strict';
import { centerOn, defaultView, fitView, isVisible, keepInside, READABLE_SCALE, reveal, visibleRect, zoomAt } from '../../../client/webview/viewport';

const canvas = { width: 1000, height: 600 };

describe('webview viewport', () => {
  it('fits a small graph whole, at most 1.5×', () => {
    const v = defaultView({ width: 300, height: 200 }, canvas, { x: 0, y: 0, width: 10, height: 10 });
    assert.equal(v.scale, 1.5);
    assert.equal(v.x, (1000 - 450) / 2);
  });

  it('keeps a fit that shows text at 11 px or more, and zooms in past one that does not', () => {
    const fits = defaultView({ width: 1040, height: 400 }, canvas, { x: 0, y: 0, width: 10, height: 10 });
    assert.ok(fits.scale > 0.92 && fits.scale < 1, `scale ${fits.scale}`);
    const tooSmall = defaultView({ width: 1200, height: 400 }, canvas, { x: 0, y: 0, width: 10, height: 10 });
    assert.equal(tooSmall.scale, READABLE_SCALE);
  });

  it('opens a big graph at the readable scale around the focus node, not fitted into tiny text', () => {
    const graph = { width: 4400, height: 9100 };
    assert.ok(fitView(graph, canvas).scale < 0.07, 'the fit would make 12 px text under 1 px');
    const output = { x: 2000, y: 8900, width: 140, height: 50 };
    const v = defaultView(graph, canvas, output);
    assert.equal(v.scale, READABLE_SCALE);
    assert.ok(isVisible(v, output, canvas), 'the output is on screen');
    // Near the bottom edge, the view is pulled up so no more than a margin shows below the graph.
    assert.ok(v.y + graph.height * v.scale <= canvas.height, 'empty space below the graph');
    assert.ok(v.y + graph.height * v.scale >= canvas.height - 20);
  });

  it('reveals a node readably: unchanged if it is on screen, centred on it otherwise', () => {
    const v = { x: 0, y: 0, scale: 1 };
    const on = { x: 100, y: 100, width: 100, height: 40 };
    assert.equal(reveal(v, on, canvas), v);
    const off = { x: 3000, y: 100, width: 100, height: 40 };
    const moved = reveal(v, off, canvas);
    assert.ok(isVisible(moved, off, canvas));
    assert.deepEqual(moved, centerOn(off, canvas, 1));
    const far = reveal({ x: 0, y: 0, scale: 0.1 }, on, canvas);
    assert.equal(far.scale, READABLE_SCALE, 'a fitted-out view zooms in to read the node');
  });

  it('zooms about the pointer and reports the visible part for the minimap', () => {
    const v = zoomAt({ x: 10, y: 20, scale: 1 }, 2, 110, 220);
    assert.deepEqual(v, { x: -90, y: -180, scale: 2 });
    assert.deepEqual(visibleRect({ x: -100, y: -50, scale: 2 }, canvas), { x: 50, y: 25, width: 500, height: 300 });
    assert.equal(zoomAt(v, 1e9, 0, 0).scale, 4, 'clamped');
  });

  it('keeps a graph smaller than the canvas centred, and a larger one covering it', () => {
    assert.deepEqual(keepInside({ x: 500, y: 0, scale: 1 }, { width: 200, height: 100 }, canvas), { x: 400, y: 250, scale: 1 });
    const big = keepInside({ x: 300, y: -5000, scale: 1 }, { width: 2000, height: 2000 }, canvas);
    assert.deepEqual(big, { x: 20, y: 600 - 2000 - 20, scale: 1 });
  });
});
