import * as assert from 'assert';
import { generateDerivative } from '../../engine/codegen/generate';
import { gradientAt } from '../../engine/queries';
import { FIXTURES } from './fixtures';
import { Arg, finiteDifferences, flat, load, relError, typeErrors } from './harness';

describe('codegen: reverse-mode gradients round-trip', function () {
  this.timeout(120_000);
  for (const fx of FIXTURES) {
    it(fx.name, () => {
      const r = generateDerivative(fx.src, fx.fn, 'reverse');
      assert.ok(r.generated, `no code: ${JSON.stringify(r.diagnostics)}`);
      const full = `${fx.src}\n${r.generated.code}`;
      assert.deepStrictEqual(typeErrors(full), [], full);
      const mod = load(full);
      const args = Object.values(fx.point) as Arg[];
      const got = flat(mod[r.generated.name](...args));
      const ad = gradientAt(fx.src, fx.fn, fx.point);
      // the engine's @at points cannot hold arrays of arrays: such fixtures are checked by differences only
      const matrixPoint = Object.values(fx.point).some((v) => Array.isArray(v) && Array.isArray(v[0]));
      if (!matrixPoint) {
        assert.deepStrictEqual(ad.diagnostics, []);
        const want = ad.jacobian ? flat(ad.jacobian) : flat(Object.values(ad.gradient!));
        assert.ok(relError(got, want) < 1e-10, `vs AD: got ${got}\nwant ${want}\n${r.generated.code}`);
      }
      const wrtNames = fx.wrt ?? (ad.gradient ? Object.keys(ad.gradient) : Object.keys(fx.point));
      const names = Object.keys(fx.point);
      const fd = flat(finiteDifferences(mod[fx.fn] as (...a: Arg[]) => number, args, wrtNames.map((n) => names.indexOf(n))));
      assert.ok(relError(got, fd) < 1e-7, `vs finite differences: got ${got}\nwant ${fd}`);
    });
  }
});
