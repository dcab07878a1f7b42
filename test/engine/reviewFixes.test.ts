// Two defects found reviewing the change: a wrong out-array gradient passed when the compiled path
// ran (compiled code wrote into a copy of `out`), and the Hessian witness wrote into the check
// point's rows (a shallow copy of a matrix parameter), so the point reported drifted.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine/analyzeFile';

describe('engine: review fixes', () => {
  it('a wrong out-array gradient of a function whose gradient is zero is wrong, on the compiled path too', () => {
    const at = Array.from({ length: 300 }, (_, i) => (0.01 * (i + 1)).toFixed(2)).join(', ');
    const text = `/**
 * @differentiable
 * @gradient zeroGrad out
 * @at x = [${at}]
 */
export function flat(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += 0 * x[i] * x[i];
  return s;
}

export function zeroGrad(x: number[], out: number[]): number[] {
  for (let i = 0; i < x.length; i++) out[i] = 1;
  return out;
}
`;
    const a = analyzeFile(text);
    assert.equal(a.functions[0].check?.status, 'wrong');
    assert.ok(a.diagnostics.some((d) => d.code === 'GL001'), JSON.stringify(a.diagnostics.map((d) => d.code)));
  });

  it('the Hessian check leaves a matrix check point as it was written', () => {
    const text = `/**
 * @differentiable
 * @wrt M
 * @at M = [[1, 2], [3, 4]]
 * @hessian trHess
 */
export function tr(M: number[][]): number {
  return M[0][0] * M[0][0] * M[1][1] + M[0][1] * M[1][0];
}

export function trHess(M: number[][]): number[][] {
  return [
    [2 * M[1][1], 0, 0, 2 * M[0][0]],
    [0, 0, 1, 0],
    [0, 1, 0, 0],
    [2 * M[0][0], 0, 0, 0],
  ];
}
`;
    const a = analyzeFile(text);
    const hess = (a.functions[0].checks ?? []).find((c) => c.kind === 'hessian');
    assert.ok(hess, JSON.stringify(a.diagnostics));
    assert.equal(hess.status, 'ok', JSON.stringify(a.diagnostics.map((d) => d.message)));
    for (const p of hess.points) assert.deepEqual(p.point.M, [[1, 2], [3, 4]]);
  });
});
