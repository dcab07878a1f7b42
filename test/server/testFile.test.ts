// "Insert gradient-check test" writes a test for the project's own runner, in its test folder
// (server/testFile.ts). The runner, folder, file suffix and import style are read from the project;
// the tests written for node:test and mocha are run for real, right and wrong, and the TypeScript
// ones are type-checked under --strict.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { pathToFileURL } from 'node:url';
import type { CreateFile, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { detectTestSetup, readProjectFacts, renderTestFile, type TestSetup } from '../../server/testFile';
import { LspTestClient } from './lspClient';

const ROOT = path.resolve(__dirname, '../../..');
const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

const POINT = { x: 1.5, y: -0.25 };
const INPUT = (sourceFile: string) => ({
  fnName: 'rosenbrock',
  gradName: 'rosenbrockGrad',
  params: [{ name: 'x', typeText: 'number' }, { name: 'y', typeText: 'number' }],
  wrt: ['x', 'y'],
  point: POINT,
  sourceFile,
});

const SOURCE_ESM = (right: boolean) => `export function rosenbrock(x, y) {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}
export function rosenbrockGrad(x, y) {
  return [-2 * (1 - x) - 400 * x * (y - x * x), ${right ? 200 : 100} * (y - x * x)];
}
`;
const SOURCE_CJS = (right: boolean) => SOURCE_ESM(right).replace(/export function/g, 'function') + 'module.exports = { rosenbrock, rosenbrockGrad };\n';
const SOURCE_TS = `export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}
export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
}
`;

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-testfile-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function setupFor(dir: string, source: string): TestSetup {
  return detectTestSetup(readProjectFacts(path.join(dir, source)), path.join(dir, source));
}

function write(dir: string, source: string): { file: string; setup: TestSetup } {
  const setup = setupFor(dir, source);
  const r = renderTestFile(setup, INPUT(path.join(dir, source)), fs.existsSync);
  assert.ok(r);
  fs.mkdirSync(path.dirname(r.file), { recursive: true });
  fs.writeFileSync(r.file, r.text);
  return { file: r.file, setup };
}

function run(cmd: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('server: the gradient-check test for the project\'s runner', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
  const make = (files: Record<string, string>) => { const d = project(files); dirs.push(d); return d; };

  it('reads the runner from package.json: vitest, jest, mocha, else node:test', () => {
    const pkg = (deps: Record<string, string>, test = '') => JSON.stringify({ devDependencies: deps, scripts: { test } });
    const facts = (p: string) => ({ root: '/p', packageJson: p, testDirs: ['/p/test'], sampleTest: null });
    assert.equal(detectTestSetup(facts(pkg({ vitest: '^3' })), '/p/src/f.ts').runner, 'vitest');
    assert.equal(detectTestSetup(facts(pkg({ jest: '^29', 'ts-jest': '^29' })), '/p/src/f.ts').runner, 'jest');
    assert.equal(detectTestSetup(facts(pkg({ mocha: '^10' })), '/p/src/f.ts').runner, 'mocha');
    assert.equal(detectTestSetup(facts(pkg({}, 'node --test')), '/p/src/f.ts').runner, 'node:test');
    assert.equal(detectTestSetup(facts('{ not json'), '/p/src/f.ts').runner, 'node:test');
    assert.equal(detectTestSetup(facts(pkg({ vitest: '^3' })), '/p/src/f.ts').dir, '/p/test');
  });

  it('follows a test already in the folder: suffix, require or import, import extension', () => {
    const dir = make({
      'package.json': JSON.stringify({ devDependencies: { mocha: '^10' } }),
      'lib/rosenbrock.js': SOURCE_CJS(true),
      'spec/other.spec.js': "const assert = require('node:assert');\nconst { other } = require('../lib/other.js');\n",
    });
    const setup = setupFor(dir, 'lib/rosenbrock.js');
    assert.deepEqual({ ...setup, dir: path.relative(dir, setup.dir) }, { runner: 'mocha', dir: 'spec', suffix: '.spec.js', modules: 'cjs', importExtension: '.js' });
    const r = renderTestFile(setup, INPUT(path.join(dir, 'lib/rosenbrock.js')), fs.existsSync)!;
    assert.equal(path.relative(dir, r.file), path.join('spec', 'rosenbrock.gradient.spec.js'));
    assert.match(r.text, /const \{ rosenbrock, rosenbrockGrad \} = require\('\.\.\/lib\/rosenbrock\.js'\);/);
    assert.doesNotMatch(r.text, /: number|as typeof|import /, 'a JavaScript test has no types and no import');
  });

  it('node:test, ESM JavaScript: the test runs, passes on the right gradient and fails on the wrong one', () => {
    for (const right of [true, false]) {
      const dir = make({ 'package.json': JSON.stringify({ type: 'module', scripts: { test: 'node --test' } }), 'src/rosenbrock.js': SOURCE_ESM(right), 'test/.keep': '' });
      const { file, setup } = write(dir, 'src/rosenbrock.js');
      assert.equal(setup.runner, 'node:test');
      assert.equal(path.relative(dir, file), path.join('test', 'rosenbrock.gradient.test.mjs').replace('.mjs', setup.suffix.endsWith('.mjs') ? '.mjs' : '.js'));
      const r = run(process.execPath, ['--test', file], dir);
      assert.equal(r.status, right ? 0 : 1, r.out);
      assert.match(r.out, right ? /# pass 1/ : /# fail 1/);
    }
  });

  it('mocha, CommonJS JavaScript: the test runs under mocha, right and wrong', () => {
    for (const right of [true, false]) {
      const dir = make({ 'package.json': JSON.stringify({ devDependencies: { mocha: '^10' } }), 'lib/rosenbrock.js': SOURCE_CJS(right), 'tests/.keep': '' });
      const { file, setup } = write(dir, 'lib/rosenbrock.js');
      assert.deepEqual([setup.runner, setup.modules, path.basename(path.dirname(file))], ['mocha', 'cjs', 'tests']);
      const r = run(process.execPath, [MOCHA, '--no-config', file], dir);
      assert.equal(r.status, right ? 0 : 1, r.out);
      assert.match(r.out, right ? /1 passing/ : /1 failing/);
    }
  });

  it('TypeScript for mocha and node:test type-checks under --strict, and runs once transpiled', () => {
    for (const runner of ['mocha', 'node:test'] as const) {
      const dir = make({ 'package.json': JSON.stringify(runner === 'mocha' ? { devDependencies: { mocha: '^10' } } : {}), 'src/rosenbrock.ts': SOURCE_TS, 'test/.keep': '' });
      const { file, setup } = write(dir, 'src/rosenbrock.ts');
      assert.equal(setup.runner, runner);
      assert.equal(path.extname(file), '.ts');
      const program = ts.createProgram([file], {
        strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, esModuleInterop: true,
        moduleResolution: ts.ModuleResolutionKind.Node16, types: runner === 'mocha' ? ['node', 'mocha'] : ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      });
      const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      assert.deepEqual(errors, [], `${file}:\n${fs.readFileSync(file, 'utf8')}`);
      // transpile both files to CommonJS beside them and run the test
      for (const f of [file, path.join(dir, 'src/rosenbrock.ts')]) {
        const js = ts.transpileModule(fs.readFileSync(f, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
        fs.writeFileSync(f.replace(/\.ts$/, '.js'), js);
      }
      const jsFile = file.replace(/\.ts$/, '.js');
      const r = runner === 'mocha' ? run(process.execPath, [MOCHA, '--no-config', jsFile], dir) : run(process.execPath, ['--test', jsFile], dir);
      assert.equal(r.status, 0, r.out);
    }
  });

  it('vitest and jest: their own assertions, imports only where the runner wants them', () => {
    const dir = make({ 'package.json': JSON.stringify({ devDependencies: { vitest: '^3' } }), 'src/rosenbrock.ts': SOURCE_TS, '__tests__/.keep': '' });
    const vitest = renderTestFile(setupFor(dir, 'src/rosenbrock.ts'), INPUT(path.join(dir, 'src/rosenbrock.ts')), fs.existsSync)!;
    assert.equal(path.relative(dir, vitest.file), path.join('__tests__', 'rosenbrock.gradient.test.ts'));
    assert.match(vitest.text, /import \{ describe, expect, it \} from 'vitest';/);
    assert.match(vitest.text, /import \{ rosenbrock, rosenbrockGrad \} from '\.\.\/src\/rosenbrock';/);
    assert.match(vitest.text, /expect\(rosenbrockGradientCheck\(\)\)\.toBeLessThan\(1e-5\);/);
    const jestDir = make({ 'package.json': JSON.stringify({ devDependencies: { jest: '^29' } }), 'src/rosenbrock.ts': SOURCE_TS });
    const jest = renderTestFile(setupFor(jestDir, 'src/rosenbrock.ts'), INPUT(path.join(jestDir, 'src/rosenbrock.ts')), fs.existsSync)!;
    assert.equal(path.dirname(jest.file), path.join(jestDir, 'src'), 'no test folder: beside the source');
    assert.doesNotMatch(jest.text, /from 'vitest'|node:test/);
    assert.match(jest.text, /expect\(/);
    // the TypeScript of both parses without errors
    for (const t of [vitest.text, jest.text]) {
      const sf = ts.createSourceFile('t.ts', t, ts.ScriptTarget.Latest, true);
      assert.deepEqual((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics, []);
    }
  });

  it('never overwrites a test file: the next name is taken', () => {
    const dir = make({ 'package.json': '{}', 'src/rosenbrock.ts': SOURCE_TS, 'test/rosenbrock.gradient.test.ts': '// mine\n' });
    const r = renderTestFile(setupFor(dir, 'src/rosenbrock.ts'), INPUT(path.join(dir, 'src/rosenbrock.ts')), fs.existsSync)!;
    assert.equal(path.basename(r.file), 'rosenbrock.gradient2.test.ts');
  });
});

describe('server: "Insert gradient-check test" creates the test file over the protocol', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = project({
      'package.json': JSON.stringify({ devDependencies: { mocha: '^10' } }),
      'src/rosenbrock.ts': `/**\n * @differentiable\n * @at x = 1.5, y = -0.25\n */\n${SOURCE_TS}`,
      'src/local.ts': `/**\n * @differentiable\n * @at x = 1.5, y = -0.25\n */\nfunction rosenbrock(x: number, y: number): number {\n  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;\n}\nexport const used = rosenbrock;\n`,
      'test/.keep': '',
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function testAction(client: LspTestClient, file: string) {
    const uri = pathToFileURL(path.join(dir, file)).href;
    await client.open(uri, fs.readFileSync(path.join(dir, file), 'utf8'));
    await client.diagnostics(uri);
    const actions = await client.codeActions(uri, { start: { line: 4, character: 17 }, end: { line: 4, character: 17 } });
    const action = actions.find((a) => a.title === 'Insert gradient-check test');
    assert.ok(action, JSON.stringify(actions.map((a) => a.title)));
    return { uri, resolved: await client.resolve(action) };
  }

  it('a client that creates files gets a new test file of the project\'s runner, in its test folder', async () => {
    const client = await LspTestClient.start({ createFiles: true });
    try {
      const { uri, resolved } = await testAction(client, 'src/rosenbrock.ts');
      const changes = resolved.edit?.documentChanges ?? [];
      const create = changes.find((c): c is CreateFile => 'kind' in c && c.kind === 'create');
      assert.ok(create, JSON.stringify(resolved.edit));
      assert.equal(create.uri, pathToFileURL(path.join(dir, 'test', 'rosenbrock.gradient.test.ts')).href);
      const write = changes.find((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === create.uri);
      assert.ok(write);
      const text = write.edits.map((e) => ('newText' in e ? e.newText : '')).join('');
      assert.match(text, /import assert from 'node:assert\/strict';/);
      assert.match(text, /import \{ rosenbrock, rosenbrockGrad \} from '\.\.\/src\/rosenbrock';/);
      assert.match(text, /describe\('rosenbrock', \(\) => \{/);
      // the source is edited too: a versioned edit of the document (its hand-written gradient is used as it is)
      assert.ok(changes.findIndex((c) => c === create) > changes.findIndex((c) => 'textDocument' in c && c.textDocument.uri === uri) || !changes.some((c) => 'textDocument' in c && c.textDocument.uri === uri));
    } finally {
      await client.stop();
    }
  });

  it('without file creation, or for a function the test cannot import, the test goes into the document', async () => {
    const plain = await LspTestClient.start();
    try {
      const { uri, resolved } = await testAction(plain, 'src/rosenbrock.ts');
      const changes = resolved.edit?.documentChanges ?? [];
      assert.ok(changes.every((c) => 'textDocument' in c && c.textDocument.uri === uri), JSON.stringify(resolved.edit));
    } finally {
      await plain.stop();
    }
    const creating = await LspTestClient.start({ createFiles: true });
    try {
      const { uri, resolved } = await testAction(creating, 'src/local.ts');
      const changes = resolved.edit?.documentChanges ?? [];
      assert.ok(changes.length > 0 && changes.every((c) => 'textDocument' in c && c.textDocument.uri === uri), JSON.stringify(resolved.edit));
    } finally {
      await creating.stop();
    }
  });
});
