// Security hardening: what a hostile workspace file (or another local user) must not be able to
// do through Gradlens. 1: the worker's V8 code cache (tested in workerLoader.test.ts, with planted
// caches); 2: source text never becomes live code in generated code (code actions, `gradlens
// codegen`); 4: Workspace Trust is declared; 5: messages that quote user text are bounded. And, as
// regression tests, hostile names through hovers and code actions.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as ts from 'typescript';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { generateDerivative } from '../../engine';
import { sourceSnippet } from '../../engine/codegen/context';
import { boundDiagnostic, boundMessage, boundUserText, MAX_MESSAGE, MAX_USER_RUN } from '../../engine/format';
import { TITLES } from '../../server/codeActions';
import { normalizeSettings } from '../../server/settings';
import { Commands } from '../../server/protocol';
import { strictTypeErrors } from './compileAndRun';
import { uri } from './fixtures';
import { LspTestClient, positionOf, ROOT } from './lspClient';

const CLI = path.join(ROOT, 'dist', 'cli.js');

/** Every character that ends a `//` comment, and the Trojan Source controls. */
const LS = '\u2028';
const PS = '\u2029';
const CR = '\r';
const RLO = '\u202e';
const LRI = '\u2066';
const PDI = '\u2069';
const UNSAFE_IN_OUTPUT = /[\r\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Each statement hides a payload in a block comment that ends the first line of a `//` comment
 * copying it; in the source it is inert. d/dx of 2·(x³ + x²) at 1.5 is 19.5.
 */
const HOSTILE_COMMENTS = [
  '/** @differentiable',
  ' * @at x = 1.5 */',
  'function f(x: number): number {',
  `  const y = x * /*${LS}globalThis.pwned = 1;//*/ x;`,
  `  const z = y * /*${CR}globalThis.pwned = 2;//*/ x;`,
  `  const w = z + /*${PS}globalThis.pwned = 3;//*/ y;`,
  `  const v = w * /*${RLO} globalThis.pwned = 4; ${LRI}*/ 2; // ${PDI}`,
  '  return v;',
  '}',
  '',
].join('\n');

/** Transpiles and runs generated code in a fresh context; returns the context (its globals and functions). */
function runInFreshContext(code: string): Record<string, unknown> {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.None, target: ts.ScriptTarget.ES2022 } }).outputText;
  const context = vm.createContext({ Math, exports: {} });
  vm.runInContext(js, context, { timeout: 10_000 });
  return context as Record<string, unknown>;
}

/**
 * The generated code is inert: no line terminator but LF and no control character in it, payloads
 * only in `//` comments, and running it (with the file around it, when it was inserted) runs none.
 */
function assertInert(code: string, fnName: string, args: unknown[], check: (value: unknown) => void, file = code): void {
  assert.doesNotMatch(code.replace(/\n/g, ''), UNSAFE_IN_OUTPUT, 'a line terminator or control character in the generated code');
  for (const line of code.split('\n')) if (line.includes('pwned')) assert.match(line.trim(), /^\/\//, `live payload: ${line}`);
  const context = runInFreshContext(file);
  const fn = context[fnName];
  assert.equal(typeof fn, 'function', `${fnName} is not defined by\n${code}`);
  check((fn as (...a: unknown[]) => unknown)(...args));
  assert.equal(context.pwned, undefined, 'the payload ran');
}

const close = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b));
const hessianOk = (h: unknown) => assert.ok(Array.isArray(h) && close((h as number[][])[0][0], 2 * (6 * 1.5 + 2)), JSON.stringify(h));
const gradientOk = (g: unknown) => assert.ok(close(g, 19.5), JSON.stringify(g));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-security-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const LONG = `veryLongName${'x'.repeat(5000)}`;
/** A `@gradient` naming a missing function quotes the name in its GL005 message. */
const LONG_NAME_DOC = `/** @differentiable
 * @gradient ${LONG}
 * @at x = 2 */
function f(x: number): number { return x * x; }
`;

describe('security', function () {
  this.timeout(120_000);
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 20 } }); });
  after(async () => { await client.stop(); });

  async function openAnalysed(name: string, text: string): Promise<{ u: string; diagnostics: Diagnostic[] }> {
    const u = uri(name);
    await client.open(u, text);
    return { u, diagnostics: await client.diagnostics(u) };
  }

  /** Resolves the code action `title` at `needle` and applies it; the new text. */
  async function apply(u: string, text: string, title: string, needle: string): Promise<string> {
    const at = positionOf(text, needle);
    const actions = await client.codeActions(u, { start: at, end: at });
    const action = actions.find((a) => a.title === title);
    assert.ok(action, `no "${title}" among ${JSON.stringify(actions.map((a) => a.title))}`);
    const resolved = await client.resolve(action);
    assert.ok(resolved.edit, `"${title}" resolved without an edit\n${client.stderr.slice(-2000)}`);
    const after = await client.applyEdit(u, resolved.edit);
    await client.diagnostics(u);
    return after;
  }

  describe('1. the worker code cache (planted caches: workerLoader.test.ts)', () => {
    it('the loader keeps no cache in the shared temp folder', () => {
      const source = fs.readFileSync(path.join(ROOT, 'server', 'workerLoader.ts'), 'utf8').replace(/\/\/.*$/gm, '');
      assert.doesNotMatch(source, /tmpdir/);
      assert.match(source, /O_EXCL/);
    });
  });

  describe('2. source text never becomes code in what Gradlens generates', () => {
    it('sourceSnippet cuts at every line terminator, drops controls and bidi overrides, breaks up */', () => {
      for (const t of [LS, PS, CR, '\n', '\r\n']) assert.equal(sourceSnippet(`a = b /*${t}evil();//*/`, 0, 40), 'a = b /*');
      assert.equal(sourceSnippet(`a = b /*${RLO}x${LRI}y${PDI}\u200e\u200f\u061c\u0007\u001b[31m */ c`, 0, 60), 'a = b /*xy[31m * / c');
      assert.equal(sourceSnippet('a = b\t* c', 0, 9), 'a = b * c');
    });

    it('engine: the reverse-mode gradient and the Hessian of a file hiding payloads behind U+2028, U+2029 and CR are inert', () => {
      const reverse = generateDerivative(HOSTILE_COMMENTS, 'f', 'reverse', {});
      assert.ok(reverse.generated, JSON.stringify(reverse.diagnostics));
      assert.ok(reverse.generated.code.includes('// adjoint of line'), 'the test needs the source comments');
      assertInert(reverse.generated.code, reverse.generated.name, [1.5], gradientOk);
      const hessian = generateDerivative(HOSTILE_COMMENTS, 'f', 'hessian', {});
      assert.ok(hessian.generated, JSON.stringify(hessian.diagnostics));
      assertInert(hessian.generated.code, hessian.generated.name, [1.5], hessianOk);
    });

    it('code actions: the inserted gradient and Hessian type-check and run without running the payloads', async () => {
      const { u } = await openAnalysed('hostile-comments', HOSTILE_COMMENTS);
      const withGrad = await apply(u, HOSTILE_COMMENTS, TITLES.reverse, 'f(x');
      assert.deepEqual(strictTypeErrors(withGrad), [], withGrad);
      const END = '\n  return v;\n}\n';
      const inserted = (text: string) => text.slice(text.indexOf(END) + END.length);
      assert.match(inserted(withGrad), /function fGrad/);
      assertInert(inserted(withGrad), 'fGrad', [1.5], gradientOk, withGrad);
      const withHessian = await apply(u, withGrad, TITLES.hessian, 'f(x');
      assert.deepEqual(strictTypeErrors(withHessian), [], withHessian);
      assert.match(inserted(withHessian), /function fHessian/);
      assertInert(inserted(withHessian), 'fHessian', [1.5], hessianOk, withHessian);
    });

    it('`gradlens codegen`: the printed gradient and Hessian are inert', () => {
      const file = tempFile('hostile.ts', HOSTILE_COMMENTS);
      const reverse = cli(['codegen', file, 'f', '--mode', 'reverse']);
      assert.equal(reverse.status, 0, reverse.stderr);
      assertInert(reverse.stdout, 'fGrad', [1.5], gradientOk);
      const hessian = cli(['codegen', file, 'f', '--mode', 'hessian']);
      assert.equal(hessian.status, 0, hessian.stderr);
      assertInert(hessian.stdout, 'fHessian', [1.5], hessianOk);
    });
  });

  describe('3. settings have ceilings', () => {
    it('budget settings above their ceilings are clamped', () => {
      const s = normalizeSettings({ stepBudget: 1e15, timeBudgetMs: 1e9, randomPoints: 1e6, debounceMs: 1e9 });
      assert.equal(s.stepBudget, 50_000_000);
      assert.equal(s.timeBudgetMs, 10_000);
      assert.equal(s.randomPoints, 100);
      assert.equal(s.debounce, 10_000);
    });

    it('the server survives stepBudget 1e15 with new Array(400000000).fill(x): GL007, and the next file is analysed', async () => {
      const hostile = await LspTestClient.start({ settings: { debounce: 5, stepBudget: 1e15 } });
      try {
        const text = `/**
 * @differentiable
 * @at x = 1
 */
export function huge(x: number): number {
  const a = new Array(400000000).fill(x);
  return a[0] * x;
}
`;
        const u = uri('huge-array');
        await hostile.open(u, text);
        const ds = await hostile.diagnostics(u, 60_000);
        const gl007 = ds.find((d) => d.code === 'GL007');
        assert.ok(gl007, JSON.stringify(ds));
        assert.match(gl007.message, /400,000,000 elements is over the memory budget/);
        const v = uri('after-huge-array');
        await hostile.open(v, '/**\n * @differentiable\n * @at x = 3\n */\nexport function sq(x: number): number { return x * x; }\n');
        await hostile.diagnostics(v, 60_000);
        const hover = await hostile.hoverText(v, { line: 4, character: 17 });
        assert.ok(hover?.includes('**sq**'), hover ?? 'no hover');
        assert.equal(hostile.exited, null, hostile.stderr);
      } finally {
        await hostile.stop();
      }
    });
  });

  describe('4. Workspace Trust', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

    it('the manifest declares limited support of untrusted and virtual workspaces, restricting the budget settings', () => {
      const trust = manifest.capabilities?.untrustedWorkspaces;
      assert.equal(trust?.supported, 'limited');
      assert.ok(typeof trust.description === 'string' && trust.description.length > 40);
      assert.deepEqual([...trust.restrictedConfigurations].sort(), ['gradlens.randomPoints', 'gradlens.stepBudget', 'gradlens.timeBudgetMs', 'gradlens.workspaceCheck']);
      const props = manifest.contributes.configuration.properties;
      for (const k of trust.restrictedConfigurations) assert.ok(props[k], `${k} is restricted but not contributed`);
      const virtual = manifest.capabilities.virtualWorkspaces;
      assert.ok(virtual === false || (virtual.supported === 'limited' && virtual.description.length > 20), JSON.stringify(virtual));
    });

    it('declares gradlens.timeBudgetMs and bounds gradlens.stepBudget', () => {
      const props = manifest.contributes.configuration.properties;
      const time = props['gradlens.timeBudgetMs'];
      assert.deepEqual({ type: time.type, default: time.default, minimum: time.minimum, maximum: time.maximum, scope: time.scope },
        { type: 'integer', default: 2000, minimum: 100, maximum: 10000, scope: 'resource' });
      assert.match(time.description, /GL007/);
      assert.equal(props['gradlens.stepBudget'].maximum, 50_000_000);
      assert.match(props['gradlens.stepBudget'].description, /operations/);
    });
  });

  describe('5. messages that quote user text are bounded', () => {
    it('boundMessage cuts long identifiers and quoted spans, drops controls and bidi overrides, caps the length', () => {
      const m = boundMessage(`'${LONG}' is not a function of this file.`);
      assert.equal(m, `'${LONG.slice(0, MAX_USER_RUN - 1)}…' is not a function of this file.`);
      const quoted = boundMessage(`A parameter of type '${'Array<number> | '.repeat(20)}number' is outside the subset.`);
      assert.ok(quoted.length < 120 && quoted.endsWith("…' is outside the subset."), quoted);
      assert.equal(boundMessage(`a${RLO}b${LRI}c${PDI}\u200e\u0007\u001b[2Jd\r\nsecond${LS}third`), 'abc[2Jd\nsecond\nthird');
      assert.equal(boundMessage('x'.repeat(40).split('').join(' ').repeat(100)).length, MAX_MESSAGE);
      // English apostrophes are not quotes, and short messages are kept as they are.
      const english = `the function's hand-written gradient isn't ${'checked and '.repeat(10)}done`;
      assert.equal(boundMessage(english), english);
      assert.equal(boundUserText(`a\nb${RLO}c`), 'a bc');
      assert.equal(Array.from(boundUserText('😀'.repeat(100), 10)).length, 10);
      const d = boundDiagnostic({ message: LONG, related: [{ message: `${RLO}x` }] });
      assert.equal(d.message.length, MAX_USER_RUN);
      assert.equal(d.related![0].message, 'x');
    });

    it('the server: a 5,000-character name is cut in the LSP diagnostic', async () => {
      const { diagnostics } = await openAnalysed('long-name', LONG_NAME_DOC);
      const gl005 = diagnostics.find((d) => d.code === 'GL005');
      assert.ok(gl005, JSON.stringify(diagnostics.map((d) => d.message.slice(0, 100))));
      assert.ok(gl005.message.length < 300, `${gl005.message.length} characters`);
      assert.ok(gl005.message.includes(`'${LONG.slice(0, MAX_USER_RUN - 1)}…'`), gl005.message);
    });

    it('the CLI: a 5,000-character name is cut in `gradlens check`, text and JSON', () => {
      const file = tempFile('long.ts', LONG_NAME_DOC);
      const text = cli(['check', file]);
      assert.ok(text.stdout.includes('GL005'), text.stdout + text.stderr);
      assert.ok(!text.stdout.includes(LONG.slice(0, MAX_USER_RUN + 1)), 'the long name is printed whole');
      assert.ok(text.stdout.includes(`${LONG.slice(0, MAX_USER_RUN - 1)}…`));
      const json = JSON.parse(cli(['check', file, '--json']).stdout) as { files: { diagnostics: { code: string; message: string }[] }[] };
      const d = json.files[0].diagnostics.find((x) => x.code === 'GL005')!;
      assert.ok(d && d.message.length < 300 && d.message.includes('…'), d?.message);
    });
  });

  describe('hostile names (regression)', () => {
    // Names of Object.prototype, Node's globals and eval as functions; `process` as a parameter.
    const HOSTILE_NAMES = `/** @differentiable
 * @at x = 1.5, process = 2 */
function constructor(x: number, process: number): number { const require = x * process; return require * x; }
/** @differentiable
 * @at x = 0.5 */
function __proto__(x: number): number { return constructor(x, 3) + x; }
/** @differentiable
 * @at x = 2 */
function process(x: number): number { return x * x * x; }
`;
    const EVAL_DOC = `/** @differentiable
 * @at x = 2 */
function eval(x: number): number { return x * x; }
`;

    /** Every link of a hover: a `command:` link to a Gradlens command, its arguments a JSON array naming the function. */
    function assertOwnLinks(markdown: string, fnName: string): void {
      const links = [...markdown.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, markdown);
      assert.equal(links.length, (markdown.match(/\]\(/g) ?? []).length);
      const own = new Set<string>(Object.values(Commands));
      for (const l of links) {
        const m = /^command:([\w.]+)\?(.*)$/.exec(l);
        assert.ok(m && own.has(m[1]), `a link that is not a Gradlens command: ${l}`);
        const args = JSON.parse(decodeURIComponent(m[2])) as unknown[];
        assert.ok(Array.isArray(args) && args[1] === fnName, l);
      }
    }

    it('hovers of functions named constructor, __proto__, process and eval: right values, links only to Gradlens commands', async () => {
      const { u, diagnostics } = await openAnalysed('hostile-names', HOSTILE_NAMES);
      assert.deepEqual(diagnostics.filter((d) => d.severity === 1 || d.severity === 2).map((d) => d.message), []);
      const expected: Record<string, string> = { constructor: '∂f/∂x = 6', __proto__: '∂f/∂x = 4', process: '∂f/∂x = 12' };
      for (const [name, gradient] of Object.entries(expected)) {
        const md = await client.hoverText(u, positionOf(HOSTILE_NAMES, `function ${name}(`, 'function '.length));
        assert.ok(md && md.includes(gradient), `${name}: ${md}`);
        assertOwnLinks(md, name);
      }
      const e = await openAnalysed('eval-name', EVAL_DOC);
      const md = await client.hoverText(e.u, positionOf(EVAL_DOC, 'eval(', 0));
      assert.ok(md && md.includes('∂f/∂x = 4'), String(md));
      assertOwnLinks(md, 'eval');
    });

    it('code actions on them insert code that type-checks and runs', async () => {
      const u = uri('hostile-names-actions');
      await client.open(u, HOSTILE_NAMES);
      await client.diagnostics(u);
      let text = await apply(u, HOSTILE_NAMES, TITLES.reverse, '__proto__(x');
      text = await apply(u, text, TITLES.reverse, 'constructor(x');
      assert.deepEqual(strictTypeErrors(text), [], text);
      const context = runInFreshContext(text);
      assert.ok(close((context.__proto__Grad as (x: number) => unknown)(0.5), 4), 'd/dx of 3x² + x at 0.5');
      const g = (context.constructorGrad as (x: number, p: number) => number[])(1.5, 2);
      assert.deepEqual([...g], [6, 2.25]);
      assert.equal(Object.getPrototypeOf(Object.prototype), null, 'Object.prototype untouched');
    });
  });
});
