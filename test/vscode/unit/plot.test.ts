import * as assert from 'node:assert/strict';
import { ERROR_FLOOR, errorSeries, escapeXml, logLogPlotSvg } from '../../../client/webview/plot';

// Error curve of d/dx sin at x = 1 in double precision: one-sided ~ h/2 + ε/h, central ~ h²/6 + ε/h.
const eps = 2.2e-16;
const curve = [1e-1, 1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12].map((h) => ({
  h,
  forward: 0.42 * h + eps / h,
  central: 0.09 * h * h + eps / h,
  complexStep: h > 1e-6 ? 0.09 * h * h : 0,
}));

describe('methods view: log-log error plot', () => {
  it('builds one series per method, exact zeros drawn at the floor', () => {
    const s = errorSeries(curve);
    assert.deepEqual(s.map((x) => x.key), ['forward', 'central', 'complexStep']);
    const cs = s.find((x) => x.key === 'complexStep')!;
    assert.equal(cs.points.filter((p) => p.exact).length, 4);
    assert.ok(cs.points.filter((p) => p.exact).every((p) => p.error === ERROR_FLOOR));
  });

  it('leaves the complex step out where it does not apply, and drops non-finite errors', () => {
    const s = errorSeries([{ h: 1e-3, forward: 1e-3, central: NaN, complexStep: null }]);
    assert.deepEqual(s.map((x) => x.key), ['forward']);
  });

  it('draws the V: the one-sided error falls then rises as h shrinks', () => {
    const svg = logLogPlotSvg(curve);
    assert.match(svg, /^<svg class="plot"/);
    assert.match(svg, /<\/svg>$/);
    const path = /<path class="plot-line series-forward" d="([^"]+)"/.exec(svg)![1]!;
    const ys = path.split(/[ML]/).filter(Boolean).map((p) => Number(p.split(',')[1]));
    // Points are sorted by h ascending; y grows downward in SVG, so a minimum error is a maximum y.
    const best = ys.indexOf(Math.max(...ys));
    assert.ok(best > 0 && best < ys.length - 1, `the minimum error is at an end (${best}), not inside: no V`);
    assert.match(svg, />1e-12</, 'the h axis starts at the smallest step');
    assert.match(svg, /complex step/);
  });

  it('spans every step on the h axis, also when the largest step is below 1', () => {
    const steps = [0.15, 1.5e-4, 1.5e-8, 1.5e-12, 1.5e-16];
    const svg = logLogPlotSvg(steps.map((h) => ({ h, forward: h, central: h * h + 1e-16, complexStep: null })), 520, 320);
    const xs = [...svg.matchAll(/<circle class="plot-dot series-forward[^"]*" cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(xs.length, 5);
    // Plot area: x from 56 to 520 − 150 = 370.
    assert.ok(xs.every((x) => x >= 56 && x <= 370), `a point falls off the axis: ${xs.join(', ')}`);
    assert.match(svg, />1e-16</);
    assert.match(svg, />1e0</);
  });

  it('escapes text it embeds', () => {
    assert.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    assert.match(logLogPlotSvg([]), /No error curve/);
  });
});
