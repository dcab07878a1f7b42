// Reverse-mode generation as a structure (engine/codegen/reverse.ts and the files it names): the
// adjoint statements (adjoint.ts) and the passes over them, the statement walkers, and the size of
// the files a person reads.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { compileGradient } from '../../engine/compileIr';
import { Adj, printAdj } from '../../engine/codegen/adjoint';
import { generateDerivative } from '../../engine/codegen/generate';
import { printExpr } from '../../engine/codegen/expr';
import { countStmts, forEachStmt, mapStmts, stmtsMention } from '../../engine/codegen/stmtWalk';
import { Expr, Stmt } from '../../engine/ir';
import { parseProgram } from '../../engine/program';
import { flat, load, relError } from './harness';
import { checkAllModes } from './roundTrip';

const R = { start: 0, end: 0 };
const v = (id: number): Expr => ({ k: 'var', id, range: R });
const c = (value: number): Expr => ({ k: 'const', value, range: R });
const bin = (op: '+' | '-' | '*' | '/' | '**', a: Expr, b: Expr): Expr => ({ k: 'binary', op, a, b, range: R });

describe('codegen: the adjoint statements and their passes', function () {
  this.timeout(60_000);
  const names = ['dx', 'a', 'b', 'i'];
  const printer = { names, rp: (e: Expr) => printExpr(e, { name: (id) => names[id], ts: true }), ts: true };

  it('a first write prints its terms in order, parenthesised unless they are plain products', () => {
    const target: Expr = { k: 'index', array: v(0), index: v(3), range: R };
    const stmt: Adj = {
      k: 'firstWrite', target,
      terms: [
        { op: '-', value: bin('*', v(1), v(2)) },
        { op: '+', value: bin('+', v(1), v(2)) },
        { op: '-', value: { k: 'math', fn: 'exp', args: [v(1)], range: R } },
        { op: '+', value: bin('/', bin('*', c(2), v(1)), v(2)) },
        { op: '+', value: { k: 'index', array: v(1), index: bin('+', v(3), c(1)), range: R } },
      ],
    };
    assert.deepStrictEqual(printAdj(printer, [stmt]), ['dx[i] = -a * b + (a + b) - (Math.exp(a)) + 2 * a / b + (a[i + 1]);']);
  });

  it('the first-write pass reads adjoint statements, not their comments (a `return` in a comment once stopped it)', () => {
    const src = `/**
 * @differentiable
 * @wrt x
 */
export function firstBig(x: number[], t: number): number {
  let acc = 0;
  for (let i = 0; i < x.length; i++) {
    acc += Math.sin(x[i]);
    if (acc > t) {
      return acc * acc;
    }
  }
  return acc;
}
`;
    const code = generateDerivative(src, 'firstBig', 'reverse').generated!.code;
    assert.match(code, /\n {4}dx\[i\] = dAcc \* Math\.cos\(x\[i\]\);\n/, code);
    // the loop may stop early: the elements it never reaches keep the zero fill
    assert.match(code, /const dx = new Array<number>\(x\.length\)\.fill\(0\);/, code);
    for (const t of [0.5, 1.2, 100]) checkAllModes({ src, fn: 'firstBig', point: { x: [0.3, 0.9, -0.4, 1.1], t }, wrt: ['x'] });
    // the compile path (no comments) generates the same gradient
    const g = compileGradient(parseProgram(src), 'firstBig')!;
    const mod = load(`${src}\n${code}`);
    const args = [[0.3, 0.9, -0.4, 1.1], 0.5];
    assert.strictEqual(relError(flat(g(...args)), flat(mod.firstBigGrad(...args))), 0);
  });

  it('statement walkers: every statement in order, nested blocks included; rewriting; mentions', () => {
    const s = (value: number): Stmt => ({ k: 'assign', v: 0, value: c(value), range: R });
    const body: Stmt[] = [
      s(1),
      { k: 'if', test: { k: 'bool', value: true, range: R }, then: [s(2)], else: [s(3)], range: R },
      { k: 'loop', test: null, body: [s(4), { k: 'break', range: R }], update: [s(5)], range: R },
    ];
    const seen: string[] = [];
    forEachStmt(body, (x) => { seen.push(x.k === 'assign' && x.value.k === 'const' ? String(x.value.value) : x.k); });
    assert.deepStrictEqual(seen, ['1', 'if', '2', '3', 'loop', '4', 'break', '5']);
    const pruned: string[] = [];
    forEachStmt(body, (x) => { pruned.push(x.k); return x.k === 'loop' ? false : undefined; });
    assert.deepStrictEqual(pruned, ['assign', 'if', 'assign', 'assign', 'loop']);
    assert.strictEqual(countStmts(body), 8);
    const doubled = mapStmts(body, (e) => (e.k === 'const' ? c(e.value * 2) : e), (x) => x.k !== 'break');
    const values: number[] = [];
    forEachStmt(doubled, (x) => { if (x.k === 'assign' && x.value.k === 'const') values.push(x.value.value); });
    assert.deepStrictEqual(values, [2, 4, 6, 8, 10]);
    assert.strictEqual(countStmts(doubled), 7);
    assert.strictEqual(stmtsMention(body, 0), true);
    assert.strictEqual(stmtsMention(body, 1), false);
  });

  it('the code generators are files a person reads in one sitting', () => {
    const dir = path.resolve(__dirname, '../../../engine/codegen');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n').length;
      assert.ok(lines < 900, `engine/codegen/${f}: ${lines} lines`);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'freshStores.ts')), 'the regular-expression pass over printed code is gone');
  });
});
