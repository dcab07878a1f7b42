// A tiny structured code buffer: lines and braced blocks, printed with two-space indentation.

export type Line = string | Block;

export interface Block {
  head: string;
  body: Line[];
  /** `} else {` part, or another `if` printed as `} else if (…) {`. */
  else?: Line[];
}

export function block(head: string, body: Line[], els?: Line[]): Block {
  return els && els.length > 0 ? { head, body, else: els } : { head, body };
}

export function printLines(lines: Line[], indent = 0): string {
  const out: string[] = [];
  const pad = (n: number) => '  '.repeat(n);
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
