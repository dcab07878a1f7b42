// End-to-end tests of the bundled CLI: `node dist/cli.js` as a child process, on examples/ and on
// test/fixtures/cli/. Needs `npm run build` first (npm test does it).

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FIXTURES = 'test/fixtures/cli';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...env, ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.status}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** 1-based line of the first line of `file` containing `needle`. */
/** The example files the CLI checks (`.ts` and `.js`), in the order it checks them. */
function exampleFiles(): string[] {
  return fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => /\.(ts|js)$/.test(f)).sort();
}

function lineOf(file: string, needle: string): number {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `'${needle}' not found in ${file}`);
  return i + 1;
}

const ANSI = /\x1b\[\d+m/;

interface CheckJson {
  version: string;
  failed: boolean;
  summary: { files: number; functions: number; failures: number; gradients: { checked: number; ok: number; wrong: number; shape: number } };
  files: {
    file: string;
    error: string | null;
    functions: {
      name: string;
      line: number;
      column: number;
      status: string;
      wrt: string[];
      check: { name: string; pairedBy: string; status: string; points: { components: { label: string; verdict: string; hand: number; ad: number }[] }[] } | null;
    }[];
    diagnostics: { code: string; severity: string; message: string; line: number; column: number; endLine: number; endColumn: number; start: number; end: number; functionName: string | null }[];
  }[];
}

describe('cli: gradlens (child process)', function () {
  this.timeout(120_000);

  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`);
  });

  describe('usage', () => {
    it('--version prints the package version', () => {
      const r = cli(['--version']);
      assert.equal(r.status, 0);
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(r.stdout.trim(), pkg.version);
    });

    it('--help lists the commands; each command has its own help', () => {
      const r = cli(['--help']);
      assert.equal(r.status, 0);
      for (const c of ['check', 'grad', 'codegen', 'graph']) assert.ok(r.stdout.includes(c), c);
      const c = cli(['codegen', '--help']);
      assert.equal(c.status, 0);
      assert.match(c.stdout, /--mode/);
      assert.match(c.stdout, /reverse/);
      assert.equal(cli(['help', 'graph']).stdout, cli(['graph', '-h']).stdout);
    });

    it('no arguments: usage on stderr, exit 2', () => {
      const r = cli([]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /Usage: gradlens/);
      assert.equal(r.stdout, '');
    });

    it('an unknown command or option is a usage error (exit 2) with a pointer to --help', () => {
      const r = cli(['chek', 'examples/']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /unknown command 'chek' \(did you mean 'check'\?\)/);
      const o = cli(['check', '--fast', 'examples/']);
      assert.equal(o.status, 2);
      assert.match(o.stderr, /unknown option '--fast'/);
      assert.match(o.stderr, /gradlens check --help/);
    });

    it('bad option values are explained', () => {
      assert.match(cli(['check', '--rtol', 'tight']).stderr, /'--rtol' expects a number, got 'tight'/);
      assert.match(cli(['check', '--seed', '1.5']).stderr, /'--seed' expects an integer/);
      const m = cli(['codegen', 'examples/huber.ts', 'huberLoss', '--mode', 'fast']);
      assert.equal(m.status, 2);
      assert.match(m.stderr, /invalid value 'fast' for '--mode': expected reverse, closed, jvp, hessian/);
      const f = cli(['graph', 'examples/huber.ts', 'huberLoss', '--format', 'png']);
      assert.equal(f.status, 2);
      assert.match(f.stderr, /expected dot, json, svg/);
    });

    it('missing positional arguments and malformed --at points are usage errors', () => {
      const g = cli(['grad', 'examples/huber.ts']);
      assert.equal(g.status, 2);
      assert.match(g.stderr, /missing <function>/);
      const a = cli(['grad', 'examples/huber.ts', 'huberLoss', '--at', 'pred=[1,2']);
      assert.equal(a.status, 2);
      assert.match(a.stderr, /--at: unbalanced brackets/);
      const b = cli(['grad', 'examples/twoLinkArm.ts', 'ikObjective', '--at', 'theta1=one']);
      assert.equal(b.status, 2);
      assert.match(b.stderr, /the value of 'theta1' is not a number/);
    });
  });

  describe('check: inputs', () => {
    it('a missing file, a glob matching nothing and a glob under a missing directory: exit 2, each named', () => {
      const r = cli(['check', 'nope.ts', 'examples/*.py', 'nowhere/**/*.ts']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /no such file or directory: 'nope\.ts'/);
      assert.match(r.stderr, /no \.ts or \.js files match 'examples\/\*\.py'/);
      assert.match(r.stderr, /no files match 'nowhere\/\*\*\/\*\.ts' \(directory 'nowhere' does not exist\)/);
      assert.equal(r.stdout, '', 'nothing is checked when an input is bad');
    });

    it('walks directories recursively (.ts and .js, not .txt) and skips node_modules', () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-cli-e2e-'));
      try {
        fs.cpSync(path.join(ROOT, FIXTURES), tmp, { recursive: true });
        fs.mkdirSync(path.join(tmp, 'node_modules', 'dep'), { recursive: true });
        fs.copyFileSync(path.join(ROOT, FIXTURES, 'wrong.ts'), path.join(tmp, 'node_modules', 'dep', 'wrong.ts'));
        const r = cli(['check', '--json', 'nested', 'ok.ts', 'plain.js'], { cwd: tmp });
        const out = json<CheckJson>(r);
        assert.deepEqual(out.files.map((f) => f.file), ['nested/deeper/arrays.ts', 'ok.ts', 'plain.js']);
        const all = cli(['check', '--json', '.'], { cwd: tmp });
        const files = json<CheckJson>(all).files.map((f) => f.file);
        assert.deepEqual(files, ['nested/deeper/arrays.ts', 'ok.ts', 'plain.js', 'shape.ts', 'vector/armTip.ts', 'warnings/unsupported.ts', 'wrong.ts']);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });

    it('expands quoted globs itself', () => {
      const r = cli(['check', '--json', `${FIXTURES}/**/*.{ts,js}`]);
      const files = json<CheckJson>(r).files.map((f) => f.file);
      assert.deepEqual(
        files,
        ['nested/deeper/arrays.ts', 'ok.ts', 'plain.js', 'shape.ts', 'vector/armTip.ts', 'warnings/unsupported.ts', 'wrong.ts'].map((f) => `${FIXTURES}/${f}`),
      );
    });

    it('says which annotated function it could not analyse because of a syntax error', () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-cli-syntax-'));
      try {
        fs.writeFileSync(path.join(tmp, 'midEdit.ts'), [
          '/** @differentiable */',
          'function broken(x: number): number {',
          '  return x * (x + ;',
          '}',
          '/** @differentiable */',
          'function fine(x: number): number {',
          '  return x * x;',
          '}',
          '',
        ].join('\n'));
        const r = cli(['check', 'midEdit.ts'], { cwd: tmp });
        assert.equal(r.status, 0);
        assert.match(r.stdout, /broken \(2:10\)\s+not analysed: it has a syntax error/);
        const out = json<{ files: { skipped: { name: string; line: number; column: number; reason: string }[] }[] }>(cli(['check', '--json', 'midEdit.ts'], { cwd: tmp }));
        assert.deepEqual(out.files[0].skipped, [{ name: 'broken', line: 2, column: 10, reason: 'it has a syntax error' }]);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });

    it('reports progress on stderr with --progress, and none by default when not on a terminal', () => {
      const r = cli(['check', '--progress', 'examples/']);
      const files = exampleFiles();
      const n = files.length;
      assert.ok(r.stderr.includes(`[1/${n}] examples/${files[0]}`), r.stderr);
      assert.ok(r.stderr.includes(`[${n}/${n}] examples/${files[n - 1]}`), r.stderr);
      assert.ok(!cli(['check', 'examples/']).stderr.includes(`[1/${n}]`));
    });
  });

  describe('check: examples/', () => {
    it('finds the deliberately wrong Black–Scholes rho and nothing else: exit 1, GL001 at file:line:col', () => {
      const r = cli(['check', 'examples/']);
      assert.equal(r.status, 1, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      const m = /examples\/blackScholes\.ts:(\d+):(\d+)\s+warning\s+GL001\s+(.*)/.exec(r.stdout);
      assert.ok(m, `no GL001 line in:\n${r.stdout}`);
      const line = Number(m[1]);
      const file = 'examples/blackScholes.ts';
      // The component's expression: the `rho` in the returned tuple, or where rho is computed.
      assert.ok([lineOf(file, 'const rho ='), lineOf(file, 'return [delta, vega, rho]')].includes(line), `GL001 on line ${line}`);
      assert.ok(Number(m[2]) > 1);
      assert.equal((r.stdout.match(/GL001/g) ?? []).filter(() => true).length >= 1, true);
      assert.doesNotMatch(r.stdout.replace(/examples\/blackScholes\.ts:\d+:\d+\s+warning\s+GL001[^\n]*/g, ''), /\d+:\d+\s+warning\s+GL001/);
      assert.match(r.stdout, /✗ blackScholesCall/);
      assert.match(r.stdout, new RegExp(`Checked ${exampleFiles().length} files`));
      assert.ok(!ANSI.test(r.stdout), 'no colour when stdout is a pipe');
    });

    it('--json: every example function is found, only blackScholesCall fails, in component r', () => {
      const r = cli(['check', '--json', 'examples']);
      assert.equal(r.status, 1);
      const out = json<CheckJson>(r);
      assert.equal(out.failed, true);
      assert.equal(out.summary.files, exampleFiles().length);
      const fns = out.files.flatMap((f) => f.functions.map((fn) => ({ ...fn, file: f.file })));
      const names = fns.map((f) => f.name).sort();
      for (const name of ['blackScholesCall', 'dampedEnergy', 'huberLoss', 'ikObjective', 'logisticLoss', 'mlpLoss', 'rayHitDistance']) {
        assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
      }
      for (const fn of fns) {
        if (fn.name === 'blackScholesCall') continue;
        assert.ok(fn.check === null || fn.check.status === 'ok', `${fn.name}: ${JSON.stringify(fn.check?.status)}`);
      }
      const expectedPairs: Record<string, [string, string]> = {
        blackScholesCall: ['blackScholesGreeks', 'tag'],
        dampedEnergy: ['gradDampedEnergy', 'name'],
        huberLoss: ['huberLossGrad', 'name'],
        ikObjective: ['ikObjectiveGrad', 'name'],
        logisticLoss: ['logisticLossGradient', 'tag'],
        mlpLoss: ['mlpLossGradient', 'tag'],
        rayHitDistance: ['rayHitDistanceGradient', 'tag'],
      };
      for (const [name, [grad, pairedBy]] of Object.entries(expectedPairs)) {
        const fn = fns.find((f) => f.name === name);
        assert.equal(fn?.check?.name, grad, name);
        assert.equal(fn?.check?.pairedBy, pairedBy, name);
      }
      const bs = fns.find((f) => f.name === 'blackScholesCall');
      assert.equal(bs?.status, 'fail');
      assert.equal(bs?.check?.status, 'wrong');
      const wrong = new Set(bs?.check?.points.flatMap((p) => p.components.filter((c) => c.verdict === 'wrong').map((c) => c.label)));
      assert.deepEqual([...wrong], ['r']);
      const diagnostics = out.files.flatMap((f) => f.diagnostics.map((d) => ({ ...d, file: f.file })));
      const failing = diagnostics.filter((d) => d.code === 'GL001' || d.code === 'GL006');
      assert.ok(failing.length >= 1);
      for (const d of failing) {
        assert.equal(d.file, 'examples/blackScholes.ts');
        assert.equal(d.code, 'GL001');
        assert.equal(d.functionName, 'blackScholesCall');
        assert.ok(d.line >= 1 && d.column >= 1 && d.endLine >= d.line && d.end > d.start);
      }
      assert.equal(out.summary.failures, failing.length);
    });

    it('a file whose hand-written gradient agrees exits 0', () => {
      const r = cli(['check', `${FIXTURES}/ok.ts`, `${FIXTURES}/nested`]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ rosenbrock/);
      assert.match(r.stdout, /✓ halfNormSquared/);
      assert.match(r.stdout, /Every hand-written gradient agrees/);
    });

    it('other findings (GL002 unsupported construct, GL005 bad annotation) are reported with exit 0', () => {
      const file = `${FIXTURES}/warnings/unsupported.ts`;
      const r = cli(['check', file]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`${file}:${lineOf(file, 'const settings = {')}:\\d+\\s+warning\\s+GL002`));
      assert.match(r.stdout, new RegExp(`${file}:${lineOf(file, '@at x = one')}:\\d+\\s+\\w+\\s+GL005`));
      assert.match(r.stdout, /! scaled/);
      assert.match(r.stdout, /No wrong hand-written gradient \(see the 3 other diagnostics above\)/);
      const j = json<CheckJson>(cli(['check', '--json', file]));
      assert.equal(j.failed, false);
      assert.deepEqual(j.files[0].functions.map((f) => f.status), ['warn', 'warn']);
    });

    it('a wrong component (GL001) and a wrong shape (GL006) each exit 1', () => {
      const w = cli(['check', `${FIXTURES}/wrong.ts`]);
      assert.equal(w.status, 1);
      assert.match(w.stdout, new RegExp(`${FIXTURES}/wrong\\.ts:${lineOf(`${FIXTURES}/wrong.ts`, 'return [2 * x, y]')}:\\d+\\s+warning\\s+GL001`));
      const s = cli(['check', '--json', `${FIXTURES}/shape.ts`]);
      assert.equal(s.status, 1);
      assert.ok(json<CheckJson>(s).files[0].diagnostics.some((d) => d.code === 'GL006'));
    });

    it('colours only when forced (FORCE_COLOR or --color), and NO_COLOR turns it off', () => {
      assert.match(cli(['check', `${FIXTURES}/wrong.ts`], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
      assert.match(cli(['check', '--color', `${FIXTURES}/wrong.ts`]).stdout, ANSI);
      assert.doesNotMatch(cli(['check', `${FIXTURES}/wrong.ts`], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, ANSI);
      assert.doesNotMatch(cli(['check', '--no-color', `${FIXTURES}/wrong.ts`], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
    });
  });

  describe('grad', () => {
    // ikObjective and its gradient, written out independently of the example file.
    function ik(t1: number, t2: number, l1: number, l2: number, tx: number, ty: number): { value: number; g: [number, number] } {
      const ex = l1 * Math.cos(t1) + l2 * Math.cos(t1 + t2) - tx;
      const ey = l1 * Math.sin(t1) + l2 * Math.sin(t1 + t2) - ty;
      const jx2 = -l2 * Math.sin(t1 + t2);
      const jy2 = l2 * Math.cos(t1 + t2);
      const jx1 = -l1 * Math.sin(t1) + jx2;
      const jy1 = l1 * Math.cos(t1) + jy2;
      return { value: 0.5 * (ex * ex + ey * ey), g: [ex * jx1 + ey * jy1, ex * jx2 + ey * jy2] };
    }

    function numbersAfter(label: string, text: string): number[] {
      const line = text.split('\n').find((l) => l.trim().startsWith(label));
      assert.ok(line, `no '${label}' line in:\n${text}`);
      return (line.slice(line.indexOf(label) + label.length).match(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g) ?? []).map(Number);
    }

    it('prints value and gradient at the first @at point', () => {
      const r = cli(['grad', 'examples/twoLinkArm.ts', 'ikObjective']);
      assert.equal(r.status, 0, r.stderr);
      const e = ik(0.3, 1.1, 1, 0.7, 0.9, 1.2);
      assert.ok(Math.abs(numbersAfter('value', r.stdout)[0] - e.value) < 1e-9 * Math.abs(e.value) + 1e-12, r.stdout);
      assert.ok(Math.abs(numbersAfter('∂/∂theta1', r.stdout)[0] - e.g[0]) < 1e-8, r.stdout);
      assert.ok(Math.abs(numbersAfter('∂/∂theta2', r.stdout)[0] - e.g[1]) < 1e-8, r.stdout);
      assert.match(r.stdout, /ikObjective at theta1 = 0\.3, theta2 = 1\.1/);
    });

    it('evaluates at --at, and --json gives exact numbers', () => {
      const at = 'theta1=-0.5, theta2=0.25, l1=2, l2=1.5, tx=1, ty=-1';
      const r = cli(['grad', 'examples/twoLinkArm.ts', 'ikObjective', '--at', at, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const out = json<{ value: number; gradient: Record<string, number>; point: Record<string, number> }>(r);
      const e = ik(-0.5, 0.25, 2, 1.5, 1, -1);
      assert.ok(Math.abs(out.value - e.value) <= 1e-12 * (1 + Math.abs(e.value)));
      assert.ok(Math.abs(out.gradient.theta1 - e.g[0]) <= 1e-10 * (1 + Math.abs(e.g[0])));
      assert.ok(Math.abs(out.gradient.theta2 - e.g[1]) <= 1e-10 * (1 + Math.abs(e.g[1])));
      assert.deepEqual(Object.keys(out.gradient), ['theta1', 'theta2'], 'only the @wrt parameters');
      assert.equal(out.point.l1, 2);
    });

    it('prints array gradients for an array parameter', () => {
      const r = cli(['grad', 'examples/huber.ts', 'huberLoss', '--at', 'pred=[0.5, 2.5, -1.2, 0.1], target=[0.4, 0, 1, -0.3], delta=1']);
      assert.equal(r.status, 0, r.stderr);
      // Residuals 0.1, 2.5, −2.2, 0.4 with delta 1, over n = 4: clipped to 0.1, 1, −1, 0.4.
      const g = numbersAfter('∂/∂pred', r.stdout);
      assert.deepEqual(g.map((v) => Math.round(v * 1e9) / 1e9), [0.025, 0.25, -0.25, 0.1]);
    });

    it('prints the Jacobian of a vector-valued function', () => {
      const r = cli(['grad', `${FIXTURES}/vector/armTip.ts`, 'armTip', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const out = json<{ value: number[]; gradient: unknown; jacobian: number[][] }>(r);
      const [t1, t2] = [0.5, 0.25];
      const expected = [
        [-Math.sin(t1) - Math.sin(t1 + t2), -Math.sin(t1 + t2)],
        [Math.cos(t1) + Math.cos(t1 + t2), Math.cos(t1 + t2)],
      ];
      assert.equal(out.jacobian.length, 2);
      out.jacobian.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-12, `J[${i}][${j}] = ${v}`)));
      assert.ok(Math.abs(out.value[0] - (Math.cos(t1) + Math.cos(t1 + t2))) < 1e-15);
      const human = cli(['grad', `${FIXTURES}/vector/armTip.ts`, 'armTip', '--digits', '6']);
      assert.match(human.stdout, /Jacobian/);
      assert.ok(human.stdout.includes(`[${Number(expected[0][0].toPrecision(6))}, ${Number(expected[0][1].toPrecision(6))}]`), human.stdout);
    });

    it('an unknown function: exit 1, naming the annotated functions of the file', () => {
      const r = cli(['grad', 'examples/twoLinkArm.ts', 'nope']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /'nope'/);
      assert.match(r.stderr, /ikObjective/);
    });

    it('a missing file: exit 2', () => {
      const r = cli(['grad', 'examples/none.ts', 'f']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /cannot read 'examples\/none\.ts': no such file or directory/);
    });
  });

  describe('codegen', () => {
    /** Compiles generated TypeScript (the engine's output) to a temporary module and returns the named function. */
    function load(code: string, name: string): (...args: unknown[]) => unknown {
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-codegen-'));
      try {
        const file = path.join(dir, 'generated.js');
        fs.writeFileSync(file, `${js}\nmodule.exports.__generated = ${name};\n`);
        const fn = (require(file) as Record<string, unknown>).__generated;
        assert.equal(typeof fn, 'function', `${name} not defined by:\n${code}`);
        return fn as (...args: unknown[]) => unknown;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }

    /** The gradient of ikObjective in (theta1, theta2), written out independently of the example. */
    function ikGradient(t1: number, t2: number, l1: number, l2: number, tx: number, ty: number): [number, number] {
      const ex = l1 * Math.cos(t1) + l2 * Math.cos(t1 + t2) - tx;
      const ey = l1 * Math.sin(t1) + l2 * Math.sin(t1 + t2) - ty;
      const jx2 = -l2 * Math.sin(t1 + t2);
      const jy2 = l2 * Math.cos(t1 + t2);
      return [ex * (-l1 * Math.sin(t1) + jx2) + ey * (l1 * Math.cos(t1) + jy2), ex * jx2 + ey * jy2];
    }

    function components(result: unknown): number[] {
      if (Array.isArray(result)) return result as number[];
      return Object.values(result as Record<string, number>);
    }

    it('in a JavaScript file every mode prints plain JavaScript (no type annotations) that runs and agrees with AD', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-jscodegen-'));
      try {
        const file = path.join(dir, 'objective.js');
        fs.writeFileSync(file, [
          '/**', ' * @differentiable', ' * @param {number} x', ' * @param {number} y', ' * @at x = 0.7, y = -1.2', ' */',
          'function objective(x, y) {', '  var s = Math.sin(x * y);', '  return s * s + x * Math.exp(y);', '}', 'module.exports = { objective };', '',
        ].join('\n'));
        const ad = [0.7, -1.2];
        const dx = 2 * Math.sin(ad[0] * ad[1]) * Math.cos(ad[0] * ad[1]) * ad[1] + Math.exp(ad[1]);
        const dy = 2 * Math.sin(ad[0] * ad[1]) * Math.cos(ad[0] * ad[1]) * ad[0] + ad[0] * Math.exp(ad[1]);
        for (const mode of ['reverse', 'closed', 'jvp', 'hessian']) {
          const r = cli(['codegen', file, 'objective', '--mode', mode]);
          assert.equal(r.status, 0, r.stderr);
          // It parses as JavaScript with no error (a `: number` would be one) and has no annotation.
          const parsed = ts.createSourceFile('g.js', r.stdout, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS) as ts.SourceFile & { parseDiagnostics: ts.Diagnostic[] };
          assert.deepEqual(parsed.parseDiagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], `${mode}:\n${r.stdout}`);
          assert.doesNotMatch(r.stdout, /\)\s*:\s*\[?number|\b[a-z]\w*\s*:\s*number\b/, `${mode} has a type annotation:\n${r.stdout}`);
          const name = /function (\w+)\(/.exec(r.stdout.slice(r.stdout.lastIndexOf('Generated by Gradlens')))?.[1] ?? /function (\w+)\(/.exec(r.stdout)![1]!;
          const fn = load(r.stdout, name);
          if (mode === 'jvp') {
            const t = fn(ad[0], ad[1], 1, 0) as unknown;
            const tangent = Array.isArray(t) ? (t as number[])[1]! : typeof t === 'object' ? Object.values(t as Record<string, number>)[1]! : (t as number);
            assert.ok(Math.abs(tangent - dx) < 1e-9, `jvp: ${tangent} vs ${dx}`);
          } else if (mode !== 'hessian') {
            const g = components(fn(ad[0], ad[1]));
            assert.ok(Math.abs(g[0]! - dx) < 1e-9 && Math.abs(g[1]! - dy) < 1e-9, `${mode}: ${g} vs ${[dx, dy]}`);
          }
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--mode reverse prints a gradient function that computes the gradient', () => {
      const r = cli(['codegen', 'examples/twoLinkArm.ts', 'ikObjective', '--mode', 'reverse']);
      assert.equal(r.status, 0, r.stderr);
      const m = /function\s+(\w+)\s*\(/.exec(r.stdout);
      assert.ok(m, r.stdout);
      const fn = load(r.stdout, m[1]);
      const g = components(fn(0.3, 1.1, 1, 0.7, 0.9, 1.2));
      assert.ok(Math.abs(g[0] - -0.402374671099) < 1e-9 && Math.abs(g[1] - -0.145784222186) < 1e-9, JSON.stringify(g));
    });

    it('--mode closed prints a closed-form gradient that computes the gradient', () => {
      const r = cli(['codegen', 'examples/twoLinkArm.ts', 'ikObjective', '--mode', 'closed']);
      assert.equal(r.status, 0, r.stderr);
      const m = /function\s+(\w+)\s*\(/.exec(r.stdout);
      assert.ok(m, r.stdout);
      const g = components(load(r.stdout, m[1])(-1.2, 2.5, 1.5, 1, -0.4, 0.8));
      const e = ikGradient(-1.2, 2.5, 1.5, 1, -0.4, 0.8);
      assert.ok(Math.abs(g[0] - e[0]) < 1e-12 && Math.abs(g[1] - e[1]) < 1e-12, JSON.stringify(g));
    });

    it('--mode hessian prints a function computing the Hessian', () => {
      const r = cli(['codegen', 'examples/twoLinkArm.ts', 'ikObjective', '--mode', 'hessian']);
      assert.equal(r.status, 0, r.stderr);
      const m = /function\s+(\w+)\s*\(/.exec(r.stdout);
      assert.ok(m, r.stdout);
      const args = [0.3, 1.1, 1, 0.7, 0.9, 1.2] as const;
      const result = load(r.stdout, m[1])(...args) as number[][] | number[];
      const flat = (result as (number | number[])[]).flat();
      assert.equal(flat.length, 4, JSON.stringify(result));
      // Central differences of the (exact) gradient, column by column.
      const h = 1e-6;
      for (let j = 0; j < 2; j++) {
        const plus = [...args];
        const minus = [...args];
        plus[j] += h;
        minus[j] -= h;
        const gp = ikGradient(...(plus as unknown as [number, number, number, number, number, number]));
        const gm = ikGradient(...(minus as unknown as [number, number, number, number, number, number]));
        for (let i = 0; i < 2; i++) {
          const fd = (gp[i] - gm[i]) / (2 * h);
          assert.ok(Math.abs(flat[i * 2 + j] - fd) < 1e-6, `H[${i}][${j}] = ${flat[i * 2 + j]}, finite differences ${fd}`);
        }
      }
    });

    it('--mode jvp prints a function that compiles and gives directional derivatives', () => {
      const r = cli(['codegen', 'examples/twoLinkArm.ts', 'ikObjective', '-m', 'jvp']);
      assert.equal(r.status, 0, r.stderr);
      const m = /function (\w+Jvp\w*)\s*\(/.exec(r.stdout);
      assert.ok(m, r.stdout);
      const out = ts.transpileModule(r.stdout, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
      assert.deepEqual(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')) ?? [], []);
      // Calling convention: the function's parameters, then one tangent per @wrt parameter;
      // the result is [value, directional derivative].
      const jvp = load(r.stdout, m[1]);
      const args = [0.3, 1.1, 1, 0.7, 0.9, 1.2];
      const g = ikGradient(0.3, 1.1, 1, 0.7, 0.9, 1.2);
      const along = (d1: number, d2: number): number => {
        const result = jvp(...args, d1, d2);
        return Array.isArray(result) ? (result[1] as number) : (result as number);
      };
      assert.ok(Math.abs(along(1, 0) - g[0]) < 1e-12, `${along(1, 0)} vs ${g[0]}`);
      assert.ok(Math.abs(along(0, 1) - g[1]) < 1e-12);
      assert.ok(Math.abs(along(2, -3) - (2 * g[0] - 3 * g[1])) < 1e-12);
    });

    it('--name names the generated function', () => {
      const named = cli(['codegen', 'examples/twoLinkArm.ts', 'ikObjective', '--name', 'ikGradient']);
      assert.equal(named.status, 0, named.stderr);
      assert.match(named.stdout, /function ikGradient\s*\(/);
      const bad = cli(['codegen', 'examples/twoLinkArm.ts', 'ikObjective', '--name', 'not-a-name']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /'--name' expects an identifier/);
    });

    it('--json and -o', () => {
      const r = cli(['codegen', 'examples/huber.ts', 'huberLoss', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const out = json<{ name: string; code: string; mode: string }>(r);
      assert.equal(out.mode, 'reverse');
      assert.ok(out.code.includes(`function ${out.name}`));
      const file = path.join(os.tmpdir(), `gradlens-codegen-${process.pid}.ts`);
      try {
        const o = cli(['codegen', 'examples/huber.ts', 'huberLoss', '-o', file]);
        assert.equal(o.status, 0, o.stderr);
        assert.equal(o.stdout, '');
        assert.match(fs.readFileSync(file, 'utf8'), /function \w+/);
      } finally {
        fs.rmSync(file, { force: true });
      }
    });
  });

  describe('graph', () => {
    it('--format dot prints a digraph', () => {
      const r = cli(['graph', 'examples/twoLinkArm.ts', 'ikObjective', '--format', 'dot']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^digraph "ikObjective" \{/);
      assert.match(r.stdout, /n\d+ -> n\d+/);
      assert.ok(r.stdout.includes('cos'), 'the graph has the cosine nodes');
    });

    it('--format json gives nodes with values and adjoints, edges, and positions', () => {
      const r = cli(['graph', 'examples/twoLinkArm.ts', 'ikObjective', '--format', 'json', '--at', 'theta1=0.3, theta2=1.1, l1=1, l2=0.7, tx=0.9, ty=1.2']);
      assert.equal(r.status, 0, r.stderr);
      const g = json<{
        file: string;
        functionName: string;
        nodes: { id: number; op: string; value: number; adjoint: number; location: { start: { line: number } } | null }[];
        edges: { from: number; to: number; partial: number }[];
        outputs: number[];
      }>(r);
      assert.equal(g.file, 'examples/twoLinkArm.ts');
      assert.equal(g.functionName, 'ikObjective');
      assert.ok(g.nodes.length > 5 && g.edges.length > 5);
      const ids = new Set(g.nodes.map((n) => n.id));
      for (const e of g.edges) assert.ok(ids.has(e.from) && ids.has(e.to));
      const out = g.nodes.find((n) => n.id === g.outputs[0]);
      assert.ok(out && Math.abs(out.value - 0.038233123573792924) < 1e-12, JSON.stringify(out));
      const located = g.nodes.filter((n) => n.location);
      assert.ok(located.length > 0 && located.every((n) => n.location!.start.line >= lineOf('examples/twoLinkArm.ts', 'export function ikObjective(')));
    });

    it('--format svg draws the laid-out graph, to stdout or -o', () => {
      const r = cli(['graph', 'examples/springMassDamper.ts', 'dampedEnergy', '--format', 'svg']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(r.stdout.trimEnd().endsWith('</svg>'));
      assert.ok((r.stdout.match(/<g class="node /g) ?? []).length > 5);
      const file = path.join(os.tmpdir(), `gradlens-graph-${process.pid}.svg`);
      try {
        const o = cli(['graph', 'examples/springMassDamper.ts', 'dampedEnergy', '-f', 'svg', '-o', file]);
        assert.equal(o.status, 0, o.stderr);
        assert.equal(fs.readFileSync(file, 'utf8'), r.stdout);
      } finally {
        fs.rmSync(file, { force: true });
      }
    });

    it('an unknown function: exit 1 with a message', () => {
      const r = cli(['graph', 'examples/huber.ts', 'nope']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /could not compute the graph of 'nope'/);
    });
  });
});
