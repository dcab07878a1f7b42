// Unit tests of the CLI's own parts (no engine involved): positions, globs, file expansion,
// argument and point parsing, number formatting, DOT/SVG drawing, and the check report.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ComputationGraph, FunctionAnalysis } from '../../engine/index';
import { parseArgs, parsePoint, UsageError } from '../../cli/args';
import { functionStatus, renderCheck, type CheckResult } from '../../cli/check';
import { expandInputs } from '../../cli/files';
import { formatNumber, palette, wantsColor } from '../../cli/format';
import { globToRegExp, splitGlob } from '../../cli/glob';
import { graphToDot, graphToJson } from '../../cli/graphText';
import { escapeXml, graphToSvg } from '../../cli/graphSvg';
import { LineIndex } from '../../cli/lineIndex';

describe('cli: LineIndex', () => {
  it('maps offsets to 1-based line and column across \\n, \\r\\n and \\r', () => {
    const text = 'ab\ncd\r\nef\rgh';
    const index = new LineIndex(text);
    assert.deepEqual(index.position(0), { line: 1, column: 1 });
    assert.deepEqual(index.position(1), { line: 1, column: 2 });
    assert.deepEqual(index.position(3), { line: 2, column: 1 });
    assert.deepEqual(index.position(text.indexOf('e')), { line: 3, column: 1 });
    assert.deepEqual(index.position(text.indexOf('h')), { line: 4, column: 2 });
  });

  it('clamps offsets outside the text', () => {
    const index = new LineIndex('x\ny');
    assert.deepEqual(index.position(-5), { line: 1, column: 1 });
    assert.deepEqual(index.position(99), { line: 2, column: 2 });
  });

  it('counts columns in UTF-16 code units, as the engine reports offsets', () => {
    const text = 'const 𝑥 = 1; y';
    assert.deepEqual(new LineIndex(text).position(text.indexOf('y')), { line: 1, column: text.indexOf('y') + 1 });
  });
});

describe('cli: glob', () => {
  const matches = (pattern: string, p: string): boolean => globToRegExp(pattern).test(p);

  it('matches * and ? within one directory only', () => {
    assert.ok(matches('*.ts', 'a.ts'));
    assert.ok(!matches('*.ts', 'dir/a.ts'));
    assert.ok(matches('a?.ts', 'ab.ts'));
    assert.ok(!matches('a?.ts', 'a/.ts'));
  });

  it('matches ** across any number of directories, including none', () => {
    assert.ok(matches('**/*.ts', 'a.ts'));
    assert.ok(matches('**/*.ts', 'x/y/z/a.ts'));
    assert.ok(matches('src/**/test/*.ts', 'src/test/a.ts'));
    assert.ok(matches('src/**/test/*.ts', 'src/a/b/test/a.ts'));
    assert.ok(!matches('src/**/test/*.ts', 'lib/test/a.ts'));
    assert.ok(matches('src/**', 'src/a/b.js'));
  });

  it('supports {a,b} alternatives and [...] classes, and escapes regex characters', () => {
    assert.ok(matches('*.{ts,js}', 'a.js'));
    assert.ok(!matches('*.{ts,js}', 'a.py'));
    assert.ok(matches('[ab]x.ts', 'bx.ts'));
    assert.ok(!matches('[!ab]x.ts', 'ax.ts'));
    assert.ok(matches('a+b(1).ts', 'a+b(1).ts'));
    assert.ok(!matches('a.ts', 'abts'));
  });

  it('splits the static directory from the pattern', () => {
    assert.deepEqual(splitGlob('examples/**/*.ts'), { base: 'examples', rest: '**/*.ts' });
    assert.deepEqual(splitGlob('*.ts'), { base: '.', rest: '*.ts' });
    assert.deepEqual(splitGlob('a/b/c*.ts'), { base: 'a/b', rest: 'c*.ts' });
    assert.deepEqual(splitGlob('/abs/x/*.ts'), { base: '/abs/x', rest: '*.ts' });
  });
});

describe('cli: expandInputs', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-cli-'));
    for (const file of ['a.ts', 'b.js', 'types.d.ts', 'readme.md', 'sub/c.ts', 'sub/deep/d.mjs', 'node_modules/pkg/e.ts', '.hidden/f.ts', 'dist/g.js', 'sub/out/h.js']) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), '// x\n');
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const rel = (files: string[]): string[] => files.map((f) => path.relative(root, f).split(path.sep).join('/'));

  it('walks directories recursively for sources, skipping node_modules, hidden folders, build output and .d.ts', () => {
    const { files, errors } = expandInputs(['.'], root);
    assert.deepEqual(errors, []);
    assert.deepEqual(rel(files).sort(), ['a.ts', 'b.js', 'sub/c.ts', 'sub/deep/d.mjs']);
  });

  it('expands globs and keeps each file once', () => {
    const { files, errors } = expandInputs(['**/*.ts', 'a.ts', 'sub/**/*.{ts,mjs}'], root);
    assert.deepEqual(errors, []);
    assert.deepEqual(rel(files), ['a.ts', 'sub/c.ts', 'sub/deep/d.mjs']);
  });

  it('walks a skipped directory when it is named explicitly', () => {
    assert.deepEqual(rel(expandInputs(['dist'], root).files), ['dist/g.js']);
    assert.deepEqual(rel(expandInputs(['sub/out/*.js'], root).files), ['sub/out/h.js']);
  });

  it('reads an explicitly named file whatever its extension', () => {
    const { files } = expandInputs(['readme.md'], root);
    assert.deepEqual(rel(files), ['readme.md']);
  });

  it('reports missing files, globs without matches and missing glob directories', () => {
    const { errors } = expandInputs(['missing.ts', '*.py', 'nowhere/**/*.ts', 'a.ts/*.ts'], root);
    assert.equal(errors.length, 4);
    assert.match(errors[3], /'a\.ts' is not a directory/);
    assert.match(errors[0], /no such file or directory: 'missing\.ts'/);
    assert.match(errors[1], /no \.ts or \.js files match '\*\.py'/);
    assert.match(errors[2], /directory 'nowhere' does not exist/);
  });
});

describe('cli: arguments and points', () => {
  const spec = { json: { value: false }, at: { value: true }, mode: { value: true, short: 'm', choices: ['a', 'b'] } };

  it('parses flags, values, --name=value, short options and positionals', () => {
    const args = parseArgs(['f.ts', '--json', '--at', 'x=1', '-m', 'b', 'g', '--at=y=2'], spec);
    assert.deepEqual(args.positionals, ['f.ts', 'g']);
    assert.equal(args.options.get('json'), true);
    assert.equal(args.options.get('at'), 'y=2');
    assert.equal(args.options.get('mode'), 'b');
  });

  it('rejects unknown options, missing values and values outside the choices', () => {
    assert.throws(() => parseArgs(['--frob'], spec), (e: unknown) => e instanceof UsageError && /unknown option '--frob'/.test(e.message));
    assert.throws(() => parseArgs(['--at'], spec), /needs a value/);
    assert.throws(() => parseArgs(['--mode', 'c'], spec), /expected a, b/);
    assert.throws(() => parseArgs(['--json=1'], spec), /takes no value/);
  });

  it('parses points with scalars, arrays, spaces, exponents and negatives', () => {
    assert.deepEqual(parsePoint('x=1,y=-2.5e-3, w = [1, -2,3e2]'), { x: 1, y: -0.0025, w: [1, -2, 300] });
    assert.deepEqual(parsePoint('w=[]'), { w: [] });
  });

  it('explains malformed points', () => {
    assert.throws(() => parsePoint('x=abc'), /value of 'x' is not a number/);
    assert.throws(() => parsePoint('x=1,x=2'), /given twice/);
    assert.throws(() => parsePoint('w=[1,2'), /unbalanced/);
    assert.throws(() => parsePoint('w=[1,a]'), /'a' in the value of 'w' is not a number/);
    assert.throws(() => parsePoint('1=2'), /expected name=value/);
    assert.throws(() => parsePoint(''), /empty point/);
  });
});

describe('cli: formatting', () => {
  it('prints numbers to the requested significant digits without trailing zeros', () => {
    assert.equal(formatNumber(0.1 + 0.2, 10), '0.3');
    assert.equal(formatNumber(26.442359156617, 6), '26.4424');
    assert.equal(formatNumber(-1.5e-12, 4), '-1.5e-12');
    assert.equal(formatNumber(Number.NaN, 6), 'NaN');
    assert.equal(formatNumber(-0, 6), '0');
  });

  it('colours only when asked, on a TTY, or with FORCE_COLOR; NO_COLOR wins over both of the latter', () => {
    assert.equal(wantsColor({ isTTY: false }, {}, undefined), false);
    assert.equal(wantsColor({ isTTY: true }, {}, undefined), true);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }, undefined), false);
    assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' }, undefined), true);
    assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }, undefined), false);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }, true), true);
    assert.equal(wantsColor({ isTTY: true }, {}, false), false);
    assert.equal(palette(false).red('x'), 'x');
    assert.equal(palette(true).red('x'), '\x1b[31mx\x1b[39m');
  });
});

const sampleGraph: ComputationGraph = {
  functionName: 'f<"x">',
  point: { x: 2, w: [1, 2] },
  nodes: [
    { id: 0, op: 'input', label: 'x', range: { start: 10, end: 11 }, value: 2, adjoint: 4, inputs: [] },
    { id: 1, op: '*', label: 'x * x', range: { start: 20, end: 25 }, value: 4, adjoint: 1, inputs: [0, 0] },
    { id: 2, op: 'output', label: 'return', range: null, value: 4, adjoint: 1, inputs: [1] },
  ],
  edges: [
    { from: 0, to: 1, partial: 2 },
    { from: 1, to: 2, partial: 1 },
  ],
  outputs: [2],
  loops: [],
  statements: [],
  calls: [],
  truncated: false,
};

describe('cli: graph output', () => {
  it('writes DOT with one statement per node and edge, escaping quotes', () => {
    const dot = graphToDot(sampleGraph);
    assert.match(dot, /^digraph "f<\\"x\\">" \{/);
    assert.equal((dot.match(/^ {2}n\d+ \[label=/gm) ?? []).length, 3);
    assert.match(dot, /n0 -> n1 \[label="2"\]/);
    assert.match(dot, /n1 -> n2/);
    assert.match(dot, /value 4\\nadjoint 1/);
    assert.ok(dot.trimEnd().endsWith('}'));
  });

  it('adds line and column to the JSON graph', () => {
    const json = graphToJson(sampleGraph, 'f.ts', new LineIndex('0123456789\n0123456789\n0123456789')) as {
      file: string;
      nodes: { location: { start: { line: number; column: number } } | null }[];
    };
    assert.equal(json.file, 'f.ts');
    assert.deepEqual(json.nodes[0].location?.start, { line: 1, column: 11 });
    assert.deepEqual(json.nodes[1].location?.start, { line: 2, column: 10 });
    assert.equal(json.nodes[2].location, null);
  });

  it('lays the graph out with ELK and draws every node and edge in SVG', async () => {
    const svg = await graphToSvg(sampleGraph);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal((svg.match(/<g class="node /g) ?? []).length, 3);
    assert.equal((svg.match(/marker-end="url\(#arrow\)"/g) ?? []).length, 2);
    assert.ok(svg.includes('f&lt;&quot;x&quot;&gt;'), 'the title is escaped');
    assert.ok(svg.includes('adjoint 4'));
    // Nodes are placed by the layout, not stacked at the origin.
    const ys = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(new Set(ys).size, 3);
  });

  it('escapes XML', () => {
    assert.equal(escapeXml(`<a & "b">'`), '&lt;a &amp; &quot;b&quot;&gt;&apos;');
  });
});

function fakeFunction(overrides: Partial<FunctionAnalysis>): FunctionAnalysis {
  return {
    name: 'f',
    range: { start: 0, end: 10 },
    nameRange: { start: 16, end: 17 },
    params: ['x', 'y'],
    wrt: ['x', 'y'],
    vectorValued: false,
    points: [{ x: 1, y: 2 }],
    value: 5,
    gradient: { x: 2, y: 4 },
    jacobian: null,
    closedForm: null,
    check: null,
    locals: [],
    diagnostics: [],
    closedFormAvailable: true,
    ...overrides,
  };
}

describe('cli: check report', () => {
  const wrongCheck = {
    name: 'fGrad',
    pairedBy: 'name' as const,
    nameRange: { start: 40, end: 45 },
    range: { start: 30, end: 60 },
    status: 'wrong' as const,
    shape: 'tuple',
    points: [
      {
        point: { x: 1, y: 2 },
        kinks: [],
        components: [
          { label: 'x', param: 'x', index: null, hand: 2, ad: 2, fd: 2, relError: 0, verdict: 'ok' as const, range: null },
          { label: 'y', param: 'y', index: null, hand: 2, ad: 4, fd: 4, relError: 0.5, verdict: 'wrong' as const, range: { start: 50, end: 51 } },
        ],
      },
    ],
  };
  const gl001 = {
    code: 'GL001' as const,
    severity: 'warning' as const,
    message: 'y: hand-written 2, AD 4\nfinite differences 4',
    range: { start: 50, end: 51 },
    functionName: 'f',
  };

  it('names the wrong components of a failing check', () => {
    const s = functionStatus(fakeFunction({ check: wrongCheck, diagnostics: [gl001] }));
    assert.equal(s.status, 'fail');
    assert.match(s.text, /gradient fGrad \(paired by name\) is wrong in y \(GL001\)/);
  });

  it('says when there is no hand-written gradient, and counts other warnings', () => {
    const s = functionStatus(
      fakeFunction({ diagnostics: [{ code: 'GL002', severity: 'warning', message: 'objects are not supported', range: { start: 1, end: 2 } }] }),
    );
    assert.equal(s.status, 'warn');
    assert.match(s.text, /no hand-written gradient; AD gradient computed; 1 diagnostic \(GL002\)/);
    assert.match(functionStatus(fakeFunction({ gradient: null })).text, /^no hand-written gradient$/);
    assert.equal(functionStatus(fakeFunction({})).status, 'none');
  });

  it('renders file:line:col for each diagnostic and a failing summary', () => {
    const text = 'x'.repeat(48) + '\n  y\n' + 'z'.repeat(20);
    const index = new LineIndex(text);
    const result: CheckResult = {
      inputErrors: [],
      fileErrors: [],
      files: [
        {
          file: 'src/f.ts',
          index,
          analysis: { functions: [fakeFunction({ check: wrongCheck, diagnostics: [gl001] })], diagnostics: [gl001], candidates: [], skipped: [] },
        },
        { file: 'src/empty.ts', index: new LineIndex(''), analysis: { functions: [], diagnostics: [], candidates: [], skipped: [] } },
      ],
      summary: {
        files: 2,
        filesWithFunctions: 1,
        functions: 1,
        notAnalysed: 0,
        gradients: { checked: 1, ok: 0, wrong: 1, shape: 0, unverified: 0, other: 0 },
        diagnostics: { GL001: 1 },
        failures: 1,
        errors: 0,
      },
      failed: true,
      json: {},
    };
    const out = renderCheck(result, palette(false));
    assert.ok(out.includes('src/f.ts:2:2  warning  GL001  y: hand-written 2, AD 4 [f]'), out);
    assert.ok(out.includes('\n        finite differences 4'), 'continuation lines are indented');
    assert.ok(out.includes('✗ f (1:17)'), out);
    assert.ok(!out.includes('src/empty.ts'), 'files with nothing to report are not listed');
    assert.match(out, /Checked 2 files; 1 @differentiable function in 1 file; 1 hand-written gradient: 0 agree, 1 wrong\./);
    assert.match(out, /Diagnostics: GL001 ×1\./);
    assert.match(out, /✗ 1 wrong gradient finding \(GL001\/GL006\)\./);
    assert.ok(!/\x1b\[/.test(out), 'no colour codes without colour');
  });
});
