// The tags that name hand-written derivatives, in the shapes real code writes them (README, "The
// annotation language"): `@gradient g [convention]`, `@partial p d [scale s]`, `@hessian h [hvp]`,
// `@jvp j`. Parsed here from one tag's text (engine/annotations.ts finds the tags); what the
// checker does with each is engine/gradientCheck.ts.

import type { GradientConvention } from '../api';
import type { Annotations, Range } from '../ir';
import { readPointValue } from '../pointGrammar';

export type { GradientConvention } from '../api';

export const CONVENTION_WORDS: readonly GradientConvention[] = ['out', 'fused', 'flag', 'vjp', 'output'];

/** One tag naming a hand-written derivative of the function whose JSDoc holds it. */
export interface HandTag {
  kind: 'gradient' | 'partial' | 'hessian' | 'jvp';
  /** The hand-written function. */
  name: string;
  /** Range of the name in the tag (GL005 "no such function", go-to). */
  nameRange: Range;
  tagRange: Range;
  /** `@gradient`: the convention written after the name, or null (plain unless detected). */
  convention: GradientConvention | null;
  /** `@gradient g flag name`: the flag parameter's name, when written. */
  flagParam?: string;
  /** `@hessian h hvp`: a Hessian-vector product. */
  hvp?: boolean;
  /** `@partial p d`: the parameter. */
  param?: string;
  paramRange?: Range;
  /** `@partial p d scale s`: the factor (1 when absent) and its text as written. */
  scale?: number;
  scaleText?: string;
}

interface WithHands { hands?: HandTag[] }

/**
 * Every hand-written derivative the function's tags name, in tag order. Kept on the annotations
 * object beside the fields of engine/ir.ts's `Annotations` (`gradient` stays the first
 * `@gradient`'s name, for the code that knows only one).
 */
export function handTagsOf(ann: Annotations): readonly HandTag[] {
  return (ann as Annotations & WithHands).hands ?? [];
}

export function addHandTag(ann: Annotations, tag: HandTag): void {
  const a = ann as Annotations & WithHands;
  (a.hands ??= []).push(tag);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
/** A function's name: `g`, or qualified (`activations.logistic.derivative`, `this.derivative`; engine/declarationForms.ts). */
const FUNCTION_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

interface Token { text: string; start: number }

function tokens(text: string, start: number): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ text: m[0], start: start + m.index });
  return out;
}

/**
 * Parses the value of `@gradient`, `@partial`, `@hessian` or `@jvp` (`text`, starting at offset
 * `start`): the tag, or the message of its GL005.
 */
export function parseHandTag(kind: HandTag['kind'], text: string, start: number, tagRange: Range, functionName: string): HandTag | string {
  const toks = tokens(text, start);
  // Prose after the tag's words (a sentence that starts with punctuation) is left alone.
  const prose = toks.findIndex((t) => !/^[A-Za-z_$0-9./+-]/.test(t.text));
  const words = prose < 0 ? toks : toks.slice(0, prose);
  const nameAt = (t: Token | undefined) => (t ? { start: t.start, end: t.start + t.text.length } : { start, end: start });
  switch (kind) {
    case 'gradient': {
      const [name, word, arg, extra] = words;
      if (!name || !FUNCTION_NAME.test(name.text)) return `@gradient needs the name of a function of this file, e.g. \`@gradient ${functionName}Grad\`.`;
      const tag: HandTag = { kind, name: name.text, nameRange: nameAt(name), tagRange, convention: null };
      if (!word) return tag;
      const conv = CONVENTION_WORDS.find((w) => w === word.text);
      if (!conv) {
        return `@gradient ${name.text}: '${word.text}' is not a convention; write one of ${CONVENTION_WORDS.map((w) => `\`${w}\``).join(', ')} ` +
          `after the name (\`@gradient g out\`, \`@gradient g flag derivative\`), or nothing for a gradient that takes the function's parameters and returns the gradient.`;
      }
      tag.convention = conv;
      if (conv === 'flag' && arg) {
        if (!IDENT.test(arg.text)) return `@gradient ${name.text} flag: '${arg.text}' is not a parameter name; write \`@gradient ${name.text} flag derivative\`.`;
        tag.flagParam = arg.text;
        if (extra) return `@gradient ${name.text} flag ${arg.text}: unexpected '${extra.text}' after the flag's name.`;
      } else if (arg) {
        return `@gradient ${name.text} ${conv}: unexpected '${arg.text}'; only \`flag\` takes a word after it (the flag parameter's name).`;
      }
      return tag;
    }
    case 'partial': {
      const [param, name, word, value, extra] = words;
      const usage = `write \`@partial sigma vega\` (vega returns ∂${functionName}/∂sigma), or \`@partial sigma vega scale 0.01\` (vega returns 0.01 · ∂${functionName}/∂sigma)`;
      if (!param || !IDENT.test(param.text)) return `@partial needs a parameter and the function returning the derivative with respect to it: ${usage}.`;
      if (!name || !FUNCTION_NAME.test(name.text)) return `@partial ${param.text} needs the name of the function returning ∂${functionName}/∂${param.text}: ${usage}.`;
      const tag: HandTag = { kind, name: name.text, nameRange: nameAt(name), tagRange, convention: null, param: param.text, paramRange: nameAt(param), scale: 1, scaleText: '1' };
      if (!word) return tag;
      if (word.text !== 'scale') return `@partial ${param.text} ${name.text}: unexpected '${word.text}'; ${usage}.`;
      if (!value) return `@partial ${param.text} ${name.text} scale needs a factor, e.g. \`scale 0.01\` or \`scale -1/365\`.`;
      if (extra) return `@partial ${param.text} ${name.text} scale ${value.text}: unexpected '${extra.text}' (write the factor without spaces, e.g. \`-1/365\`).`;
      const v = readPointValue(value.text, 'scale');
      if (!v.ok || typeof v.value !== 'number' || !Number.isFinite(v.value) || v.value === 0) {
        return `@partial ${param.text} ${name.text}: the scale '${value.text}' is not a non-zero number; write \`scale 0.01\` or \`scale -1/365\`.`;
      }
      tag.scale = v.value;
      tag.scaleText = value.text;
      return tag;
    }
    case 'hessian':
    case 'jvp': {
      const [name, word, extra] = words;
      if (!name || !FUNCTION_NAME.test(name.text)) return `@${kind} needs the name of a function of this file, e.g. \`@${kind} ${functionName}${kind === 'jvp' ? 'Jvp' : 'Hessian'}\`.`;
      const tag: HandTag = { kind, name: name.text, nameRange: nameAt(name), tagRange, convention: null };
      if (kind === 'hessian' && word?.text === 'hvp' && !extra) { tag.hvp = true; return tag; }
      if (word) return `@${kind} ${name.text}: unexpected '${word.text}'${kind === 'hessian' ? '; write `@hessian h` (h returns the Hessian) or `@hessian h hvp` (h(params, v) returns H·v)' : ''}.`;
      return tag;
    }
  }
}
