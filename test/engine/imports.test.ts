// Helpers and constants imported from other modules of the workspace (issue 13 item 6;
// engine/modules.ts, engine/imports.ts): each fixture is a small workspace in memory, with a host
// that resolves specifiers as TypeScript does (ts.resolveModuleName over the in-memory files,
// tsconfig `paths` included) and reads them. The file analysed is `/ws/src/main.ts`.

import * as assert from 'node:assert/strict';
import ts from 'typescript';
import { analyzeFile, AnalysisCache } from '../../engine/analyzeFile';
import type { FileAnalysis } from '../../engine/api';
import { generateDerivative } from '../../engine/codegen/generate';
import type { ModuleHost } from '../../engine/modules';

const MAIN = '/ws/src/main.ts';

/** A host over files in memory, resolving as TypeScript does (a `paths` alias from the given options). */
export function memoryHost(files: Record<string, string>, options: ts.CompilerOptions = {}): ModuleHost & { reads: string[] } {
  const reads: string[] = [];
  const compilerOptions: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, allowJs: true, ...options };
  const sys: ts.ModuleResolutionHost = {
    fileExists: (f) => Object.prototype.hasOwnProperty.call(files, f),
    readFile: (f) => files[f],
    directoryExists: (d) => Object.keys(files).some((f) => f.startsWith(d.endsWith('/') ? d : `${d}/`)),
    realpath: (f) => f,
    getCurrentDirectory: () => '/ws',
  };
  return {
    reads,
    resolve(specifier, fromFile) {
      const r = ts.resolveModuleName(specifier, fromFile, compilerOptions, sys).resolvedModule;
      if (!r) return null;
      if (r.isExternalLibraryImport || r.resolvedFileName.includes('/node_modules/')) return { file: r.resolvedFileName, kind: 'package' };
      return { file: r.resolvedFileName, kind: r.resolvedFileName.endsWith('.d.ts') ? 'declaration' : 'workspace' };
    },
    read(file) {
      reads.push(file);
      return files[file] ?? null;
    },
  };
}

function analyze(files: Record<string, string>, options?: ts.CompilerOptions, cache?: AnalysisCache): FileAnalysis {
  return analyzeFile(files[MAIN], { randomPoints: 2 }, cache, { file: MAIN, host: memoryHost(files, options) });
}

const UTIL = `export function sq(x: number): number { return x * x; }
export const K = 3;
function cube(x: number): number { return x * sq(x); }
export function poly(x: number): number { return cube(x) + K * x; }
export default function softplus(x: number): number { return Math.log(1 + Math.exp(x)); }
`;

interface Fixture {
  name: string;
  files: Record<string, string>;
  options?: ts.CompilerOptions;
  /** The function analysed, its value at its first point, and its gradient there. */
  fn: string;
  value?: number;
  gradient?: number[];
  /** Expected diagnostics: code and a pattern of the message (none besides them). */
  diagnostics?: { code: string; message: RegExp }[];
  /** The hand-written gradient's status. */
  check?: 'ok' | 'wrong';
}

const FIXTURES: Fixture[] = [
  {
    name: 'a named import and a constant',
    files: { [MAIN]: `import { sq, K } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return sq(x) + K * x; }\n`, '/ws/src/util.ts': UTIL },
    fn: 'f', value: 10, gradient: [7],
  },
  {
    name: 'a namespace import, its helper calling helpers of its own file',
    files: { [MAIN]: `import * as U from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return U.poly(x) + U.K; }\n`, '/ws/src/util.ts': UTIL },
    fn: 'f', value: 8 + 6 + 3, gradient: [3 * 4 + 3],
  },
  {
    name: 'a default import',
    files: { [MAIN]: `import softplus from './util';\n/**\n * @differentiable\n * @at x = 0\n */\nexport function f(x: number): number { return 2 * softplus(x); }\n`, '/ws/src/util.ts': UTIL },
    fn: 'f', value: 2 * Math.log(2), gradient: [1],
  },
  {
    name: 'a default import of an anonymous function, and of `module.exports = function`',
    files: {
      [MAIN]: `import anon from './anon';\nimport cjs from './cjs.js';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return anon(x) + cjs(x); }\n`,
      '/ws/src/anon.ts': 'export default function (x: number): number { return 5 * x; }\n',
      '/ws/src/cjs.js': 'module.exports = function (x) { return x * x; };\n',
    },
    fn: 'f', value: 14, gradient: [9],
  },
  {
    name: 'a chain of re-exports (`export { } from`, `export * from`)',
    files: {
      [MAIN]: `import { sq as square } from './index';\n/**\n * @differentiable\n * @at x = 3\n */\nexport function f(x: number): number { return square(x); }\n`,
      '/ws/src/index.ts': `export * from './mid';\n`,
      '/ws/src/mid.ts': `export { sq } from './util';\n`,
      '/ws/src/util.ts': UTIL,
    },
    fn: 'f', value: 9, gradient: [6],
  },
  {
    name: 'CommonJS require of a relative path (destructured and whole), JavaScript',
    files: {
      [MAIN]: `const { scale } = require('./lib.js');\nconst lib = require('./lib.js');\n/**\n * @differentiable\n * @at x = 2\n */\nfunction f(x: number): number { return scale(x) + lib.offset(x); }\n`,
      '/ws/src/lib.js': `function scale(x) { return 5 * x; }\nmodule.exports = { scale, offset: function (x) { return x * x; } };\n`,
    },
    fn: 'f', value: 14, gradient: [9],
  },
  {
    name: 'a member of an imported table (`activations.logistic.fn`), calling its sibling through `this`',
    files: {
      [MAIN]: `import { activations } from './act';\n/**\n * @differentiable\n * @at x = 0\n */\nexport function f(x: number): number { return 4 * activations.logistic.fn(x); }\n`,
      '/ws/src/act.ts': `export const activations = {\n  logistic: {\n    fn(x: number): number { return 1 / (1 + Math.exp(-this.neg(x))); },\n    neg(x: number): number { return -x; },\n  },\n};\n`,
    },
    fn: 'f', value: 2, gradient: [-1],
  },
  {
    name: 'a helper taking records, declared in its own file (`Vec2`), called with an inline record',
    files: {
      [MAIN]: `import { dot } from './vec';\n/**\n * @differentiable\n * @at p = { x: 1, y: 2 }\n */\nexport function f(p: { y: number; x: number }): number { return dot(p, { x: 3, y: p.x }); }\n`,
      '/ws/src/vec.ts': `export interface Vec2 { x: number; y: number }\nexport function dot(a: Vec2, b: Vec2): number { return a.x * b.x + a.y * b.y; }\n`,
    },
    fn: 'f', value: 3 + 2, gradient: [3 + 2, 1],
  },
  {
    name: 'explicit .mjs and .cjs files, and a .tsx one',
    files: {
      [MAIN]: `import { half } from './h.mjs';\nimport { third } from './t.cjs';\nimport { quarter } from './q';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return half(x) + third(x) + quarter(x); }\n`,
      '/ws/src/h.mjs': 'export function half(x) { return x / 2; }\n',
      '/ws/src/t.cjs': 'exports.third = function (x) { return x / 3; };\n',
      '/ws/src/q.tsx': 'export function quarter(x: number): number { return x / 4; }\n',
    },
    fn: 'f', value: 1 + 2 / 3 + 0.5, gradient: [Math.round((1 / 2 + 1 / 3 + 1 / 4) * 1e9) / 1e9],
  },
  {
    name: 'a tsconfig `paths` alias',
    options: { baseUrl: '/ws', paths: { '@num/*': ['src/num/*'] } },
    files: { [MAIN]: `import { sq } from '@num/ops';\n/**\n * @differentiable\n * @at x = 1.5\n */\nexport function f(x: number): number { return sq(x); }\n`, '/ws/src/num/ops.ts': UTIL },
    fn: 'f', value: 2.25, gradient: [3],
  },
  {
    name: 'an import cycle (the helper imports the importer back)',
    files: {
      [MAIN]: `import { twice } from './b';\nexport function one(x: number): number { return x + 1; }\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return twice(x); }\n`,
      '/ws/src/b.ts': `import { one } from './main';\nexport function twice(x: number): number { return 2 * one(x) * x; }\n`,
    },
    fn: 'f', value: 12, gradient: [4 * 2 + 2],
  },
  {
    name: 'recursion across modules is a GL002, not a hang',
    files: {
      [MAIN]: `import { g } from './b';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return x > 0 ? g(x - 1) : x; }\n`,
      '/ws/src/b.ts': `import { f } from './main';\nexport function g(x: number): number { return f(x); }\n`,
    },
    fn: 'f', diagnostics: [{ code: 'GL002', message: /recursion across modules/ }, { code: 'GL002', message: /'g' uses constructs outside/ }],
  },
  {
    name: 'a missing module: GL002 naming the specifier',
    files: { [MAIN]: `import { sq } from './nowhere';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return sq(x); }\n` },
    fn: 'f', diagnostics: [{ code: 'GL002', message: /'\.\/nowhere', a module that cannot be found/ }],
  },
  {
    name: 'a package in node_modules: GL002 naming the package and how to give it a rule',
    files: {
      [MAIN]: `import { erf } from '@stats/special/erf';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return erf(x); }\n`,
      '/ws/node_modules/@stats/special/erf.js': 'exports.erf = function (x) { return x; };\n',
    },
    fn: 'f', diagnostics: [{ code: 'GL002', message: /package '@stats\/special' \(node_modules\).*Give it a rule: write the function in a helper of your own \(with a `@derivative` rule/ }],
  },
  {
    name: 'a declaration file (.d.ts): GL002',
    files: { [MAIN]: `import { sq } from './decl';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return sq(x); }\n`, '/ws/src/decl.d.ts': 'export declare function sq(x: number): number;\n' },
    fn: 'f', diagnostics: [{ code: 'GL002', message: /declaration file \(\.d\.ts\)/ }],
  },
  {
    name: 'a name the module does not export: GL002',
    files: { [MAIN]: `import { cube } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return cube(x); }\n`, '/ws/src/util.ts': UTIL },
    fn: 'f', diagnostics: [{ code: 'GL002', message: /'cube', which is not a function of this file: it is not exported by 'util\.ts'/ }],
  },
  {
    name: 'an imported helper outside the subset: its GL002 on the import, naming where',
    files: { [MAIN]: `import { noisy } from './rnd';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return noisy(x); }\n`, '/ws/src/rnd.ts': 'export function noisy(x: number): number { return x + Math.random(); }\n' },
    fn: 'f', diagnostics: [{ code: 'GL002', message: /^In 'noisy' \(rnd\.ts, imported\): `Math\.random\(\)`/ }, { code: 'GL002', message: /'noisy' uses constructs outside the differentiable subset/ }],
  },
  {
    name: 'a right hand-written gradient, the helper imported',
    files: { [MAIN]: `import { sq, K } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return sq(x) * K; }\nexport function fGrad(x: number): number { return 2 * K * x; }\n`, '/ws/src/util.ts': UTIL },
    fn: 'f', value: 12, gradient: [12], check: 'ok',
  },
  {
    name: 'a wrong hand-written gradient, the helper imported',
    files: { [MAIN]: `import { sq, K } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return sq(x) * K; }\nexport function fGrad(x: number): number { return K * x; }\n`, '/ws/src/util.ts': UTIL },
    fn: 'f', value: 12, gradient: [12], check: 'wrong', diagnostics: [{ code: 'GL001', message: /∂f\/∂x is wrong at x = 2: hand-written 6, AD 12/ }],
  },
  {
    name: 'an out-array hand-written gradient (checked on the shadow of the file), the helper imported',
    files: { [MAIN]: `import { sq } from './util';\n/**\n * @differentiable\n * @at w = [1, 2]\n */\nexport function f(w: number[]): number { return sq(w[0]) + 3 * sq(w[1]); }\nexport function fGrad(w: number[], out: number[]): void { out[0] = 2 * w[0]; out[1] = 6 * sq(w[1]) / w[1]; }\n`, '/ws/src/util.ts': UTIL },
    fn: 'f', value: 13, gradient: [2, 12], check: 'ok',
  },
  {
    name: 'a hand-written gradient imported from another file (right)',
    files: {
      [MAIN]: `import { polyGrad } from './grads';\nimport { poly } from './util';\n/**\n * @differentiable\n * @gradient polyGrad\n * @at x = 2\n */\nexport function f(x: number): number { return poly(x); }\n`,
      '/ws/src/grads.ts': `import { sq, K } from './util';\nexport function polyGrad(x: number): number { return 3 * sq(x) + K; }\n`,
      '/ws/src/util.ts': UTIL,
    },
    fn: 'f', value: 14, gradient: [15], check: 'ok',
  },
  {
    name: 'a hand-written gradient imported from another file (wrong)',
    files: {
      [MAIN]: `import { polyGrad } from './grads';\nimport { poly } from './util';\n/**\n * @differentiable\n * @gradient polyGrad\n * @at x = 2\n */\nexport function f(x: number): number { return poly(x); }\n`,
      '/ws/src/grads.ts': `import { sq, K } from './util';\nexport function polyGrad(x: number): number { return 3 * sq(x) - K; }\n`,
      '/ws/src/util.ts': UTIL,
    },
    fn: 'f', value: 14, gradient: [15], check: 'wrong', diagnostics: [{ code: 'GL001', message: /∂f\/∂x is wrong at x = 2: hand-written 9, AD 15/ }],
  },
];

describe('imports: helpers and constants from other modules (issue 13 item 6)', () => {
  for (const fx of FIXTURES) {
    it(fx.name, () => {
      const a = analyze(fx.files, fx.options);
      const fn = a.functions.find((f) => f.name === fx.fn);
      assert.ok(fn, `no analysis of ${fx.fn}: ${JSON.stringify(a.diagnostics)}`);
      const expected = fx.diagnostics ?? [];
      const got = a.diagnostics.filter((d) => d.severity !== 'information' && d.severity !== 'hint');
      for (const e of expected) assert.ok(got.some((d) => d.code === e.code && e.message.test(d.message)), `expected ${e.code} ${e.message}, got ${JSON.stringify(got.map((d) => [d.code, d.message]))}`);
      assert.equal(got.length, expected.length, JSON.stringify(got.map((d) => [d.code, d.message])));
      if (fx.value !== undefined) assert.ok(Math.abs((fn.value as number) - fx.value) < 1e-9, `value ${fn.value} ≠ ${fx.value}`);
      if (fx.gradient) {
        const flat = (v: unknown): number[] => (typeof v === 'number' ? [v] : Array.isArray(v) ? v.flatMap(flat) : Object.keys(v as object).sort().flatMap((k) => flat((v as Record<string, unknown>)[k])));
        const g = flat(fn.gradient ?? {});
        assert.deepEqual(g.map((v) => Math.round(v * 1e9) / 1e9), fx.gradient);
      }
      if (fx.check) assert.equal(fn.check?.status, fx.check);
      // Every range lies in the importer's text.
      for (const d of a.diagnostics) assert.ok(d.range.end <= fx.files[MAIN].length, `range past the file: ${d.message}`);
    });
  }

  it('a call into a package or a missing module gets the fix that passes its value in as a parameter', () => {
    for (const spec of ['special-fns', './nowhere']) {
      const files = { [MAIN]: `import { erf } from '${spec}';\n/**\n * @differentiable\n * @at x = 1\n */\nexport function f(x: number): number { return 2 * erf(x); }\n`, '/ws/node_modules/special-fns/index.js': 'exports.erf = function (x) { return x; };\n', '/ws/node_modules/special-fns/package.json': '{ "main": "index.js" }' };
      const d = analyze(files).diagnostics.find((x) => x.code === 'GL002');
      assert.ok(d?.fixes?.some((f) => /Pass erf\(x\) in as a parameter/.test(f.title)), JSON.stringify(d));
    }
  });

  it('without a host, an imported helper is a GL002 as before', () => {
    const text = `import { sq } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return sq(x); }\n`;
    const a = analyzeFile(text, { randomPoints: 2 });
    assert.ok(a.diagnostics.some((d) => d.code === 'GL002' && /'sq', which is not a function of this file/.test(d.message)));
  });

  it('the cache key holds the imported texts: editing the helper file re-analyses the importer', () => {
    const files = { [MAIN]: `import { sq } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return sq(x); }\n`, '/ws/src/util.ts': UTIL };
    const cache = new AnalysisCache();
    assert.equal(analyze(files, undefined, cache).functions[0].value, 4);
    assert.equal(analyze(files, undefined, cache).functions[0].value, 4);
    assert.equal(cache.hits, 1);
    const edited = { ...files, '/ws/src/util.ts': UTIL.replace('return x * x;', 'return x * x * x;') };
    assert.equal(analyze(edited, undefined, cache).functions[0].value, 8);
    assert.equal(cache.hits, 1);
  });

  it('an imported hand-written gradient\'s check, shown on its import, is cached: an edit in another function below does not check it again', () => {
    // (Its ranges are the import's name, outside the function: the key holds where the import is,
    // so the analysis is kept, and analysed again when an edit above moves the import.)
    const main = `import { polyGrad } from './grads';\nimport { poly } from './util';\n/**\n * @differentiable\n * @gradient polyGrad\n * @at x = 2\n */\nexport function f(x: number): number { return poly(x); }\n/**\n * @differentiable\n * @at y = 1\n */\nexport function g(y: number): number { return 2 * y; }\n`;
    const files = { [MAIN]: main, '/ws/src/grads.ts': `import { sq, K } from './util';\nexport function polyGrad(x: number): number { return 3 * sq(x) - K; }\n`, '/ws/src/util.ts': UTIL };
    const cache = new AnalysisCache();
    const first = analyze(files, undefined, cache);
    const check = first.functions[0].check!;
    assert.equal(check.status, 'wrong');
    assert.equal(main.slice(check.nameRange.start, check.nameRange.end), 'polyGrad');
    const misses = cache.misses;
    const below = { ...files, [MAIN]: main.replace('return 2 * y;', 'return 20 * y;') };
    assert.deepEqual(analyze(below, undefined, cache), analyze(below));
    assert.equal(cache.misses - misses, 1, 'g alone is analysed again');
    const above = { ...files, [MAIN]: `// a line\n${below[MAIN]}` };
    const moved = analyze(above, undefined, cache);
    assert.deepEqual(moved, analyze(above));
    assert.equal(above[MAIN].slice(moved.functions[0].check!.nameRange.start, moved.functions[0].check!.nameRange.end), 'polyGrad');
  });

  it('reads are bounded to the modules the file imports, each read once', () => {
    const files = { [MAIN]: `import { poly } from './util';\nimport { sq } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return poly(x) + sq(x); }\n`, '/ws/src/util.ts': UTIL, '/ws/src/other.ts': UTIL };
    const host = memoryHost(files);
    analyzeFile(files[MAIN], { randomPoints: 2 }, undefined, { file: MAIN, host });
    assert.deepEqual([...new Set(host.reads)], ['/ws/src/util.ts']);
  });

  it('generated code calls the imported name as the file imports it, and type-checks inserted in the file', () => {
    const files: Record<string, string> = { [MAIN]: `import * as U from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return U.sq(x) * x; }\n/**\n * @differentiable\n * @at x = 2\n */\nexport function g(x: number): number { return U.poly(x); }\n`, '/ws/src/util.ts': UTIL };
    const ctx = { file: MAIN, host: memoryHost(files) };
    for (const fn of ['f', 'g']) {
      const r = generateDerivative(files[MAIN], fn, 'reverse', undefined, ctx);
      assert.ok(r.generated, JSON.stringify(r.diagnostics));
      assert.match(r.generated.code, /U\.(sq|poly)\(x\)|UPolyPullback/);
      assert.deepEqual(typeErrors({ ...files, [MAIN]: `${files[MAIN]}\n${r.generated.code}` }), []);
    }
  });

  it('a helper of the other module that the file does not import cannot be called by generated code: a codegen error naming it', () => {
    const files: Record<string, string> = { [MAIN]: `import { poly } from './util';\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return poly(x) * poly(x); }\n`, '/ws/src/util.ts': UTIL.replace('return x * sq(x);', 'const s = sq(x); return x * s;') };
    const r = generateDerivative(files[MAIN], 'f', 'reverse', undefined, { file: MAIN, host: memoryHost(files) });
    if (r.generated) assert.deepEqual(typeErrors({ ...files, [MAIN]: `${files[MAIN]}\n${r.generated.code}` }), []);
    else assert.ok(r.diagnostics.some((d) => /'util\.(cube|sq)', a function of another module that this file does not import/.test(d.message)), JSON.stringify(r.diagnostics));
  });
});

/** TypeScript's errors in the in-memory files (strict). */
function typeErrors(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [] };
  const host = ts.createCompilerHost(options);
  const base = { ...host };
  host.fileExists = (f) => f in files || base.fileExists(f);
  host.readFile = (f) => files[f] ?? base.readFile(f);
  host.directoryExists = (d) => Object.keys(files).some((f) => f.startsWith(`${d}/`)) || !!base.directoryExists?.(d);
  host.getSourceFile = (f, lang) => (f in files ? ts.createSourceFile(f, files[f], lang) : base.getSourceFile(f, lang));
  const program = ts.createProgram([MAIN], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const VEC = `export interface Vec2 { x: number; y: number }
export type Point = { readonly x: number; readonly y: number };
`;
const ENERGY = (imports: string, type = 'Vec2', grad = '') => `${imports}
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }${grad ? '\n * @gradient energyGrad' : ''}
 */
export function energy(p: ${type}): number { return 0.5 * (p.x * p.x + 3 * p.y * p.y); }
${grad}`;

describe('imports: parameter types declared in other modules (issue 13 item 6)', () => {
  const cases: { name: string; files: Record<string, string> }[] = [
    { name: 'an interface, `import type`', files: { [MAIN]: ENERGY(`import type { Vec2 } from './vec';`), '/ws/src/vec.ts': VEC } },
    { name: 'a type alias, a value import', files: { [MAIN]: ENERGY(`import { Point } from './vec';`, 'Point'), '/ws/src/vec.ts': VEC } },
    { name: 'an alias under another name (`import { type Point as P }`)', files: { [MAIN]: ENERGY(`import { type Point as P } from './vec';`, 'P'), '/ws/src/vec.ts': VEC } },
    { name: 're-exported (`export type { Vec2 } from`)', files: { [MAIN]: ENERGY(`import type { Vec2 } from './types';`), '/ws/src/types.ts': `export type { Vec2 } from './vec';\n`, '/ws/src/vec.ts': VEC } },
    { name: 're-exported (`export *`, through an import and `export { }`)', files: { [MAIN]: ENERGY(`import type { Vec2 } from './geometry';`), '/ws/src/geometry.ts': `export * from './shapes';\n`, '/ws/src/shapes.ts': `import type { Vec2 } from './vec';\nexport { Vec2 };\n`, '/ws/src/vec.ts': VEC } },
    { name: 'a namespace import (`V.Vec2`)', files: { [MAIN]: ENERGY(`import * as V from './vec';`, 'V.Vec2'), '/ws/src/vec.ts': VEC } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = analyze(c.files);
      const fn = a.functions.find((f) => f.name === 'energy');
      assert.ok(fn, JSON.stringify(a.diagnostics));
      assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), []);
      assert.equal(fn.value, 6.5);
      assert.deepEqual(fn.gradient, { p: { x: 1, y: 6 } });
    });
  }

  it('a record of the other file holding a record it imports itself', () => {
    const files = {
      [MAIN]: `import type { Body } from './body';\n/**\n * @differentiable\n * @at b = { p: { x: 1, y: 2 }, m: 3 }\n */\nexport function kinetic(b: Body): number { return 0.5 * b.m * (b.p.x * b.p.x + b.p.y * b.p.y); }\n`,
      '/ws/src/body.ts': `import type { Vec2 } from './vec';\nexport interface Body { p: Vec2; m: number }\n`,
      '/ws/src/vec.ts': VEC,
    };
    const fn = analyze(files).functions.find((f) => f.name === 'kinetic');
    assert.deepEqual(fn?.gradient, { b: { m: 2.5, p: { x: 3, y: 6 } } });
  });

  it('a right hand-written record gradient over an imported Vec2 checks out', () => {
    const files = { [MAIN]: ENERGY(`import type { Vec2 } from './vec';`, 'Vec2', 'export function energyGrad(p: Vec2): Vec2 { return { y: 3 * p.y, x: p.x }; }\n'), '/ws/src/vec.ts': VEC };
    const a = analyze(files);
    const fn = a.functions.find((f) => f.name === 'energy');
    assert.equal(fn?.check?.status, 'ok', JSON.stringify(a.diagnostics));
    assert.deepEqual(fn.check!.points[0].components.map((c) => c.label), ['p.x', 'p.y']);
  });

  it('a wrong one is a GL001 naming the component p.y', () => {
    const files = { [MAIN]: ENERGY(`import * as V from './vec';`, 'V.Vec2', 'export function energyGrad(p: V.Vec2): V.Vec2 { return { x: p.x, y: 2 * p.y }; }\n'), '/ws/src/vec.ts': VEC };
    const a = analyze(files);
    assert.equal(a.functions.find((f) => f.name === 'energy')?.check?.status, 'wrong');
    assert.ok(a.diagnostics.some((d) => d.code === 'GL001' && /∂energy\/∂p\.y is wrong/.test(d.message)), JSON.stringify(a.diagnostics.map((d) => d.message)));
  });

  it('without a host (or when the module is missing), the imported type is unknown: a GL002 naming it', () => {
    const text = ENERGY(`import type { Vec2 } from './vec';`);
    for (const a of [analyzeFile(text, { randomPoints: 2 }), analyze({ [MAIN]: text })]) {
      assert.ok(a.diagnostics.some((d) => d.code === 'GL002' && /type 'Vec2'/.test(d.message)), JSON.stringify(a.diagnostics.map((d) => d.message)));
      assert.equal(a.functions.find((f) => f.name === 'energy')?.value ?? null, null);
    }
  });

  it('the cache key holds the type\'s file: a field added there re-analyses the importer', () => {
    const files = { [MAIN]: ENERGY(`import type { Vec2 } from './vec';`), '/ws/src/vec.ts': VEC };
    const cache = new AnalysisCache();
    assert.deepEqual(analyze(files, undefined, cache).functions[0].gradient, { p: { x: 1, y: 6 } });
    const edited = { ...files, '/ws/src/vec.ts': VEC.replace('y: number }', 'y: number; z: number }') };
    const a = analyze(edited, undefined, cache);
    assert.equal(cache.hits, 0);
    assert.ok(a.diagnostics.some((d) => /z/.test(d.message)), JSON.stringify(a.diagnostics.map((d) => d.message)));
  });
});

describe('imports: module constants folded from imported constants (issue 13 item 6)', () => {
  const F = (imports: string, init: string) => `${imports}\nconst T = ${init};\n/**\n * @differentiable\n * @at x = 2\n */\nexport function f(x: number): number { return T * x * x; }\n`;
  for (const [name, main] of [
    ['a named import', F(`import { K } from './util';`, '2 * K')],
    ['a namespace import', F(`import * as U from './util';`, 'Math.sqrt(U.K * 12)')],
    ['a re-export, renamed', F(`import { K as KK } from './index';`, 'KK + 3')],
  ] as const) {
    it(name, () => {
      const files = { [MAIN]: main, '/ws/src/util.ts': UTIL, '/ws/src/index.ts': `export { K } from './util';\n` };
      const fn = analyze(files).functions.find((f) => f.name === 'f');
      assert.equal(fn?.value, 6 * 4);
      assert.deepEqual(fn.gradient, { x: 6 * 4 });
    });
  }

  it('editing the imported constant re-analyses the function that reads the folded one', () => {
    const files = { [MAIN]: F(`import { K } from './util';`, '2 * K'), '/ws/src/util.ts': UTIL };
    const cache = new AnalysisCache();
    assert.equal(analyze(files, undefined, cache).functions[0].value, 24);
    assert.equal(analyze({ ...files, '/ws/src/util.ts': UTIL.replace('K = 3', 'K = 5') }, undefined, cache).functions[0].value, 40);
  });

  it('files importing constants from each other terminate, folding what they can', () => {
    const files = { [MAIN]: `import { B } from './b';\nexport const A = 2;\nconst T = A * B;\n/**\n * @differentiable\n * @at x = 1\n */\nexport function f(x: number): number { return T * x; }\n`, '/ws/src/b.ts': `import { A } from './main';\nexport const B = A + 1;\n` };
    assert.equal(analyze(files).functions.find((f) => f.name === 'f')?.value, 6);
  });
});

describe('imports: JSDoc types of JavaScript modules (issue 13 item 6)', () => {
  const JS_MAIN = '/ws/src/main.js';
  const VEC_JS = `/**\n * @typedef {Object} Vec2\n * @property {number} x\n * @property {number} y\n */\nexport function length2(p) { return p.x * p.x + p.y * p.y; }\n`;
  const main = (type: string) => `/**\n * @differentiable\n * @param {${type}} p\n * @at p = { x: 1, y: 2 }\n */\nexport function energy(p) { return 0.5 * (p.x * p.x + 3 * p.y * p.y); }\n`;
  const run = (files: Record<string, string>) => analyzeFile(files[JS_MAIN], { randomPoints: 2 }, undefined, { file: JS_MAIN, host: memoryHost(files) });

  it("`{import('./vec').Vec2}`, a @typedef of the other module", () => {
    const files = { [JS_MAIN]: main(`import('./vec').Vec2`), '/ws/src/vec.js': VEC_JS };
    const fn = run(files).functions.find((f) => f.name === 'energy');
    assert.deepEqual(fn?.gradient, { p: { x: 1, y: 6 } });
  });

  it('an imported @typedef name (`import { Vec2 }` of a JavaScript module)', () => {
    const files = { [JS_MAIN]: `import { length2, Vec2 } from './vec';\n${main('Vec2')}`, '/ws/src/vec.js': VEC_JS };
    const fn = run(files).functions.find((f) => f.name === 'energy');
    assert.deepEqual(fn?.gradient, { p: { x: 1, y: 6 } });
  });

  it("a type the module does not declare is unknown: a GL002", () => {
    const files = { [JS_MAIN]: main(`import('./vec').Vec3`), '/ws/src/vec.js': VEC_JS };
    assert.ok(run(files).diagnostics.some((d) => d.code === 'GL002' && /Vec3/.test(d.message)));
  });
});
