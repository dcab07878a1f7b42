// Gradlens's own methods: the reverse-mode gradient and the forward-mode JVP that the engine
// generates as TypeScript (transpiled and loaded here like any user's code), the engine's
// runtime tape, and the engine's gradientAt query (parse + analysis on every call).

import { createRequire } from 'node:module';
import ts from 'typescript';
import { join } from 'node:path';
import { BUILD_DIR, bindArgs, flattenGradient, loadTypeScript, wrtParams } from '../lib/objectives.mjs';
import { makeRng } from '../lib/rng.mjs';

const require = createRequire(import.meta.url);
let engine;
let mode;

export async function setup(options) {
  mode = options.mode;
  // GRADLENS_BENCH_ENGINE: another engine bundle (the harness's own tests use a fake one)
  engine = require(process.env.GRADLENS_BENCH_ENGINE ?? join(BUILD_DIR, 'engine.cjs'));
  return { mode };
}

class NotAvailable extends Error {}

// The objectives run ~10⁶ operations; the default step budget (GL007) is sized for editing, not for this
const BIG_BUDGET = { stepBudget: 1e9 };

function generate(obj, codegenMode, name) {
  const { generated, diagnostics } = engine.generateDerivative(obj.source, obj.fn, codegenMode, { name });
  if (!generated) {
    const why = diagnostics.map((d) => `${d.code} ${d.message}`).join('; ');
    throw new NotAvailable(`generateDerivative(${codegenMode}) returned no code${why ? ': ' + why : ' (engine stub?)'}`);
  }
  // Generated code is meant to be inserted after the function in its file, so it may call the file's helpers
  const mod = loadTypeScript(obj.source + '\n\n' + generated.code + '\n', `gradlens.${obj.id}.${codegenMode}`, [generated.name]);
  const fn = mod[generated.name];
  if (typeof fn !== 'function') throw new NotAvailable(`generated code does not define ${generated.name}`);
  return { fn, generated };
}

/** A seeded direction for the JVP, one tangent per differentiated parameter. */
function tangents(obj) {
  const rng = makeRng(99);
  return obj.params.filter((p) => p.wrt).map((p) => {
    const i = obj.params.indexOf(p);
    return p.kind === 'arr' ? obj.args[i].map(() => rng.normal()) : rng.normal();
  });
}

function reverse(obj) {
  const { fn, generated } = generate(obj, 'reverse', `${obj.fn}GradGenerated`);
  return {
    run: bindArgs(fn, obj.args),
    flatten: (r) => flattenGradient(obj, r),
    precision: 'float64',
    code: generated.code,
    // SPEC §7 compares it with the hand-written gradient too: paired in this process, not across two
    versus: { hand: bindArgs(obj.g, obj.args) },
  };
}

/** Names of the parameters of function `name` in TypeScript `code`. */
function parameterNames(code, name) {
  const sf = ts.createSourceFile('generated.ts', code, ts.ScriptTarget.ES2022, true);
  let names = null;
  const visit = (node) => {
    if (names) return;
    if (ts.isFunctionDeclaration(node) && node.name?.text === name) names = node.parameters.map((p) => p.name.getText(sf));
    else if (ts.isVariableDeclaration(node) && node.name.getText(sf) === name && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      names = node.initializer.parameters.map((p) => p.name.getText(sf));
    } else ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

/**
 * The JVP's calling convention, read from its parameter list: the function's own parameters by
 * name, and one tangent per @wrt parameter, named after it (`dx`, `xDot`, `x_tangent`, `tx`…) or,
 * failing that, in @wrt order after them. Its result: the directional derivative, alone or beside
 * the value (`[value, tangent]`, `{ value, tangent }`).
 */
function jvp(obj) {
  const { fn, generated } = generate(obj, 'jvp', `${obj.fn}JvpGenerated`);
  const dirs = tangents(obj);
  const wrt = wrtParams(obj);
  const names = parameterNames(generated.code, generated.name);
  if (!names) throw new NotAvailable(`cannot find the parameters of ${generated.name} in the generated code`);
  const own = new Map(obj.params.map((p, i) => [p.name, obj.args[i]]));
  const affixed = (n, p) => {
    const cap = p.name[0].toUpperCase() + p.name.slice(1);
    return [`d${p.name}`, `d${cap}`, `${p.name}Dot`, `${p.name}_dot`, `${p.name}Tangent`, `${p.name}_tangent`, `t${cap}`, `t_${p.name}`, `dot${cap}`, `${p.name}_d`].includes(n);
  };
  let positional = 0;
  const args = names.map((n) => {
    if (own.has(n)) return own.get(n);
    const k = wrt.findIndex((p) => affixed(n, p));
    if (k >= 0) return dirs[k];
    return dirs[positional++];
  });
  if (args.some((a) => a === undefined)) throw new NotAvailable(`unrecognised JVP parameters (${names.join(', ')})`);
  const tangentOf = (r) => {
    if (typeof r === 'number') return r;
    if (Array.isArray(r) && r.length === 2 && typeof r[1] === 'number') return r[1];
    if (r && typeof r === 'object') {
      for (const key of ['tangent', 'dot', 'derivative', 'jvp', 'dvalue', 'dy', `d${obj.fn}`]) if (typeof r[key] === 'number') return r[key];
    }
    throw new Error(`cannot read the tangent from the JVP's result (${JSON.stringify(r).slice(0, 80)})`);
  };
  return {
    run: () => fn(...args),
    // Checked as a directional derivative: ⟨hand-written gradient, direction⟩
    flatten: (r) => Float64Array.of(tangentOf(r)),
    reference: (handFlat) => {
      const d = Float64Array.from(dirs.flatMap((t) => (Array.isArray(t) ? t : [t])));
      let s = 0;
      for (let i = 0; i < d.length; i++) s += handFlat[i] * d[i];
      return Float64Array.of(s);
    },
    precision: 'float64',
    code: generated.code,
  };
}

function tape(obj) {
  // The engine's interpreter tape: parsed and lowered once, a tape recorded and swept per call.
  const point = {};
  obj.params.forEach((p, i) => (point[p.name] = obj.args[i]));
  const prepared = engine.tapeGradient(obj.source, obj.fn, BIG_BUDGET);
  if (!prepared.gradient) {
    const why = prepared.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ');
    throw new NotAvailable(`tapeGradient gave no gradient function${why ? ': ' + why : ''}`);
  }
  const gradient = prepared.gradient;
  return {
    run: () => gradient(point),
    flatten: (g) => flattenGradient(obj, g),
    precision: 'float64',
  };
}

function query(obj) {
  const point = {};
  obj.params.forEach((p, i) => (point[p.name] = obj.args[i]));
  const first = engine.gradientAt(obj.source, obj.fn, point, BIG_BUDGET);
  if (!first.gradient) {
    const why = first.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ');
    throw new NotAvailable(`gradientAt returned no gradient${why ? ': ' + why : ' (engine stub?)'}`);
  }
  const names = wrtParams(obj).map((p) => p.name);
  return {
    run: () => engine.gradientAt(obj.source, obj.fn, point, BIG_BUDGET).gradient,
    flatten: (g) => flattenGradient(obj, g),
    precision: 'float64',
  };
}

export function prepare(obj) {
  try {
    if (mode === 'reverse') return reverse(obj);
    if (mode === 'jvp') return jvp(obj);
    if (mode === 'tape') return tape(obj);
    if (mode === 'query') return query(obj);
    throw new Error(`unknown mode ${mode}`);
  } catch (e) {
    if (e instanceof NotAvailable) return { unavailable: e.message };
    throw e;
  }
}
