// Generated code for functions of class-typed records (issue 13: `class Vector2 { constructor(public
// x: number, public y: number) {} sub(o) {…} }`): a gradient, a Jacobian row or a JVP's value of a
// class with methods is built with `new Vector2(…)` where the constructor takes exactly the fields
// as parameter properties, and is typed structurally (`{ x: number; y: number }`) where it does
// not; the closed form of a function of records reads its fields. Each generated function is
// type-checked under `tsc --strict` beside the source, run, and compared with the engine's AD.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { generateDerivative } from '../../engine/codegen/generate';
import type { ModuleHost } from '../../engine/modules';
import { parseProgram } from '../../engine/program';
import { typeErrors } from './harness';
import { close, engineAt, generated, leaves } from './atPoint';

const VECTOR_CLASS = fs.readFileSync(path.join(path.resolve(__dirname, '../../..'), 'test/fixtures/realStyle/vectorClass.ts'), 'utf8');

function asVectors(module: Record<string, unknown>, args: unknown[]): unknown[] {
  return asVectorsOf(module, 'Vector2', args);
}

describe('codegen of class-typed records (test/fixtures/realStyle/vectorClass.ts)', function () {
  this.timeout(60_000);

  for (const [fn, at] of [['attraction', 'p = { x: 1, y: 2 }, target = { x: -0.5, y: 0.5 }'], ['work', 'a = { x: 0, y: 0 }, b = { x: 2, y: 1 }, f = { x: 0.3, y: -9.8 }']] as const) {
    it(`${fn}: the reverse-mode gradient returns Vector2 instances built by the constructor, type-correct and equal to AD`, () => {
      const e = engineAt(VECTOR_CLASS, fn, at);
      const g = generated(VECTOR_CLASS, fn, 'reverse');
      assert.match(g.code, /new Vector2\(d\w+\[0\], d\w+\[1\]\)/);
      const out = g.fn(...asVectors(g.module, e.args));
      const parts = Array.isArray(out) ? out : [out];
      for (const part of parts) assert.ok(part instanceof (g.module.Vector2 as unknown as new () => unknown), 'a Vector2, with its methods');
      close(leaves(parts), e.jacobian[0], 'gradient');
    });

    it(`${fn}: the closed form reads the records' fields (not indices) behind the user's signature`, () => {
      const e = engineAt(VECTOR_CLASS, fn, at);
      const g = generated(VECTOR_CLASS, fn, 'closed');
      assert.match(g.code, /\[\w+\.x, \w+\.y\]/);
      close(leaves(g.fn(...asVectors(g.module, e.args))), e.jacobian[0], 'closed-form gradient');
    });

    it(`${fn}: the Hessian (through methods returning Vector2) equals AD`, () => {
      const e = engineAt(VECTOR_CLASS, fn, at);
      const g = generated(VECTOR_CLASS, fn, 'hessian');
      close((g.fn(...asVectors(g.module, e.args)) as number[][]).flat(), e.hessian().flat(), 'Hessian', 1e-8);
    });

    it(`${fn}: the JVP takes record tangents as literals of the class's fields`, () => {
      const e = engineAt(VECTOR_CLASS, fn, at);
      const g = generated(VECTOR_CLASS, fn, 'jvp');
      assert.match(g.code, /: \{ x: number; y: number \}/);
      const args = asVectors(g.module, e.args);
      const wrt = fn === 'attraction' ? [{ x: 0.3, y: -0.7 }] : [{ x: 0.3, y: -0.7 }, { x: 1.1, y: 0.2 }];
      const [value, tangent] = g.fn(...args, ...wrt) as [number, number];
      close([value], [e.value as number], 'value');
      const v = leaves(wrt);
      close([tangent], [e.jacobian[0].reduce((s, x, i) => s + x * v[i], 0)], 'J·v');
    });
  }
});

const CLASSES = `export class Vec {
  constructor(public x: number, public y: number) {}
  add(o: Vec): Vec { return new Vec(this.x + o.x, this.y + o.y); }
  cross(o: Vec): number { return this.x * o.y - this.y * o.x; }
}

/** Fields assigned in the constructor, in the order JavaScript classes write them: no \`new\` from an array. */
export class Polar {
  r: number;
  t: number;
  constructor(r: number, t: number) {
    this.r = r;
    this.t = t;
  }
  scaled(k: number): Polar { return new Polar(this.r * k, this.t); }
}

/**
 * @differentiable
 * @at p = { x: 1, y: 2 }, a = 0.3
 */
export function rotate(p: Vec, a: number): Vec {
  const c = Math.cos(a), s = Math.sin(a);
  return new Vec(c * p.x - s * p.y, s * p.x + c * p.y).add(p);
}

/**
 * @differentiable
 * @at q = { r: 2, t: 0.4 }, k = 1.5
 */
export function toCartesian(q: Polar, k: number): number {
  const s = q.scaled(k);
  return s.r * Math.cos(s.t) + s.r * s.r * Math.sin(s.t);
}

/**
 * @differentiable
 * @at ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }, { x: 0.5, y: 0.25 }]
 */
export function area(ps: Vec[]): number {
  let s = 0;
  for (let i = 0; i < ps.length; i++) s += 0.5 * ps[i].cross(ps[(i + 1) % ps.length]);
  return s * s;
}
`;

describe('codegen of class-typed records: results, constructors that compute, arrays of instances', function () {
  this.timeout(60_000);

  it('a function returning a class instance: the Jacobian rows are Vec instances, the JVP returns Vec instances', () => {
    const e = engineAt(CLASSES, 'rotate', 'p = { x: 1, y: 2 }, a = 0.3');
    const rev = generated(CLASSES, 'rotate', 'reverse');
    const args = [new (rev.module.Vec as unknown as new (x: number, y: number) => unknown)(1, 2), 0.3];
    const J = rev.fn(...args) as { x: [unknown, number]; y: [unknown, number] };
    assert.ok(J.x[0] instanceof (rev.module.Vec as unknown as new () => unknown));
    close(leaves(J.x), e.jacobian[0], 'row x');
    close(leaves(J.y), e.jacobian[1], 'row y');
    const jvp = generated(CLASSES, 'rotate', 'jvp');
    assert.match(jvp.code, /\): \[Vec, Vec\]/);
    const [value, tangent] = jvp.fn(...args, { x: 0.5, y: -1 }, 2) as [unknown, unknown];
    assert.ok(value instanceof (jvp.module.Vec as unknown as new () => unknown));
    close(leaves(value), leaves(e.value), 'value');
    close(leaves(tangent), e.jacobian.map((row) => 0.5 * row[0] - row[1] + 2 * row[2]), 'J·v');
  });

  it('a class whose constructor assigns its fields: the gradient is a literal typed { r: number; t: number }, and the JVP agrees', () => {
    const e = engineAt(CLASSES, 'toCartesian', 'q = { r: 2, t: 0.4 }, k = 1.5');
    const rev = generated(CLASSES, 'toCartesian', 'reverse');
    assert.match(rev.code, /\): \[\{ r: number; t: number \}, number\]/);
    assert.match(rev.code, /return \[\{ r: dQ\[0\], t: dQ\[1\] \}, dK\];/);
    close(leaves(rev.fn({ r: 2, t: 0.4 }, 1.5)), e.jacobian[0], 'gradient');
    const jvp = generated(CLASSES, 'toCartesian', 'jvp');
    const [, tangent] = jvp.fn({ r: 2, t: 0.4 }, 1.5, { r: 1, t: 0 }, 0) as [number, number];
    close([tangent], [e.jacobian[0][0]], 'J·e_r');
  });

  it('an array of instances: the gradient is a Vec[] built by the constructor, the Hessian equals AD', () => {
    const at = 'ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }, { x: 0.5, y: 0.25 }]';
    const e = engineAt(CLASSES, 'area', at);
    const rev = generated(CLASSES, 'area', 'reverse');
    assert.match(rev.code, /: Vec\[\]/);
    const args = asVectorsOf(rev.module, 'Vec', e.args);
    const g = rev.fn(...args) as unknown[];
    assert.ok(g.every((x) => x instanceof (rev.module.Vec as unknown as new () => unknown)));
    close(leaves(g), e.jacobian[0], 'gradient');
    const hess = generated(CLASSES, 'area', 'hessian');
    close((hess.fn(...args) as number[][]).flat(), e.hessian().flat(), 'Hessian', 1e-8);
  });
});

function asVectorsOf(module: Record<string, unknown>, cls: string, args: unknown[]): unknown[] {
  const V = module[cls] as unknown as new (x: number, y: number) => unknown;
  const make = (a: unknown): unknown => (Array.isArray(a) ? a.map(make) : a && typeof a === 'object' ? new V((a as { x: number }).x, (a as { y: number }).y) : a);
  return args.map(make);
}

describe('codegen of the real-style TypeScript corpus (test/fixtures/realStyle/*.ts): every mode type-checks', function () {
  this.timeout(120_000);
  const dir = path.join(path.resolve(__dirname, '../../..'), 'test/fixtures/realStyle');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file}: reverse, closed form, JVP and Hessian of each function, where generated, have no type error under --strict`, () => {
      const src = fs.readFileSync(path.join(dir, file), 'utf8');
      const program = parseProgram(src);
      const names = [...program.functions.keys()].filter((n) => program.functions.get(n)!.tags.differentiable);
      let generatedCount = 0;
      for (const name of names) {
        const lowered = program.lower(name);
        if (!lowered?.fn.ok) continue;
        for (const mode of ['reverse', 'closed', 'jvp', 'hessian'] as const) {
          const r = generateDerivative(src, name, mode);
          if (!r.generated) {
            // what may be refused: a closed form (straight-line code only), a Hessian of a vector-valued function
            assert.ok(mode === 'closed' || (mode === 'hessian' && lowered.fn.returnType === 'arr'), `${name} ${mode}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
            continue;
          }
          generatedCount++;
          const module = `${src}\n${r.generated.code}`;
          assert.deepEqual(typeErrors(module), [], `${name} ${mode}:\n${r.generated.code}`);
        }
      }
      assert.ok(generatedCount > 0, 'some code generated');
    });
  }
});

describe('codegen of a record class imported from another module', function () {
  this.timeout(60_000);
  const files: Record<string, string> = {
    '/ws/src/vec.ts': `export class Vec {
  constructor(public x: number, public y: number) {}
  minus(o: Vec): Vec { return new Vec(this.x - o.x, this.y - o.y); }
  dot(o: Vec): number { return this.x * o.x + this.y * o.y; }
}
`,
    '/ws/src/main.ts': `import { Vec } from './vec';

/**
 * @differentiable
 * @at p = { x: 2, y: -1 }, q = { x: 0.5, y: 1 }
 */
export function gap(p: Vec, q: Vec): number {
  const d = p.minus(q);
  return d.dot(d) * p.x;
}
`,
  };
  const host: ModuleHost = {
    resolve: (specifier, fromFile) => {
      const file = path.posix.join(path.posix.dirname(fromFile), `${specifier}.ts`);
      return Object.hasOwn(files, file) ? { file, kind: 'workspace' } : null;
    },
    read: (file) => files[file] ?? null,
  };

  it('its results are literals of its fields\' structural type; every mode type-checks inserted in the file', () => {
    for (const mode of ['reverse', 'closed', 'jvp', 'hessian'] as const) {
      const r = generateDerivative(files['/ws/src/main.ts'], 'gap', mode, undefined, { file: '/ws/src/main.ts', host });
      assert.ok(r.generated, `${mode}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
      if (mode === 'reverse' || mode === 'closed') assert.match(r.generated.code, /: \[\{ x: number; y: number \}, \{ x: number; y: number \}\]/);
      assert.deepEqual(typeErrorsIn({ ...files, '/ws/src/main.ts': `${files['/ws/src/main.ts']}\n${r.generated.code}` }, '/ws/src/main.ts'), [], r.generated.code);
    }
  });
});

/** TypeScript's errors (strict) in the in-memory files, from `main`. */
function typeErrorsIn(files: Record<string, string>, main: string): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [] };
  const host = ts.createCompilerHost(options);
  const base = { ...host };
  host.fileExists = (f) => f in files || base.fileExists(f);
  host.readFile = (f) => files[f] ?? base.readFile(f);
  host.directoryExists = (d) => Object.keys(files).some((f) => f.startsWith(`${d}/`)) || !!base.directoryExists?.(d);
  host.getSourceFile = (f, lang) => (f in files ? ts.createSourceFile(f, files[f], lang) : base.getSourceFile(f, lang));
  return ts.getPreEmitDiagnostics(ts.createProgram([main], options, host)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
