// One home for how a file's functions are found (engine/program.ts): every declaration form the
// engine analyses is one the code actions locate and edit. Each action's edit is computed as the
// worker computes it (server/codeEdits.ts computeEdits), applied, type-checked under --strict and run.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine';
import type { CodegenMode, FunctionAnalysis } from '../../engine/api';
import { computeEdits, type EditAction } from '../../server/codeEdits';
import { locateFunction, locateFunctions } from '../../server/sourceLocate';
import type { OffsetEdit } from '../../server/toLsp';
import { close, flattenNumbers, runTypeScript, strictTypeErrors } from './compileAndRun';

const DOC = '/**\n * The cube.\n * @differentiable\n * @at x = 2\n */\n';
const CUBE_TYPE = '(x: number) => number';

/**
 * Every form of `cube(x) = x³` the engine analyses, after its JSDoc. (Not called `f`: the generated
 * gradient-check test has a local `f` that would shadow it.)
 */
const FORMS: { form: string; src: string; kind: 'declaration' | 'arrow' | 'expression'; exported: boolean }[] = [
  { form: 'function declaration', kind: 'declaration', exported: false, src: 'function cube(x: number): number {\n  return x * x * x;\n}\n' },
  { form: 'exported function declaration', kind: 'declaration', exported: true, src: 'export function cube(x: number): number {\n  return x * x * x;\n}\n' },
  { form: 'const arrow', kind: 'arrow', exported: false, src: 'const cube = (x: number): number => x * x * x;\n' },
  { form: 'const arrow with a block body', kind: 'arrow', exported: false, src: 'const cube = (x: number): number => {\n  return x * x * x;\n};\n' },
  { form: 'exported const arrow', kind: 'arrow', exported: true, src: 'export const cube = (x: number): number => x * x * x;\n' },
  { form: 'const function expression', kind: 'expression', exported: false, src: 'const cube = function (x: number): number {\n  return x * x * x;\n};\n' },
  { form: 'parenthesised arrow', kind: 'arrow', exported: false, src: 'const cube = ((x: number): number => x * x * x);\n' },
  { form: 'arrow `as` a function type', kind: 'arrow', exported: false, src: `const cube = ((x: number) => x * x * x) as ${CUBE_TYPE};\n` },
  { form: 'arrow `satisfies` a function type', kind: 'arrow', exported: false, src: `const cube = ((x: number) => x * x * x) satisfies ${CUBE_TYPE};\n` },
  { form: 'exported function expression `satisfies`, parenthesised', kind: 'expression', exported: true, src: `export const cube = ((function (x: number) {\n  return x * x * x;\n}) satisfies ${CUBE_TYPE});\n` },
  { form: 'let arrow', kind: 'arrow', exported: false, src: 'let cube = (x: number): number => x * x * x;\n' },
  { form: 'var function expression', kind: 'expression', exported: false, src: 'var cube = function (x: number): number {\n  return x * x * x;\n};\n' },
];

function apply(text: string, edits: OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function analysed(text: string, name = 'cube'): FunctionAnalysis {
  const fa = analyzeFile(text).functions.find((f) => f.name === name);
  assert.ok(fa, `the engine does not analyse ${name} in\n${text}`);
  return fa;
}

/** Runs the action as the worker does; the edited text, type-checked under --strict. */
function act(action: EditAction, text: string, fa: FunctionAnalysis | null): string {
  const logs: string[] = [];
  const edits = computeEdits(action, text, fa, (m) => logs.push(m));
  assert.ok(edits && edits.length > 0, `${JSON.stringify(action)} gave no edit for\n${text}\n${logs.join('\n')}`);
  const out = apply(text, edits);
  assert.deepEqual(strictTypeErrors(out), [], out);
  return out;
}

describe('conventions: the code actions find every function the engine analyses', () => {
  for (const { form, src, kind, exported } of FORMS) {
    describe(form, () => {
      const text = DOC + src;

      it('is analysed, and located with its kind, export, statement and JSDoc', () => {
        const fa = analysed(text);
        assert.ok(close((fa.gradient as Record<string, number>).x, 12), JSON.stringify(fa.gradient));
        const loc = locateFunction(text, 'cube');
        assert.ok(loc);
        assert.equal(loc.kind, kind);
        assert.equal(loc.exported, exported);
        assert.deepEqual(loc.jsDoc, { start: 0, end: DOC.length - 1 });
        assert.equal(loc.statementStart, DOC.length);
        assert.equal(text.slice(loc.statementEnd).trim(), '');
        assert.equal(text.slice(loc.nameStart, loc.nameEnd), 'cube');
        assert.deepEqual(loc.params, [{ name: 'x', typeText: 'number' }]);
        assert.deepEqual(locateFunctions(text).map((l) => l.name), ['cube']);
      });

      for (const mode of ['reverse', 'closed', 'jvp', 'hessian'] as CodegenMode[]) {
        it(`inserts ${mode} code`, () => {
          const out = act({ action: 'insert', fn: 'cube', mode }, text, analysed(text));
          const fns = runTypeScript(out);
          const expected: Record<CodegenMode, [string, unknown[], number]> = {
            reverse: ['cubeGrad', [2], 12], closed: ['cubeGrad', [2], 12], jvp: ['cubeJvp', [2, 1], 12], hessian: ['cubeHessian', [2], 12],
          };
          const [name, args, value] = expected[mode];
          assert.ok(fns[name], `${name} missing from\n${out}`);
          const got = flattenNumbers(fns[name](...args));
          assert.ok(got.some((v) => close(v, value)), `${name}(${args.join(', ')}) = ${got.join(', ')}\n${out}`);
          if (mode === 'reverse' || mode === 'closed') {
            assert.equal(analysed(out).check?.name, 'cubeGrad', 'the inserted @gradient tag is read by the engine');
            assert.equal(analysed(out).check?.status, 'ok');
          }
        });
      }

      it('inserts a gradient-check test', () => {
        const out = act({ action: 'test', fn: 'cube' }, text, analysed(text));
        assert.ok((runTypeScript(out).cubeGradientCheck() as number) < 1e-6, out);
      });

      it('fixes a wrong hand-written gradient written in the same form', () => {
        const hand = src.replace(/\bcube\b(?=\s*[=(])/, 'cubeGrad').replace('x * x * x', '2 * x * x');
        const wrong = `${text}\n${hand}`;
        const fa = analysed(wrong);
        assert.equal(fa.check?.status, 'wrong', JSON.stringify(fa.check));
        const out = act({ action: 'fix', fn: 'cube' }, wrong, fa);
        // `const` bindings are not properties of the vm context: reach the fixed gradient through a `var`.
        assert.ok(close(runTypeScript(`${out}\nvar probe = cubeGrad;\n`).probe(2) as number, 12), out);
        assert.equal(analysed(out).check?.status, 'ok');
      });

      it('adds @differentiable where the engine reads it', () => {
        const bare = src;
        assert.equal(analyzeFile(bare).functions.length, 0);
        const out = act({ action: 'annotate', fn: 'cube' }, bare, null);
        assert.match(out, /@differentiable/);
        analysed(out);
      });
    });
  }

  it('locates the declaration the engine analyses, never an overload signature', () => {
    const text = `function cube(x: number): number;\n${DOC}function cube(x: number): number {\n  return x * x * x;\n}\n`;
    const loc = locateFunction(text, 'cube')!;
    assert.ok(loc.body, 'the implementation');
    const out = act({ action: 'insert', fn: 'cube', mode: 'reverse' }, text, analysed(text));
    assert.ok(out.indexOf('function cubeGrad') > out.indexOf('return x * x * x'), out);
  });
});
