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

describe('codegen: reverse mode saves values once, where they are lost', () => {
  const code = (fn: string) => {
    const fx = FIXTURES.find((f) => f.fn === fn)!;
    const r = generateDerivative(fx.src, fx.fn, 'reverse');
    assert.ok(r.generated, JSON.stringify(r.diagnostics));
    return r.generated.code;
  };

  it('values saved inside a counted loop nest go on arrays sized before it, not pushed and popped', () => {
    const c = code('mixture');
    assert.match(c, /const qxElemStack = new Float64Array\(Math\.ceil\(N\) \* K \* Math\.ceil\(D\)\);/, c);
    assert.match(c, /const lStack = new Float64Array\(Math\.max\(0, Math\.ceil\(N\) \* K \* Math\.ceil\(D\) \* \(Math\.ceil\(D\) - 1\)\)\);/, c);
    assert.match(c, /const qxElem = qxElemStack\[--qxElemCount\];/, c);
    assert.doesNotMatch(c, /qxElemStack\.push|lStack\.push/, c);
    // the helper's pullback, called once per point: preallocated plain arrays
    assert.match(c, /const branchStack: boolean\[\] = new Array<boolean>\(Math\.max\(0, v\.length - 1\)\);/, c);
    assert.match(c, /const tStack: number\[\] = new Array<number>\(v\.length\);/, c);
  });

  it('an element read right after its store is recomputed from intact values, not saved', () => {
    const c = code('storeThenRead');
    assert.match(c, /const bElem = a\[r\] \* i \+ a\[\(r \+ 1\) % 3\];/, c);
    assert.doesNotMatch(c, /bElemStack/, c);
    // c[r] = … c[r] … reads the element it overwrites: saved
    assert.match(c, /cElemStack\[cElemCount\+\+\] = c\[r\];/, c);
  });

  it('an element filled by an earlier loop is recomputed where nothing it reads has changed since', () => {
    const c = code('loopThenRead');
    assert.match(c, /const fElem = a\[c\] \* i;/, c);
    assert.doesNotMatch(c, /fElemStack/, c);
    assert.match(c, /bElemStack\[bElemCount\+\+\] = b\[c\];/, c);
    assert.match(c, /eElemStack\[eElemCount\+\+\] = e\[c\];/, c);
  });
});

describe('codegen: reverse mode stores an adjoint element the first time it is written', () => {
  const code = (fn: string) => {
    const fx = FIXTURES.find((f) => f.fn === fn)!;
    const r = generateDerivative(fx.src, fx.fn, 'reverse');
    assert.ok(r.generated, JSON.stringify(r.diagnostics));
    return r.generated.code;
  };

  it('Rosenbrock: one store of dx[i] a iteration, no zero fill but for the last element', () => {
    const c = code('rosenbrockN');
    assert.match(c, /const dx = new Array<number>\(x\.length\);\n {2}if \(x\.length > 0\) dx\[x\.length - 1\] = 0;/, c);
    assert.match(c, /dx\[i \+ 1\] \+= da;\n {4}dx\[i\] = -db - 2 \* da \* x\[i\];/, c);
    assert.doesNotMatch(c, /dx\[i\] [-+]=/, c);
  });

  it('a stencil: the lowest offset is stored, the others still accumulate, the zero fill stays (two elements are never stored)', () => {
    const c = code('stencil');
    assert.match(c, /const dx = new Array<number>\(x\.length\)\.fill\(0\);/, c);
    assert.match(c, /dx\[i - 1\] = ds \+ dc \* x\[i\];\n {4}dx\[i\] \+= dc \* x\[i - 1\];\n {4}dx\[i \+ 1\] -= dc;/, c);
  });

  it('contributions of several statements to the fresh element are summed in their order', () => {
    const c = code('twiceSameOffset');
    assert.match(c, /const dx = new Array<number>\(x\.length\);\n/, c);
    assert.match(c, /dx\[i\] = ds \* t2 \+ dtNext \* t3 \+ 2 \* dt;/, c);
  });

  for (const fn of ['writeBeforeLoop', 'evenOdd', 'jumps', 'logistic', 'mlp']) {
    it(`not applied: ${fn}`, () => {
      const c = code(fn);
      assert.match(c, /= new Array<number>\([\w.]+\)\.fill\(0\);/, c);
      assert.doesNotMatch(c, /^\s*d\w*\[[^\]]*\] = (?!0;)/m, c);
    });
  }

  it('not in a pullback, whose adjoint arrays are the caller\'s to accumulate into', () => {
    const c = code('halves');
    assert.match(c, /dv\[i\] \+= /, c);
    assert.doesNotMatch(c, /dv\[i\] = /, c);
  });
});
