// Completion inside JSDoc blocks: over stdio against dist/server.js (tags, parameters after @wrt and
// @at, functions after @gradient), and in-process for what needs no server (clients without
// snippets, text that does not parse, linear time on hostile text).

import * as assert from 'node:assert/strict';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { completionsAt, functionHeader, functionNames, TAGS } from '../../server/completion';
import { ROSENBROCK_DOC, RIGHT_GRADIENT, uri } from './fixtures';
import { fixture, LspTestClient, positionOf } from './lspClient';

const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);
const newText = (items: CompletionItem[], label: string): string => {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `no ${label} among ${JSON.stringify(labels(items))}`);
  return (item.textEdit as TextEdit).newText;
};

describe('server: completion in JSDoc', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 20 } }); });
  after(async () => { await client.stop(); });

  /** Opens the fixture, asks for completion at `$0` (as if `trigger` was typed), closes it. */
  async function complete(source: string, trigger?: string): Promise<CompletionItem[]> {
    const { text, position } = fixture(source);
    const u = uri('completion');
    await client.open(u, text);
    try {
      return await client.completion(u, position, trigger);
    } finally {
      await client.close(u);
    }
  }

  it('declares completion with the trigger characters @, space and comma', () => {
    assert.deepEqual(client.capabilities.completionProvider?.triggerCharacters, ['@', ' ', ',']);
  });

  it('offers every Gradlens tag after @ at the start of a JSDoc line, with documentation and an example', async () => {
    const items = await complete('/**\n * Some prose.\n * @$0\n */\nexport function f(x: number): number {\n  return x * x;\n}\n', '@');
    assert.deepEqual(labels(items), TAGS.map((t) => `@${t.tag}`));
    for (const item of items) {
      const doc = item.documentation as { kind: string; value: string };
      assert.equal(doc.kind, 'markdown');
      assert.match(doc.value, /```ts\n[\s\S]*@/, `${item.label} has no example`);
      // The edit replaces the typed `@` (and any letters after it) with the whole tag.
      const edit = item.textEdit as TextEdit;
      assert.deepEqual(edit.range, { start: { line: 2, character: 3 }, end: { line: 2, character: 4 } });
      assert.equal(edit.newText, item.label);
    }
    const at = items.find((i) => i.label === '@at')!;
    assert.match((at.documentation as { value: string }).value, /check point/);
  });

  it('offers tags after the opening /** and while a tag is half typed', async () => {
    assert.ok(labels(await complete('/** @$0 */\nfunction f(x: number): number { return x; }\n', '@')).includes('@differentiable'));
    const items = await complete('/**\n * @diff$0\n */\nfunction f(x: number): number { return x; }\n');
    const edit = items.find((i) => i.label === '@differentiable')!.textEdit as TextEdit;
    assert.deepEqual(edit.range, { start: { line: 1, character: 3 }, end: { line: 1, character: 8 } });
  });

  it('offers a tag already in the block only when it is repeatable (@at)', async () => {
    const items = await complete('/**\n * @differentiable\n * @at x = 1\n * @$0\n */\nfunction f(x: number): number { return x; }\n', '@');
    assert.ok(!labels(items).includes('@differentiable'));
    assert.ok(labels(items).includes('@at'));
    assert.ok(labels(items).includes('@wrt'));
  });

  it('offers nothing for @ in prose, in code, in a line comment or in a plain block comment', async () => {
    assert.deepEqual(await complete('/**\n * See the paper @$0\n */\nfunction f(x: number): number { return x; }\n', '@'), []);
    assert.deepEqual(await complete('function f(x: number): number {\n  return x; @$0\n}\n', '@'), []);
    assert.deepEqual(await complete('// a /** comment @$0\nfunction f(x: number): number { return x; }\n', '@'), []);
    assert.deepEqual(await complete('/* not JSDoc\n * @$0\n */\nfunction f(x: number): number { return x; }\n', '@'), []);
    assert.deepEqual(await complete('/** closed */ const a = 1; @$0\n', '@'), []);
  });

  it('offers the numeric parameters after @wrt, in order, without the ones listed', async () => {
    const src = (value: string) => `/**\n * @differentiable\n * @wrt ${value}\n */\nexport function loss(w: number[], b: number, label: string, xs: readonly number[], p: [number, number]): number {\n  return b;\n}\n`;
    assert.deepEqual(labels(await complete(src('$0'), ' ')), ['w', 'b', 'xs', 'p']);
    const afterComma = await complete(src('w,$0'), ',');
    assert.deepEqual(labels(afterComma), ['b', 'xs', 'p']);
    assert.equal(newText(afterComma, 'b'), ' b', 'after a bare comma the name comes with a space');
    assert.deepEqual(labels(await complete(src('w, b, $0'), ' ')), ['xs', 'p']);
    // A name half typed is replaced, and is not counted as listed.
    const partial = await complete(src('w, x$0'));
    assert.ok(labels(partial).includes('xs'));
    assert.equal(((partial.find((i) => i.label === 'xs')!.textEdit) as TextEdit).range.start.character, 11);
  });

  it('offers `name = value` snippets after @at, with a plausible value for each shape', async () => {
    const src = (value: string) => `/**\n * @differentiable\n * @at ${value}\n */\nexport function energy(x: number, w: number[], q: [number, number], v: Float64Array, k = 2, u = [1, 2, 3, 4]): number {\n  return x;\n}\n`;
    const items = await complete(src('$0'), ' ');
    assert.deepEqual(labels(items), ['x', 'w', 'q', 'v', 'k', 'u']);
    assert.equal(newText(items, 'x'), 'x = ${1:0.5}');
    assert.equal(newText(items, 'w'), 'w = [${1:0.5, 0.5, 0.5}]');
    assert.equal(newText(items, 'q'), 'q = [${1:0.5, 0.5}]');
    assert.equal(newText(items, 'v'), 'v = [${1:0.5, 0.5, 0.5}]');
    assert.equal(newText(items, 'k'), 'k = ${1:0.5}');
    assert.equal(newText(items, 'u'), 'u = [${1:0.5, 0.5, 0.5, 0.5}]');
    assert.ok(items.every((i) => i.insertTextFormat === 2), 'snippets');
    // Names already given a value are not offered again; after a comma the entry comes with a space.
    const next = await complete(src('x = 1, w = [1, 2],$0'), ',');
    assert.deepEqual(labels(next), ['q', 'v', 'k', 'u']);
    assert.equal(newText(next, 'q'), ' q = [${1:0.5, 0.5}]');
    // Inside a value (a number, an array) there is nothing to complete.
    assert.deepEqual(await complete(src('x = $0'), ' '), []);
    assert.deepEqual(await complete(src('w = [1, $0'), ' '), []);
  });

  it('offers the functions of the file after @gradient, its conventional partner first, itself never', async () => {
    const text = `export function helper(a: number): number { return a; }\n${ROSENBROCK_DOC.replace(' * @at', ' * @gradient $0\n * @at')}\n${RIGHT_GRADIENT}\nconst other = (x: number): number => x;\nconst notAFunction = (1 + 2) * 3;\n`;
    const items = await complete(text, ' ');
    assert.deepEqual(new Set(labels(items)), new Set(['helper', 'rosenbrockGrad', 'other']));
    const sorted = [...items].sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1));
    assert.equal(sorted[0].label, 'rosenbrockGrad');
    // After the name: the conventions it may be written in; after those, nothing.
    assert.deepEqual(labels(await complete(text.replace('$0', 'rosenbrockGrad $0'), ' ')), ['out', 'fused', 'flag', 'vjp', 'output']);
    assert.deepEqual(await complete(text.replace('$0', 'rosenbrockGrad out $0'), ' '), []);
  });

  it('completes @partial (a parameter, then a function, then scale), @hessian (then hvp) and @jvp', async () => {
    const doc = (tag: string) => `/**\n * @differentiable\n * ${tag}\n */\nexport function price(S: number, sigma: number): number {\n  return S * sigma;\n}\nexport function vega(S: number, sigma: number): number { return S; }\nexport function priceHessian(S: number, sigma: number): number[][] { return [[0, 1], [1, 0]]; }\n`;
    assert.deepEqual(labels(await complete(doc('@partial $0'), ' ')), ['S', 'sigma']);
    assert.deepEqual(new Set(labels(await complete(doc('@partial sigma $0'), ' '))), new Set(['vega', 'priceHessian']));
    assert.deepEqual(labels(await complete(doc('@partial sigma vega $0'), ' ')), ['scale']);
    const hessian = await complete(doc('@hessian $0'), ' ');
    const first = [...hessian].sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1))[0];
    assert.equal(first.label, 'priceHessian');
    assert.match(String(first.detail), /Hessian of price/);
    assert.deepEqual(labels(await complete(doc('@hessian priceHessian $0'), ' ')), ['hvp']);
    assert.deepEqual(await complete(doc('@jvp vega $0'), ' '), []);
  });

  it('offers @gradient again in a block that has one (every @gradient is checked)', async () => {
    const items = await complete('/**\n * @differentiable\n * @gradient g\n * @$0\n */\nexport function f(x: number): number { return x; }\n', '@');
    assert.ok(labels(items).includes('@gradient'));
    assert.ok(labels(items).includes('@partial'));
    assert.ok(!labels(items).includes('@differentiable'));
  });

  it('works on text that does not parse, and on a const arrow function', async () => {
    const broken = '/**\n * @differentiable\n * @wrt $0\n */\nconst f = (x: number, y: number): number => {\n  return x * y +\n';
    assert.deepEqual(labels(await complete(broken, ' ')), ['x', 'y']);
    const single = '/**\n * @differentiable\n * @at $0\n */\nexport const g = async t => t * t;\n';
    assert.deepEqual(labels(await complete(single, ' ')), ['t']);
  });

  it('falls back on the last analysis when the parameter list is being edited', async () => {
    const u = uri('completion-stale');
    const text = '/**\n * @differentiable\n * @at x = 1, w = [1, 2]\n * @wrt \n */\nexport function f(x: number, w: number[]): number {\n  return x * w[0];\n}\n';
    await client.open(u, text);
    await client.diagnostics(u);
    // Delete the `)` of the parameter list: the text scan cannot read it any more.
    const close = positionOf(text, '[]): number', 2);
    await client.change(u, [{ range: { start: close, end: { line: close.line, character: close.character + 1 } }, text: '' }]);
    const items = await client.completion(u, positionOf(text, '@wrt ', 5), ' ');
    assert.deepEqual(labels(items), ['x', 'w']);
    await client.close(u);
  });
});

describe('completion from the text alone (in-process)', () => {
  const at = (source: string, options: Partial<Parameters<typeof completionsAt>[2]> = {}): CompletionItem[] => {
    const { text, offset } = fixture(source);
    return completionsAt(TextDocument.create('file:///t.ts', 'typescript', 1, text), offset, { snippets: true, invoked: false, ...options });
  };

  it('inserts plain `name = value` text for a client without snippets', () => {
    const items = at('/**\n * @at $0\n */\nfunction f(x: number, w: number[]): number { return x; }\n', { snippets: false });
    assert.equal(newText(items, 'x'), 'x = 0.5');
    assert.equal(newText(items, 'w'), 'w = [0.5, 0.5, 0.5]');
    assert.ok(items.every((i) => i.insertTextFormat === undefined));
  });

  it('offers tags on an empty JSDoc line only when asked explicitly, not on a typed space', () => {
    const src = '/**\n * $0\n */\nfunction f(x: number): number { return x; }\n';
    assert.deepEqual(at(src), []);
    assert.equal(at(src, { invoked: true }).length, TAGS.length);
  });

  it('escapes a `$` in a parameter name inside the snippet', () => {
    const items = at('/**\n * @at $0\n */\nfunction f($x: number): number { return $x; }\n');
    assert.equal(newText(items, '$x'), '\\$x = ${1:0.5}');
  });

  it('uses the check point of the last analysis for the shapes when it falls back', () => {
    const src = '/**\n * @at $0\n */\nfunction f(x: number, w: number[]';
    const fa = { name: 'f', params: ['x', 'w'], points: [{ x: 1, w: [1, 2, 3, 4] }], nameRange: { start: src.indexOf('f('), end: src.indexOf('f(') + 1 } };
    const items = at(src, { analysed: { functions: [fa as never], toLive: (o) => o - 2 } });
    assert.equal(newText(items, 'w'), 'w = [${1:0.5, 0.5, 0.5, 0.5}]');
  });

  it('reads function headers: generics, defaults, rest, destructuring, named tuples', () => {
    const h = functionHeader('\nexport async function f<T extends number[]>(a: T, b = 1, [c, d]: number[], { e }: { e: number }, t: [x: number, y?: number], ...r: number[]) {}', 0);
    assert.equal(h?.name, 'f');
    assert.deepEqual(h?.params?.map((p) => `${p.name}:${p.kind}:${p.length}`), ['a:other:1', 'b:num:1', 't:arr:2', 'r:other:1']);
    for (const form of ['const g = ((x: number, y: number): number => x * y);', 'const g = ((x: number, y: number) => x * y) satisfies (x: number, y: number) => number;',
      'export const g = ((function (x: number, y: number) { return x * y; }) satisfies F);', 'let g = async (x: number, y: number) => x * y;']) {
      assert.deepEqual(functionHeader(form, 0)?.params?.map((p) => p.name), ['x', 'y'], form);
      assert.deepEqual(functionNames(form), ['g'], form);
    }
    assert.deepEqual(functionNames('function a() {}\nconst b = function () {};\nconst c = (x) => x;\nconst d = x => x;\nconst e = (1);\nlet s = `function fake() ${"{"}`;\n// function g() {}\nconst h = <T,>(x: T): T => x;'), ['a', 'b', 'c', 'd', 'h']);
  });

  it('stays linear on hostile text (long lines, many openings, unclosed brackets)', () => {
    const n = 200_000;
    const cases = [
      '/**' + ' '.repeat(n) + '@$0',
      '/**\n' + ' *\n'.repeat(n / 4) + ' * @wrt $0\n */\nfunction f(' + 'x, '.repeat(n / 8),
      '/** @gradient $0 */\n' + 'const a = ('.repeat(n / 16),
      '/**'.repeat(n / 4) + '\n * @at $0',
      '`${'.repeat(n / 8) + '\n/**\n * @gradient $0\n */',
    ];
    for (const source of cases) {
      const t0 = performance.now();
      at(source, { invoked: true });
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `${ms.toFixed(0)} ms on ${JSON.stringify(source.slice(0, 20))}…`);
    }
  });
});
