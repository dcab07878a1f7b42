// Command-line parsing: options per command, and `--at` points. Errors are UsageErrors, which the
// CLI prints with a pointer to --help and exit code 2.

import type { Point } from '../engine/index';
import { readPoint } from '../engine/pointGrammar';

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
 * Parses a point as written after `--at`: `x=1, y=-2.5, w=[1,2,3]`, `x = Math.PI / 2`. The grammar
 * is the `@at` tag's (engine/pointGrammar.ts); its error becomes a UsageError.
 */
export function parsePoint(text: string): Point {
  const r = readPoint(text);
  if (!r.ok) throw new UsageError(`--at: ${r.message} (write the point as x=1,y=2,w=[1,2])`);
  return r.point;
}
