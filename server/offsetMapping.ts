// Maps offsets between the live text and the (possibly older) text of the last good analysis, so
// requests answered from that analysis while a newer one runs still point at the right code. The
// texts differ in one region (between their common prefix and common suffix); offsets outside it
// map exactly, offsets inside it have no counterpart.

export class OffsetMapping {
  private readonly prefix: number;
  private readonly suffix: number;
  private readonly delta: number;

  constructor(private readonly live: string, private readonly analysed: string) {
    if (live === analysed) {
      this.prefix = live.length;
      this.suffix = 0;
      this.delta = 0;
      return;
    }
    const max = Math.min(live.length, analysed.length);
    let p = 0;
    while (p < max && live.charCodeAt(p) === analysed.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && live.charCodeAt(live.length - 1 - s) === analysed.charCodeAt(analysed.length - 1 - s)) s++;
    this.prefix = p;
    this.suffix = s;
    this.delta = live.length - analysed.length;
  }

  get identical(): boolean {
    return this.delta === 0 && this.prefix === this.live.length;
  }

  /** Offset in the analysed text for an offset in the live text, or null inside the edited region. */
  toAnalysed(liveOffset: number): number | null {
    if (liveOffset <= this.prefix) return liveOffset;
    if (liveOffset >= this.live.length - this.suffix) return liveOffset - this.delta;
    return null;
  }

  /** Offset in the live text for an offset in the analysed text, or null inside the edited region. */
  toLive(analysedOffset: number): number | null {
    if (analysedOffset <= this.prefix) return analysedOffset;
    if (analysedOffset >= this.analysed.length - this.suffix) return analysedOffset + this.delta;
    return null;
  }
}

/** One mapping per (analysis version, live version) pair, so a burst of hovers computes it once. */
export class MappingCache {
  private key = '';
  private mapping: OffsetMapping | null = null;

  get(uri: string, analysedVersion: number, analysed: string, liveVersion: number, live: string): OffsetMapping {
    const key = `${uri}\u0000${analysedVersion}\u0000${liveVersion}`;
    if (key !== this.key || !this.mapping) {
      this.key = key;
      this.mapping = new OffsetMapping(live, analysed);
    }
    return this.mapping;
  }
}
