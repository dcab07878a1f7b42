// Property-based tests: random programs of the differentiable subset (randomPrograms.ts) are
// differentiated every way the engine knows, and the answers must agree: forward = reverse =
// complex step to 1e-10 relative, symbolic likewise where it applies, finite differences to a loose
// tolerance; the Hessian is symmetric and matches finite differences of the gradient; JVPs and HVPs
// are the products they claim to be. The generator itself is checked too: its programs are valid
// strict TypeScript, lower without a diagnostic, and mean in the interpreter what they mean in
// JavaScript.

import assert from 'node:assert/strict';
import vm from 'node:vm';
import fc from 'fast-check';
import ts from 'typescript';
import { Value, flatten } from '../../engine/evaluate';
import { Differentiator } from '../../engine/differentiate';
import { Point } from '../../engine/ir';
import { validatePoint } from '../../engine/checkPoints';
import { parseProgram } from '../../engine/program';
import { generateDerivative } from '../../engine/codegen/generate';
import { symbolicDerivativeValue } from '../../engine/symbolic/differentiate';
import { FEATURES, RandomProgram, buildRandomProgram, randomProgram } from './randomPrograms';

const SEED = 20240611;
const BUDGET = 1_000_000;

/** |a − b| ≤ rtol·max(|a|, |b|) + atol. */
function close(a: number, b: number, rtol: number, atol: number): boolean {
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

function assertClose(actual: number[][], expected: number[][], rtol: number, atol: number, what: string, rp: RandomProgram) {
  assert.equal(actual.length, expected.length, `${what}: number of rows`);
  actual.forEach((row, r) => {
    assert.equal(row.length, expected[r].length, `${what}: number of columns`);
    row.forEach((a, k) => {
      const b = expected[r][k];
      if (!close(a, b, rtol, atol)) {
        assert.fail(`${what} [${r}][${k}]: ${a} vs ${b} (rel ${Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))}) at ${JSON.stringify(rp.point)}\n${rp.text}`);
      }
    });
  });
}

function setup(rp: RandomProgram) {
  const program = parseProgram(rp.text);
  const lowered = program.lower(rp.fnName);
  assert.ok(lowered, 'the function is found');
  assert.deepEqual(lowered.diagnostics.map((d) => `${d.code} ${d.message}`), [], `lowering diagnostics\n${rp.text}`);
  assert.ok(lowered.fn.ok);
  const d = new Differentiator(program, lowered.fn, rp.wrt, rp.point, BUDGET);
  return { program, fn: lowered.fn, d };
}

/** A point with the `@wrt` components replaced by `x` (flat). */
function movePoint(d: Differentiator, point: Point, x: number[]): Point {
  return { ...point, ...d.toGradient(x) };
}

function flatValue(v: Value<number>): number[] {
  return flatten(v) as number[];
}

/** Runs the program as plain JavaScript (transpiled, in a fresh context) at its point. */
function runAsJavaScript(rp: RandomProgram): number[] {
  return runExport(rp, rp.text, rp.fnName);
}

function flatNumbers(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) || v instanceof Float64Array) return Array.from(v as ArrayLike<unknown>).flatMap(flatNumbers);
  throw new Error(`not a number or an array of numbers: ${String(v)}`);
}

/** Transpiles `source`, runs it in a fresh context, and calls its export `name` with the program's point (and `extra` arguments). */
function runExport(rp: RandomProgram, source: string, name: string, extra: unknown[] = []): number[] {
  return flatNumbers(callExport(rp, source, name, extra));
}

function callExport(rp: RandomProgram, source: string, name: string, extra: unknown[] = []): unknown {
  const js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
    reportDiagnostics: true,
  });
  assert.deepEqual(js.diagnostics ?? [], [], 'transpile diagnostics');
  const exports: Record<string, unknown> = {};
  vm.runInNewContext(js.outputText, { exports, module: { exports } }, { timeout: 2000 });
  const args = rp.params.map((p) => {
    const v = rp.point[p.name];
    return p.typeText === 'Float64Array' ? new Float64Array(v as number[]) : v;
  });
  return (exports[name] as (...a: unknown[]) => unknown)(...args, ...extra);
}

/** Type-checks source files with `tsc --strict` semantics, in memory. */
function typeCheck(files: Map<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true, noImplicitReturns: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'],
    noEmit: true, types: [], skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? read(f);
  host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
  host.getSourceFile = (f, lang, onError) => {
    const text = files.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, onError);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('random programs of the subset (property-based)', function () {
  this.timeout(120_000);

  describe('the generator', () => {
    it('writes valid strict TypeScript', () => {
      const samples = fc.sample(randomProgram(), { numRuns: 60, seed: SEED });
      samples.push(...fc.sample(randomProgram({ straightLine: true }), { numRuns: 20, seed: SEED }));
      const files = new Map(samples.map((rp, i) => [`/random/program${i}.ts`, rp.text]));
      const errors = typeCheck(files);
      assert.deepEqual(errors, [], errors.length > 0 ? files.get(errors[0].split(':')[0]) : undefined);
    });

    it('writes programs that lower without a diagnostic, helpers included', () => {
      fc.assert(fc.property(randomProgram(), (rp) => {
        const program = parseProgram(rp.text);
        for (const name of [rp.fnName, ...rp.helpers]) {
          const lowered = program.lower(name);
          assert.ok(lowered, `${name} is found`);
          assert.deepEqual(lowered.diagnostics.map((d) => `${d.code} ${d.message} at '${rp.text.slice(d.range.start, d.range.end)}'`), [], rp.text);
          assert.ok(lowered.fn.ok);
        }
        // The point in the @at tag is the one the test uses.
        const fn = program.lower(rp.fnName)!.fn;
        assert.deepEqual(fn.annotations.at, [rp.point]);
        assert.deepEqual(fn.annotations.wrt ?? fn.params.map((p) => p.name), rp.wrt);
      }), { numRuns: 200, seed: SEED });
    });

    it('covers every construct it knows', () => {
      const seen = new Set<string>();
      for (const rp of fc.sample(randomProgram(), { numRuns: 300, seed: SEED })) rp.features.forEach((f) => seen.add(f));
      assert.deepEqual(FEATURES.filter((f) => !seen.has(f)), []);
    });

    it('is deterministic in its choices, and the empty choice sequence is a small valid program', () => {
      const choices = fc.sample(fc.array(fc.nat({ max: 0xffff }), { minLength: 300, maxLength: 300 }), { numRuns: 1, seed: SEED })[0];
      assert.equal(buildRandomProgram(choices).text, buildRandomProgram(choices).text);
      const simplest = buildRandomProgram([]);
      assert.ok(simplest.text.split('\n').length < 15, simplest.text);
      assert.equal(parseProgram(simplest.text).lower('f')!.diagnostics.length, 0);
    });

    it('writes programs the interpreter evaluates exactly as JavaScript does', () => {
      fc.assert(fc.property(randomProgram(), (rp) => {
        const { d } = setup(rp);
        const interpreted = flatValue(d.value());
        const js = runAsJavaScript(rp);
        assert.equal(interpreted.length, js.length);
        interpreted.forEach((v, i) => assert.ok(close(v, js[i], 1e-14, 1e-300), `output ${i}: interpreter ${v}, JavaScript ${js[i]}\n${rp.text}`));
      }), { numRuns: 100, seed: SEED });
    });
  });

  it('forward = reverse = complex step (1e-10), finite differences agree loosely, and no kink is reported', () => {
    fc.assert(fc.property(randomProgram(), (rp) => {
      const { d } = setup(rp);
      const n = d.components.length;
      const rev = d.reverse();
      const fwd = d.forward();
      const cs = d.complexStep();
      const J = rev.jacobian;

      // Values: every mode evaluates the same function.
      const value = flatValue(d.value());
      assert.equal(value.length, rp.outputs);
      assert.ok(value.every(Number.isFinite), `non-finite value ${value}\n${rp.text}`);
      assert.deepEqual(flatValue(rev.value), value);
      assert.deepEqual(flatValue(fwd.value), value);

      // Shapes: rows = outputs, columns = flattened @wrt components.
      assert.equal(J.length, rp.outputs);
      J.forEach((row) => assert.equal(row.length, n));
      const expectedN = rp.wrt.reduce((acc, w) => acc + (Array.isArray(rp.point[w]) ? (rp.point[w] as number[]).length : 1), 0);
      assert.equal(n, expectedN);
      assert.ok(J.flat().every(Number.isFinite), `non-finite derivative\n${rp.text}`);

      const scale = 1 + Math.max(0, ...J.flat().map(Math.abs));
      assertClose(fwd.jacobian, J, 1e-10, 1e-12 * scale, 'forward vs reverse', rp);
      assertClose(cs, J, 1e-10, 1e-12 * scale, 'complex step vs reverse', rp);

      const fd = J.map((_, r) => d.numerical(rp.vectorValued ? r : -1));
      assertClose(fd, J, 1e-5, 1e-6 * scale, 'finite differences vs reverse', rp);

      // The generator keeps away from kinks and ties, so none may be reported.
      assert.deepEqual(rev.kinks, [], rp.text);
    }), { numRuns: 250, seed: SEED });
  });

  it('jvp(v) = J·v', () => {
    const tangent = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 16, maxLength: 16 });
    fc.assert(fc.property(randomProgram(), tangent, (rp, t) => {
      const { d } = setup(rp);
      const n = d.components.length;
      const v = Array.from({ length: n }, (_, i) => t[i % t.length]);
      const J = d.reverse().jacobian;
      const { value, derivative } = d.jvp(v);
      assert.deepEqual(flatValue(value), flatValue(d.value()));
      const expected = J.map((row) => row.reduce((acc, g, k) => acc + g * v[k], 0));
      const atol = 1e-12 * (1 + Math.max(0, ...J.map((row) => row.reduce((acc, g, k) => acc + Math.abs(g * v[k]), 0))));
      assertClose([flatValue(derivative)], [expected], 1e-10, atol, 'jvp vs J·v', rp);
    }), { numRuns: 100, seed: SEED });
  });

  it('the Hessian is symmetric, matches finite differences of the gradient, and hvp(v) = H·v', () => {
    const tangent = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 16, maxLength: 16 });
    fc.assert(fc.property(randomProgram({ vectorValued: false }), tangent, (rp, t) => {
      const { program, fn, d } = setup(rp);
      const n = d.components.length;
      const g = d.reverse().jacobian[0];
      const H = d.hessian();
      assert.equal(H.length, n);
      H.forEach((row) => assert.equal(row.length, n));
      assert.ok(H.flat().every(Number.isFinite), rp.text);
      const hscale = 1 + Math.max(0, ...H.flat().map(Math.abs));

      // Symmetric (forward over reverse does not make it so by construction).
      const Ht = H.map((row, i) => row.map((_, j) => H[j][i]));
      assertClose(H, Ht, 1e-9, 1e-11 * hscale, 'Hessian symmetry', rp);

      // Column j against central differences of the reverse-mode gradient along component j
      // (Richardson-extrapolated, as numerical.ts does for values).
      const x0 = d.flatPoint();
      const gradAt = (x: number[]) => new Differentiator(program, fn, rp.wrt, movePoint(d, rp.point, x), BUDGET).reverse().jacobian[0];
      const fdColumns = x0.map((xj, j) => {
        const h = 1e-3 * Math.max(1, Math.abs(xj));
        const diff = (step: number) => {
          const xp = x0.slice();
          const xm = x0.slice();
          xp[j] += step;
          xm[j] -= step;
          const gp = gradAt(xp);
          const gm = gradAt(xm);
          return gp.map((v, i) => (v - gm[i]) / (xp[j] - xm[j]));
        };
        const d1 = diff(h);
        const d2 = diff(h / 2);
        return d1.map((v, i) => (4 * d2[i] - v) / 3);
      });
      const fdH = H.map((_, i) => fdColumns.map((col) => col[i]));
      assertClose(fdH, H, 1e-5, 1e-6 * hscale, 'Hessian vs finite differences of the gradient', rp);

      // hvp(v) = H·v, and its gradient is the reverse-mode one.
      const v = Array.from({ length: n }, (_, i) => t[i % t.length]);
      const hvp = d.hvp(v);
      const scale = 1 + Math.max(0, ...g.map(Math.abs));
      assertClose([hvp.gradient], [g], 1e-12, 1e-14 * scale, 'hvp gradient vs reverse', rp);
      const Hv = H.map((row) => row.reduce((acc, h, k) => acc + h * v[k], 0));
      const atol = 1e-11 * (1 + Math.max(0, ...H.map((row) => row.reduce((acc, h, k) => acc + Math.abs(h * v[k]), 0))));
      assertClose([hvp.hv], [Hv], 1e-10, atol, 'hvp vs H·v', rp);
    }), { numRuns: 60, seed: SEED });
  });

  describe('generated code (engine/codegen)', () => {
    /** The program with its generated reverse-mode gradient appended, or null when the generator declines. */
    function withGradient(rp: RandomProgram): { source: string; name: string } | null {
      const r = generateDerivative(rp.text, rp.fnName, 'reverse', { name: 'fGradient' });
      if (!r.generated) {
        // Declining is allowed, but only with a diagnostic that says why.
        assert.ok(r.diagnostics.length > 0 && r.diagnostics.every((d) => d.code === 'GL002'), JSON.stringify(r.diagnostics));
        return null;
      }
      assert.equal(r.generated.name, 'fGradient');
      return { source: `${rp.text}\n${r.generated.code}`, name: r.generated.name };
    }

    it('the reverse-mode gradient code compiles under strict TypeScript', () => {
      const files = new Map<string, string>();
      fc.sample(randomProgram(), { numRuns: 40, seed: SEED }).forEach((rp, i) => {
        const g = withGradient(rp);
        if (g) files.set(`/generated/program${i}.ts`, g.source);
      });
      assert.ok(files.size >= 20, `code generated for ${files.size} of 40 programs`);
      const errors = typeCheck(files);
      assert.deepEqual(errors, [], errors.length > 0 ? files.get(errors[0].split(':')[0]) : undefined);
    });

    it('the reverse-mode gradient code computes reverse mode\'s gradient (1e-10)', () => {
      let generated = 0;
      const runs = 150;
      fc.assert(fc.property(randomProgram(), (rp) => {
        const g = withGradient(rp);
        if (!g) return;
        generated++;
        const { d } = setup(rp);
        const J = d.reverse().jacobian;
        const got = runExport(rp, g.source, g.name);
        const scale = 1 + Math.max(0, ...J.flat().map(Math.abs));
        assert.equal(got.length, J.flat().length, `generated gradient has ${got.length} components, reverse mode ${J.flat().length}\n${g.source}`);
        assertClose([got], [J.flat()], 1e-10, 1e-12 * scale, `generated code vs reverse mode\n${g.source}\n`, rp);
      }), { numRuns: runs, seed: SEED });
      assert.ok(generated >= runs / 2, `code generated for ${generated} of ${runs} programs`);
    });
  });

  describe('generated code (engine/codegen), forward mode', () => {
    it('the JVP code computes the value and J·v (1e-10)', () => {
      const tangent = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 16, maxLength: 16 });
      let generated = 0;
      const runs = 120;
      fc.assert(fc.property(randomProgram(), tangent, (rp, t) => {
        const r = generateDerivative(rp.text, rp.fnName, 'jvp', { name: 'fTangent' });
        if (!r.generated) {
          assert.ok(r.diagnostics.length > 0 && r.diagnostics.every((x) => x.code === 'GL002'), JSON.stringify(r.diagnostics));
          return;
        }
        generated++;
        const source = `${rp.text}\n${r.generated.code}`;
        const { d } = setup(rp);
        const v = Array.from({ length: d.components.length }, (_, i) => t[i % t.length]);
        // One tangent argument `d<name>` per @wrt parameter, shaped like the parameter, in the order
        // the generated signature declares them.
        const signature = new RegExp(`function ${r.generated.name}\\(([^)]*)\\)`).exec(r.generated.code);
        assert.ok(signature, r.generated.code);
        const declared = signature[1].split(',').map((q) => q.split(':')[0].trim());
        const order = [...rp.wrt].sort((a, b) => declared.indexOf(`d${a}`) - declared.indexOf(`d${b}`));
        assert.ok(order.every((w) => declared.includes(`d${w}`)), `tangent parameters of ${order.join(', ')} in ${signature[0]}`);
        const grouped = d.toGradient(v);
        const tangents = order.map((w) => {
          const typeText = rp.params.find((q) => q.name === w)!.typeText;
          return typeText === 'Float64Array' ? new Float64Array(grouped[w] as number[]) : grouped[w];
        });
        const out = callExport(rp, source, r.generated.name, tangents) as [unknown, unknown];
        assert.ok(Array.isArray(out) && out.length === 2, `the JVP returns [value, derivative]\n${source}`);
        const value = flatNumbers(out[0]);
        const derivative = flatNumbers(out[1]);
        const expectedValue = flatValue(d.value());
        assertClose([value], [expectedValue], 1e-14, 0, `generated JVP value\n${source}\n`, rp);
        const J = d.reverse().jacobian;
        const Jv = J.map((row) => row.reduce((acc, g, k) => acc + g * v[k], 0));
        const atol = 1e-12 * (1 + Math.max(0, ...J.map((row) => row.reduce((acc, g, k) => acc + Math.abs(g * v[k]), 0))));
        assertClose([derivative], [Jv], 1e-10, atol, `generated JVP vs J·v\n${source}\n`, rp);
      }), { numRuns: runs, seed: SEED });
      assert.ok(generated >= runs / 2, `JVP code generated for ${generated} of ${runs} programs`);
    });
  });

  describe('records (a program\'s number parameters packed into one record)', () => {
    /** `packed(args: PackedArgs, w…)` calling the program with `args.x` for each number parameter `x`. */
    function packedProgram(rp: RandomProgram): { text: string; point: Point; nums: string[] } | null {
      const nums = rp.params.filter((p) => p.type === 'num').map((p) => p.name);
      if (nums.length === 0) return null;
      const arrays = rp.params.filter((p) => p.type === 'arr');
      const args = rp.params.map((p) => (p.type === 'num' ? `args.${p.name}` : p.name));
      const text = `${rp.text}\ninterface PackedArgs { ${nums.map((n) => `${n}: number`).join('; ')} }\n` +
        `/** @differentiable */\nexport function packed(args: PackedArgs${arrays.map((a) => `, ${a.name}: ${a.typeText}`).join('')}): number {\n  return ${rp.fnName}(${args.join(', ')});\n}\n`;
      const point: Point = { args: Object.fromEntries(nums.map((n) => [n, rp.point[n]])) as unknown as number[] };
      for (const a of arrays) point[a.name] = rp.point[a.name];
      return { text, point, nums };
    }

    it('the same value and gradient, the gradient in the record\'s shape', () => {
      let runs = 0;
      fc.assert(fc.property(randomProgram({ vectorValued: false }), (rp) => {
        const packed = packedProgram(rp);
        if (!packed) return;
        runs++;
        const program = parseProgram(packed.text);
        const lowered = program.lower('packed')!;
        assert.deepEqual(lowered.diagnostics.map((x) => x.message), [], packed.text);
        assert.equal(validatePoint(lowered.fn, packed.point), null);
        const wrtArrays = rp.params.filter((p) => p.type === 'arr' && rp.wrt.includes(p.name)).map((p) => p.name);
        const original = new Differentiator(program, program.lower(rp.fnName)!.fn, [...packed.nums, ...wrtArrays], rp.point, BUDGET);
        const record = new Differentiator(program, lowered.fn, ['args', ...wrtArrays], packed.point, BUDGET);
        assert.deepEqual(record.value(), original.value());
        assert.deepEqual(record.components.map((c) => c.label).slice(0, packed.nums.length), [...packed.nums].sort().map((n) => `args.${n}`));
        const g = record.toGradient(record.reverse().jacobian[0]);
        const want = original.toGradient(original.reverse().jacobian[0]);
        const fields = g.args as unknown as Record<string, number>;
        assert.deepEqual(Object.keys(fields).sort(), [...packed.nums].sort());
        for (const n of packed.nums) assert.ok(close(fields[n], want[n] as number, 1e-14, 1e-300), `∂/∂args.${n}: ${fields[n]} vs ${want[n]}\n${packed.text}`);
        for (const a of wrtArrays) assert.deepEqual(g[a], want[a]);
      }), { numRuns: 80, seed: SEED });
      assert.ok(runs >= 40, `${runs} programs with number parameters`);
    });

    it('the generated gradient takes the record and returns the gradient in its shape, type-correct and equal to AD', () => {
      const samples = fc.sample(randomProgram({ vectorValued: false }), { numRuns: 12, seed: SEED }).map((rp) => ({ rp, packed: packedProgram(rp) }));
      let checked = 0;
      for (const { rp, packed } of samples) {
        if (!packed) continue;
        const r = generateDerivative(packed.text, 'packed', 'reverse', { name: 'packedGrad' });
        if (!r.generated) continue; // what the generator does not support is covered by its own tests
        const source = `${packed.text}\n${r.generated.code}`;
        const errors = typeCheck(new Map([['/random/packed.ts', source]]));
        assert.deepEqual(errors, [], source);
        const program = parseProgram(packed.text);
        const fn = program.lower('packed')!.fn;
        validatePoint(fn, packed.point);
        const d = new Differentiator(program, fn, fn.annotations.wrt ?? fn.params.filter((p) => p.record || p.depth <= 1).map((p) => p.name), packed.point, BUDGET);
        const want = d.toGradient(d.reverse().jacobian[0]);
        const args = [packed.point.args, ...rp.params.filter((p) => p.type === 'arr').map((p) => (p.typeText === 'Float64Array' ? new Float64Array(rp.point[p.name] as number[]) : rp.point[p.name]))];
        const recordArgs = Object.fromEntries(packed.nums.map((n) => [n, rp.point[n]]));
        args[0] = recordArgs as never;
        const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
        const exports: Record<string, unknown> = {};
        vm.runInNewContext(js, { exports, module: { exports } }, { timeout: 2000 });
        const got = (exports.packedGrad as (...a: unknown[]) => unknown)(...args);
        const wantList = d.wrtParams.map((p) => want[p.name]);
        const gotList = d.wrtParams.length === 1 ? [got] : (got as unknown[]);
        gotList.forEach((x, k) => {
          const a = flatNumbers(typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Float64Array) ? Object.keys(x).sort().map((key) => (x as Record<string, unknown>)[key]) : x);
          const w = wantList[k] as unknown;
          const b = flatNumbers(typeof w === 'object' && w !== null && !Array.isArray(w) ? Object.keys(w).sort().map((key) => (w as Record<string, unknown>)[key]) : w);
          assert.equal(a.length, b.length);
          a.forEach((v, i) => assert.ok(close(v, b[i], 1e-12, 1e-12), `generated ${v} vs AD ${b[i]}\n${source}`));
        });
        checked++;
      }
      assert.ok(checked >= 4, `generated record gradients checked for ${checked} programs`);
    });
  });

  it('symbolic = reverse (1e-10) on straight-line programs, and wherever it gives an answer', () => {
    let answered = 0;
    const runs = 120;
    fc.assert(fc.property(fc.oneof(randomProgram({ straightLine: true, vectorValued: false }), randomProgram({ vectorValued: false })), (rp) => {
      const { program, d } = setup(rp);
      const sym = symbolicDerivativeValue(program, rp.fnName, rp.point, rp.wrt);
      if (!sym.ok) {
        // Only control flow that depends on the inputs may stop the symbolic mode.
        assert.ok(!rp.straightLine, `no closed form for a straight-line program: ${sym.reason}\n${rp.text}`);
        return;
      }
      answered++;
      const rev = d.reverse();
      assert.ok(close(sym.value, rev.value as number, 1e-12, 1e-300), `symbolic value ${sym.value} vs ${rev.value}\n${rp.text}`);
      const flat = rp.wrt.flatMap((w) => {
        const g = sym.gradient[w];
        return Array.isArray(g) ? g : [g];
      });
      const J = rev.jacobian;
      const scale = 1 + Math.max(0, ...J.flat().map(Math.abs));
      assertClose([flat], J, 1e-10, 1e-12 * scale, 'symbolic vs reverse', rp);
    }), { numRuns: runs, seed: SEED });
    // The straight-line half must nearly always be answered.
    assert.ok(answered >= runs * 0.4, `symbolic answered ${answered} of ${runs}`);
  });
});
