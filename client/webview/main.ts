// The computation-graph webview: graph tab (ELK layout, SVG with pan and zoom, forward and reverse
// sweep stepping, point picker, click to reveal source) and methods tab (derivative by each method,
// log-log error plot). It talks to the extension host only through the messages in ./messages.

import type { ComputationGraph, MethodsComparison, Point } from '../../engine/api';
import { readPointValue, setPointValue } from '../../engine/pointGrammar';
import { buildViewGraph, formatNumber, sweepHighlight, sweepOrder, type SweepMode, type ViewGraph } from './graphModel';
import { layoutGraph, type Layout } from './layout';
import { INITIAL_STATE, isHostMessage, type HostMessage, type Tab, type WebviewMessage, type WebviewState } from './messages';
import { logLogPlotSvg } from './plot';

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
const btnFit = el('button', { id: 'fit', title: 'Fit the graph to the view' }, 'Fit');
const btnCollapse = el('button', { id: 'collapse-loops', title: 'Collapse every loop again' }, 'Collapse loops');
const sweepStatus = el('span', { id: 'sweep-status', class: 'status' });
sweepBar.append(btnForward, btnReverse, btnBack, btnAll, btnFit, btnCollapse, sweepStatus);

const pointBar = el('form', { class: 'toolbar point-picker', id: 'point-picker' });
const pointFields = el('span', { class: 'point-fields' });
const btnApplyPoint = el('button', { type: 'submit', id: 'apply-point' }, 'Evaluate at point');
const btnResetPoint = el('button', { type: 'button', id: 'reset-point' }, 'Check point');
pointBar.append(el('span', { class: 'label' }, 'Point:'), pointFields, btnApplyPoint, btnResetPoint);

const message = el('div', { id: 'message', class: 'message' });
const canvas = svg('svg', { id: 'graph', class: 'graph-canvas', role: 'img', 'aria-label': 'computation graph' });
const viewport = svg('g', { id: 'viewport' });
canvas.append(viewport);
graphPane.append(sweepBar, pointBar, message, canvas);

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
  else if (needsFit) fit();
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
  post({ type: 'setPoint', point: null });
});

// ---- pan and zoom ---------------------------------------------------------------------------

let pan = state.view ?? { x: 20, y: 20, scale: 1 };
function applyView(): void {
  viewport.setAttribute('transform', `translate(${pan.x} ${pan.y}) scale(${pan.scale})`);
}
let needsFit = false;
function fit(): void {
  if (!layout) return;
  const r = canvas.getBoundingClientRect();
  // Hidden behind the methods tab: fit when the graph tab is shown.
  needsFit = r.width === 0 || r.height === 0;
  if (needsFit) return;
  const w = Math.max(r.width, 100), h = Math.max(r.height, 100);
  const scale = Math.min(1.5, Math.max(0.05, Math.min((w - 40) / Math.max(layout.width, 1), (h - 40) / Math.max(layout.height, 1))));
  pan = { scale, x: (w - layout.width * scale) / 2, y: 20 };
  applyView();
  saveState({ view: pan });
}
canvas.addEventListener('wheel', (ev) => {
  ev.preventDefault();
  const r = canvas.getBoundingClientRect();
  const mx = ev.clientX - r.left, my = ev.clientY - r.top;
  const factor = Math.exp(-ev.deltaY * 0.0015);
  const scale = Math.min(4, Math.max(0.05, pan.scale * factor));
  pan = { scale, x: mx - ((mx - pan.x) * scale) / pan.scale, y: my - ((my - pan.y) * scale) / pan.scale };
  applyView();
  saveState({ view: pan });
}, { passive: false });
let drag: { x: number; y: number; px: number; py: number; moved: boolean } | null = null;
canvas.addEventListener('pointerdown', (ev) => {
  drag = { x: ev.clientX, y: ev.clientY, px: pan.x, py: pan.y, moved: false };
});
canvas.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
  if (!drag.moved) return;
  pan = { ...pan, x: drag.px + dx, y: drag.py + dy };
  applyView();
});
window.addEventListener('pointerup', () => {
  if (drag?.moved) saveState({ view: pan });
  // Keep `moved` readable by the click handler that fires right after pointerup.
  setTimeout(() => { drag = null; }, 0);
});
btnFit.addEventListener('click', fit);

// ---- graph drawing --------------------------------------------------------------------------

function onNodeClick(id: string): void {
  if (drag?.moved || !view) return;
  const n = view.nodes.find((v) => v.id === id);
  if (!n) return;
  if (n.kind === 'loop' && n.loopId !== null) {
    saveState({ expandedLoops: [...new Set([...state.expandedLoops, n.loopId])] });
    void relayout(true);
  }
  if (n.range) post({ type: 'revealRange', range: n.range });
}

function draw(): void {
  viewport.replaceChildren();
  if (!layout || !view) return;
  const hl = sweepHighlight(view, order, sweep.mode, sweep.step);
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
    const g = svg('g', { class: classes.join(' '), transform: `translate(${p.x} ${p.y})`, 'data-node': n.id, tabindex: 0 });
    const title = svg('title');
    title.textContent = n.kind === 'loop' ? `${n.label}: click to expand` : n.kind === 'iterations' ? `${n.label}: not drawn, to keep the view responsive` : `${n.op} ${n.label}\nvalue ${formatNumber(n.value)}\nadjoint ${formatNumber(n.adjoint)}\nclick to reveal in the editor`;
    g.append(title, svg('rect', { width: p.width, height: p.height, rx: 5, ry: 5 }));
    p.lines.forEach((line, i) => {
      // During a sweep a value (forward) or adjoint (reverse) not yet computed is shown as "?".
      let text = line;
      if (sweep.mode === 'forward' && !hl.done.has(n.id) && i >= 1 && n.kind === 'op') text = i === 1 ? 'v = ?' : 'v̄ = ?';
      if (sweep.mode === 'reverse' && !hl.done.has(n.id) && i === 2 && n.kind === 'op') text = 'v̄ = ?';
      const t = svg('text', { x: 8, y: 8 + 12 + i * 15, class: i === 0 ? 'node-op' : i === 1 ? 'node-value' : 'node-adjoint' });
      t.textContent = text;
      g.append(t);
    });
    g.addEventListener('click', () => onNodeClick(n.id));
    g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') onNodeClick(n.id); });
    nodeLayer.append(g);
  }
  viewport.append(edgeLayer, nodeLayer);
  updateSweepStatus(hl.current);
}

function updateSweepStatus(current: string | null): void {
  if (!view || sweep.mode === 'none') {
    sweepStatus.textContent = view ? `${view.nodes.length} nodes, ${view.edges.length} edges` : '';
    return;
  }
  const n = view.nodes.find((v) => v.id === current);
  const what = n ? `${n.op}${n.label && n.label !== n.op ? ` ${n.label}` : ''}` : '';
  const detail = n && n.kind === 'op' ? (sweep.mode === 'forward' ? `v = ${formatNumber(n.value)}` : `v̄ = ${formatNumber(n.adjoint)}`) : '';
  sweepStatus.textContent = `${sweep.mode === 'forward' ? 'Forward' : 'Reverse'} sweep ${Math.min(sweep.step + 1, order.length)}/${order.length}: ${what} ${detail}`;
}

function stepSweep(mode: 'forward' | 'reverse'): void {
  if (!view) return;
  if (sweep.mode !== mode) sweep = { mode, step: 0 };
  else sweep = { mode, step: Math.min(sweep.step + 1, order.length - 1) };
  draw();
}
btnForward.addEventListener('click', () => stepSweep('forward'));
btnReverse.addEventListener('click', () => stepSweep('reverse'));
btnBack.addEventListener('click', () => {
  if (sweep.mode === 'none') return;
  sweep = { ...sweep, step: Math.max(0, sweep.step - 1) };
  draw();
});
btnAll.addEventListener('click', () => { sweep = { mode: 'none', step: 0 }; draw(); });
btnCollapse.addEventListener('click', () => { saveState({ expandedLoops: [] }); void relayout(true); });

async function relayout(refit: boolean): Promise<void> {
  const generation = ++layoutGeneration;
  if (!graph) {
    view = null; layout = null; order = [];
    draw();
    return;
  }
  const nextView = buildViewGraph(graph, new Set(state.expandedLoops));
  const nextLayout = await layoutGraph(nextView);
  // A newer graph arrived while ELK was working: drop this stale layout.
  if (generation !== layoutGeneration) return;
  view = nextView;
  layout = nextLayout;
  order = sweepOrder(view);
  if (sweep.step >= order.length) sweep = { mode: 'none', step: 0 };
  draw();
  if (refit || !state.view) fit();
  else applyView();
}

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
  for (const h of ['component', 'reverse', 'forward', 'closed form', 'central diff.', 'complex step']) head.append(el('th', {}, h));
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
    ...(functionChanged ? { expandedLoops: [], view: null, point: m.customPoint ? state.point : null } : {}),
  });
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
  void relayout(functionChanged);
  if (state.tab === 'methods') post({ type: 'requestMethods' });
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const m = ev.data;
  if (!isHostMessage(m)) return;
  switch (m.type) {
    case 'graph': onGraph(m); break;
    case 'methods': renderMethods(m.functionName, m.comparison, m.message); break;
    case 'showTab': showTab(m.tab); break;
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
