// The injection grammar's rules, run with JavaScript regular expressions (the patterns are written
// in the subset Oniguruma and JavaScript share). Colouring in the real editor is asserted by the e2e suite.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');
const grammar = JSON.parse(readFileSync(join(root, 'syntaxes', 'gradlens-jsdoc.injection.tmLanguage.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const rule = (name: string) => new RegExp(grammar.repository[name].match);

describe('JSDoc injection grammar', () => {
  it('is registered for TypeScript and JavaScript and injected into doc comments only', () => {
    const g = manifest.contributes.grammars.find((x: { scopeName: string }) => x.scopeName === grammar.scopeName);
    assert.ok(g, 'the grammar is not contributed');
    assert.deepEqual([...g.injectTo].sort(), ['source.js', 'source.js.jsx', 'source.ts', 'source.tsx']);
    assert.equal(grammar.injectionSelector, 'L:comment.block.documentation');
    assert.equal(join(root, g.path), join(root, 'syntaxes', 'gradlens-jsdoc.injection.tmLanguage.json'));
  });

  it('matches each of the ten tags and nothing that merely starts like one', () => {
    const flags = rule('flag-tags');
    assert.equal(flags.exec(' * @differentiable')?.[1], '@differentiable');
    assert.equal(flags.exec(' * @nondifferentiable')?.[1], '@nondifferentiable');
    assert.equal(flags.exec(' * @differentiableX'), null);
    assert.equal(rule('wrt-tag').exec(' * @wrt x, y')?.[3], 'x, y');
    assert.equal(rule('wrt-tag').exec(' * @wrtx'), null);
    const fn = rule('function-tags');
    assert.equal(fn.exec(' * @gradient rosenbrockGrad')?.[3], 'rosenbrockGrad');
    assert.equal(fn.exec(' * @derivative normPdf')?.[3], 'normPdf');
    assert.equal(fn.exec(' * @gradients'), null);
    // the conventions of hand-written derivatives (README, "The annotation language")
    const conv = fn.exec(' * @gradient act flag derivative');
    assert.deepEqual([conv?.[3], conv?.[4], conv?.[5]], ['act', 'flag', 'derivative']);
    assert.equal(fn.exec(' * @gradient fprime out')?.[4], 'out');
    assert.equal(fn.exec(' * @gradient g outward')?.[4], undefined, 'a word that merely starts like a convention');
    assert.equal(fn.exec(' * @hessian h hvp')?.[4], 'hvp');
    assert.equal(fn.exec(' * @jvp rosenbrockJvp')?.[3], 'rosenbrockJvp');
    assert.equal(fn.exec(' * @gradient activations.logistic.derivative')?.[3], 'activations.logistic.derivative');
    const partial = rule('partial-tag').exec(' * @partial T theta scale -1/365');
    assert.deepEqual([partial?.[3], partial?.[4], partial?.[5], partial?.[6]], ['T', 'theta', 'scale', '-1/365']);
    assert.equal(rule('partial-tag').exec(' * @partials'), null);
    assert.equal(rule('at-tag').exec(' * @at x = 1.5, w = [0.1, -2, 3] */')?.[3], ' x = 1.5, w = [0.1, -2, 3] ');
    assert.equal(rule('at-tag').exec(' * @attribute'), null);
  });

  it('scopes @at arguments: names, numbers (with sign and exponent), brackets', () => {
    const pats = grammar.repository['at-tag'].captures['3'].patterns as { match: string; name: string }[];
    const scope = (s: string) => pats.find((p) => new RegExp(`^(?:${p.match})$`).test(s))?.name;
    assert.equal(scope('w'), undefined, 'a name alone is not followed by =');
    assert.match(String(new RegExp(pats[0]!.match).exec('w = [1]')?.[0]), /^w$/);
    assert.equal(scope('-2'), 'constant.numeric.gradlens.jsdoc');
    assert.equal(scope('1.5e-3'), 'constant.numeric.gradlens.jsdoc');
    assert.equal(scope('['), 'punctuation.definition.array.gradlens.jsdoc');
  });
});
