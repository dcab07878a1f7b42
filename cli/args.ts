// Command-line parsing: options per command, and `--at` points. Errors are UsageErrors, which the
// CLI prints with a pointer to --help and exit code 2.

import type { Point } from '../engine/index';

export class UsageError extends Error {}

export interface OptionSpec {
  /** Whether the option takes a value (`--at x=1` or `--at=x=1`). */
  value: boolean;
  short?: string;
  /** Allowed values, for a better message than "invalid". */
  choices?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  /** Option name (without dashes) to its value, or `true` for a flag. Later occurrences win. */
  options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.short) byShort.set(s.short, name);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inlineValue: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inlineValue = eq === -1 ? undefined : arg.slice(eq + 1);
      if (!(name in spec)) throw new UsageError(`unknown option '--${name}'`);
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-[\d.]/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (name === undefined) throw new UsageError(`unknown option '${arg}'`);
    } else {
      positionals.push(arg);
      continue;
    }
    const optionSpec = spec[name];
    if (!optionSpec.value) {
      if (inlineValue !== undefined) throw new UsageError(`option '--${name}' takes no value`);
      options.set(name, true);
      continue;
    }
    let value = inlineValue;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`option '--${name}' needs a value`);
      value = argv[++i];
    }
    if (optionSpec.choices && !optionSpec.choices.includes(value)) {
      throw new UsageError(`invalid value '${value}' for '--${name}': expected ${optionSpec.choices.join(', ')}`);
    }
    options.set(name, value);
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** A numeric option; `integer` and `positive` narrow what is accepted. */
export function numberOption(
  args: ParsedArgs,
  name: string,
  constraints: { integer?: boolean; positive?: boolean; min?: number } = {},
): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const value = parseNumber(text);
  const kind = constraints.integer ? (constraints.positive ? 'a positive integer' : 'an integer') : constraints.positive ? 'a positive number' : 'a number';
  if (
    value === null ||
    !Number.isFinite(value) ||
    (constraints.integer && !Number.isInteger(value)) ||
    (constraints.positive && value <= 0) ||
    (constraints.min !== undefined && value < constraints.min)
  ) {
    throw new UsageError(`option '--${name}' expects ${kind}, got '${text}'`);
  }
  return value;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Infinity$|^NaN$/;

/** A number as written in JavaScript (no hex, no underscores), or null. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  return NUMBER_RE.test(t) ? Number(t) : null;
}

/**
 * Parses a point as written after `--at`: `x=1,y=-2.5,w=[1,2,3]` (spaces allowed, `:` also
 * accepted for `=`). Names must be identifiers; values numbers or flat arrays of numbers.
 */
export function parsePoint(text: string): Point {
  const point: Point = {};
  const parts = splitTopLevel(text);
  if (parts.length === 0) throw new UsageError(`--at: empty point; write it as x=1,y=2,w=[1,2]`);
  for (const part of parts) {
    const m = /^\s*([A-Za-z_$][\w$]*)\s*[=:]\s*(.*?)\s*$/s.exec(part);
    if (!m) throw new UsageError(`--at: expected name=value, got '${part.trim()}' (write the point as x=1,y=2,w=[1,2])`);
    const [, name, valueText] = m;
    if (name in point) throw new UsageError(`--at: '${name}' is given twice`);
    if (valueText.startsWith('[')) {
      if (!valueText.endsWith(']')) throw new UsageError(`--at: unclosed '[' in the value of '${name}'`);
      const inner = valueText.slice(1, -1).trim();
      const items = inner === '' ? [] : inner.split(',');
      point[name] = items.map((item) => {
        const v = parseNumber(item);
        if (v === null) throw new UsageError(`--at: '${item.trim()}' in the value of '${name}' is not a number`);
        return v;
      });
    } else {
      const v = parseNumber(valueText);
      if (v === null) throw new UsageError(`--at: the value of '${name}' is not a number: '${valueText}'`);
      point[name] = v;
    }
  }
  return point;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new UsageError(`--at: unbalanced brackets in '${text}'`);
  if (current.trim() !== '' || parts.length > 0) parts.push(current);
  return parts;
}
