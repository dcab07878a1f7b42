// A generated 2,000-line TypeScript file with 100 annotated functions in four families (smooth
// scalar code with a hand-written gradient, array loops with a gradient paired by name, branches
// through a helper, a while loop with a held-constant parameter), for the language-server figures.

export const TARGET_LINES = 2000;
export const FUNCTIONS = 100;

function block(i, style) {
  const c1 = (0.5 + (i % 7) * 0.1).toFixed(2);
  const c2 = (0.1 + (i % 5) * 0.05).toFixed(2);
  // 'classes': every second function a class's method (its fields read through `this`) or a
  // function of a record type with its hand-written gradient, as much numeric code is written.
  if (style === 'classes' && i % 4 === 1) {
    return {
      name: `Spring${i}.energy`,
      declPrefix: '  energy',
      lines: [
        `/** Family E, number ${i}: a spring as a class, its fields read through this. */`,
        `export class Spring${i} {`,
        `  k = ${c1};`,
        `  rest = ${c2};`,
        `  /**`,
        `   * @differentiable`,
        `   * @at x = 1.25`,
        `   */`,
        `  energy(x: number): number {`,
        `    const d = x - this.rest;`,
        `    return 0.5 * this.k * d * d + Math.cos(this.k * x);`,
        `  }`,
        `}`,
        ``,
      ],
      editLine: 2,
    };
  }
  if (style === 'classes' && i % 4 === 3) {
    return {
      name: `pairLoss${i}`,
      lines: [
        `/** Family F, number ${i}: a record parameter and its hand-written gradient. */`,
        `interface Pair${i} { a: number; b: number }`,
        ``,
        `/**`,
        ` * @differentiable`,
        ` * @gradient pairGrad${i}`,
        ` * @at p = { a: 0.5, b: 2 }`,
        ` */`,
        `export function pairLoss${i}(p: Pair${i}): number {`,
        `  return p.a * p.b * ${c1} + Math.sin(p.a);`,
        `}`,
        ``,
        `export function pairGrad${i}(p: Pair${i}): Pair${i} {`,
        `  return { a: p.b * ${c1} + Math.cos(p.a), b: p.a * ${c1} };`,
        `}`,
        ``,
      ],
      editLine: 9,
    };
  }
  switch (i % 4) {
    case 0:
      return {
        name: `smooth${i}`,
        lines: [
          `/**`,
          ` * Family A, number ${i}: a smooth scalar function of two variables.`,
          ` * @differentiable`,
          ` * @wrt x, y`,
          ` * @gradient smoothGrad${i}`,
          ` */`,
          `export function smooth${i}(x: number, y: number): number {`,
          `  const a = x * x + ${c1} * y;`,
          `  const b = Math.sin(a) + Math.exp(${c2} * y);`,
          `  return a * b + Math.log1p(x * x);`,
          `}`,
          ``,
          `export function smoothGrad${i}(x: number, y: number): [number, number] {`,
          `  const a = x * x + ${c1} * y;`,
          `  const b = Math.sin(a) + Math.exp(${c2} * y);`,
          `  const dfda = b + a * Math.cos(a);`,
          `  const dlog = (2 * x) / (1 + x * x);`,
          `  return [dfda * 2 * x + dlog, dfda * ${c1} + a * ${c2} * Math.exp(${c2} * y)];`,
          `}`,
          ``,
        ],
        editLine: 7,
      };
    case 1:
      return {
        name: `weighted${i}`,
        lines: [
          `/**`,
          ` * Family B, number ${i}: a weighted sum of squares over an array.`,
          ` * @differentiable`,
          ` * @at w = [0.5, -1, 2, 0.25]`,
          ` */`,
          `export function weighted${i}(w: number[]): number {`,
          `  let s = 0;`,
          `  for (let k = 0; k < w.length; k++) {`,
          `    const t = w[k] - ${c1};`,
          `    s += t * t * (1 + ${c2} * Math.cos(w[k]));`,
          `  }`,
          `  return s;`,
          `}`,
          ``,
          `export function weighted${i}Grad(w: number[]): number[] {`,
          `  const g = new Array(w.length).fill(0);`,
          `  for (let k = 0; k < w.length; k++) {`,
          `    const t = w[k] - ${c1};`,
          `    g[k] = 2 * t * (1 + ${c2} * Math.cos(w[k])) - t * t * ${c2} * Math.sin(w[k]);`,
          `  }`,
          `  return g;`,
          `}`,
          ``,
        ],
        editLine: 8,
      };
    case 2:
      return {
        name: `branchy${i}`,
        lines: [
          `function ramp${i}(u: number): number {`,
          `  return u > 0 ? u * u : ${c1} * u;`,
          `}`,
          ``,
          `/**`,
          ` * Family C, number ${i}: branches and a helper.`,
          ` * @differentiable`,
          ` * @at x = 0.7, y = -0.3`,
          ` */`,
          `export function branchy${i}(x: number, y: number): number {`,
          `  let r = ramp${i}(x) + ramp${i}(y) * ${c1};`,
          `  if (x > y) {`,
          `    r += Math.tanh(x - y);`,
          `  } else {`,
          `    r -= Math.atan(y - x);`,
          `  }`,
          `  return r;`,
          `}`,
          ``,
        ],
        editLine: 10,
      };
    default:
      return {
        name: `chain${i}`,
        lines: [
          `/**`,
          ` * Family D, number ${i}: a chained quadratic over an array, scaled by a constant.`,
          ` * @differentiable`,
          ` * @wrt x`,
          ` */`,
          `export function chain${i}(x: number[], scale: number): number {`,
          `  let s = 0;`,
          `  let k = 0;`,
          `  while (k < x.length - 1) {`,
          `    const d = x[k + 1] - x[k] * x[k];`,
          `    s += scale * d * d + (${c1} - x[k]) ** 2;`,
          `    k++;`,
          `  }`,
          `  return s;`,
          `}`,
          ``,
        ],
        editLine: 10,
      };
  }
}

/**
 * Returns the text and, per annotated function, the position of its name (for hovers) and of a
 * numeric literal inside its body (for edits: `c1`, always 4 characters, so edits keep the length).
 */
/**
 * The file, `targetLines` long with one annotated function per 20 lines (2,000 and 100 by default);
 * `style` 'classes': every second one a class's method or a function of a record type.
 */
export function generateBigFile(targetLines = TARGET_LINES, count = Math.round((targetLines * FUNCTIONS) / TARGET_LINES), style = 'plain') {
  const blocks = Array.from({ length: count }, (_, i) => block(i, style));
  const used = blocks.reduce((s, b) => s + b.lines.length, 0) + 2;
  const spare = targetLines - used;
  if (spare < 0) throw new Error(`templates too long: ${used} lines`);
  const lines = [`// Generated by bench/lib/bigFile.mjs: ${count} annotated functions for the language-server figures.`, ''];
  const functions = [];
  blocks.forEach((b, i) => {
    // Spread the spare lines as short comments between blocks
    const pad = Math.floor(((i + 1) * spare) / count) - Math.floor((i * spare) / count);
    for (let p = 0; p < pad; p++) lines.push(`// section ${i}.${p}`);
    const start = lines.length;
    lines.push(...b.lines);
    const declPrefix = b.declPrefix ?? `export function ${b.name}(`;
    const declLine = start + b.lines.findIndex((l) => l.startsWith(declPrefix));
    const editLine = start + b.editLine;
    const c1 = (0.5 + (i % 7) * 0.1).toFixed(2);
    functions.push({
      name: b.name,
      namePosition: { line: declLine, character: b.declPrefix ? 3 : 'export function '.length + 1 },
      edit: { line: editLine, character: lines[editLine].indexOf(c1), literal: c1 },
    });
  });
  if (lines.length !== targetLines) throw new Error(`generated ${lines.length} lines, expected ${targetLines}`);
  return { text: lines.join('\n') + '\n', functions };
}
