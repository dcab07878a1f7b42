// Where the graph canvas looks: a translation and a scale of the laid-out graph. Pure arithmetic,
// no DOM, unit-tested in node. The rule that matters: the first view of a graph is readable
// (node text at 11 px or more) around the node that matters, never a fit of 200
// nodes into 1 px labels; the minimap gives the overview instead.

export interface View {
  x: number;
  y: number;
  scale: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Node text is 12 px at scale 1: the scale a default view or a jump to a node zooms in to. */
export const READABLE_SCALE = 1;
/** A view showing node text at 11 px or more is readable as it is (a fit is kept down to this). */
export const MIN_READABLE_SCALE = 11 / 12;
export const MIN_SCALE = 0.02;
export const MAX_SCALE = 4;
/** Space kept around the graph when it is fitted. */
const MARGIN = 20;

export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** The whole graph in the canvas, centred horizontally, at most 1.5× (tiny graphs stay tidy). */
export function fitView(graph: Size, canvas: Size): View {
  const scale = clampScale(Math.min(1.5, (canvas.width - 2 * MARGIN) / Math.max(graph.width, 1), (canvas.height - 2 * MARGIN) / Math.max(graph.height, 1)));
  return { scale, x: (canvas.width - graph.width * scale) / 2, y: MARGIN };
}

/** `rect` (graph coordinates) in the middle of the canvas, at `scale`. */
export function centerOn(rect: Rect, canvas: Size, scale: number): View {
  return {
    scale,
    x: canvas.width / 2 - (rect.x + rect.width / 2) * scale,
    y: canvas.height / 2 - (rect.y + rect.height / 2) * scale,
  };
}

/**
 * The first view of a graph: the fit when the fit is readable, else the readable scale centred on
 * `focus` (the output, or the node the sweep is at). Pulled back so no empty space shows past the
 * graph's edges where the graph is larger than the canvas.
 */
export function defaultView(graph: Size, canvas: Size, focus: Rect | null): View {
  const fit = fitView(graph, canvas);
  if (fit.scale >= MIN_READABLE_SCALE || !focus) return fit;
  return keepInside(centerOn(focus, canvas, READABLE_SCALE), graph, canvas);
}

/** Pans (never zooms) so the graph covers the canvas where it can: no margin wider than MARGIN. */
export function keepInside(view: View, graph: Size, canvas: Size): View {
  const w = graph.width * view.scale, h = graph.height * view.scale;
  const clamp = (v: number, span: number, room: number) =>
    span + 2 * MARGIN <= room ? (room - span) / 2 : Math.min(MARGIN, Math.max(room - span - MARGIN, v));
  return { scale: view.scale, x: clamp(view.x, w, canvas.width), y: clamp(view.y, h, canvas.height) };
}

/** Whether `rect` is wholly on screen, with `margin` pixels to spare. */
export function isVisible(view: View, rect: Rect, canvas: Size, margin = 16): boolean {
  const x0 = view.x + rect.x * view.scale, y0 = view.y + rect.y * view.scale;
  const x1 = x0 + rect.width * view.scale, y1 = y0 + rect.height * view.scale;
  return x0 >= margin && y0 >= margin && x1 <= canvas.width - margin && y1 <= canvas.height - margin;
}

/**
 * The view that shows `rect` readably: unchanged if it already does, else centred on it, zoomed in
 * to the readable scale if the view was further out (a sweep step, a search hit, a key press).
 */
export function reveal(view: View, rect: Rect, canvas: Size): View {
  if (view.scale >= MIN_READABLE_SCALE && isVisible(view, rect, canvas)) return view;
  return centerOn(rect, canvas, Math.max(view.scale, READABLE_SCALE));
}

/** Zoom by `factor` keeping the canvas point (px, py) fixed. */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  const scale = clampScale(view.scale * factor);
  return { scale, x: px - ((px - view.x) * scale) / view.scale, y: py - ((py - view.y) * scale) / view.scale };
}

/** The part of the graph on screen, in graph coordinates (the minimap's frame). */
export function visibleRect(view: View, canvas: Size): Rect {
  return { x: -view.x / view.scale, y: -view.y / view.scale, width: canvas.width / view.scale, height: canvas.height / view.scale };
}
