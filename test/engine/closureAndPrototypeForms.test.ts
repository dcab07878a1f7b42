// The forms of pre-class JavaScript and of closures (issue 13; engine/declarationForms.ts):
// prototype methods reading the fields their constructor function assigns, callbacks registered at
// the top level (named by their own name or the call's string key), the members of an object
// literal a factory returns (capturing its variables), and a factory's captured record with
// constants derived from it. Each with a right and wrong hand-written derivatives (the harness of
// formFixtures.ts), the implicit inputs as a user gives them in `@at`, never-silent tags, the
// cache kept correct across statements, and the insert action placing code by the form.

import * as assert from 'node:assert/strict';
import { AnalysisCache, analyzeFile } from '../../engine/analyzeFile';
import { locateFunction, parseProgram } from '../../engine/program';
import { describeFormFixtures, fill, itInsertsByForm, type FormFixture } from './formFixtures';

const NEURON = `/**
 * @constructor
 * @param {number} bias
 */
function Neuron(bias) {
  this.bias = bias || 0;
  this.gain = 1.5;
}
`;

const FIXTURES: FormFixture[] = [
  {
    name: 'Foo.prototype.f reads the fields its constructor function assigns (a literal one defaulted, one given in @at)',
    src: `${NEURON}
/**
 * @differentiable
 * @param {number} x
 * @at x = 0.2, this.bias = 0.1
 * @at x = -0.7, this.bias = 0.3
 * @gradient Neuron.responsePrime
 */
Neuron.prototype.response = function (x) {
  return Math.tanh(this.gain * (x + this.bias));
};

/** @param {number} x */
Neuron.prototype.responsePrime = function (x) {
  var t = Math.tanh(this.gain * (x + this.bias));
  return $0;
};`,
    fn: 'Neuron.response', hand: 'Neuron.responsePrime',
    right: ['this.gain * (1 - t * t)'],
    wrong: [{ kind: 'factor', at: 0, text: '0.5 * this.gain * (1 - t * t)' }, { kind: 'sign', at: 0, text: 'this.gain * (t * t - 1)' }],
  },
  {
    name: 'a prototype method calling another through `this`, its derivative paired by name (`errorGrad`)',
    src: `${NEURON}
Neuron.prototype.response = function (x) {
  return Math.tanh(this.gain * (x + this.bias));
};

/**
 * @differentiable
 * @wrt x
 * @at x = 0.2, target = 0.9, this.bias = 0.1
 */
Neuron.prototype.error = function (x, target) {
  var e = this.response(x) - target;
  return 0.5 * e * e;
};

Neuron.prototype.errorGrad = function (x, target) {
  var y = this.response(x);
  return $0;
};`,
    fn: 'Neuron.error', hand: 'Neuron.errorGrad',
    right: ['(y - target) * this.gain * (1 - y * y)'],
    wrong: [{ kind: 'factor', at: 0, text: '(y - target) * y' }, { kind: 'sign', at: 0, text: '(target - y) * this.gain * (1 - y * y)' }],
  },
  {
    name: 'a class Foo with Foo.prototype.f assigned beside it reads the class fields',
    src: `export class Spring {
  k = 3;
  rest: number;
  constructor(rest: number) { this.rest = rest; }
}
/**
 * @differentiable
 * @at x = 1.25, this.rest = 0.5
 */
Spring.prototype.energy = function (x: number): number { return 0.5 * this.k * (x - this.rest) ** 2; };
Spring.prototype.energyGrad = function (x: number): number { return $0; };`,
    fn: 'Spring.energy', hand: 'Spring.energyGrad',
    right: ['this.k * (x - this.rest)'],
    wrong: [{ kind: 'sign', at: 0, text: 'this.k * (this.rest - x)' }, { kind: 'factor', at: 0, text: '0.5 * this.k * (x - this.rest)' }],
  },
  {
    name: 'a callback registered at the top level, named by its string key, @gradient naming a top-level function',
    src: `var curves = {};
function register(name, fn) { curves[name] = fn; }

register('smooth-step',
  /**
   * @differentiable
   * @param {number} t
   * @at t = 0.3
   * @at t = 0.85
   * @gradient smoothStepPrime
   */
  function (t) {
    return t * t * (3 - 2 * t);
  });

/** @param {number} t */
function smoothStepPrime(t) {
  return $0;
}`,
    fn: 'smoothStep', hand: 'smoothStepPrime',
    right: ['6 * t * (1 - t)'],
    wrong: [{ kind: 'factor', at: 0, text: '3 * t * (1 - t)' }, { kind: 'sign', at: 0, text: '6 * t * (t - 1)' }],
  },
  {
    name: 'a callback with a name of its own (`function bump(x)`), its tag on the line of the call',
    src: `declare function defineEasing(f: (x: number) => number): void;
defineEasing(/** @differentiable @at x = 0.4 @gradient bumpGrad */ function bump(x: number): number {
  return Math.exp(-x * x);
});
export function bumpGrad(x: number): number { return $0; }`,
    fn: 'bump', hand: 'bumpGrad',
    right: ['-2 * x * Math.exp(-x * x)'],
    wrong: [{ kind: 'sign', at: 0, text: '2 * x * Math.exp(-x * x)' }, { kind: 'factor', at: 0, text: '-x * Math.exp(-x * x)' }],
  },
  {
    name: 'a function-valued property of an object a factory returns, capturing its parameter; `derivative` beside it',
    src: `/** @param {number} steepness */
function Logistic(steepness) {
  this.steepness = steepness;
  return {
    /**
     * @differentiable
     * @param {number} x
     * @at x = 0.5, steepness = 2
     * @at x = -1.5, steepness = 0.75
     */
    value: function (x) {
      return 1 / (1 + Math.exp(-steepness * x));
    },
    derivative: function (x) {
      var s = this.value(x);
      return $0;
    }
  };
}`,
    fn: 'Logistic.value', hand: 'Logistic.derivative',
    right: ['steepness * s * (1 - s)'],
    wrong: [{ kind: 'factor', at: 0, text: 's * (1 - s)' }, { kind: 'sign', at: 0, text: 'steepness * s * (s - 1)' }],
  },
  {
    name: 'a method of an object a factory returns, in a nested table of it',
    src: `export function makeEase(power: number) {
  return {
    easeIn: {
      /**
       * @differentiable
       * @at t = 0.6, power = 3
       */
      fn(t: number): number { return t ** power; },
      fprime(t: number): number { return $0; },
    },
  };
}`,
    fn: 'makeEase.easeIn.fn', hand: 'makeEase.easeIn.fprime',
    right: ['power * t ** (power - 1)'],
    wrong: [{ kind: 'factor', at: 0, text: 't ** (power - 1)' }, { kind: 'sign', at: 0, text: '-power * t ** (power - 1)' }],
  },
  {
    name: 'a closure over a captured record and constants derived from it (`const tx = target.x`)',
    src: `export function makeReachCost(l1: number, l2: number, target: { x: number; y: number }) {
  const tx = target.x;
  const ty = target.y;
  /**
   * @differentiable
   * @wrt q1, q2
   * @at q1 = 0.3, q2 = 0.9, l1 = 1, l2 = 0.7, target = { x: 1.1, y: 0.8 }
   * @gradient reachGrad
   */
  function reach(q1: number, q2: number): number {
    const ex = l1 * Math.cos(q1) + l2 * Math.cos(q1 + q2);
    const ey = l1 * Math.sin(q1) + l2 * Math.sin(q1 + q2);
    return (ex - tx) ** 2 + (ey - ty) ** 2;
  }
  function reachGrad(q1: number, q2: number): [number, number] {
    const rx = 2 * (l1 * Math.cos(q1) + l2 * Math.cos(q1 + q2) - tx);
    const ry = 2 * (l1 * Math.sin(q1) + l2 * Math.sin(q1 + q2) - target.y);
    const dq2x = -l2 * Math.sin(q1 + q2);
    const dq2y = l2 * Math.cos(q1 + q2);
    return [$0, $1];
  }
  return { reach, reachGrad };
}`,
    fn: 'makeReachCost.reach', hand: 'makeReachCost.reachGrad',
    right: ['rx * (-l1 * Math.sin(q1) + dq2x) + ry * (l1 * Math.cos(q1) + dq2y)', 'rx * dq2x + ry * dq2y'],
    wrong: [{ kind: 'sign', at: 0, text: 'rx * (l1 * Math.sin(q1) + dq2x) + ry * (l1 * Math.cos(q1) + dq2y)' }, { kind: 'index', at: 1, text: 'rx * dq2x + ry * dq2x' }],
  },
];

describe('engine: prototype, callback and returned-object forms, checked', () => {
  describeFormFixtures(FIXTURES);
});

describe('engine: the fields of a constructor function', () => {
  const src = `${NEURON}
/**
 * @differentiable
 * @at x = 0.2, this.bias = 0.1
 */
Neuron.prototype.response = function (x) {
  return Math.tanh(this.gain * (x + this.bias));
};`;

  it('are inputs after the parameters: a literal one defaults to its value, one computed from a parameter is given in @at', () => {
    const fa = analyzeFile(src).functions[0];
    assert.deepEqual(fa.params, ['x', 'this.bias', 'this.gain']);
    assert.deepEqual(fa.wrt, ['x']);
    assert.equal(fa.points[0]['this.gain'], 1.5);
    assert.equal(fa.points[0]['this.bias'], 0.1);
    assert.ok(Math.abs((fa.value as number) - Math.tanh(1.5 * 0.3)) < 1e-15);
  });

  it('named by @wrt, a field is differentiated', () => {
    const a = analyzeFile(src.replace('@at x = 0.2', '@wrt x, this.gain\n * @at x = 0.2'));
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    const g = a.functions[0].gradient as Record<string, number>;
    const t = Math.tanh(1.5 * 0.3);
    assert.ok(Math.abs(g['this.gain'] - 0.3 * (1 - t * t)) < 1e-12, JSON.stringify(g));
  });

  it('a field the constructor does not assign is a GL002 that says so', () => {
    const a = analyzeFile(`${src}\n/**\n * @differentiable\n * @at x = 1\n */\nNeuron.prototype.leak = function (x) { return this.alpha * x; };`);
    const d = a.diagnostics.find((x) => x.code === 'GL002' && x.functionName === 'Neuron.leak');
    assert.ok(d, JSON.stringify(a.diagnostics.map((x) => x.message)));
    assert.match(d!.message, /The field 'this\.alpha' \(neither the constructor 'Neuron' nor 'Neuron\.prototype' assigns it/);
    assert.match(d!.message, /declared in the constructor/);
  });

  it('`Foo.prototype.k = 0.1` is a default every instance shares; the constructor\'s own assignment wins', () => {
    const a = analyzeFile(`${src}\nNeuron.prototype.gain = 4;\nNeuron.prototype.leak = 0.25;\n/**\n * @differentiable\n * @at x = 2, this.bias = 0\n */\nNeuron.prototype.leaky = function (x) { return this.leak * this.gain * x; };`);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    const leaky = a.functions.find((f) => f.name === 'Neuron.leaky')!;
    assert.equal(leaky.points[0]['this.leak'], 0.25);
    assert.equal(leaky.points[0]['this.gain'], 1.5);
    assert.equal(leaky.value, 0.25 * 1.5 * 2);
  });

  it('the cache misses when the constructor changes, though the method statement is unchanged', () => {
    const cache = new AnalysisCache();
    const before = analyzeFile(src, {}, cache).functions[0].value as number;
    const after = analyzeFile(src.replace('this.gain = 1.5', 'this.gain = 2.5'), {}, cache).functions[0].value as number;
    assert.ok(Math.abs(before - Math.tanh(1.5 * 0.3)) < 1e-15);
    assert.ok(Math.abs(after - Math.tanh(2.5 * 0.3)) < 1e-15, 'the new default is read');
  });

  it('without a constructor function of that name, `this.k` stays a GL002 (nothing declares it)', () => {
    const a = analyzeFile(`declare const Spring: any;\n/**\n * @differentiable\n * @at x = 1\n */\nSpring.prototype.energy = function (x: number): number { return this.k * x * x; };`);
    assert.ok(a.diagnostics.some((d) => d.code === 'GL002' && /this\.k/.test(d.message)), JSON.stringify(a.diagnostics));
  });

  it('a function nested in the constructor is no prototype method: `this.m(x)` does not reach it', () => {
    const a = analyzeFile(`function Foo() {\n  this.k = 2;\n  function helper(x) { return x; }\n}\n/**\n * @differentiable\n * @at x = 1\n */\nFoo.prototype.f = function (x) { return this.helper(x) * this.k; };`);
    assert.ok(a.diagnostics.some((d) => d.code === 'GL002' && d.functionName === 'Foo.f'), JSON.stringify(a.diagnostics.map((d) => d.message)));
  });
});

describe('engine: callbacks at the top level', () => {
  it('are named by their own name first, else the string key camel-cased; a call never resolves to one', () => {
    const program = parseProgram([
      "declare function on(name: string, f: (x: number) => number): void;",
      "on('ease-in out', /** @differentiable */ (x: number) => x * x);",
      "on('key', /** @differentiable */ function own(x: number) { return x; });",
      "new Registry('2d', /** @differentiable */ (x: number) => x);",
      "on('plain', (x: number) => x);",
      "/** @differentiable @at x = 1 */",
      "export function user(x: number): number { return easeInOut(x); }",
    ].join('\n'));
    assert.deepEqual([...program.functions.keys()], ['easeInOut', 'own', '_2d', 'user']);
    assert.equal(program.functions.get('easeInOut')!.form, 'callback');
    const a = analyzeFile(program.text);
    assert.ok(a.diagnostics.some((d) => d.code === 'GL002' && d.functionName === 'user'), 'easeInOut is no binding of the file');
  });

  it('one whose name another function takes is a GL005 saying so', () => {
    const a = analyzeFile("declare function on(name: string, f: (x: number) => number): void;\non('sq', /** @differentiable */ (x: number) => x * x);\n/** @differentiable */\nfunction sq(x: number): number { return x * x; }");
    assert.deepEqual(a.functions.map((f) => f.name), ['sq']);
    const d = a.diagnostics.find((x) => x.code === 'GL005');
    assert.match(d!.message, /a callback named 'sq' like another function of this file/);
    assert.deepEqual(a.skipped.map((s) => s.name), ['sq']);
  });

  it('a callback in a class field initialiser is never silent', () => {
    const a = analyzeFile("declare function wrap(name: string, f: (x: number) => number): (x: number) => number;\nclass C {\n  static f = wrap('sq', /** @differentiable */ (x: number) => x * x);\n}");
    assert.deepEqual(a.functions, []);
    assert.equal(a.diagnostics.filter((d) => d.code === 'GL005').length, 1, JSON.stringify(a.diagnostics));
    assert.doesNotMatch(a.diagnostics[0].message, /like another function/);
    assert.equal(a.skipped.length, 1);
  });

  it('a callback inside a function stays a GL005 saying to declare it as a `const`', () => {
    const a = analyzeFile("declare function on(name: string, f: (x: number) => number): void;\nfunction setup() {\n  on('sq', /** @differentiable */ (x: number) => x * x);\n}");
    assert.deepEqual(a.functions, []);
    assert.match(a.diagnostics.find((x) => x.code === 'GL005')!.message, /a callback \(a function passed to a call\) in 'setup'.*`const f = \(…\) => …`/);
  });
});

describe('engine: members of an object a factory returns', () => {
  it('an arrow returning an object literal is such a factory too', () => {
    const a = analyzeFile(`export const make = (k: number) => ({\n  /**\n   * @differentiable\n   * @at x = 3, k = 2\n   */\n  value: (x: number): number => k * x * x,\n});`);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    assert.deepEqual(a.functions.map((f) => [f.name, f.gradient]), [['make.value', { x: 12 }]]);
  });

  it('are no variables of the factory: a call `value(x)` in it does not reach one', () => {
    const a = analyzeFile(`export function make(k: number) {\n  /**\n   * @differentiable\n   * @at x = 1, k = 2\n   */\n  const g = (x: number): number => value(x);\n  return {\n    value: (x: number): number => k * x,\n  };\n}`);
    assert.ok(a.diagnostics.some((d) => d.code === 'GL002' && d.functionName === 'make.g'), JSON.stringify(a.diagnostics.map((d) => d.message)));
  });

  it('are located as members of an object (code goes beside them), not as curried arrows', () => {
    const text = FIXTURES[5].src.replace('$0', 's');
    const loc = locateFunction(text, 'Logistic.value')!;
    assert.equal(loc.memberOf, 'object');
    assert.equal(loc.curried, false);
    assert.equal(loc.container, 'Logistic');
    assert.deepEqual(loc.implicit, ['steepness']);
    assert.equal(loc.callee, null);
  });

  it('`this.k` of the returned object is a GL002 that says what to read instead', () => {
    const a = analyzeFile(`export function make() {\n  return {\n    k: 2,\n    /**\n     * @differentiable\n     * @at x = 1\n     */\n    f(x: number): number { return this.k * x; },\n  };\n}`);
    assert.match(a.diagnostics.find((d) => d.code === 'GL002')!.message, /an object a function returns.*read a variable of the function around/);
  });
});

describe('engine: a captured record', () => {
  const text = fill(FIXTURES[7].src, FIXTURES[7].right);

  it('is one input given whole in @at; constants derived from it are no inputs', () => {
    const program = parseProgram(text);
    const inputs = program.contextInputs(program.functions.get('makeReachCost.reach')!);
    assert.deepEqual(inputs.inputs.map((i) => i.name).sort(), ['l1', 'l2', 'target']);
    assert.deepEqual([...inputs.derived!.keys()].sort(), ['tx', 'ty']);
    const fa = analyzeFile(text).functions.find((f) => f.name === 'makeReachCost.reach')!;
    assert.deepEqual(fa.wrt, ['q1', 'q2']);
    assert.deepEqual(fa.points[0].target, [1.1, 0.8], 'in the IR\'s form: its leaves by path');
    assert.equal(fa.check?.status, 'ok');
  });

  it('a name that is no input is a GL005 listing the inputs a user gives, never the derived ones', () => {
    const a = analyzeFile(text.replace('target = { x: 1.1, y: 0.8 }', 'target = { x: 1.1, y: 0.8 }, goal = 1'));
    const d = a.diagnostics.find((x) => x.code === 'GL005');
    assert.ok(d, JSON.stringify(a.diagnostics.map((x) => x.message)));
    assert.match(d!.message, /'goal' is not a parameter/);
    assert.match(d!.message, /target/);
    assert.doesNotMatch(d!.message, /\btx\b|\bty\b/);
  });
});

describe('server: the insert action places generated code by form (prototype, callback, returned object)', () => {
  itInsertsByForm([
    {
      name: 'Neuron.prototype.responseGrad beside the prototype method, reading the constructor fields',
      src: `${NEURON}\n/**\n * @differentiable\n * @at x = 0.2, this.bias = 0.1\n */\nNeuron.prototype.response = function (x) {\n  return Math.tanh(this.gain * (x + this.bias));\n};\n`,
      fn: 'Neuron.response', hand: 'Neuron.responseGrad',
      placed: /\n\};\n(?:\/\*\*[\s\S]*?\*\/\n)?Neuron\.prototype\.responseGrad = function \(x: number\): number \{\n  const thisBias = this\.bias;\n  const thisGain = this\.gain;/,
    },
    {
      name: 'a callback\'s gradient after the statement with the call, named by @gradient',
      src: `declare function register(name: string, f: (t: number) => number): void;\nregister('smooth',\n  /**\n   * @differentiable\n   * @at t = 0.3\n   */\n  function (t: number): number {\n    return t * t * (3 - 2 * t);\n  });\n`,
      fn: 'smooth', hand: 'smoothGrad',
      placed: /\* @gradient smoothGrad\n {3}\*\/\n {2}function \(t: number\)[\s\S]*\}\);\n\n(?:\/\*\*[\s\S]*?\*\/\n)?function smoothGrad\(t: number\): number \{/,
    },
    {
      name: 'a `derivative` member beside `value` in the object the factory returns',
      src: `export function Logistic(steepness: number) {\n  return {\n    /**\n     * @differentiable\n     * @at x = 0.5, steepness = 2\n     */\n    value: function (x: number): number {\n      return 1 / (1 + Math.exp(-steepness * x));\n    }\n  };\n}\n`,
      fn: 'Logistic.value', hand: 'Logistic.derivative',
      placed: /\n {4}\},\n(?: {4}\/\*\*[\s\S]*?\*\/\n)? {4}derivative\(x: number\): number \{[\s\S]*\n {4}\},\n {2}\};\n\}/,
    },
  ]);
});
