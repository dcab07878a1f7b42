// Export of the drawn graph: a standalone SVG serialised from the rendered one (the stylesheet's
// theme colours written as presentation attributes, since the file is read without the stylesheet;
// not as style attributes, which the CSP's style-src forbids), and a PNG drawn from that SVG on a
// canvas. Both stay inside the webview's CSP: the SVG goes to an <img> as a data: URL (img-src
// allows data:), and the bytes go to the extension host, which asks where to save them.

const SVG_NS = 'http://www.w3.org/2000/svg';
const PAD = 16;

/** What the file needs of each element's computed style to look as it does on screen. */
const STYLE_PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity', 'font-family', 'font-size', 'font-weight'];

function inlineStyles(src: Element, dst: Element): void {
  const cs = getComputedStyle(src);
  for (const p of STYLE_PROPS) {
    const v = cs.getPropertyValue(p);
    if (v) dst.setAttribute(p, v);
  }
  dst.removeAttribute('tabindex');
  for (let i = 0; i < src.children.length; i++) inlineStyles(src.children[i]!, dst.children[i]!);
}

/**
 * The whole graph (not just what is on screen) as an SVG document: `content` is the group holding
 * the drawing, `defs` the markers it refers to, `size` the drawing's extent in its own coordinates.
 */
export function standaloneSvg(content: SVGGElement, defs: SVGDefsElement, size: { width: number; height: number }, background: string): string {
  const width = Math.ceil(size.width + 2 * PAD), height = Math.ceil(size.height + 2 * PAD);
  const out = document.createElementNS(SVG_NS, 'svg');
  out.setAttribute('xmlns', SVG_NS);
  out.setAttribute('width', String(width));
  out.setAttribute('height', String(height));
  out.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const d = defs.cloneNode(true) as SVGDefsElement;
  inlineStyles(defs, d);
  const bg = document.createElementNS(SVG_NS, 'rect');
  for (const [k, v] of Object.entries({ x: 0, y: 0, width, height, fill: background })) bg.setAttribute(k, String(v));
  const g = content.cloneNode(true) as SVGGElement;
  inlineStyles(content, g);
  g.setAttribute('transform', `translate(${PAD} ${PAD})`);
  g.removeAttribute('id');
  out.append(d, bg, g);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}\n`;
}

/** Pixels per SVG unit of the PNG: 2 for sharp text, less for a graph that would exceed 40 megapixels or 16k a side. */
export function pngScale(width: number, height: number): number {
  return Math.min(2, Math.sqrt(40e6 / Math.max(1, width * height)), 16000 / Math.max(1, width), 16000 / Math.max(1, height));
}

/** The SVG drawn on a canvas, as base64 PNG bytes. */
export function svgToPng(svgText: string): Promise<string> {
  const size = /<svg[^>]*?width="(\d+)"[^>]*?height="(\d+)"/.exec(svgText);
  const width = Number(size?.[1] ?? 800), height = Number(size?.[2] ?? 600);
  const scale = pngScale(width, height);
  return new Promise((ok, fail) => {
    const img = new Image();
    img.onload = () => {
      const c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(width * scale));
      c.height = Math.max(1, Math.round(height * scale));
      const ctx = c.getContext('2d');
      if (!ctx) return fail(new Error('no 2D canvas'));
      ctx.drawImage(img, 0, 0, c.width, c.height);
      ok(c.toDataURL('image/png').replace(/^data:image\/png;base64,/, ''));
    };
    img.onerror = () => fail(new Error('the SVG could not be drawn'));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  });
}
