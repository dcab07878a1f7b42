// "Insert gradient-check test" as a test of the project's own runner, in its test folder: the
// runner (node:test, mocha, vitest or jest) read from the nearest package.json, the folder from
// where the project keeps its tests, the import style from a test already there. The rendering is
// a pure function of what was read (`renderTestFile`); `findTestSetup` does the reading.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Point } from '../engine/api';
import { gradientCheckTest } from './edits';

export type TestRunner = 'node:test' | 'mocha' | 'vitest' | 'jest';

/** How the project writes its tests, as far as a new test file must follow. */
export interface TestSetup {
  runner: TestRunner;
  /** The folder new tests go in (absolute). */
  dir: string;
  /** `.test.ts`, `.spec.ts`, `.test.js`, `.test.mjs`… as the project's tests are named. */
  suffix: string;
  /** `import` or `require` (a CommonJS JavaScript project). */
  modules: 'esm' | 'cjs';
  /** What a relative import ends with: nothing, `.js` (Node ESM resolution) or `.ts`. */
  importExtension: '' | '.js' | '.ts';
}

/** What `findTestSetup` reads, and `detectTestSetup` decides from (pure). */
export interface ProjectFacts {
  /** The folder of the nearest package.json (or of the source file when there is none). */
  root: string;
  packageJson: string | null;
  /** Folders under the root that look like test folders and exist, in order of preference. */
  testDirs: string[];
  /** A test file already in one of them, if any: its path and text. */
  sampleTest: { path: string; text: string } | null;
}

const TEST_DIR_NAMES = ['test', 'tests', '__tests__', 'spec', path.join('src', '__tests__'), path.join('src', 'test')];
const TEST_FILE = /\.(test|spec)\.(mjs|cjs|js|mts|cts|ts|tsx|jsx)$/;

/** The runner, folder and style for a new test of `sourceFile`, decided from what was read. */
export function detectTestSetup(facts: ProjectFacts, sourceFile: string): TestSetup {
  let pkg: Record<string, unknown> = {};
  try { pkg = facts.packageJson ? (JSON.parse(facts.packageJson) as Record<string, unknown>) : {}; } catch { pkg = {}; }
  const deps = { ...asRecord(pkg.dependencies), ...asRecord(pkg.devDependencies) };
  const testScript = String(asRecord(pkg.scripts).test ?? '');
  const runner: TestRunner =
    'vitest' in deps || /\bvitest\b/.test(testScript) ? 'vitest'
      : 'jest' in deps || /\bjest\b/.test(testScript) ? 'jest'
        : 'mocha' in deps || /\bmocha\b/.test(testScript) ? 'mocha'
          : 'node:test';
  const sourceIsTs = /\.(m|c)?tsx?$/.test(sourceFile);
  const sample = facts.sampleTest;
  const sampleExt = sample ? TEST_FILE.exec(sample.path) : null;
  const suffix = sampleExt ? `.${sampleExt[1]}.${sampleExt[2]}` : sourceIsTs ? '.test.ts' : pkg.type === 'module' || /\.mjs$/.test(sourceFile) ? '.test.mjs' : '.test.js';
  const modules: 'esm' | 'cjs' = sample
    ? (/^[ \t]*import\s/m.test(sample.text) ? 'esm' : /\brequire\(/.test(sample.text) ? 'cjs' : 'esm')
    : sourceIsTs || pkg.type === 'module' || /\.mjs$/.test(suffix) ? 'esm' : 'cjs';
  const importExtension = sample ? sampleImportExtension(sample.text) : !sourceIsTs && modules === 'esm' ? '.js' : '';
  const dir = facts.testDirs[0] ?? path.dirname(sourceFile);
  return { runner, dir, suffix, modules, importExtension };
}

/** The extension the first relative import of a test file ends with. */
function sampleImportExtension(text: string): '' | '.js' | '.ts' {
  const m = /(?:from\s+|require\()\s*['"](\.\.?\/[^'"]+)['"]/.exec(text);
  if (!m) return '';
  if (/\.(m|c)?js$/.test(m[1])) return '.js';
  if (/\.(m|c)?ts$/.test(m[1])) return '.ts';
  return '';
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export interface TestFileInput {
  fnName: string;
  gradName: string;
  params: { name: string; typeText: string | null }[];
  wrt: string[];
  point: Point;
  /** The source file (absolute). */
  sourceFile: string;
}

/** The path of the new test file and its text, or null when no check can be written (no point). */
export function renderTestFile(setup: TestSetup, input: TestFileInput, exists: (file: string) => boolean): { file: string; text: string } | null {
  const { fnName, gradName, sourceFile } = input;
  const ts = /ts$/.test(setup.suffix);
  const checkName = `${fnName}GradientCheck`;
  const check = gradientCheckTest({ testName: checkName, fnName, gradName, params: input.params, wrt: input.wrt, point: input.point, types: ts });
  if (!check) return null;
  // in a test file the check is a local function
  const body = check.replace(`export function ${checkName}`, `function ${checkName}`);
  const base = path.basename(sourceFile).replace(/\.(m|c)?(ts|tsx|js|jsx)$/, '');
  let file = path.join(setup.dir, `${base}.gradient${setup.suffix}`);
  for (let i = 2; exists(file); i++) file = path.join(setup.dir, `${base}.gradient${i}${setup.suffix}`);
  let spec = path.relative(path.dirname(file), sourceFile).split(path.sep).join('/').replace(/\.(m|c)?(ts|tsx|js|jsx)$/, '');
  if (!spec.startsWith('.')) spec = `./${spec}`;
  spec += setup.importExtension;
  const names = fnName === gradName ? fnName : `${fnName}, ${gradName}`;
  const at = input.params.map((p) => `${p.name} = ${JSON.stringify(input.point[p.name])}`).join(', ');
  const lines: string[] = [
    `// Gradient check of \`${fnName}\`, inserted by Gradlens: \`${gradName}\` against central differences`,
    `// at ${at}. Runs with the project's ${setup.runner === 'node:test' ? 'node --test' : setup.runner}.`,
  ];
  const esm = setup.modules === 'esm';
  const imp = (what: string, from: string) => (esm ? `import ${what} from '${from}';` : `const ${what} = require('${from}');`);
  switch (setup.runner) {
    case 'node:test':
      lines.push(imp('{ describe, it }', 'node:test'), imp('assert', 'node:assert/strict'));
      break;
    case 'mocha':
      lines.push(imp('assert', 'node:assert/strict'));
      break;
    case 'vitest':
      lines.push(imp('{ describe, expect, it }', 'vitest'));
      break;
    case 'jest':
      break; // describe, it and expect are globals
  }
  lines.push(imp(`{ ${names} }`, spec), '', body, '');
  const expectation = setup.runner === 'vitest' || setup.runner === 'jest'
    ? `expect(${checkName}()).toBeLessThan(1e-5);`
    : `assert.ok(${checkName}() < 1e-5, \`largest relative error \${${checkName}()}\`);`;
  lines.push(
    `describe('${fnName}', () => {`,
    `  it('${gradName} matches central differences', () => {`,
    `    ${expectation}`,
    '  });',
    '});',
    '',
  );
  return { file, text: lines.join('\n') };
}

/** Reads what `detectTestSetup` needs for `sourceFile`: the nearest package.json, the test folders, a test in them. */
export function readProjectFacts(sourceFile: string, limits = { maxEntries: 2000 }): ProjectFacts {
  let dir = path.dirname(sourceFile);
  let root: string | null = null;
  let packageJson: string | null = null;
  for (let i = 0; i < 32; i++) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      root = dir;
      try { packageJson = fs.readFileSync(candidate, 'utf8').slice(0, 1_000_000); } catch { packageJson = null; }
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const base = root ?? path.dirname(sourceFile);
  const testDirs = TEST_DIR_NAMES.map((d) => path.join(base, d)).filter((d) => isDir(d));
  let sampleTest: ProjectFacts['sampleTest'] = null;
  for (const d of testDirs) {
    let entries: string[] = [];
    try { entries = fs.readdirSync(d).slice(0, limits.maxEntries); } catch { continue; }
    const hit = entries.find((e) => TEST_FILE.test(e) && !e.includes('.gradient'));
    if (hit) {
      try { sampleTest = { path: path.join(d, hit), text: fs.readFileSync(path.join(d, hit), 'utf8').slice(0, 64_000) }; } catch { /* unreadable: no sample */ }
      break;
    }
  }
  return { root: base, packageJson, testDirs, sampleTest };
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}
