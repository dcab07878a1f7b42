// The examples, independently of the engine: they type-check under --strict, every
// @differentiable function has a hand-written gradient, and each gradient agrees with
// Richardson-extrapolated central differences at every @at point, except the one that is wrong
// on purpose (Black–Scholes rho).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const EXAMPLES = path.join(ROOT, 'examples');

/** A parameter's value: a number, an array, a record (`{ x: 1, y: 2 }`), or a constant (a boolean, a string). */
type Value = number | boolean | string | Value[] | { [field: string]: Value };
type Fn = (...args: Value[]) => unknown;

interface Annotated {
  name: string;
  params: string[];
  wrt: string[];
  points: Record<string, Value>[];
  gradient: string;
}

/** Reads the annotated functions of a file with the TypeScript parser (JSDoc tags included). */
function annotatedFunctions(file: string): Annotated[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const exported = new Set<string>();
  const found: Annotated[] = [];
  source.forEachChild((node) => {
    if (!ts.isFunctionDeclaration(node) || !node.name) return;
    exported.add(node.name.text);
    const tags = ts.getJSDocTags(node);
    const tag = (n: string): string[] =>
      tags.filter((t) => t.tagName.text === n).map((t) => (typeof t.comment === 'string' ? t.comment : ts.getTextOfJSDocComment(t.comment) ?? '').trim());
    if (!tags.some((t) => t.tagName.text === 'differentiable')) return;
    const name = node.name.text;
    const params = node.parameters.map((p) => p.name.getText(source));
    const wrt = tag('wrt')[0]?.split(',').map((s) => s.trim()) ?? params;
    const points = tag('at').map(parseAt);
    found.push({ name, params, wrt, points, gradient: tag('gradient')[0] ?? '' });
  });
  for (const fn of found) {
    if (fn.gradient) continue;
    const cap = fn.name[0].toUpperCase() + fn.name.slice(1);
    fn.gradient = [`${fn.name}Grad`, `${fn.name}_grad`, `grad${cap}`].find((n) => exported.has(n)) ?? '';
  }
  return found;
}

/** `x = 1, w = [1, 2], p = { x: 1, y: 2 }`: the entries split at top-level commas, each value read as JSON (field names quoted). */
function parseAt(text: string): Record<string, Value> {
  const point: Record<string, Value> = {};
  let depth = 0;
  let start = 0;
  const entries: string[] = [];
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (i === text.length || (c === ',' && depth === 0)) { entries.push(text.slice(start, i)); start = i + 1; }
  }
  for (const entry of entries) {
    const m = /^\s*(\w+)\s*=\s*([\s\S]+?)\s*$/.exec(entry);
    if (m) point[m[1]] = JSON.parse(m[2].replace(/([{,]\s*)(\w+)\s*:/g, '$1"$2":')) as Value;
  }
  return point;
}

/** The paths to every number in a value (array indices and record fields), and reading and writing at one. */
function numberPaths(v: Value, path: (string | number)[] = []): (string | number)[][] {
  if (typeof v === 'number') return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => numberPaths(x, [...path, i]));
  if (v !== null && typeof v === 'object') return Object.keys(v).flatMap((k) => numberPaths(v[k], [...path, k]));
  return [];
}
function at(v: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], v);
}
function setAt(v: Value, path: (string | number)[], x: number): Value {
  if (path.length === 0) return x;
  const parent = at(v, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = x;
  return v;
}

/** Loads an example as a CommonJS module from a temporary directory. */
function loadExample(file: string, dir: string): Record<string, Fn> {
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const out = path.join(dir, path.basename(file).replace(/\.ts$/, '.js'));
  fs.writeFileSync(out, js);
  return require(out) as Record<string, Fn>;
}

/** Central differences with Richardson extrapolation (error far below the 1e-6 check tolerance). */
function derivative(f: (h: number) => number, h0: number): number {
  const levels = 5;
  const table: number[][] = [];
  let h = h0;
  for (let i = 0; i < levels; i++, h /= 2) table.push([(f(h) - f(-h)) / (2 * h)]);
  for (let k = 1; k < levels; k++) {
    for (let i = k; i < levels; i++) table[i][k] = table[i][k - 1] + (table[i][k - 1] - table[i - 1][k - 1]) / (4 ** k - 1);
  }
  return table[levels - 1][levels - 1];
}

describe('cli: the examples', function () {
  this.timeout(120_000);
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).map((f) => path.join(EXAMPLES, f));
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-examples-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('there are at least six, covering finance, kinematics, physics, ML losses and graphics', () => {
    const names = files.map((f) => path.basename(f)).sort();
    assert.ok(names.length >= 6, names.join(', '));
    for (const expected of ['blackScholes.ts', 'twoLinkArm.ts', 'springMassDamper.ts', 'logisticRegression.ts', 'mlp.ts', 'raySphere.ts', 'huber.ts']) {
      assert.ok(names.includes(expected), expected);
    }
  });

  it('type-check under tsc --strict (examples/tsconfig.json)', () => {
    const configFile = path.join(EXAMPLES, 'tsconfig.json');
    const config = ts.readConfigFile(configFile, ts.sys.readFile);
    assert.equal(config.error, undefined);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, EXAMPLES);
    assert.equal(parsed.options.strict, true);
    assert.ok(parsed.fileNames.length >= 6);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
  });

  it('every hand-written gradient matches finite differences at every @at point, except Black–Scholes rho', () => {
    const mismatches: string[] = [];
    let checkedFunctions = 0;
    for (const file of files) {
      const mod = loadExample(file, tmp);
      for (const fn of annotatedFunctions(file)) {
        assert.ok(fn.gradient, `${fn.name} has no hand-written gradient`);
        assert.ok(fn.points.length > 0, `${fn.name} has no @at point`);
        const f = mod[fn.name];
        const grad = mod[fn.gradient];
        assert.equal(typeof grad, 'function', `${fn.gradient} is not exported`);
        checkedFunctions++;
        for (const point of fn.points) {
          const args = fn.params.map((p) => {
            assert.ok(p in point, `${fn.name}: @at has no value for ${p}`);
            return structuredClone(point[p]);
          });
          const hand = grad(...structuredClone(args));
          // One entry per @wrt parameter: the gradient itself, a tuple, or an object keyed by parameter.
          const byParam = fn.wrt.length === 1 ? [hand] : Array.isArray(hand) ? (hand as Value[]) : fn.wrt.map((w) => (hand as Record<string, Value>)[w]);
          fn.wrt.forEach((param, k) => {
            const i = fn.params.indexOf(param);
            for (const e of numberPaths(args[i])) {
              const x0 = at(args[i], e) as number;
              const numeric = derivative((h) => {
                const shifted = structuredClone(args);
                shifted[i] = setAt(shifted[i], e, x0 + h);
                return f(...shifted) as number;
              }, 1e-2 * Math.max(1, Math.abs(x0)));
              const value = at(byParam[k], e) as number;
              const tol = 1e-7 * Math.max(Math.abs(numeric), Math.abs(value)) + 1e-9;
              if (!(Math.abs(value - numeric) <= tol)) {
                mismatches.push(`${fn.name}/${param}${e.map((x) => (typeof x === 'number' ? `[${x}]` : `.${x}`)).join('')} at ${JSON.stringify(point)}: hand ${value}, fd ${numeric}`);
              }
            }
          });
        }
      }
    }
    assert.ok(checkedFunctions >= 7);
    assert.ok(mismatches.length > 0 && mismatches.every((m) => m.startsWith('blackScholesCall/r ')), mismatches.join('\n'));
    // Wrong at every check point (T ≠ 1 in each), so the CLI finds it whichever point it reports.
    const bs = annotatedFunctions(path.join(EXAMPLES, 'blackScholes.ts'))[0];
    assert.equal(mismatches.length, bs.points.length);
  });

  it('say in a comment which one is wrong on purpose', () => {
    const wrong = files.filter((f) => /DELIBERATELY WRONG/.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(wrong.map((f) => path.basename(f)), ['blackScholes.ts']);
  });
});
