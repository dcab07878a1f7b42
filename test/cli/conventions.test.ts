// One check-point grammar (engine/pointGrammar.ts), end to end through the bundled CLI: `--at`
// takes what `@at` takes (`x = Math.PI / 2`), and refuses what `@at` refuses with the same words.
// Needs `npm run build` first (npm test does it).

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli conventions: --at reads the @at grammar', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-conventions-'));
    file = path.join(dir, 'wave.ts');
    fs.writeFileSync(file, `/**
 * @differentiable
 * @wrt x
 * @at x = Math.PI / 2, constructor = 3
 */
export function wave(x: number, constructor: number): number {
  return constructor * Math.sin(x);
}

/**
 * @differentiable
 * @at x = abc
 */
export function bad(x: number): number {
  return x * x;
}
`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`--at 'x = Math.PI / 2' works, as in @at`, () => {
    for (const at of ['x = Math.PI / 2, constructor = 3', 'x=π/2,constructor=3', 'constructor: 3; x: Math.PI / 2']) {
      const r = cli(['grad', file, 'wave', '--at', at, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { value: number; gradient: Record<string, number>; point: Record<string, number> };
      assert.equal(out.point.x, Math.PI / 2);
      assert.equal(out.point.constructor, 3);
      assert.ok(Math.abs(out.value - 3) < 1e-12, r.stdout);
      assert.ok(Math.abs(out.gradient.x) < 1e-12, r.stdout);
    }
  });

  it('without --at, the @at point is the same point', () => {
    const r = cli(['grad', file, 'wave', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { point: Record<string, number> }).point.x, Math.PI / 2);
  });

  it('a point refused by @at is refused by --at with the same message', () => {
    const message = "the value of 'x' is not a number: 'abc'";
    const a = cli(['grad', file, 'bad', '--at', 'x = abc']);
    assert.equal(a.status, 2);
    assert.ok(a.stderr.includes(`--at: ${message}`), a.stderr);
    const c = cli(['check', '--json', file]);
    const diagnostics = (JSON.parse(c.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] }).files[0].diagnostics;
    assert.ok(diagnostics.some((d) => d.code === 'GL005' && d.message.startsWith(`Malformed @at: ${message}.`)), JSON.stringify(diagnostics));
  });
});

describe('cli conventions: the JSON report has every hand-written derivative', function () {
  this.timeout(120_000);
  const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'conventions', name);

  interface CheckJson { name: string; kind: string; convention: string; param?: string; scale?: number; status: string; line: number; points: { components: { verdict: string; line: number | null }[] }[] }
  const checksOf = (file: string, fn: string): CheckJson[] => {
    const r = cli(['check', file, '--json']);
    const report = JSON.parse(r.stdout) as { files: { functions: { name: string; checks: CheckJson[] }[] }[] };
    const f = report.files[0].functions.find((x) => x.name === fn);
    assert.ok(f, `no ${fn} in the report`);
    return f.checks;
  };

  it('lists each @partial with its parameter, scale and verdict (right: all ok)', () => {
    const checks = checksOf(fixture('partial.right.ts'), 'call');
    assert.ok(checks.length >= 4, JSON.stringify(checks.map((c) => c.name)));
    for (const c of checks) assert.equal(c.status, 'ok', `${c.name}: ${c.status}`);
    const vega = checks.find((c) => c.name === 'vega');
    assert.ok(vega);
    assert.equal(vega.kind, 'partial');
    assert.equal(vega.param, 'sigma');
    assert.equal(vega.scale, 0.01);
  });

  it('marks the wrong partials wrong and the right ones ok, each on its own line', () => {
    const checks = checksOf(fixture('partial.wrong.ts'), 'call');
    const byName = new Map(checks.map((c) => [c.name, c]));
    assert.equal(byName.get('delta')?.status, 'ok');
    const wrong = checks.filter((c) => c.status === 'wrong');
    assert.ok(wrong.length >= 2, JSON.stringify(checks.map((c) => [c.name, c.status])));
    for (const c of wrong) assert.ok(c.points.some((p) => p.components.some((k) => k.verdict === 'wrong')));
    assert.equal(new Set(checks.map((c) => c.line)).size, checks.length);
  });
});
