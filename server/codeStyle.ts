// The layout of the code Gradlens inserts into a document: its indentation and its quotes, so that
// generated code fits the file it goes in. Three sources, in this precedence:
//   1. `.editorconfig` in the document's folder chain (indent_style, indent_size, tab_width, quote_type);
//   2. the editor's settings for the document (`editor.insertSpaces`, `editor.tabSize`), read with
//      workspace/configuration: LSP sends formatting options only with formatting requests, and a
//      code action is not one. With `editor.detectIndentation` (VS Code's default) the editor uses
//      the file's own indentation, so that comes first there, the settings when the file has none;
//   3. the file's own text: the most common step of indentation, and its dominant quote.
// The pure part (parsing, detection, precedence) runs wherever the edit is computed (the analysis
// worker); the reading of files and settings (CodeStyleReader) runs on the LSP thread.

import { fileOfUri } from './importers';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import type { CodeStyle } from '../engine/codegen/code';
import { DEFAULT_CODE_STYLE, isJavaScriptFile } from '../engine/codegen/code';

/** What each source says about the style (plain data: crosses to the worker with the action). */
export interface StyleSources {
  /** From `.editorconfig`: only the properties it sets. */
  editorConfig?: { indent?: string; quote?: "'" | '"' };
  /** From the editor's settings for the document. */
  editor?: { indent?: string; detectIndentation?: boolean };
  /** The document is JavaScript (by its file name): code is inserted without type annotations. */
  javascript?: boolean;
}

/** The style of code inserted into `text`, from the sources in their precedence (see the file comment). */
export function resolveCodeStyle(sources: StyleSources | undefined, text: string): CodeStyle {
  const detected = detectIndent(text);
  const editorIndent = sources?.editor?.detectIndentation === false
    ? sources.editor.indent
    : detected ?? sources?.editor?.indent;
  return {
    indent: sources?.editorConfig?.indent ?? editorIndent ?? detected ?? DEFAULT_CODE_STYLE.indent,
    quote: sources?.editorConfig?.quote ?? detectQuote(text) ?? DEFAULT_CODE_STYLE.quote,
    ...(sources?.javascript ? { types: false } : {}),
  };
}

/** Lines looked at by the detectors (a generated file of a million lines says no more than its start). */
const MAX_LINES = 10_000;

/**
 * The file's unit of indentation: a tab when most indented lines start with one, else the most
 * common increase of leading spaces from one code line to the next (as editors detect it; JSDoc
 * continuation lines ` * …` and blank lines are skipped). Null when the file has no indented code.
 */
export function detectIndent(text: string): string | null {
  const lines = text.split(/\r\n|\r|\n/, MAX_LINES);
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of lines) {
    const m = /^([ \t]*)(\S)/.exec(line);
    if (!m) continue;
    const lead = m[1];
    if (m[2] === '*' && /^ +\*/.test(line)) continue;
    if (lead.startsWith('\t')) tabs++;
    else if (lead.length > 0) spaces++;
    if (!lead.includes('\t')) {
      const step = lead.length - previous;
      if (step > 0 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1);
      previous = lead.length;
    }
  }
  if (tabs === 0 && spaces === 0) return null;
  if (tabs > spaces) return '\t';
  let best = 0;
  let count = 0;
  // The most common step; a tie goes to the smaller (2 before 4 in code mixing both).
  for (const [step, n] of [...steps].sort((a, b) => a[0] - b[0])) if (n > count) { best = step; count = n; }
  return best > 0 ? ' '.repeat(best) : null;
}

/**
 * The file's dominant quote: the delimiter of most of its string literals (comments, template
 * literals and the other kind of string skipped). Null when it has no string literal.
 */
export function detectQuote(text: string): "'" | '"' | null {
  let single = 0;
  let double = 0;
  const end = Math.min(text.length, 1_000_000);
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') { const nl = text.indexOf('\n', i); i = nl < 0 ? end : nl; continue; }
    if (c === '/' && text[i + 1] === '*') { const close = text.indexOf('*/', i + 2); i = close < 0 ? end : close + 1; continue; }
    if (c === "'" || c === '"' || c === '`') {
      if (c === "'") single++;
      if (c === '"') double++;
      // To the closing delimiter (escapes skipped); a string does not cross a line, a template may.
      let j = i + 1;
      for (; j < end && text[j] !== c; j++) {
        if (text[j] === '\\') j++;
        else if (c !== '`' && text[j] === '\n') break;
      }
      i = j;
    }
  }
  if (single === 0 && double === 0) return null;
  return double > single ? '"' : "'";
}

// ---- .editorconfig -------------------------------------------------------------------------------
// A small parser of our own rather than the `editorconfig` package: that one brings a WASM INI
// parser and three other dependencies into a server bundled with esbuild, for the four properties
// read here. The subset: sections and `key = value` pairs, globs with `*`, `**`, `?`, `[…]`, `[!…]`,
// `{a,b}` and `{n..m}`; `root = true` stops the walk up the folders.

export interface EditorConfigSection {
  glob: string;
  props: Record<string, string>;
}

export interface EditorConfigFile {
  root: boolean;
  sections: EditorConfigSection[];
}

/** Bounds on what is read: a hostile or huge file is ignored past them. */
const MAX_EDITORCONFIG_CHARS = 64 * 1024;
const MAX_FOLDERS = 32;
const MAX_GLOB_CHARS = 256;

export function parseEditorConfig(text: string): EditorConfigFile {
  const out: EditorConfigFile = { root: false, sections: [] };
  let section: EditorConfigSection | null = null;
  for (const raw of text.slice(0, MAX_EDITORCONFIG_CHARS).split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.*)\]$/.exec(line);
    if (head) {
      section = { glob: head[1], props: {} };
      out.sections.push(section);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim().replace(/\s[#;].*$/, '').trim();
    if (section) section.props[key] = value.toLowerCase();
    else if (key === 'root') out.root = value.toLowerCase() === 'true';
  }
  return out;
}

/** Cells of the matching tables (tokens × path length) one document's .editorconfig files may cost in all. */
export const MATCH_BUDGET = 20_000_000;

/**
 * Whether `relative` (a path with `/`, relative to the .editorconfig's folder) matches `glob`.
 * `budget.cells` is what matching may still cost; once spent, nothing more matches.
 */
export function globMatches(glob: string, relative: string, budget = { cells: MATCH_BUDGET }): boolean {
  if (glob.length === 0 || glob.length > MAX_GLOB_CHARS || relative.length > MAX_PATH_CHARS) return false;
  // A glob without `/` matches the file's name in any folder below.
  const globs = expandBraces(glob.includes('/') ? glob.replace(/^\//, '') : `**/${glob}`);
  return globs !== null && globs.some((g) => {
    const tokens = tokenize(g);
    budget.cells -= (tokens.length + 1) * (relative.length + 1);
    return budget.cells >= 0 && matchTokens(tokens, relative);
  });
}

const MAX_PATH_CHARS = 4096;
/** `{a,b}{c,d}…` expands to at most this many globs (else the section is ignored). */
const MAX_EXPANSIONS = 64;

/** `{a,b}` alternatives expanded into separate globs (`{n..m}` is kept: tokenize reads it). */
function expandBraces(glob: string): string[] | null {
  let depth = 0;
  let open = -1;
  let comma = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') { i++; continue; }
    if (c === '{') { if (depth++ === 0) { open = i; comma = false; } continue; }
    if (c === ',' && depth === 1) comma = true;
    if (c === '}' && depth > 0 && --depth === 0 && comma) {
      const parts: string[] = [];
      let level = 0;
      let from = open + 1;
      for (let j = open + 1; j < i; j++) {
        const d = glob[j];
        if (d === '\\') j++;
        else if (d === '{') level++;
        else if (d === '}') level--;
        else if (d === ',' && level === 0) { parts.push(glob.slice(from, j)); from = j + 1; }
      }
      parts.push(glob.slice(from, i));
      const out: string[] = [];
      for (const part of parts) {
        const more = expandBraces(glob.slice(0, open) + part + glob.slice(i + 1));
        if (!more || out.length + more.length > MAX_EXPANSIONS) return null;
        out.push(...more);
      }
      return out;
    }
  }
  return [glob];
}

type GlobToken =
  | { k: 'char'; c: string }
  | { k: 'any' } // ?
  | { k: 'star' } // *: within a path segment
  | { k: 'globstar' } // **: across segments
  | { k: 'dirs' } // **/: zero or more whole segments
  | { k: 'set'; negate: boolean; ranges: [string, string][] }
  | { k: 'number'; lo: number; hi: number };

function tokenize(glob: string): GlobToken[] {
  const out: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) out.push({ k: 'char', c: glob[++i] });
    else if (c === '?') out.push({ k: 'any' });
    else if (c === '*') {
      let n = 1;
      while (glob[i + 1] === '*') { i++; n++; }
      if (n === 1) out.push({ k: 'star' });
      else if (glob[i + 1] === '/') { out.push({ k: 'dirs' }); i++; } else out.push({ k: 'globstar' });
    } else if (c === '[' && glob.indexOf(']', i + 2) > 0) {
      const close = glob.indexOf(']', i + 2);
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) { ranges.push([body[j], body[j + 2]]); j += 2; } else ranges.push([body[j], body[j]]);
      }
      out.push({ k: 'set', negate, ranges });
      i = close;
    } else if (c === '{' && /^\{-?\d+\.\.-?\d+\}/.test(glob.slice(i))) {
      const m = /^\{(-?\d+)\.\.(-?\d+)\}/.exec(glob.slice(i))!;
      out.push({ k: 'number', lo: Math.min(Number(m[1]), Number(m[2])), hi: Math.max(Number(m[1]), Number(m[2])) });
      i += m[0].length - 1;
    } else out.push({ k: 'char', c });
  }
  return out;
}

/** The glob's tokens against the path: dynamic programming over (token, position), O(tokens × length), no backtracking. */
function matchTokens(tokens: GlobToken[], s: string): boolean {
  const n = s.length;
  const width = n + 1;
  // dp[t * width + i]: tokens t… match s from i.
  const dp = new Uint8Array((tokens.length + 1) * width);
  dp[tokens.length * width + n] = 1;
  const nextSlash = new Int32Array(width).fill(-1);
  for (let i = n - 1; i >= 0; i--) nextSlash[i] = s[i] === '/' ? i : nextSlash[i + 1];
  for (let t = tokens.length - 1; t >= 0; t--) {
    const tok = tokens[t];
    const row = t * width;
    const next = (t + 1) * width;
    for (let i = n; i >= 0; i--) {
      const c = i < n ? s[i] : '';
      let ok = false;
      switch (tok.k) {
        case 'char': ok = c === tok.c && dp[next + i + 1] === 1; break;
        case 'any': ok = c !== '' && c !== '/' && dp[next + i + 1] === 1; break;
        case 'set': ok = c !== '' && c !== '/' && tok.ranges.some(([a, b]) => c >= a && c <= b) !== tok.negate && dp[next + i + 1] === 1; break;
        case 'star': ok = dp[next + i] === 1 || (c !== '' && c !== '/' && dp[row + i + 1] === 1); break;
        case 'globstar': ok = dp[next + i] === 1 || (c !== '' && dp[row + i + 1] === 1); break;
        case 'dirs': ok = dp[next + i] === 1 || (nextSlash[i] >= 0 && dp[row + nextSlash[i] + 1] === 1); break;
        case 'number': {
          const d = /^-?\d+/.exec(s.slice(i, i + 24));
          // Any prefix of the digits that is a number in the range (the rest of the glob decides).
          for (let len = d ? d[0].length : 0; len >= 1 && !ok; len--) {
            const text = d![0].slice(0, len);
            ok = text !== '-' && Number(text) >= tok.lo && Number(text) <= tok.hi && dp[next + i + len] === 1;
          }
          break;
        }
      }
      if (ok) dp[row + i] = 1;
    }
  }
  return dp[0] === 1;
}

/**
 * The properties that apply to `file`, from the .editorconfig files of its folders, nearest last:
 * `configs` lists them from the nearest folder up (stopping after a `root = true`), each with its folder.
 */
export function editorConfigProps(file: string, configs: { dir: string; config: EditorConfigFile }[]): Record<string, string> {
  const props: Record<string, string> = {};
  const budget = { cells: MATCH_BUDGET };
  const chain: typeof configs = [];
  for (const c of configs) {
    chain.push(c);
    if (c.config.root) break;
  }
  for (const { dir, config } of chain.reverse()) {
    const relative = path.relative(dir, file).split(path.sep).join('/');
    if (relative.startsWith('..')) continue;
    for (const s of config.sections) if (globMatches(s.glob, relative, budget)) Object.assign(props, s.props);
  }
  return props;
}

/** The style .editorconfig properties give: only what they set. */
export function styleOfEditorConfig(props: Record<string, string>): StyleSources['editorConfig'] {
  const out: NonNullable<StyleSources['editorConfig']> = {};
  const size = /^\d+$/.test(props.indent_size ?? '') ? Number(props.indent_size)
    : /^\d+$/.test(props.tab_width ?? '') ? Number(props.tab_width) : undefined;
  if (props.indent_style === 'tab') out.indent = '\t';
  else if (props.indent_style === 'space') out.indent = ' '.repeat(size !== undefined && size >= 1 && size <= 16 ? size : 2);
  else if (size !== undefined && size >= 1 && size <= 16 && props.indent_size !== 'tab') out.indent = ' '.repeat(size);
  if (props.quote_type === 'single') out.quote = "'";
  else if (props.quote_type === 'double') out.quote = '"';
  return out;
}

/** The editor's indentation from its settings (`editor.*` as workspace/configuration returns them). */
export function styleOfEditorSettings(raw: unknown): StyleSources['editor'] {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as { tabSize?: unknown; insertSpaces?: unknown; detectIndentation?: unknown };
  const out: NonNullable<StyleSources['editor']> = {};
  const size = typeof r.tabSize === 'number' && Number.isInteger(r.tabSize) && r.tabSize >= 1 && r.tabSize <= 16 ? r.tabSize : undefined;
  if (r.insertSpaces === false) out.indent = '\t';
  else if (size !== undefined) out.indent = ' '.repeat(size);
  if (typeof r.detectIndentation === 'boolean') out.detectIndentation = r.detectIndentation;
  return out;
}

/**
 * Reads the style sources of a document: its .editorconfig chain, and the editor's settings where
 * the client has workspace/configuration. Both read afresh for each code action (a rare request;
 * the files are small and few, and no notification says when `editor.*` settings change).
 */
export class CodeStyleReader {
  constructor(private readonly connection: Connection, private readonly pullSupported: () => boolean) {}

  async sourcesFor(uri: string): Promise<StyleSources> {
    const [editorConfig, editor] = await Promise.all([editorConfigStyle(uri), this.editorSettings(uri)]);
    return { editorConfig, editor, javascript: isJavaScriptFile(uri) };
  }

  private editorSettings(uri: string): Promise<StyleSources['editor']> {
    if (!this.pullSupported()) return Promise.resolve(undefined);
    return this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'editor' }).then(styleOfEditorSettings, () => undefined);
  }
}

/** What the .editorconfig files of the document's folders say, nearest first, up to a `root = true`. */
export async function editorConfigStyle(uri: string): Promise<StyleSources['editorConfig']> {
  const file = fileOfUri(uri);
  if (!file) return undefined;
  const configs: { dir: string; config: EditorConfigFile }[] = [];
  let dir = path.dirname(file);
  for (let i = 0; i < MAX_FOLDERS; i++) {
    const config = await readEditorConfig(path.join(dir, '.editorconfig'));
    if (config) {
      configs.push({ dir, config });
      if (config.root) break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (configs.length === 0) return undefined;
  const style = styleOfEditorConfig(editorConfigProps(file, configs));
  return style && (style.indent !== undefined || style.quote !== undefined) ? style : undefined;
}

async function readEditorConfig(file: string): Promise<EditorConfigFile | null> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(MAX_EDITORCONFIG_CHARS);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      return parseEditorConfig(buf.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}
