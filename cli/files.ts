// Turns the `check` arguments (files, directories, globs) into a list of source files, or into
// messages a user can act on: a missing file, a glob that matches nothing, a directory we may not read.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { globToRegExp, hasGlobMagic, splitGlob } from './glob';

/** Extensions `check` picks up in directories and globs (an explicitly named file is always read). */
export const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/**
 * Directories not descended into while walking: dependencies, hidden folders (.git, .vscode-test…)
 * and usual build output, which would repeat the findings of its sources. Naming one explicitly
 * (`gradlens check dist`, or a glob that starts in `out/`) still checks it.
 */
export const SKIPPED_DIRECTORIES: readonly string[] = ['node_modules', 'dist', 'out', 'coverage'];

function skipDirectory(name: string): boolean {
  return SKIPPED_DIRECTORIES.includes(name) || name.startsWith('.');
}

export function isSourceFile(name: string): boolean {
  if (/\.d\.[mc]?ts$/.test(name)) return false;
  return SOURCE_EXTENSIONS.includes(path.extname(name));
}

export interface ExpandedInputs {
  /** Absolute paths, each once, in argument order (sorted within a directory or glob). */
  files: string[];
  errors: string[];
}

export function expandInputs(inputs: string[], cwd: string): ExpandedInputs {
  const files: string[] = [];
  const seen = new Set<string>();
  const errors: string[] = [];
  const add = (file: string): void => {
    if (!seen.has(file)) {
      seen.add(file);
      files.push(file);
    }
  };

  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const stat = statOrNull(absolute);
    if (stat?.isFile()) {
      add(absolute);
      continue;
    }
    if (stat?.isDirectory()) {
      const found: string[] = [];
      const walkErrors = walk(absolute, (rel, abs) => {
        if (isSourceFile(rel)) found.push(abs);
      });
      errors.push(...walkErrors);
      if (found.length === 0 && walkErrors.length === 0) {
        errors.push(`no .ts or .js files in directory '${input}'`);
      }
      found.sort().forEach(add);
      continue;
    }
    if (!hasGlobMagic(input)) {
      errors.push(`no such file or directory: '${input}'`);
      continue;
    }

    const { base, rest } = splitGlob(input);
    const baseAbsolute = path.resolve(cwd, base);
    const baseStat = statOrNull(baseAbsolute);
    if (!baseStat?.isDirectory()) {
      errors.push(`no files match '${input}' (${baseStat ? `'${base}' is not a directory` : `directory '${base}' does not exist`})`);
      continue;
    }
    const matcher = globToRegExp(rest);
    const found: string[] = [];
    const walkErrors = walk(baseAbsolute, (rel, abs) => {
      if (matcher.test(rel) && isSourceFile(rel)) found.push(abs);
    });
    errors.push(...walkErrors);
    if (found.length === 0 && walkErrors.length === 0) {
      errors.push(`no .ts or .js files match '${input}'`);
    }
    found.sort().forEach(add);
  }
  return { files, errors };
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/** Visits every file below `root` (relative path with `/`, absolute path); returns read errors. */
function walk(root: string, visit: (relative: string, absolute: string) => void): string[] {
  const errors: string[] = [];
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    const absDir = path.join(root, relDir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (err) {
      errors.push(`cannot read directory '${displayPath(absDir)}': ${describeFsError(err)}`);
      continue;
    }
    for (const entry of entries) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      const abs = path.join(root, rel);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = statOrNull(abs);
        // Symlinked directories are not followed (they can loop); symlinked files are read.
        isDir = false;
        isFile = target?.isFile() ?? false;
      }
      if (isDir) {
        if (!skipDirectory(entry.name)) stack.push(rel);
      } else if (isFile) {
        visit(rel, abs);
      }
    }
  }
  return errors;
}

/** A path as the user would like to read it: relative to the working directory when inside it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

export function describeFsError(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
