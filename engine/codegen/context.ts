// State shared by everything generated in one request: the helpers' pullbacks and JVPs emitted
// beside the main function, the file's naming scope (names.ts), and how names are printed.

import { LINE_TERMINATOR, stripUnsafe } from '../format';
import { IrFunction } from '../ir';
import type { Program } from '../program';
import { NameScope } from './names';
import { CodegenError } from './work';

export interface GenOptions {
  /** TypeScript (types, non-null assertions) or plain JavaScript (the compile path). */
  ts: boolean;
  /** Print variables as v0, v1… and functions as f0, f1… (the compile path never prints user names). */
  sanitize: boolean;
}

export interface PullbackInfo {
  name: string;
  /** Parameter indices whose adjoints the pullback returns (numbers), in order. */
  scalars: number[];
  /** Parameter indices whose adjoint arrays the pullback accumulates into (passed after dOut). */
  arrays: number[];
}

export class GenContext {
  readonly synthetic = new Map<string, IrFunction>();
  /** The file scope: the file's functions and the functions generated so far (names.ts). */
  readonly names: NameScope;
  /** Extra functions (pullbacks, helper JVPs), in the order they were completed. */
  readonly extra: string[] = [];
  readonly pullbacks = new Map<string, PullbackInfo>();
  readonly jvps = new Map<string, { name: string; active: boolean[] }>();
  private readonly sanitized = new Map<string, string>();

  constructor(readonly program: Program, readonly opts: GenOptions) {
    this.names = NameScope.file(program.functions.keys());
  }

  resolve(name: string): IrFunction {
    const syn = this.synthetic.get(name);
    if (syn) return syn;
    const lowered = this.program.lower(name);
    if (!lowered) throw new CodegenError(`'${name}' is not a function of this file`);
    if (!lowered.fn.ok) throw new CodegenError(`'${name}' uses constructs outside the differentiable subset (see its warnings)`);
    return lowered.fn;
  }

  /**
   * A name for a generated function: free in the file and in every function generated so far, so
   * that no local of a caller shadows it (the callers' later locals avoid it in turn).
   */
  freshFunctionName(base: string): string {
    return this.names.fresh(base);
  }

  /** How a function of the file or a generated one is called in the output. */
  fnName(name: string): string {
    if (!this.opts.sanitize) return name;
    let s = this.sanitized.get(name);
    if (!s) {
      s = `f${this.sanitized.size}`;
      this.sanitized.set(name, s);
    }
    return s;
  }

  /** Functions of the file referenced by sanitized names (the compile path must define them). */
  sanitizedNames(): Map<string, string> {
    return this.sanitized;
  }
}

/** 1-based line of `offset`, counting line breaks as editors do (LF, CRLF and a lone CR). */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

/**
 * The first line of a statement's source, for `// adjoint of line N: …` comments: the one place
 * where free source text (not a name or a type) is copied into generated code, so it is made inert
 * here. JavaScript ends a
 * `//` comment at a CR, U+2028 or U+2029 as well as at a line feed, so the text is cut at the first
 * line terminator of any kind; controls and the bidirectional overrides of Trojan Source are
 * dropped (stripUnsafe), and a comment closer (star, slash) is broken up so that the text stays
 * inert inside a block comment too.
 */
export function sourceSnippet(text: string, start: number, end: number): string {
  const first = text.slice(start, Math.min(end, start + 200)).split(LINE_TERMINATOR)[0];
  let s = stripUnsafe(first).trim();
  if (s.endsWith('{')) s = s.slice(0, -1).trim();
  if (s.length > 72) s = `${Array.from(s).slice(0, 69).join('')}...`;
  return s.replace(/\*\//g, '* /');
}
