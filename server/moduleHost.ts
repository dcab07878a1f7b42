// The file system behind the engine's ModuleHost (engine/modules.ts): specifiers resolved as
// TypeScript resolves them (ts.resolveModuleName with the compiler options of the nearest
// tsconfig.json or jsconfig.json, `extends`, `paths` and `baseUrl` included), files read within
// bounds, and, in the server, an open document's unsaved text before the file on disk. Used by the
// analysis worker (server/analysisWorker.ts) and the CLI (cli/check.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import ts = require('typescript');
import type { ModuleContext, ModuleHost, ResolvedModule } from '../engine/modules';
import { fileOfUri } from './importers';

export interface FsModuleHostOptions {
  /** An open document's text, by absolute path (preferred over the file on disk). */
  openText?: (file: string) => string | undefined;
  /** Files larger than this are not read. */
  maxBytes?: number;
  /** At most this many files are read through one host (one per analysis). */
  maxReads?: number;
}

const DEFAULT_MAX_BYTES = 1_000_000;
const DEFAULT_MAX_READS = 128;
const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];

/** Compiler options per config file, kept while the file's modification time stays the same. */
const configCache = new Map<string, { mtimeMs: number; options: ts.CompilerOptions }>();

export function createFsModuleHost(opts: FsModuleHostOptions = {}): ModuleHost {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let readsLeft = opts.maxReads ?? DEFAULT_MAX_READS;
  const resolutionHost: ts.ModuleResolutionHost = {
    fileExists: (f) => opts.openText?.(f) !== undefined || ts.sys.fileExists(f),
    readFile: (f) => ts.sys.readFile(f),
    directoryExists: (d) => ts.sys.directoryExists(d),
    realpath: ts.sys.realpath,
    getCurrentDirectory: () => process.cwd(),
  };
  return {
    resolve(specifier: string, fromFile: string): ResolvedModule | null {
      try {
        const r = ts.resolveModuleName(specifier, fromFile, compilerOptionsFor(fromFile), resolutionHost).resolvedModule;
        if (!r) return null;
        const file = path.resolve(r.resolvedFileName);
        if (r.isExternalLibraryImport || file.split(path.sep).includes('node_modules')) return { file, kind: 'package' };
        if (/\.d\.[cm]?ts$/.test(file)) return { file, kind: 'declaration' };
        return { file, kind: 'workspace' };
      } catch {
        return null;
      }
    },
    read(file: string): string | null {
      const open = opts.openText?.(file);
      if (open !== undefined) return open.length > maxBytes ? null : open;
      if (readsLeft <= 0) return null;
      readsLeft--;
      try {
        if (fs.statSync(file).size > maxBytes) return null;
        return fs.readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    },
  };
}

/** The context of a document for the engine: its path and a host, or undefined for a document that is no file. */
export function moduleContextFor(uri: string, host: ModuleHost): ModuleContext | undefined {
  const file = fileOfUri(uri);
  return file ? { file, host } : undefined;
}

/**
 * The options of the nearest tsconfig.json or jsconfig.json above `fromFile` (`extends` followed,
 * `include` never scanned), with JavaScript allowed; TypeScript's defaults for Node otherwise.
 */
export function compilerOptionsFor(fromFile: string): ts.CompilerOptions {
  const base: ts.CompilerOptions = { allowJs: true, resolveJsonModule: false };
  const config = nearestConfig(path.dirname(fromFile));
  let options: ts.CompilerOptions = {};
  if (config) {
    try {
      const mtimeMs = fs.statSync(config).mtimeMs;
      const hit = configCache.get(config);
      if (hit && hit.mtimeMs === mtimeMs) options = hit.options;
      else {
        const json = ts.readConfigFile(config, ts.sys.readFile);
        const parsed = ts.parseJsonConfigFileContent(json.config ?? {}, { ...ts.sys, readDirectory: () => [] }, path.dirname(config), undefined, config);
        options = parsed.options;
        configCache.set(config, { mtimeMs, options });
      }
    } catch {
      options = {};
    }
  }
  const merged = { ...base, ...options, allowJs: true };
  // Specifiers without an extension (`./util`) resolve under every mode the workspace may use; the
  // Node16/NodeNext modes ask for extensions, which bundler resolution does not.
  if (merged.moduleResolution === undefined || merged.moduleResolution === ts.ModuleResolutionKind.Classic) {
    merged.moduleResolution = ts.ModuleResolutionKind.Bundler;
    merged.module = ts.ModuleKind.ESNext;
  }
  return merged;
}

function nearestConfig(dir: string): string | undefined {
  for (let d = dir, i = 0; i < 64; i++) {
    for (const name of CONFIG_NAMES) {
      const f = path.join(d, name);
      if (ts.sys.fileExists(f)) return f;
    }
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}
