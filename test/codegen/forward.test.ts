import * as assert from 'assert';
import { generateDerivative } from '../../engine/codegen/generate';
import { gradientAt } from '../../engine/queries';
import { FIXTURES } from './fixtures';
import { Arg, flat, load, relError, typeErrors } from './harness';

/** A fixed direction per argument, with the shape of the argument. */
function direction(args: Arg[], seed: number): Arg[] {
  let k = seed;
  const next = () => Math.sin(++k * 1.7) + 0.3;
  return args.map((a) => (typeof a === 'number' ? next() : a.map(() => next())));
}

describe('codegen: forward-mode JVPs and Hessians round-trip', function () {
  this.timeout(120_000);
  for (const fx of FIXTURES) {
    it(`JVP: ${fx.name}`, () => {
      const rev = generateDerivative(fx.src, fx.fn, 'reverse');
      const r = generateDerivative(fx.src, fx.fn, 'jvp');
      assert.ok(r.generated && rev.generated, `no code: ${JSON.stringify(r.diagnostics)}`);
      const full = `${fx.src}\n${r.generated.code}\n${rev.generated.code}`;
      assert.deepStrictEqual(typeErrors(full), [], r.generated.code);
      const mod = load(full);
      const args = Object.values(fx.point) as Arg[];
      const names = Object.keys(fx.point);
      const grad = mod[rev.generated.name](...args);
      // the tangents are the @wrt parameters' directions: read them off the JVP's extra parameters
      const wrt = fx.wrt ?? Object.keys(gradientAt(fx.src, fx.fn, fx.point).gradient ?? fx.point);
      const dirs = direction(wrt.map((n) => args[names.indexOf(n)]), 3);
      const [value, derivative] = mod[r.generated.name](...args, ...dirs) as [unknown, unknown];
      assert.ok(relError(flat(value), flat(mod[fx.fn](...args))) < 1e-14, 'value');
      // J·v from the (verified) reverse-mode gradient / Jacobian
      const v = flat(dirs);
      const vectorValued = Array.isArray(mod[fx.fn](...args));
      const rows: number[][] = vectorValued ? (grad as number[][]) : [flat(grad)];
      const jv = rows.map((row) => row.reduce((s, g, i) => s + g * v[i], 0));
      assert.ok(relError(flat(derivative), jv) < 1e-10, `got ${flat(derivative)} want ${jv}\n${r.generated.code}`);
    });
  }
  // (`scaled` calls a helper returning an array: its Hessian takes the helper's tangent by a call of its own)
  for (const fx of FIXTURES.filter((f) => f.fn !== 'polar')) {
    it(`Hessian: ${fx.name}`, () => {
      const rev = generateDerivative(fx.src, fx.fn, 'reverse');
      const r = generateDerivative(fx.src, fx.fn, 'hessian');
      assert.ok(r.generated && rev.generated, `no code: ${JSON.stringify(r.diagnostics)}`);
      // each as it would be inserted alone (both may generate the same helper's pullback)
      const full = `${fx.src}\n${r.generated.code}`;
      assert.deepStrictEqual(typeErrors(full), [], r.generated.code);
      const mod = load(full);
      const gradMod = load(`${fx.src}\n${rev.generated.code}`);
      const args = Object.values(fx.point) as Arg[];
      const H = mod[r.generated.name](...args) as number[][];
      // columns by central differences (Richardson) of the verified gradient
      const names = Object.keys(fx.point);
      const wrt = fx.wrt ?? Object.keys(gradientAt(fx.src, fx.fn, fx.point).gradient!);
      let col = 0;
      for (const n of wrt) {
        const pi = names.indexOf(n);
        const count = typeof args[pi] === 'number' ? 1 : (args[pi] as number[]).length;
        for (let k = 0; k < count; k++, col++) {
          const at = (delta: number) => {
            const a = args.map((x) => (Array.isArray(x) ? x.slice() : x));
            if (typeof a[pi] === 'number') a[pi] = (a[pi] as number) + delta; else (a[pi] as number[])[k] += delta;
            return flat(gradMod[rev.generated!.name](...a));
          };
          const x0 = typeof args[pi] === 'number' ? (args[pi] as number) : (args[pi] as number[])[k];
          const h = 1e-3 * Math.max(1, Math.abs(x0));
          const d = (s: number) => { const p = at(s); const m = at(-s); return p.map((x, i) => (x - m[i]) / (2 * s)); };
          const d1 = d(h);
          const d2 = d(h / 2);
          const fd = d1.map((x, i) => (4 * d2[i] - x) / 3);
          const got = H.map((row) => row[col]);
          assert.ok(relError(got, fd) < 1e-6, `column ${col}: got ${got} want ${fd}\n${r.generated.code}`);
        }
      }
      assert.strictEqual(H.length, col);
    });
  }
});

