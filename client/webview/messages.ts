// Every message between the extension host and the graph webview, as one discriminated union per
// direction. Both bundles import this module, so a renamed field breaks the build, not the UI.
// Plain data only: it crosses postMessage (structured clone) unchanged.

import type { ComputationGraph, MethodsComparison, Point, Range } from '../../engine/api';

export type Tab = 'graph' | 'methods';

/** What the webview persists with getState/setState and what the panel serializer restores from. */
export interface WebviewState {
  uri: string | null;
  functionName: string | null;
  /** The point chosen in the picker; null means the function's first check point. */
  point: Point | null;
  tab: Tab;
  followCursor: boolean;
  expandedLoops: number[];
  view: { x: number; y: number; scale: number } | null;
}

export const INITIAL_STATE: WebviewState = {
  uri: null,
  functionName: null,
  point: null,
  tab: 'graph',
  followCursor: true,
  expandedLoops: [],
  view: null,
};

/** Extension host -> webview. */
export type HostMessage =
  | {
      type: 'graph';
      uri: string;
      /** File name for the header. */
      fileLabel: string;
      functionName: string | null;
      /** Annotated functions of the document, for the function picker. */
      functions: string[];
      graph: ComputationGraph | null;
      /** Why there is no graph. */
      message?: string;
      /** The point the graph was evaluated at (echoes a custom point, else the first check point). */
      customPoint: boolean;
    }
  | { type: 'methods'; functionName: string | null; comparison: MethodsComparison | null; message?: string }
  | { type: 'showTab'; tab: Tab }
  | { type: 'error'; message: string };

/** Webview -> extension host. */
export type WebviewMessage =
  | { type: 'ready'; state: WebviewState }
  | { type: 'revealRange'; range: Range }
  | { type: 'selectFunction'; name: string }
  | { type: 'setPoint'; point: Point | null }
  | { type: 'setFollowCursor'; enabled: boolean }
  | { type: 'requestMethods' };

export function isHostMessage(value: unknown): value is HostMessage {
  if (typeof value !== 'object' || value === null) return false;
  const t = (value as { type?: unknown }).type;
  return t === 'graph' || t === 'methods' || t === 'showTab' || t === 'error';
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; [k: string]: unknown };
  switch (m.type) {
    case 'ready': return typeof m.state === 'object' && m.state !== null;
    case 'revealRange': {
      const r = m.range as { start?: unknown; end?: unknown } | undefined;
      return !!r && typeof r.start === 'number' && typeof r.end === 'number';
    }
    case 'selectFunction': return typeof m.name === 'string';
    case 'setPoint': return m.point === null || (typeof m.point === 'object' && m.point !== undefined);
    case 'setFollowCursor': return typeof m.enabled === 'boolean';
    case 'requestMethods': return true;
    default: return false;
  }
}
