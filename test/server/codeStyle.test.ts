// The style of inserted code (server/codeStyle.ts): detection from the file's text, .editorconfig
// parsing and its folder chain, the editor's settings, and their precedence.

import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateDerivative } from '../../engine';
import { DEFAULT_CODE_STYLE, isJavaScriptFile, printLines, quoted, withCodeStyle } from '../../engine/codegen/code';
import {
  detectIndent, detectQuote, editorConfigProps, editorConfigStyle, globMatches, parseEditorConfig, resolveCodeStyle,
  styleOfEditorConfig, styleOfEditorSettings,
} from '../../server/codeStyle';

const TWO = 'function f(x) {\n  if (x > 0) {\n    return x;\n  }\n  return -x;\n}\n';
const FOUR = 'function f(x) {\n    if (x > 0) {\n        return x;\n    }\n    return -x;\n}\n';
const TABS = 'function f(x) {\n\tif (x > 0) {\n\t\treturn x;\n\t}\n\treturn -x;\n}\n';

describe('code style: detected from the file', () => {
  it('finds two spaces, four spaces and tabs by the step of indentation', () => {
    assert.equal(detectIndent(TWO), '  ');
    assert.equal(detectIndent(FOUR), '    ');
    assert.equal(detectIndent(TABS), '\t');
  });

  it('skips JSDoc continuation lines and blank lines, and says nothing for a file without indented code', () => {
    const doc = '/**\n * @differentiable\n * @at x = 1\n */\nfunction f(x) {\n\n    return x;\n}\n';
    assert.equal(detectIndent(doc), '    ');
    assert.equal(detectIndent('const a = 1;\n/**\n * doc\n */\nconst b = 2;\n'), null);
  });

  it('finds the dominant quote, ignoring comments and template literals', () => {
    assert.equal(detectQuote(`import { a } from "a";\nconst b = "x";\n// it's 'single' in a comment\nconst c = 'y';\n`), '"');
    assert.equal(detectQuote(`const a = 'x';\nconst t = \`"a" "b" "c"\`;\n/* "d" "e" */\n`), "'");
    assert.equal(detectQuote('const a = 1;\n'), null);
    assert.equal(detectQuote(`const s = "it's";\nconst t = "x";\n`), '"', 'a quote inside the other kind of string is no delimiter');
  });
});

describe('code style: .editorconfig', () => {
  const config = parseEditorConfig([
    '# top',
    'root = true',
    '',
    '[*]',
    'indent_style = space',
    'indent_size = 2',
    '',
    '[*.{ts,js}]',
    'indent_size = 4 ; trailing comment',
    'quote_type = double',
    '',
    '[lib/**.ts]',
    'indent_style = tab',
    '',
    '[Makefile]',
    'indent_style = tab',
  ].join('\n'));

  it('parses root, sections and properties (lower-cased, comments dropped)', () => {
    assert.equal(config.root, true);
    assert.deepEqual(config.sections.map((s) => s.glob), ['*', '*.{ts,js}', 'lib/**.ts', 'Makefile']);
    assert.deepEqual(config.sections[1].props, { indent_size: '4', quote_type: 'double' });
  });

  it('matches globs as EditorConfig does', () => {
    assert.ok(globMatches('*.ts', 'src/deep/a.ts'), 'a glob without / matches in every folder');
    assert.ok(globMatches('*.{ts,js}', 'a.js'));
    assert.ok(!globMatches('*.{ts,js}', 'a.tsx'));
    assert.ok(globMatches('lib/**.ts', 'lib/x/y.ts'));
    assert.ok(!globMatches('lib/**.ts', 'src/lib/y.ts'), 'a glob with / is relative to the .editorconfig');
    assert.ok(globMatches('src/*.ts', 'src/a.ts') && !globMatches('src/*.ts', 'src/x/a.ts'));
    assert.ok(globMatches('[ab].ts', 'b.ts') && !globMatches('[!ab].ts', 'b.ts'));
    assert.ok(globMatches('file{1..3}.ts', 'file2.ts'));
    assert.ok(!globMatches('x'.repeat(300), 'x'.repeat(300)), 'over-long globs are ignored');
    assert.ok(globMatches('{src,test/{unit,e2e}}/*.ts', 'test/e2e/a.ts') && !globMatches('{src,test/{unit,e2e}}/*.ts', 'test/x/a.ts'), 'nested alternatives');
    assert.ok(globMatches('**/*.ts', 'a.ts') && globMatches('a/**/b.ts', 'a/b.ts') && globMatches('a/**/b.ts', 'a/x/y/b.ts'));
    assert.ok(globMatches('\\*.ts', '*.ts') && !globMatches('\\*.ts', 'a.ts'), 'an escaped star is a star');
    assert.ok(!globMatches('file{1..3}.ts', 'file4.ts') && globMatches('v{-2..12}.ts', 'v10.ts'));
  });

  it('matches a hostile glob in bounded time (no backtracking regular expression)', () => {
    const started = Date.now();
    assert.ok(!globMatches(`${'*'.repeat(60)}${'?*'.repeat(60)}x`, `${'a'.repeat(3000)}y`));
    assert.ok(!globMatches(`${'**/'.repeat(60)}x`, `${'a/'.repeat(1500)}y`));
    assert.equal(globMatches('{a,b}'.repeat(10), 'ab'.repeat(5)), false, 'too many alternatives: ignored');
    // A file of many sections costs at most the budget of matching.
    const many = parseEditorConfig(`[*]\nindent_size = 4\n${`[${'*?'.repeat(120)}x]\nindent_size = 8\n`.repeat(2000)}`);
    assert.equal(editorConfigProps(path.resolve('/w/a.ts'), [{ dir: path.resolve('/w'), config: many }]).indent_size, '4');
    assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  });

  it('applies later sections over earlier ones, the nearest file over farther ones, and stops at root', () => {
    const root = path.resolve('/w');
    const file = path.join(root, 'lib', 'a', 'x.ts');
    const nearer = parseEditorConfig('[*.ts]\nindent_size = 3\n');
    assert.deepEqual(editorConfigProps(file, [{ dir: path.join(root, 'lib'), config: nearer }, { dir: root, config }]),
      { indent_style: 'tab', indent_size: '3', quote_type: 'double' });
    const above = parseEditorConfig('[*]\ninsert_final_newline = true\n');
    assert.equal(editorConfigProps(file, [{ dir: root, config }, { dir: path.dirname(root), config: above }]).insert_final_newline, undefined,
      'a file above a root = true is not read');
  });

  it('turns properties into a style: tabs, n spaces, the quote', () => {
    assert.deepEqual(styleOfEditorConfig({ indent_style: 'tab', indent_size: '4' }), { indent: '\t' });
    assert.deepEqual(styleOfEditorConfig({ indent_style: 'space', indent_size: '4', quote_type: 'double' }), { indent: '    ', quote: '"' });
    assert.deepEqual(styleOfEditorConfig({ indent_size: '3' }), { indent: '   ' });
    assert.deepEqual(styleOfEditorConfig({ indent_style: 'space', indent_size: 'tab', tab_width: '8' }), { indent: '        ' });
    assert.deepEqual(styleOfEditorConfig({ quote_type: 'auto', indent_size: '999' }), {});
  });

  it('reads the folder chain of a document from disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-style-'));
    try {
      mkdirSync(path.join(dir, 'src', 'inner'), { recursive: true });
      writeFileSync(path.join(dir, '.editorconfig'), 'root = true\n[*]\nindent_style = space\nindent_size = 4\n');
      writeFileSync(path.join(dir, 'src', '.editorconfig'), '[*.ts]\nquote_type = double\n');
      const uri = pathToFileURL(path.join(dir, 'src', 'inner', 'model.ts')).toString();
      assert.deepEqual(await editorConfigStyle(uri), { indent: '    ', quote: '"' });
      assert.equal(await editorConfigStyle('untitled:Untitled-1'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('code style: precedence', () => {
  it('.editorconfig over the editor settings over the file', () => {
    assert.equal(resolveCodeStyle({ editorConfig: { indent: '\t' }, editor: { indent: '    ', detectIndentation: false } }, TWO).indent, '\t');
    assert.equal(resolveCodeStyle({ editor: { indent: '    ', detectIndentation: false } }, TWO).indent, '    ');
    assert.equal(resolveCodeStyle({}, TABS).indent, '\t');
  });

  it('with editor.detectIndentation (VS Code\'s default) the file\'s own indentation first, the settings when it has none', () => {
    assert.equal(resolveCodeStyle({ editor: { indent: '    ', detectIndentation: true } }, TWO).indent, '  ');
    assert.equal(resolveCodeStyle({ editor: { indent: '   ' } }, 'const a = 1;\n').indent, '   ');
  });

  it('quotes: .editorconfig, else the file\'s, else single', () => {
    assert.equal(resolveCodeStyle({ editorConfig: { quote: "'" } }, 'const a = "x";\n').quote, "'");
    assert.equal(resolveCodeStyle(undefined, 'const a = "x";\n').quote, '"');
    assert.deepEqual(resolveCodeStyle(undefined, ''), DEFAULT_CODE_STYLE);
  });

  it('reads the editor\'s settings as workspace/configuration returns them', () => {
    assert.deepEqual(styleOfEditorSettings({ tabSize: 4, insertSpaces: true, detectIndentation: false }), { indent: '    ', detectIndentation: false });
    assert.deepEqual(styleOfEditorSettings({ tabSize: 4, insertSpaces: false }), { indent: '\t' });
    assert.deepEqual(styleOfEditorSettings({ tabSize: 'auto' }), {});
    assert.equal(styleOfEditorSettings(null), undefined);
  });
});

describe('code style: printing', () => {
  it('prints blocks with the style in force and restores the default after', () => {
    const lines = [{ head: 'if (a)', body: ['b();'], else: ['c();'] }];
    assert.equal(withCodeStyle({ indent: '\t', quote: '"' }, () => printLines(lines)), 'if (a) {\n\tb();\n} else {\n\tc();\n}');
    assert.equal(printLines(lines), 'if (a) {\n  b();\n} else {\n  c();\n}');
    assert.throws(() => withCodeStyle({ indent: '\t', quote: '"' }, () => { throw new Error('x'); }));
    assert.equal(printLines(lines), 'if (a) {\n  b();\n} else {\n  c();\n}', 'restored after a throw');
  });

  it('quotes string literals in the style\'s quote', () => {
    assert.equal(quoted(`it's "x"`), `'it\\'s "x"'`);
    assert.equal(withCodeStyle({ indent: '  ', quote: '"' }, () => quoted(`it's "x"`)), `"it's \\"x\\""`);
  });

  it('generates code in the style; the default is unchanged', () => {
    const text = '/**\n * @differentiable\n */\nfunction f(x: number[]): number {\n  let s = 0;\n  for (let i = 0; i < x.length; i++) s += x[i] * x[i];\n  return s;\n}\n';
    const tabbed = generateDerivative(text, 'f', 'reverse', { style: { indent: '\t', quote: "'" } }).generated!.code;
    const plain = generateDerivative(text, 'f', 'reverse').generated!.code;
    assert.match(tabbed, /\n\tfor \(let i = x\.length - 1; i >= 0; i--\) \{\n\t\t/);
    assert.doesNotMatch(tabbed, /\n {2}\S/);
    assert.equal(tabbed.replace(/\t/g, '  '), plain, 'only the indentation differs');
    const closed = generateDerivative('/**\n * @differentiable\n */\nfunction g(x: number, y: number): number {\n  return x * x * y;\n}\n', 'g', 'closed', { style: { indent: '    ', quote: "'" } }).generated!.code;
    assert.match(closed, /\n {4}return \[/);
  });
});

describe('code style: JavaScript files', () => {
  it('a JavaScript document (by its URI) gets code without type annotations; TypeScript keeps them', () => {
    assert.equal(resolveCodeStyle({ javascript: true }, TWO).types, false);
    assert.equal(resolveCodeStyle({}, TWO).types, undefined);
    for (const uri of ['file:///w/a.js', 'file:///w/a.mjs', 'file:///w/a.cjs', 'file:///w/a.jsx']) assert.ok(isJavaScriptFile(uri), uri);
    for (const uri of ['file:///w/a.ts', 'file:///w/a.tsx', 'file:///w/a.json', 'file:///w/js']) assert.ok(!isJavaScriptFile(uri), uri);
    const text = '/**\n * @differentiable\n * @param {number} x\n * @param {[number, number]} w\n * @at x = 1, w = [0.5, 2]\n */\nfunction f(x, w) {\n  return x * w[0] + Math.sin(w[1]);\n}\n';
    for (const mode of ['reverse', 'closed', 'jvp', 'hessian'] as const) {
      const js = generateDerivative(text, 'f', mode, { style: { ...resolveCodeStyle({ javascript: true }, text) } }).generated!.code;
      assert.doesNotMatch(js, /:\s*(readonly\s+)?(number|\[)/, `${mode}:\n${js}`);
      const typed = generateDerivative(text, 'f', mode).generated!.code;
      assert.match(typed, /:\s*(readonly\s+)?number/, `${mode} in TypeScript keeps its types`);
    }
  });
});
