// Text edits on the current source, in offsets: inserting code after a function, adding a tag to
// its JSDoc, and the self-contained gradient-check test. Pure functions of text, unit-testable.

import type { Point } from '../engine/api';
import type { OffsetEdit } from './toLsp';
import type { LocatedFunction } from './sourceLocate';
import { quoted } from '../engine/codegen/code';

/** Inserts `code` on the lines after `fn` (after a trailing comment on its last line, if any). */
export function insertAfter(text: string, fn: LocatedFunction, code: string): OffsetEdit {
  let at = fn.statementEnd;
  const nl = text.indexOf('\n', at);
  const rest = text.slice(at, nl < 0 ? text.length : nl);
  if (/^\s*(\/\/.*)?$/.test(rest)) at = nl < 0 ? text.length : nl;
  return { start: at, end: at, newText: `\n\n${code.trim()}` + (nl < 0 ? '\n' : '') };
}

/** Adds `@tag` to the function's JSDoc, creating the block (or making it multi-line) as needed. */
export function addJsDocTag(text: string, fn: LocatedFunction, tag: string): OffsetEdit {
  const lineStart = text.lastIndexOf('\n', fn.statementStart - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  if (!fn.jsDoc) {
    return { start: fn.statementStart, end: fn.statementStart, newText: `/**\n${indent} * ${tag}\n${indent} */\n${indent}` };
  }
  const { start, end } = fn.jsDoc;
  const block = text.slice(start, end);
  if (!block.includes('\n')) {
    // Slicing, not a `\s*\*\/$` expression: that backtracks quadratically on a long blank run.
    const inner = block.slice(3, Math.max(3, block.length - 2)).trim();
    const lines = inner ? [inner, tag] : [tag];
    return { start, end, newText: `/**\n${lines.map((l) => `${indent} * ${l}\n`).join('')}${indent} */` };
  }
  const closeAt = start + block.lastIndexOf('*/');
  const lastLineStart = text.lastIndexOf('\n', closeAt - 1) + 1;
  const beforeClose = text.slice(lastLineStart, closeAt);
  if (/^\s*$/.test(beforeClose)) {
    // ` */` on its own line: a ` * @tag` line just above it, with the same leading space.
    return { start: lastLineStart, end: lastLineStart, newText: `${beforeClose}* ${tag}\n` };
  }
  return { start: closeAt, end: closeAt, newText: `\n${indent} * ${tag}\n${indent} ` };
}

/** True when the JSDoc of `fn` already has `@tag`. */
export function hasJsDocTag(text: string, fn: LocatedFunction, tag: string): boolean {
  if (!fn.jsDoc) return false;
  return new RegExp(`@${tag}\\b`).test(text.slice(fn.jsDoc.start, fn.jsDoc.end));
}

export interface CheckTestInput {
  testName: string;
  fnName: string;
  gradName: string;
  params: { name: string; typeText: string | null }[];
  wrt: string[];
  point: Point;
  /** TypeScript (the default) or plain JavaScript: no annotations, no assertions. */
  types?: boolean;
}

/**
 * A self-contained function comparing the gradient with central differences at one point and
 * returning the largest relative error; dependency-free and valid under `tsc --strict`.
 */
export function gradientCheckTest(input: CheckTestInput): string | null {
  const { testName, fnName, gradName, params, wrt, point } = input;
  // `t(': number')`: a type annotation or assertion, printed only in TypeScript
  const t = (annotation: string): string => (input.types === false ? '' : annotation);
  // The test's own locals never shadow a parameter, the function or its gradient (a function
  // named `f`, a parameter named `d`): each takes a name nobody else has.
  const taken = new Set<string>([testName, fnName, gradName, ...params.map((p) => p.name)]);
  const fresh = (base: string): string => {
    let n = base;
    for (let i = 2; taken.has(n); i++) n = `${base}${i}`;
    taken.add(n);
    return n;
  };
  const [f, d, v, i, baseName, wrtName, raw, analytic, take, worst, k, h, plus, minus, numeric, error, j, name] =
    ['f', 'd', 'v', 'i', 'base', 'wrt', 'raw', 'analytic', 'take', 'worst', 'k', 'h', 'plus', 'minus', 'numeric', 'error', 'j', 'name'].map(fresh);
  const decls: string[] = [];
  const perturbedArgs: string[] = [];
  const plainArgs: string[] = [];
  const base: number[] = [];
  for (const p of params) {
    const value = point[p.name];
    if (value === undefined) return null;
    const isArray = Array.isArray(value);
    const type = p.typeText ?? (isArray ? 'number[]' : 'number');
    const literal = isArray ? `[${(value as number[]).map(literalNumber).join(', ')}]` : literalNumber(value as number);
    const init = isArray && /Float64Array/.test(type) ? `new Float64Array(${literal})` : literal;
    decls.push(`  const ${p.name}${t(`: ${type}`)} = ${init};`);
    plainArgs.push(p.name);
    if (!wrt.includes(p.name)) {
      perturbedArgs.push(p.name);
    } else if (isArray) {
      perturbedArgs.push(`(${p.name}.map((${v}${t(': number')}, ${i}${t(': number')}) => ${v} + ${d}[${base.length} + ${i}])${t(` as typeof ${p.name}`)})`);
      base.push(...(value as number[]));
    } else {
      perturbedArgs.push(`${p.name} + ${d}[${base.length}]`);
      base.push(value as number);
    }
  }
  if (base.length === 0) return null;
  const at = params.map((p) => `${p.name} = ${JSON.stringify(point[p.name])}`).join(', ');
  return `/**
 * Gradient check for \`${fnName}\`: compares \`${gradName}\` with central differences at
 * ${at}.
 * Returns the largest relative error (about 1e-7 or below when the gradient is right).
 */
export function ${testName}()${t(': number')} {
${decls.join('\n')}
  const ${f} = (${d}${t(': number[]')})${t(': number')} => ${fnName}(${perturbedArgs.join(', ')});
  const ${baseName}${t(': number[]')} = [${base.map(literalNumber).join(', ')}];
  // The gradient in @wrt order, flattened: a number, an array, a tuple or an object keyed by name.
  const ${wrtName}${t(': string[]')} = [${wrt.map(quoted).join(', ')}];
  const ${raw}${t(': unknown')} = ${gradName}(${plainArgs.join(', ')});
  const ${analytic}${t(': number[]')} = [];
  const ${take} = (${v}${t(': unknown')})${t(': void')} => {
    if (typeof ${v} === ${quoted('number')}) ${analytic}.push(${v});
    else ${analytic}.push(...Array.from(${v}${t(' as ArrayLike<number>')}));
  };
  if (typeof ${raw} === ${quoted('number')} || (${wrtName}.length === 1 && (Array.isArray(${raw}) || ArrayBuffer.isView(${raw})))) ${take}(${raw});
  else if (Array.isArray(${raw})) ${raw}.forEach(${take});
  else for (const ${name} of ${wrtName}) ${take}((${raw}${t(' as Record<string, unknown>')})[${name}]);
  if (${analytic}.length !== ${baseName}.length) return Infinity;
  let ${worst} = 0;
  for (let ${k} = 0; ${k} < ${baseName}.length; ${k}++) {
    const ${h} = 1e-6 * Math.max(1, Math.abs(${baseName}[${k}]));
    const ${plus} = ${baseName}.map((_, ${j}) => (${j} === ${k} ? ${h} : 0));
    const ${minus} = ${baseName}.map((_, ${j}) => (${j} === ${k} ? -${h} : 0));
    const ${numeric} = (${f}(${plus}) - ${f}(${minus})) / (2 * ${h});
    const ${error} = Math.abs(${numeric} - ${analytic}[${k}]) / Math.max(1e-8, Math.abs(${numeric}), Math.abs(${analytic}[${k}]));
    ${worst} = Math.max(${worst}, ${error});
  }
  return ${worst};
}`;
}

function literalNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : '0';
}
