// `gradlens check` over a directory whose files import each other (issue 13 item 6): helpers and
// constants read from the other files as TypeScript resolves them (the tsconfig's `paths` alias,
// CommonJS `require`), a package in node_modules named in a GL002. Runs the bundle: `npm run build` first.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

const FILES: Record<string, string> = {
  'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@num/*": ["src/num/*"] }, "strict": true } }\n',
  'src/num/ops.ts': 'export function sq(x: number): number { return x * x; }\nexport const K = 3;\n',
  // Right, through the alias.
  'src/model.ts': `import { sq, K } from '@num/ops';
/**
 * @differentiable
 * @at x = 2
 */
export function loss(x: number): number { return K * sq(x); }
export function lossGrad(x: number): number { return 2 * K * x; }
`,
  // Wrong (the `+ x` forgotten), through a namespace import of a relative path.
  'src/energy.ts': `import * as ops from './num/ops';
/**
 * @differentiable
 * @at x = 2
 */
export function energy(x: number): number { return ops.sq(x) + x; }
export function energyGrad(x: number): number { return 2 * x; }
`,
  // JavaScript, CommonJS.
  'src/spring.js': `const { stiffness } = require('./springLib.js');
/**
 * @differentiable
 * @param {number} x
 * @at x = 0.5
 */
function potential(x) { return 0.5 * stiffness(x) * x * x; }
function potentialGrad(x) { return 4 * x; }
module.exports = { potential, potentialGrad };
`,
  'src/springLib.js': 'function stiffness(x) { return 4; }\nmodule.exports = { stiffness };\n',
  // A package: a GL002 that names it.
  'src/special.ts': `import { erf } from 'special-fns';
/**
 * @differentiable
 * @at x = 1
 */
export function cdf(x: number): number { return 0.5 * (1 + erf(x / Math.SQRT2)); }
`,
  'node_modules/special-fns/package.json': '{ "name": "special-fns", "main": "index.js" }\n',
  'node_modules/special-fns/index.js': 'exports.erf = function (x) { return x; };\n',
};

interface CheckJson {
  files: { file: string; functions: { name: string; status: string }[]; diagnostics: { code: string; message: string }[] }[];
}

describe('gradlens check over files that import each other (issue 13 item 6)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-imports-'));
    for (const [name, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('checks each importer with its imported helpers: right, wrong, CommonJS, and a package named in a GL002', () => {
    const r = spawnSync(process.execPath, [CLI, 'check', path.join(dir, 'src'), '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as CheckJson;
    const fileOf = (name: string) => out.files.find((f) => f.file.endsWith(name))!;
    const statusOf = (file: string, fn: string) => fileOf(file).functions.find((f) => f.name === fn)?.status;
    assert.equal(statusOf('model.ts', 'loss'), 'ok', JSON.stringify(fileOf('model.ts')));
    assert.equal(statusOf('energy.ts', 'energy'), 'fail');
    assert.ok(fileOf('energy.ts').diagnostics.some((d) => d.code === 'GL001' && /hand-written 4, AD 5/.test(d.message)));
    assert.equal(statusOf('spring.js', 'potential'), 'ok', JSON.stringify(fileOf('spring.js')));
    const pkg = fileOf('special.ts').diagnostics.find((d) => d.code === 'GL002');
    assert.ok(pkg, JSON.stringify(fileOf('special.ts')));
    assert.match(pkg.message, /'erf'.*the package 'special-fns' \(node_modules\)/);
    assert.match(pkg.message, /Give it a rule/);
    // The helpers' own files have nothing annotated: no diagnostics there.
    assert.deepEqual(fileOf('ops.ts').diagnostics, []);
  });
});

// `grad`, `codegen` and `graph` read the imports of their file as `check` does (issue 13 item 6).
const QUERY_FILES: Record<string, string> = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
  'src/vec.ts': 'export interface Vec2 { x: number; y: number }\nexport function sq(x: number): number { return x * x; }\nexport const K = 3;\n',
  'src/physics.ts': `import { sq, K, type Vec2 } from './vec';
const HALF_K = K / 2;
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }
 */
export function energy(p: Vec2): number { return HALF_K * (sq(p.x) + sq(p.y)); }
`,
};

describe('gradlens grad, codegen and graph over a file with imports (issue 13 item 6)', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-imports-q-'));
    for (const [name, text] of Object.entries(QUERY_FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    file = path.join(dir, 'src', 'physics.ts');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, cwd: dir });

  it('grad: the imported helper, record type and constant are read', () => {
    const r = cli('grad', file, 'energy', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { value: number; gradient: unknown; diagnostics: unknown[] };
    assert.equal(out.value, 7.5);
    assert.deepEqual(out.gradient, { p: { x: 3, y: 6 } });
    assert.deepEqual(out.diagnostics, []);
  });

  it('codegen: a gradient calling the helper as the file imports it', () => {
    const r = cli('codegen', file, 'energy');
    assert.equal(r.status, 0, r.stderr);
    // The record-shaped gradient over the imported type, the helper's pullback, the folded constant.
    assert.match(r.stdout, /export function energyGrad\(p: Vec2\): Vec2/);
    assert.match(r.stdout, /sqPullback\(p\[0\], 1\.5\)/);
  });

  it('graph: the computation reads the helper', () => {
    const r = cli('graph', file, 'energy', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /sq\(p\.x\)/);
  });
});
