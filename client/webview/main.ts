// The computation-graph webview: graph tab (ELK layout, SVG with pan and zoom, a minimap, search,
// keyboard navigation, forward and reverse sweep stepping, point picker, click to reveal source or
// expand a loop or call, export to SVG and PNG) and methods tab (derivative by each method, log-log
// error plot). It talks to the extension host only through the messages in ./messages.

import type { ComputationGraph, MethodsComparison, Point } from '../../engine/api';
import { readPointValue, setPointValue } from '../../engine/pointGrammar';
import { standaloneSvg, svgToPng } from './exportImage';
import { buildViewGraph, formatNumber, searchNodes, sweepHighlight, sweepKnows, sweepOrder, type SweepMode, type ViewGraph } from './graphModel';
import { GROUP_HEADER, layoutGraph, type Layout, type PlacedNode } from './layout';
import { INITIAL_STATE, isHostMessage, type ExportFormat, type HostMessage, type Tab, type WebviewMessage, type WebviewState } from './messages';
import { neighbour, startNode, type Direction } from './navigation';
import { logLogPlotSvg } from './plot';
import { defaultView, fitView, keepInside, reveal, visibleRect, zoomAt, type Size, type View } from './viewport';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG_NS = 'http://www.w3.org/2000/svg';

let state: WebviewState = { ...INITIAL_STATE, ...(vscode.getState() ?? {}) };
let graph: ComputationGraph | null = null;
let view: ViewGraph | null = null;
let layout: Layout | null = null;
let order: string[] = [];
let sweep: { mode: SweepMode; step: number } = { mode: 'none', step: 0 };
let layoutGeneration = 0;
/** The node keyboard navigation and search are at. */
let selected: string | null = null;
let matches: string[] = [];
/** The function's check point, as the last graph evaluated at it gave it (the picker's reset). */
let checkPoint: Point | null = null;

function saveState(patch: Partial<WebviewState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

// ---- skeleton -------------------------------------------------------------------------------

const root = document.getElementById('root')!;
const header = el('header', { class: 'toolbar' });
const fileLabel = el('span', { class: 'file-label' });
const functionSelect = el('select', { id: 'function-select', 'aria-label': 'Annotated function' });
const followLabel = el('label', { class: 'follow' });
const followBox = el('input', { type: 'checkbox', id: 'follow-cursor' });
followLabel.append(followBox, document.createTextNode(' follow cursor'));
const tabGraph = el('button', { class: 'tab', id: 'tab-graph', role: 'tab' }, 'Graph');
const tabMethods = el('button', { class: 'tab', id: 'tab-methods', role: 'tab' }, 'Methods');
header.append(tabGraph, tabMethods, fileLabel, functionSelect, followLabel);

const graphPane = el('section', { id: 'graph-pane', class: 'pane' });
const sweepBar = el('div', { class: 'toolbar' });
const btnForward = el('button', { id: 'step-forward', title: 'Step the forward sweep: compute the next node\'s value' }, 'Forward ▶');
const btnReverse = el('button', { id: 'step-reverse', title: 'Step the reverse sweep: propagate the next node\'s adjoint back to its inputs' }, 'Reverse ◀');
const btnBack = el('button', { id: 'step-back', title: 'One step back' }, 'Back');
const btnAll = el('button', { id: 'show-all', title: 'Show every value and adjoint' }, 'Show all');
const btnFit = el('button', { id: 'fit', title: 'Fit the whole graph to the view (0)' }, 'Fit');
const btnCollapse = el('button', { id: 'collapse-loops', title: 'Collapse every loop and helper call again' }, 'Collapse groups');
const searchBox = el('input', { type: 'search', id: 'graph-search', placeholder: 'Search source (/)', 'aria-label': 'Search the graph by source text', size: '18' });
const searchCount = el('span', { id: 'search-count', class: 'status' });
const btnSvg = el('button', { id: 'export-svg', title: 'Save the graph as an SVG file' }, 'SVG');
const btnPng = el('button', { id: 'export-png', title: 'Save the graph as a PNG image' }, 'PNG');
const sweepStatus = el('span', { id: 'sweep-status', class: 'status' });
sweepBar.append(btnForward, btnReverse, btnBack, btnAll, btnFit, btnCollapse, searchBox, searchCount, btnSvg, btnPng, sweepStatus);

const pointBar = el('form', { class: 'toolbar point-picker', id: 'point-picker' });
const pointFields = el('span', { class: 'point-fields' });
const btnApplyPoint = el('button', { type: 'submit', id: 'apply-point' }, 'Evaluate at point');
const btnResetPoint = el('button', { type: 'button', id: 'reset-point' }, 'Check point');
pointBar.append(el('span', { class: 'label' }, 'Point:'), pointFields, btnApplyPoint, btnResetPoint);

const message = el('div', { id: 'message', class: 'message' });
const canvasWrap = el('div', { class: 'canvas-wrap' });
const canvas = svg('svg', { id: 'graph', class: 'graph-canvas', role: 'application', tabindex: 0, 'aria-label': 'computation graph: arrows move between connected nodes, + and - zoom, Enter reveals the source, / searches' });
const viewport = svg('g', { id: 'viewport' });
canvas.append(viewport);
// The overview: every node as a box, the visible part as a frame; click or drag to go there.
const minimap = svg('svg', { id: 'minimap', class: 'minimap', 'aria-label': 'overview of the graph' });
const minimapContent = svg('g', { class: 'minimap-content' });
const minimapFrame = svg('rect', { class: 'minimap-frame' });
minimap.append(minimapContent, minimapFrame);
canvasWrap.append(canvas, minimap);
graphPane.append(sweepBar, pointBar, message, canvasWrap);

const methodsPane = el('section', { id: 'methods-pane', class: 'pane' });
root.append(header, graphPane, methodsPane);

// ---- tabs -----------------------------------------------------------------------------------

function showTab(tab: Tab): void {
  saveState({ tab });
  tabGraph.classList.toggle('active', tab === 'graph');
  tabMethods.classList.toggle('active', tab === 'methods');
  tabGraph.setAttribute('aria-selected', String(tab === 'graph'));
  tabMethods.setAttribute('aria-selected', String(tab === 'methods'));
  graphPane.hidden = tab !== 'graph';
  methodsPane.hidden = tab !== 'methods';
  if (tab === 'methods') post({ type: 'requestMethods' });
  else if (needsFit) showDefault();
}
tabGraph.addEventListener('click', () => showTab('graph'));
tabMethods.addEventListener('click', () => showTab('methods'));

functionSelect.addEventListener('change', () => {
  saveState({ functionName: functionSelect.value, point: null, expandedLoops: [], view: null });
  post({ type: 'selectFunction', name: functionSelect.value });
});
followBox.addEventListener('change', () => {
  saveState({ followCursor: followBox.checked });
  post({ type: 'setFollowCursor', enabled: followBox.checked });
});

// ---- point picker ---------------------------------------------------------------------------

function renderPointFields(point: Point): void {
  pointFields.replaceChildren();
  for (const [name, v] of Object.entries(point)) {
    const label = el('label', { class: 'point-field' });
    const input = el('input', { type: 'text', name, 'data-param': name, size: Array.isArray(v) ? '18' : '8' });
    input.value = Array.isArray(v) ? v.map((x) => String(x)).join(', ') : String(v);
    label.append(document.createTextNode(`${name} = `), input);
    pointFields.append(label);
  }
}

/** The picker's point, each field read with the `@at` grammar (engine/pointGrammar.ts); null if one is invalid. */
function readPoint(): Point | null {
  const point: Point = {};
  for (const input of pointFields.querySelectorAll('input')) {
    const name = input.dataset['param']!;
    // An array parameter's field shows its elements without brackets.
    const isArray = graph ? Array.isArray(graph.point[name]) : /^\s*\[|,/.test(input.value);
    const r = readPointValue(input.value, name, isArray);
    const value = r.ok ? (isArray && !Array.isArray(r.value) ? [r.value] : r.value) : null;
    if (value === null || (!isArray && Array.isArray(value)) || [value].flat().some((n) => !Number.isFinite(n))) {
      input.classList.add('invalid');
      input.title = r.ok ? `'${name}' needs ${isArray ? 'an array of finite numbers' : 'one finite number'}` : r.message;
      return null;
    }
    input.classList.remove('invalid');
    input.removeAttribute('title');
    setPointValue(point, name, value);
  }
  return point;
}

pointBar.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const point = readPoint();
  if (!point) return;
  saveState({ point });
  post({ type: 'setPoint', point });
});
btnResetPoint.addEventListener('click', () => {
  saveState({ point: null });
  // Show the check point at once (what the user typed goes away even if the host answers late).
  if (checkPoint) renderPointFields(checkPoint);
  post({ type: 'setPoint', point: null });
});

// ---- pan and zoom ---------------------------------------------------------------------------

let pan: View = state.view ?? { x: 20, y: 20, scale: 1 };
function canvasSize(): Size {
  const r = canvas.getBoundingClientRect();
  return { width: r.width, height: r.height };
}
function applyView(): void {
  viewport.setAttribute('transform', `translate(${pan.x} ${pan.y}) scale(${pan.scale})`);
  updateMinimapFrame();
}
function setView(v: View, save = true): void {
  pan = v;
  applyView();
  if (save) saveState({ view: pan });
}
let needsFit = false;
/** Hidden behind the methods tab the canvas has no size: the view is set when the tab is shown. */
function sized(): Size | null {
  const c = canvasSize();
  needsFit = c.width === 0 || c.height === 0;
  return needsFit ? null : c;
}
function fit(): void {
  if (!layout) return;
  const c = sized();
  if (c) setView(fitView(layout, c));
}
function placed(id: string | null): PlacedNode | undefined {
  return id === null ? undefined : layout?.nodes.find((p) => p.node.id === id);
}
/** The first view of a graph: readable, around the node the sweep is at, else the output. */
function showDefault(): void {
  if (!layout) return;
  const c = sized();
  if (!c) return;
  const focus = placed(sweepHighlight(view!, order, sweep.mode, sweep.step).current) ?? placed(startNode(layout));
  setView(defaultView(layout, c, focus ?? null));
}
function revealNode(id: string | null): void {
  const p = placed(id);
  const c = canvasSize();
  if (!p || !layout || c.width === 0) return;
  const next = reveal(pan, p, c);
  if (next !== pan) setView(keepInside(next, layout, c));
}
canvas.addEventListener('wheel', (ev) => {
  ev.preventDefault();
  const r = canvas.getBoundingClientRect();
  setView(zoomAt(pan, Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top));
}, { passive: false });
function zoomBy(factor: number): void {
  const c = canvasSize();
  setView(zoomAt(pan, factor, c.width / 2, c.height / 2));
}
let drag: { x: number; y: number; px: number; py: number; moved: boolean } | null = null;
canvas.addEventListener('pointerdown', (ev) => {
  drag = { x: ev.clientX, y: ev.clientY, px: pan.x, py: pan.y, moved: false };
});
canvas.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
  if (!drag.moved) return;
  setView({ ...pan, x: drag.px + dx, y: drag.py + dy }, false);
});
window.addEventListener('pointerup', () => {
  if (drag?.moved) saveState({ view: pan });
  // Keep `moved` readable by the click handler that fires right after pointerup.
  setTimeout(() => { drag = null; }, 0);
});
btnFit.addEventListener('click', fit);

// ---- minimap --------------------------------------------------------------------------------

const MINIMAP_WIDTH = 180, MINIMAP_HEIGHT = 140;
let minimapScale = 1;
function drawMinimap(): void {
  minimapContent.replaceChildren();
  const empty = !layout || layout.nodes.length === 0;
  minimap.classList.toggle('empty', empty);
  if (!layout || empty) return;
  minimapScale = Math.min(MINIMAP_WIDTH / Math.max(layout.width, 1), MINIMAP_HEIGHT / Math.max(layout.height, 1));
  minimap.setAttribute('width', String(Math.ceil(layout.width * minimapScale)));
  minimap.setAttribute('height', String(Math.ceil(layout.height * minimapScale)));
  minimapContent.setAttribute('transform', `scale(${minimapScale})`);
  for (const g of layout.groups) minimapContent.append(svg('rect', { x: g.x, y: g.y, width: g.width, height: g.height, class: 'mini-group' }));
  for (const p of layout.nodes) {
    const cls = ['mini-node', p.node.isOutput ? 'output' : '', p.node.isInput ? 'input' : '', matches.includes(p.node.id) ? 'match' : '', p.node.id === selected ? 'selected' : ''];
    minimapContent.append(svg('rect', { x: p.x, y: p.y, width: p.width, height: p.height, class: cls.filter(Boolean).join(' '), 'data-node': p.node.id }));
  }
  updateMinimapFrame();
}
function updateMinimapFrame(): void {
  if (!layout) return;
  const v = visibleRect(pan, canvasSize());
  // No overview needed while the whole graph is on screen.
  minimap.classList.toggle('whole', v.x <= 0 && v.y <= 0 && v.x + v.width >= layout.width && v.y + v.height >= layout.height);
  const x0 = Math.max(0, v.x), y0 = Math.max(0, v.y);
  const x1 = Math.min(layout.width, v.x + v.width), y1 = Math.min(layout.height, v.y + v.height);
  minimapFrame.setAttribute('x', String(x0 * minimapScale));
  minimapFrame.setAttribute('y', String(y0 * minimapScale));
  minimapFrame.setAttribute('width', String(Math.max(2, (x1 - x0) * minimapScale)));
  minimapFrame.setAttribute('height', String(Math.max(2, (y1 - y0) * minimapScale)));
}
let minimapDrag = false;
function minimapGoTo(ev: PointerEvent): void {
  const r = minimap.getBoundingClientRect();
  const gx = (ev.clientX - r.left) / minimapScale, gy = (ev.clientY - r.top) / minimapScale;
  const c = canvasSize();
  setView({ scale: pan.scale, x: c.width / 2 - gx * pan.scale, y: c.height / 2 - gy * pan.scale });
}
minimap.addEventListener('pointerdown', (ev) => {
  ev.stopPropagation();
  minimapDrag = true;
  minimap.setPointerCapture?.(ev.pointerId);
  minimapGoTo(ev);
});
minimap.addEventListener('pointermove', (ev) => { if (minimapDrag) minimapGoTo(ev); });
minimap.addEventListener('pointerup', () => { minimapDrag = false; });

// ---- graph drawing --------------------------------------------------------------------------

function onNodeClick(id: string): void {
  if (drag?.moved || !view) return;
  activate(id);
}

/** Click or Enter on a node: expand a loop or call, and reveal its source in the editor. */
function activate(id: string): void {
  const n = view?.nodes.find((v) => v.id === id);
  if (!n) return;
  select(id, false);
  if (n.kind === 'loop' && n.loopId !== null) {
    saveState({ expandedLoops: [...new Set([...state.expandedLoops, n.loopId])] });
    void relayout('keep');
  } else if (n.kind === 'call' && n.callId !== null) {
    saveState({ expandedCalls: [...new Set([...state.expandedCalls, n.callId])] });
    void relayout('keep');
  }
  if (n.range) post({ type: 'revealRange', range: n.range });
}

function collapseLoop(loopId: number): void {
  saveState({ expandedLoops: state.expandedLoops.filter((l) => l !== loopId) });
  selected = `loop${loopId}`;
  void relayout('keep');
}

function collapseCall(callId: number): void {
  saveState({ expandedCalls: state.expandedCalls.filter((c) => c !== callId) });
  selected = `call${callId}`;
  void relayout('keep');
}

function select(id: string | null, move = true): void {
  selected = id;
  for (const g of viewport.querySelectorAll('g.node.selected')) g.classList.remove('selected');
  if (id === null) return;
  const g = viewport.querySelector<SVGGElement>(`g.node[data-node="${CSS.escape(id)}"]`);
  g?.classList.add('selected');
  for (const r of minimapContent.querySelectorAll('rect.selected')) r.classList.remove('selected');
  minimapContent.querySelector(`rect[data-node="${CSS.escape(id)}"]`)?.classList.add('selected');
  if (move) revealNode(id);
  g?.focus({ preventScroll: true });
}

function draw(): void {
  viewport.replaceChildren();
  if (!layout || !view) {
    drawMinimap();
    return;
  }
  const hl = sweepHighlight(view, order, sweep.mode, sweep.step);
  const matched = new Set(matches);
  const groupLayer = svg('g', { class: 'groups' });
  for (const p of layout.groups) {
    const g = svg('g', { class: `group ${p.group.kind}`, 'data-group': p.group.id, transform: `translate(${p.x} ${p.y})` });
    const title = svg('title');
    title.textContent = p.group.kind === 'statement' ? p.group.label : `${p.group.label}\nclick the header to collapse the ${p.group.kind}`;
    const header = svg('text', { x: 8, y: GROUP_HEADER - 5, class: 'group-title' });
    header.textContent = p.title;
    // The header band is what collapses a call or a loop; a click elsewhere in the box reveals its source.
    const band = svg('rect', { width: p.width, height: GROUP_HEADER, class: 'group-header' });
    g.append(title, svg('rect', { width: p.width, height: p.height, rx: 6, ry: 6, class: 'group-box' }), band, header);
    const group = p.group;
    g.addEventListener('click', (ev) => {
      if (drag?.moved) return;
      const onHeader = ev.target === band || ev.target === header;
      if (onHeader && group.kind === 'call' && group.callId !== null) collapseCall(group.callId);
      else if (onHeader && group.kind === 'loop' && group.loopId !== null) collapseLoop(group.loopId);
      else post({ type: 'revealRange', range: group.range });
    });
    groupLayer.append(g);
  }
  const edgeLayer = svg('g', { class: 'edges' });
  for (const e of layout.edges) {
    if (e.points.length < 2) continue;
    const g = svg('g', { class: `edge${hl.edges.has(e.id) ? ` lit ${sweep.mode}` : ''}`, 'data-edge': e.id });
    const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
    g.append(svg('path', { d, 'marker-end': 'url(#arrow)' }));
    if (hl.edges.has(e.id) && e.partial !== null) {
      const mid = e.points[Math.floor(e.points.length / 2)]!;
      const t = svg('text', { x: mid.x + 4, y: mid.y - 2, class: 'edge-label' });
      t.textContent = `∂ = ${formatNumber(e.partial)}`;
      g.append(t);
    }
    edgeLayer.append(g);
  }
  const nodeLayer = svg('g', { class: 'nodes' });
  for (const p of layout.nodes) {
    const n = p.node;
    const classes = ['node', n.kind];
    if (n.isInput) classes.push('input');
    if (n.isOutput) classes.push('output');
    if (hl.current === n.id) classes.push('current');
    if (sweep.mode !== 'none' && !hl.done.has(n.id)) classes.push('pending');
    if (matched.has(n.id)) classes.push('match');
    if (selected === n.id) classes.push('selected');
    const g = svg('g', { class: classes.join(' '), transform: `translate(${p.x} ${p.y})`, 'data-node': n.id, tabindex: -1 });
    // During a sweep only what it has computed shows: forward, the values of the nodes visited (no
    // adjoint is known before the reverse sweep); reverse, every value and the adjoints visited.
    const knows = sweepKnows(sweep.mode, hl.done.has(n.id));
    const title = svg('title');
    title.textContent = n.kind === 'loop' ? `${n.label}: click to expand`
      : n.kind === 'iterations' ? `${n.label}: not drawn, to keep the view responsive`
      : `${n.op} ${n.label}\nvalue ${knows.value ? formatNumber(n.value) : '?'}\nadjoint ${knows.adjoint ? formatNumber(n.adjoint) : '?'}\n${n.kind === 'call' ? 'click to expand the call' : 'click to reveal in the editor'}`;
    g.append(title, svg('rect', { width: p.width, height: p.height, rx: 5, ry: 5 }));
    p.lines.forEach((line, i) => {
      let text = line;
      if (n.kind === 'op' || n.kind === 'call') {
        if (i === 1 && !knows.value) text = 'v = ?';
        if (i === 2 && !knows.adjoint) text = 'v̄ = ?';
      }
      const t = svg('text', { x: 8, y: 8 + 12 + i * 15, class: i === 0 ? 'node-op' : i === 1 ? 'node-value' : i === 2 ? 'node-adjoint' : 'node-note' });
      t.textContent = text;
      g.append(t);
    });
    g.addEventListener('click', () => onNodeClick(n.id));
    nodeLayer.append(g);
  }
  viewport.append(groupLayer, edgeLayer, nodeLayer);
  updateSweepStatus(hl.current);
  drawMinimap();
}

function updateSweepStatus(current: string | null): void {
  if (!view || sweep.mode === 'none') {
    sweepStatus.textContent = view ? `${view.nodes.length} nodes, ${view.edges.length} edges` : '';
    return;
  }
  const n = view.nodes.find((v) => v.id === current);
  const what = n ? `${n.op}${n.label && n.label !== n.op ? ` ${n.label}` : ''}` : '';
  const detail = n && (n.kind === 'op' || n.kind === 'call') ? (sweep.mode === 'forward' ? `v = ${formatNumber(n.value)}` : `v̄ = ${formatNumber(n.adjoint)}`) : '';
  sweepStatus.textContent = `${sweep.mode === 'forward' ? 'Forward' : 'Reverse'} sweep ${Math.min(sweep.step + 1, order.length)}/${order.length}: ${what} ${detail}`;
}

/** Draws the sweep's step and brings the node it computes into view, readably. */
function showStep(): void {
  const current = view ? sweepHighlight(view, order, sweep.mode, sweep.step).current : null;
  if (current) selected = current;
  draw();
  if (current) revealNode(current);
}
function stepSweep(mode: 'forward' | 'reverse'): void {
  if (!view) return;
  if (sweep.mode !== mode) sweep = { mode, step: 0 };
  else sweep = { mode, step: Math.min(sweep.step + 1, order.length - 1) };
  showStep();
}
btnForward.addEventListener('click', () => stepSweep('forward'));
btnReverse.addEventListener('click', () => stepSweep('reverse'));
btnBack.addEventListener('click', () => {
  if (sweep.mode === 'none') return;
  sweep = { ...sweep, step: Math.max(0, sweep.step - 1) };
  showStep();
});
btnAll.addEventListener('click', () => { sweep = { mode: 'none', step: 0 }; draw(); });
btnCollapse.addEventListener('click', () => { saveState({ expandedLoops: [], expandedCalls: [] }); void relayout('keep'); });

/**
 * Builds the view and lays it out. `default`: a new function, the readable default view; `keep`:
 * the same function redrawn (an edit, an expansion), the view stays where the user left it, but
 * follows the selected node when it moved.
 */
async function relayout(how: 'default' | 'keep'): Promise<void> {
  const generation = ++layoutGeneration;
  if (!graph) {
    view = null; layout = null; order = [];
    draw();
    return;
  }
  const nextView = buildViewGraph(graph, new Set(state.expandedLoops), new Set(state.expandedCalls));
  sweepStatus.textContent = `laying out ${nextView.nodes.length} nodes…`;
  const nextLayout = await layoutGraph(nextView);
  // A newer graph arrived while ELK was working: drop this stale layout.
  if (generation !== layoutGeneration) return;
  view = nextView;
  layout = nextLayout;
  order = sweepOrder(view);
  if (sweep.step >= order.length) sweep = { mode: 'none', step: 0 };
  if (selected && !view.nodes.some((n) => n.id === selected)) selected = null;
  matches = searchBox.value ? searchNodes(view, order, searchBox.value) : [];
  draw();
  if (how === 'default' || !state.view) showDefault();
  else {
    applyView();
    if (selected) revealNode(selected);
  }
}

// ---- search and keyboard --------------------------------------------------------------------

let matchIndex = -1;
function runSearch(step: 1 | -1 | 0): void {
  if (!view) return;
  const q = searchBox.value;
  const next = searchNodes(view, order, q);
  const changed = next.join() !== matches.join();
  matches = next;
  if (changed) { matchIndex = -1; draw(); }
  if (matches.length === 0) {
    searchCount.textContent = q.trim() ? 'no match' : '';
    return;
  }
  if (step !== 0 || matchIndex < 0) matchIndex = (matchIndex + (step === 0 ? 1 : step) + matches.length) % matches.length;
  searchCount.textContent = `${matchIndex + 1}/${matches.length}`;
  select(matches[matchIndex]!);
  searchBox.focus();
}
searchBox.addEventListener('input', () => runSearch(0));
searchBox.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter') { ev.preventDefault(); runSearch(ev.shiftKey ? -1 : 1); }
  else if (ev.key === 'Escape') { searchBox.value = ''; runSearch(0); canvas.focus(); }
  else if (ev.key === 'ArrowDown' && selected) { ev.preventDefault(); canvas.focus(); select(selected); }
});

const ARROWS: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };
document.addEventListener('keydown', (ev) => {
  if (graphPane.hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement || ev.target instanceof HTMLTextAreaElement;
  // Enter and Space on a focused button press the button, nothing else.
  if (typing || (ev.target instanceof HTMLButtonElement && (ev.key === 'Enter' || ev.key === ' '))) return;
  const dir = ARROWS[ev.key];
  if (dir && layout) {
    ev.preventDefault();
    const from = selected && placed(selected) ? selected : null;
    const to = from ? neighbour(layout, from, dir) : startNode(layout);
    if (to) select(to);
    return;
  }
  switch (ev.key) {
    case '/': ev.preventDefault(); searchBox.focus(); searchBox.select(); return;
    case '+': case '=': ev.preventDefault(); zoomBy(1.25); return;
    case '-': case '_': ev.preventDefault(); zoomBy(0.8); return;
    case '0': ev.preventDefault(); fit(); return;
    case 'Enter': if (selected) { ev.preventDefault(); activate(selected); } return;
    case 'Escape':
      if (selected) { select(null); ev.preventDefault(); }
      return;
  }
});

// ---- export ---------------------------------------------------------------------------------

async function exportGraph(format: ExportFormat): Promise<void> {
  if (!layout || !graph) return;
  const background = getComputedStyle(document.body).backgroundColor || '#ffffff';
  const text = standaloneSvg(viewport, defs, layout, background);
  // A suggestion for the save dialog: the function's name, as a plain file name (messages.ts checks it).
  const base = `${graph.functionName.replace(/[^\w.-]/g, '_').slice(0, 100) || 'graph'}-graph`;
  try {
    const data = format === 'svg' ? text : await svgToPng(text);
    post({ type: 'export', format, data, fileName: `${base}.${format}` });
    sweepStatus.textContent = `exporting ${format.toUpperCase()}…`;
  } catch (e) {
    sweepStatus.textContent = `export failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}
btnSvg.addEventListener('click', () => void exportGraph('svg'));
btnPng.addEventListener('click', () => void exportGraph('png'));

// ---- methods tab ----------------------------------------------------------------------------

function renderMethods(functionName: string | null, comparison: MethodsComparison | null, text?: string): void {
  methodsPane.replaceChildren();
  if (!comparison) {
    methodsPane.append(el('div', { class: 'message' }, text ?? `No comparison for ${functionName ?? 'this function'}.`));
    return;
  }
  const pointText = Object.entries(comparison.point).map(([k, v]) => `${k} = ${Array.isArray(v) ? `[${v.map(formatNumber).join(', ')}]` : formatNumber(v)}`).join(', ');
  methodsPane.append(el('h2', {}, `${comparison.functionName} at ${pointText}`));
  const table = el('table', { id: 'methods-table' });
  const head = el('tr');
  const hand = comparison.handWrittenName;
  for (const h of ['component', 'reverse', 'forward', 'closed form', 'central diff.', 'complex step']) head.append(el('th', {}, h));
  if (hand) head.append(el('th', { title: `What ${hand} returns at this point` }, `hand-written (${hand})`));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  const diff = (v: number | null, ref: number) => {
    if (v === null) return '';
    const d = Math.abs(v - ref);
    return d === 0 ? 'Δ 0' : `Δ ${d.toExponential(1)}`;
  };
  for (const c of comparison.components) {
    const row = el('tr');
    row.append(el('td', { class: 'label' }, c.label), el('td', {}, formatNumber(c.reverse)));
    for (const v of [c.forward, c.closed, c.central, c.complexStep]) {
      const td = el('td');
      td.append(document.createTextNode(v === null ? 'n/a' : formatNumber(v)));
      if (v !== null) td.append(el('span', { class: 'delta' }, ` ${diff(v, c.reverse)}`));
      row.append(td);
    }
    if (hand) {
      const v = c.handWritten;
      // Wrong as the gradient check decided it (its tolerance and witness; the hover says more).
      const wrong = c.handWrong;
      const td = el('td', { class: `hand-written${wrong ? ' wrong' : ''}` });
      td.append(document.createTextNode(v === null ? 'n/a' : formatNumber(v)));
      if (v !== null) td.append(el('span', { class: 'delta' }, ` ${diff(v, c.reverse)}`));
      if (wrong) td.title = `${hand} disagrees with AD here`;
      row.append(td);
    }
    table.tBodies[0]!.append(row);
  }
  methodsPane.append(table);
  methodsPane.append(el('h3', {}, `Error against reverse mode by step h (${comparison.components[0]?.label ?? 'first component'})`));
  const plot = el('div', { class: 'plot-container' });
  // logLogPlotSvg escapes every text it embeds; the rest is numbers and fixed markup.
  plot.innerHTML = logLogPlotSvg(comparison.errorCurve);
  methodsPane.append(plot);
  methodsPane.append(el('p', { class: 'note' }, 'Finite differences trade truncation error (large h) against round-off (small h); the complex step has no subtraction, so it reaches machine precision. AD (forward and reverse) is exact up to rounding.'));
}

// ---- messages from the extension ------------------------------------------------------------

function onGraph(m: Extract<HostMessage, { type: 'graph' }>): void {
  const functionChanged = m.functionName !== state.functionName || m.uri !== state.uri;
  saveState({
    uri: m.uri,
    functionName: m.functionName,
    ...(functionChanged ? { expandedLoops: [], expandedCalls: [], view: null, point: m.customPoint ? state.point : null } : {}),
  });
  if (functionChanged) { selected = null; checkPoint = null; }
  if (m.graph && !m.customPoint) checkPoint = m.graph.point;
  fileLabel.textContent = m.fileLabel;
  functionSelect.replaceChildren(...m.functions.map((f) => {
    const o = el('option', { value: f }, f);
    if (f === m.functionName) o.selected = true;
    return o;
  }));
  graph = m.graph;
  message.textContent = m.message ?? (m.graph?.truncated ? 'The graph was cut at the node limit.' : '');
  message.hidden = !message.textContent;
  if (graph) renderPointFields(graph.point);
  else pointFields.replaceChildren();
  if (functionChanged) sweep = { mode: 'none', step: 0 };
  void relayout(functionChanged ? 'default' : 'keep');
  if (state.tab === 'methods') post({ type: 'requestMethods' });
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const m = ev.data;
  if (!isHostMessage(m)) return;
  switch (m.type) {
    case 'graph': onGraph(m); break;
    case 'methods': renderMethods(m.functionName, m.comparison, m.message); break;
    case 'showTab': showTab(m.tab); break;
    case 'exported':
      sweepStatus.textContent = m.path ? `saved ${m.path}` : (m.message ?? 'export cancelled');
      break;
    case 'error': message.textContent = m.message; message.hidden = false; break;
  }
});

followBox.checked = state.followCursor;
const defs = svg('defs');
const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }));
defs.append(marker);
canvas.prepend(defs);
applyView();
showTab(state.tab);
post({ type: 'ready', state });
