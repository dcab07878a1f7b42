// Offsets (UTF-16 code units, as the engine reports them) to 1-based line and column, the way
// editors and compilers print `file:line:col`. Columns count UTF-16 code units, as tsc does.

export interface LineColumn {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export class LineIndex {
  /** Offset at which each line starts. */
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 /* \n */) {
        starts.push(i + 1);
      } else if (ch === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  /** Position of an offset; offsets outside the text are clamped to it. */
  position(offset: number): LineColumn {
    const clamped = Math.max(0, Math.min(Math.floor(offset), this.text.length));
    // Binary search for the last line start <= offset.
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - this.lineStarts[lo] + 1 };
  }
}
