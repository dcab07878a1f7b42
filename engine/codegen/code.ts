// A tiny structured code buffer: lines and braced blocks, printed with the indentation of the
// generation's CodeStyle (two spaces unless the file asks otherwise: server/codeStyle.ts).

export type Line = string | Block;

export interface Block {
  head: string;
  body: Line[];
  /** `} else {` part, or another `if` printed as `} else if (…) {`. */
  else?: Line[];
}

/** How printed code is laid out: one level of indentation, and the quote of string literals. */
export interface CodeStyle {
  /** Two spaces, four spaces, a tab… (only spaces and tabs). */
  indent: string;
  quote: "'" | '"';
  /** False in a JavaScript file: the code is printed without type annotations (default true). */
  types?: boolean;
}

/** A `.js`, `.mjs`, `.cjs` or `.jsx` file (by its name or URI): code inserted there carries no type annotations. */
export function isJavaScriptFile(nameOrUri: string): boolean {
  return /\.[cm]?jsx?$/i.test(nameOrUri.replace(/[?#].*$/, ''));
}

/** The readable default every golden test is written in (and the compile path always uses). */
export const DEFAULT_CODE_STYLE: CodeStyle = { indent: '  ', quote: "'" };

/**
 * The style in force while one generation runs (set by codegen/generate.ts from GenOptions.style,
 * like the budget's ambient meter): the printers reach it without threading it through every call.
 */
let current: CodeStyle = DEFAULT_CODE_STYLE;

export function withCodeStyle<T>(style: CodeStyle | undefined, run: () => T): T {
  if (!style) return run();
  const saved = current;
  current = { indent: /^[ \t]{1,16}$/.test(style.indent) ? style.indent : DEFAULT_CODE_STYLE.indent, quote: style.quote === '"' ? '"' : "'", types: style.types !== false };
  try {
    return run();
  } finally {
    current = saved;
  }
}

/** One level of indentation in the style in force. */
export function indentUnit(): string {
  return current.indent;
}

/** `: T` where the style in force prints types (TypeScript), nothing in a JavaScript file. */
export function typeAnnotation(type: string): string {
  return current.types === false ? '' : `: ${type}`;
}

/** A string literal in the quote of the style in force. */
export function quoted(s: string): string {
  const q = current.quote;
  const body = JSON.stringify(s).slice(1, -1);
  return q === '"' ? `"${body}"` : `'${body.replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

export function block(head: string, body: Line[], els?: Line[]): Block {
  return els && els.length > 0 ? { head, body, else: els } : { head, body };
}

export function printLines(lines: Line[], indent = 0): string {
  const out: string[] = [];
  const unit = current.indent;
  const pad = (n: number) => unit.repeat(n);
  const emit = (ls: Line[], d: number) => {
    for (const l of ls) {
      if (typeof l === 'string') { out.push(l === '' ? '' : pad(d) + l); continue; }
      out.push(`${pad(d)}${l.head} {`);
      emit(l.body, d + 1);
      let els = l.else;
      while (els && els.length > 0) {
        const only = els.length === 1 && typeof els[0] !== 'string' && els[0].head.startsWith('if (') ? els[0] : null;
        if (only) {
          out.push(`${pad(d)}} else ${only.head} {`);
          emit(only.body, d + 1);
          els = only.else;
        } else {
          out.push(`${pad(d)}} else {`);
          emit(els, d + 1);
          els = undefined;
        }
      }
      out.push(`${pad(d)}}`);
    }
  };
  emit(lines, indent);
  return out.join('\n');
}

export function isEmpty(lines: Line[]): boolean {
  return lines.every((l) => typeof l === 'string' && l.trim().startsWith('//'));
}
