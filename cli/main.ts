// The `gradlens` command: a second adapter over the engine, beside the language server. It reads
// files, hands their text to engine/index.ts, and turns the plain data that comes back into text
// for people (or JSON for machines) and an exit code for CI.
//
// Exit codes: 0 nothing wrong; 1 a hand-written gradient is wrong (GL001/GL006) or a requested
// result could not be computed; 2 usage error, unreadable input, or an internal fault.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import {
  analyzeFile,
  clampBudgets,
  computationGraph,
  generateDerivative,
  gradientAt,
  type AnalysisOptions,
  type CodegenMode,
  type EngineDiagnostic,
  type Point,
} from '../engine/index';
import { flag, numberOption, parseArgs, parsePoint, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args';
import { FAILING_CODES_TEXT, renderCheck } from './check';
import { toGithubAnnotations, toSarif } from './ciFormats';
import { parseShard, runCheckParallel } from './parallel';
import { DIAGNOSTIC_CODES, DIAGNOSTICS, DOCS_BASE_URL } from '../engine/diagnosticCodes';
import { describeFsError, displayPath } from './files';
import { formatPoint, formatValue, gradientRows, palette, table, wantsColor, type Palette } from './format';
import { graphToDot, graphToJson } from './graphText';
import { graphToSvg } from './graphSvg';
import { LineIndex } from './lineIndex';
import { diagnosticToJson, formatDiagnostic } from './diagnostics';
import { version } from '../package.json';
import { DEFAULT_CODE_STYLE, isJavaScriptFile } from '../engine/codegen/code';
import { withModuleContext, type ModuleContext } from '../engine/modules';
import { createFsModuleHost } from '../server/moduleHost';

/** Where the CLI writes and what it knows of its environment; tests and main() fill it in. */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const COMMANDS = ['check', 'grad', 'codegen', 'graph'] as const;
type Command = (typeof COMMANDS)[number];

const COMMON: Record<string, OptionSpec> = {
  help: { value: false, short: 'h' },
  color: { value: false },
  'no-color': { value: false },
};

const ENGINE_OPTIONS: Record<string, OptionSpec> = {
  rtol: { value: true },
  atol: { value: true },
  seed: { value: true },
  points: { value: true },
  budget: { value: true },
  'time-budget': { value: true },
};

const SPECS: Record<Command, Record<string, OptionSpec>> = {
  check: { ...COMMON, ...ENGINE_OPTIONS, json: { value: false }, format: { value: true, short: 'f', choices: ['text', 'json', 'sarif', 'github'] }, jobs: { value: true, short: 'j' }, shard: { value: true }, progress: { value: false }, 'no-progress': { value: false } },
  grad: { ...COMMON, ...ENGINE_OPTIONS, at: { value: true }, json: { value: false }, digits: { value: true } },
  codegen: {
    ...COMMON,
    mode: { value: true, short: 'm', choices: ['reverse', 'closed', 'jvp', 'hessian'] },
    name: { value: true },
    json: { value: false },
    output: { value: true, short: 'o' },
  },
  graph: {
    ...COMMON,
    ...ENGINE_OPTIONS,
    format: { value: true, short: 'f', choices: ['dot', 'json', 'svg'] },
    at: { value: true },
    output: { value: true, short: 'o' },
  },
};

const USAGE = `Usage: gradlens <command> [options]

Commands:
  check [paths...]                  check every @differentiable function (files, directories, globs)
  grad <file> <function>            print the value and the gradient at a point
  codegen <file> <function>         print generated derivative code
  graph <file> <function>           print the computation graph (dot, json or svg)

Options:
  -h, --help       help (also: gradlens <command> --help)
  -v, --version    print the version
  --color, --no-color   force colour on or off (default: on a terminal, unless NO_COLOR is set)

Exit codes: 0 ok, 1 a gradient is wrong (${FAILING_CODES_TEXT}) or no result, 2 usage or input error.
`;

/** The budget diagnostic, as the help of the budget options names it. */
const BUDGET_CODE = DIAGNOSTICS.GL007.code;

/** Every diagnostic code with its title, and where the codes are documented (the catalogue). */
const CODES_HELP = `Diagnostics (documented at ${DOCS_BASE_URL}docs/diagnostics/<code>.md):
${DIAGNOSTIC_CODES.map((c) => `  ${c}  ${DIAGNOSTICS[c].title}${DIAGNOSTICS[c].failsCheck ? ' (fails the check)' : ''}`).join('\n')}`;

const ENGINE_HELP = `  --rtol <n>        relative tolerance of the gradient check (default 1e-6)
  --atol <n>        absolute tolerance (default 1e-8 · (1 + max |AD component|))
  --seed <n>        seed of the random check points (default 42)
  --points <n>      random check points per function without @at (default 3)
  --budget <n>      evaluation steps per function run before ${BUDGET_CODE} (default 1000000, at most 50000000)
  --time-budget <ms> analysis time per function before ${BUDGET_CODE} (default 2000, at most 10000)`;

const HELP: Record<Command, string> = {
  check: `Usage: gradlens check [paths...] [options]

Checks every @differentiable function in the given files, directories (searched recursively for
.ts/.mts/.cts/.js/.mjs/.cjs files, skipping hidden folders, node_modules, dist, out and coverage
unless named) and globs (quote them: 'src/**/*.ts'). Default path: the current directory. Hand-written gradients (@gradient, or paired
by name) are compared with automatic differentiation and finite differences.

Options:
  --json            machine-readable output on stdout (the same as --format json)
  -f, --format <f>  text (default), json, sarif (SARIF 2.1.0, for code scanning) or github
                    (GitHub Actions annotations on the changed lines)
  -j, --jobs <n>    files analysed at once: this thread and n-1 worker threads (default: a worker per 48 files, on every core but one)
  --shard <i/n>     check only the i-th of n slices of the sorted file list (split CI jobs)
  --progress        report progress on stderr (default: on a terminal, for 10 files or more)
  --no-progress     never report progress
${ENGINE_HELP}

Exit codes: 0 no wrong gradient; 1 some diagnostic that fails the check (${FAILING_CODES_TEXT}, marked
below); 2 bad arguments, missing or unreadable files.

${CODES_HELP}
`,
  grad: `Usage: gradlens grad <file> <function> [--at x=1,y=2,w=[1,2]] [options]

Prints the function's value and gradient (or Jacobian) at a point: the one given with --at
(a value for every parameter), else the function's first check point.

Options:
  --at <point>      evaluation point, e.g. --at 'x=1.5, y=-0.25, w=[0.1, -2, 3]'
  --digits <n>      significant digits printed (default 10; JSON output is exact)
  --json            machine-readable output on stdout
${ENGINE_HELP}
`,
  codegen: `Usage: gradlens codegen <file> <function> [--mode reverse|closed|jvp|hessian] [options]

Prints readable, dependency-free TypeScript for the function's derivative.

Options:
  -m, --mode <mode>   reverse (default): reverse-mode gradient; closed: closed-form gradient
                      (straight-line code only); jvp: forward-mode Jacobian-vector product;
                      hessian: Hessian matrix
  --name <name>       name of the generated function (default <function>Grad, …Jvp, …Hessian)
  -o, --output <file> write the code to a file instead of stdout
  --json              print { name, code, diagnostics } as JSON
`,
  graph: `Usage: gradlens graph <file> <function> [--format dot|json|svg] [--at point] [options]

Prints the function's computation graph at a point: each node's operation, forward value and
adjoint, each edge's local partial derivative.

Options:
  -f, --format <f>    dot (default; for Graphviz), json (the engine's graph with line/column),
                      svg (laid out with ELK, standalone)
  --at <point>        evaluation point (default: the function's first check point)
  -o, --output <file> write to a file instead of stdout
${ENGINE_HELP}
`,
};

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const err = palette(wantsColor(io.stderr, io.env, colorOverride(argv)));
  let command: Command | undefined;
  try {
    const first = argv.findIndex((a) => !a.startsWith('-'));
    if (first === -1) {
      if (argv.includes('--version') || argv.includes('-v')) {
        io.stdout.write(`${version}\n`);
        return 0;
      }
      if (argv.length === 0) {
        io.stderr.write(USAGE);
        return 2;
      }
      if (argv.includes('--help') || argv.includes('-h')) {
        io.stdout.write(USAGE);
        return 0;
      }
      parseArgs(argv, { ...COMMON, version: { value: false, short: 'v' } });
      throw new UsageError('missing command');
    }
    const leading = argv.slice(0, first);
    const name = argv[first];
    if (name === 'help') {
      const topic = argv[first + 1];
      if (topic !== undefined && isCommand(topic)) io.stdout.write(HELP[topic]);
      else io.stdout.write(USAGE);
      return 0;
    }
    if (!isCommand(name)) {
      const suggestion = COMMANDS.find((c) => c.startsWith(name.slice(0, 2)));
      throw new UsageError(`unknown command '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
    }
    command = name;
    const args = parseArgs([...leading, ...argv.slice(first + 1)], SPECS[name]);
    if (flag(args, 'help')) {
      io.stdout.write(HELP[name]);
      return 0;
    }
    const out = palette(wantsColor(io.stdout, io.env, colorOverride(argv)));
    switch (name) {
      case 'check':
        return await runCheckCommand(args, io, out, err);
      case 'grad':
        return runGrad(args, io, out, err);
      case 'codegen':
        return runCodegen(args, io, err);
      case 'graph':
        return await runGraph(args, io, err);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${err.red('gradlens: error:')} ${e.message}\n`);
      io.stderr.write(`Run 'gradlens ${command ? `${command} ` : ''}--help' for usage.\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr.write(`${err.red('gradlens: error:')} ${e.message}\n`);
      return 2;
    }
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.stderr.write(`${err.red('gradlens: internal error:')} ${message}\n`);
    return 2;
  }
}

/** A file that cannot be read or written: exit 2 without the usage hint. */
class InputError extends Error {}

function isCommand(s: string): s is Command {
  return (COMMANDS as readonly string[]).includes(s);
}

function colorOverride(argv: readonly string[]): boolean | undefined {
  const last = [...argv].reverse().find((a) => a === '--color' || a === '--no-color');
  return last === undefined ? undefined : last === '--color';
}

function engineOptions(args: ParsedArgs): Partial<AnalysisOptions> {
  const options: Partial<AnalysisOptions> = {};
  const rtol = numberOption(args, 'rtol', { min: 0 });
  const atol = numberOption(args, 'atol', { min: 0 });
  const seed = numberOption(args, 'seed', { integer: true });
  const points = numberOption(args, 'points', { integer: true, min: 0 });
  const budget = numberOption(args, 'budget', { integer: true, positive: true });
  const timeBudget = numberOption(args, 'time-budget', { integer: true, positive: true });
  if (rtol !== undefined) options.rtol = rtol;
  if (atol !== undefined) options.atol = atol;
  if (seed !== undefined) options.seed = seed;
  if (points !== undefined) options.randomPoints = points;
  if (budget !== undefined) options.stepBudget = budget;
  if (timeBudget !== undefined) options.timeBudgetMs = timeBudget;
  // The same ceilings as the editor's settings: no flag makes a run unbounded.
  return clampBudgets(options);
}

async function runCheckCommand(args: ParsedArgs, io: CliIo, out: Palette, err: Palette): Promise<number> {
  const options = engineOptions(args);
  const jobs = numberOption(args, 'jobs', { integer: true, positive: true });
  const shardText = stringOption(args, 'shard');
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  if (typeof shard === 'string') throw new UsageError(shard);
  const format = flag(args, 'json') ? 'json' : (stringOption(args, 'format') ?? 'text');
  const progressMode = flag(args, 'no-progress') ? 'off' : flag(args, 'progress') ? 'on' : 'auto';
  const inputs = args.positionals.length > 0 ? args.positionals : ['.'];
  const result = await runCheckParallel(inputs, {
    cwd: io.cwd,
    options,
    jobs,
    shard,
    progress: (done, total, file) => {
      const show = progressMode === 'on' || (progressMode === 'auto' && io.stderr.isTTY === true && total >= 10);
      if (!show) return;
      if (io.stderr.isTTY && progressMode !== 'on') {
        // Redrawn in place on a terminal; cleared once the last file is done.
        io.stderr.write(done === total ? '\r\x1b[K' : `\r\x1b[K${err.dim(`[${done + 1}/${total}] ${file}`)}`);
      } else if (done < total) {
        io.stderr.write(`[${done + 1}/${total}] ${file}\n`);
      }
    },
  });
  if (result.inputErrors.length > 0) {
    for (const message of result.inputErrors) io.stderr.write(`${err.red('gradlens: error:')} ${message}\n`);
    return 2;
  }
  switch (format) {
    case 'json': io.stdout.write(JSON.stringify(result.json, null, 2) + '\n'); break;
    case 'sarif': io.stdout.write(JSON.stringify(toSarif(result), null, 2) + '\n'); break;
    case 'github': io.stdout.write(toGithubAnnotations(result)); break;
    default: io.stdout.write(renderCheck(result, out));
  }
  for (const message of result.fileErrors) io.stderr.write(`${err.red('gradlens: error:')} ${message}\n`);
  if (result.fileErrors.length > 0) return 2;
  return result.failed ? 1 : 0;
}

interface Target {
  file: string;
  display: string;
  text: string;
  functionName: string;
  index: LineIndex;
  /** The file and a host reading what it imports from disk, as `check` does (cli/check.ts). */
  modules: ModuleContext;
}

function readTarget(args: ParsedArgs, io: CliIo, command: Command): Target {
  const [file, functionName, ...extra] = args.positionals;
  if (file === undefined) throw new UsageError(`${command}: missing <file> and <function>`);
  if (functionName === undefined) throw new UsageError(`${command}: missing <function> (the name of a function in ${file})`);
  if (extra.length > 0) throw new UsageError(`${command}: unexpected argument '${extra[0]}'`);
  const absolute = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read '${file}': ${describeFsError(e)}`);
  }
  const modules = { file: absolute, host: createFsModuleHost() };
  return { file: absolute, display: displayPath(absolute, io.cwd), text, functionName, index: new LineIndex(text), modules };
}

function pointOption(args: ParsedArgs): Point | undefined {
  const text = stringOption(args, 'at');
  return text === undefined ? undefined : parsePoint(text);
}

function writeDiagnostics(target: Target, diagnostics: EngineDiagnostic[], io: CliIo, err: Palette): void {
  for (const d of diagnostics) io.stderr.write(formatDiagnostic(target.display, target.index, d, err) + '\n');
}

/** Why an engine query gave nothing back, with the file's annotated functions as a hint. */
function noResultMessage(target: Target, what: string): string {
  let names: string[] = [];
  try {
    names = analyzeFile(target.text, undefined, undefined, target.modules).functions.map((f) => f.name);
  } catch {
    // The hint is optional; the message stands without it.
  }
  const known = names.includes(target.functionName);
  const hint = known
    ? ''
    : names.length > 0
      ? ` (no @differentiable function '${target.functionName}' there; annotated functions: ${names.join(', ')})`
      : ` (no @differentiable function '${target.functionName}' there; the file has none)`;
  return `could not ${what} '${target.functionName}' in ${target.display}${hint}`;
}

function runGrad(args: ParsedArgs, io: CliIo, out: Palette, err: Palette): number {
  const target = readTarget(args, io, 'grad');
  const point = pointOption(args);
  const digits = numberOption(args, 'digits', { integer: true, positive: true }) ?? 10;
  if (digits > 17) throw new UsageError(`option '--digits' expects at most 17, got ${digits}`);
  const result = withModuleContext(target.modules, () => gradientAt(target.text, target.functionName, point, engineOptions(args)));
  const computed = result.value !== null && (result.gradient !== null || result.jacobian !== null);

  if (flag(args, 'json')) {
    io.stdout.write(
      JSON.stringify(
        {
          file: target.display,
          function: target.functionName,
          point: result.point,
          value: result.value,
          gradient: result.gradient,
          jacobian: result.jacobian,
          diagnostics: result.diagnostics.map((d) => diagnosticToJson(d, target.index)),
        },
        null,
        2,
      ) + '\n',
    );
    if (!computed) io.stderr.write(`${err.red('gradlens: error:')} ${noResultMessage(target, 'compute the gradient of')}\n`);
    return computed ? 0 : 1;
  }

  writeDiagnostics(target, result.diagnostics, io, err);
  if (!computed || result.value === null) {
    io.stderr.write(`${err.red('gradlens: error:')} ${noResultMessage(target, 'compute the gradient of')}\n`);
    return 1;
  }
  const lines: string[] = [];
  lines.push(`${out.bold(target.functionName)}${result.point ? ` at ${formatPoint(result.point)}` : ''}`);
  const rows: [string, string][] = [['value', formatValue(result.value, digits)]];
  if (result.gradient) rows.push(...gradientRows(result.gradient, digits));
  lines.push(...table(rows, '  '));
  if (result.jacobian) {
    lines.push('  Jacobian (rows: outputs, columns: the @wrt components in order)');
    for (const row of result.jacobian) lines.push(`    ${formatValue(row, digits)}`);
  }
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function runCodegen(args: ParsedArgs, io: CliIo, err: Palette): number {
  const target = readTarget(args, io, 'codegen');
  const mode = (stringOption(args, 'mode') ?? 'reverse') as CodegenMode;
  const name = stringOption(args, 'name');
  if (name !== undefined && !/^[A-Za-z_$][\w$]*$/.test(name)) {
    throw new UsageError(`option '--name' expects an identifier, got '${name}'`);
  }
  // In a JavaScript file the code is printed without type annotations.
  const style = isJavaScriptFile(target.file) ? { ...DEFAULT_CODE_STYLE, types: false } : undefined;
  const result = generateDerivative(target.text, target.functionName, mode, { ...(name !== undefined ? { name } : {}), ...(style ? { style } : {}) }, target.modules);
  const output = stringOption(args, 'output');
  if (flag(args, 'json')) {
    const json = {
      file: target.display,
      function: target.functionName,
      mode,
      name: result.generated?.name ?? null,
      code: result.generated?.code ?? null,
      diagnostics: result.diagnostics.map((d) => diagnosticToJson(d, target.index)),
    };
    emit(JSON.stringify(json, null, 2) + '\n', output, io);
  } else {
    writeDiagnostics(target, result.diagnostics, io, err);
    if (result.generated) {
      const code = result.generated.code;
      emit(code.endsWith('\n') ? code : code + '\n', output, io);
    }
  }
  if (!result.generated) {
    io.stderr.write(`${err.red('gradlens: error:')} ${noResultMessage(target, `generate ${MODE_TEXT[mode]} for`)}\n`);
    return 1;
  }
  return 0;
}

const MODE_TEXT: Record<CodegenMode, string> = {
  reverse: 'a reverse-mode gradient',
  closed: 'a closed-form gradient',
  jvp: 'a forward-mode (JVP) function',
  hessian: 'a Hessian',
};

async function runGraph(args: ParsedArgs, io: CliIo, err: Palette): Promise<number> {
  const target = readTarget(args, io, 'graph');
  const point = pointOption(args);
  const format = stringOption(args, 'format') ?? 'dot';
  const output = stringOption(args, 'output');
  const options = engineOptions(args);
  const result = withModuleContext(target.modules, () => computationGraph(target.text, target.functionName, point, options));
  writeDiagnostics(target, result.diagnostics, io, err);
  if (!result.graph) {
    io.stderr.write(`${err.red('gradlens: error:')} ${noResultMessage(target, 'compute the graph of')}\n`);
    return 1;
  }
  let text: string;
  if (format === 'json') text = JSON.stringify(graphToJson(result.graph, target.display, target.index), null, 2) + '\n';
  else if (format === 'svg') text = await graphToSvg(result.graph);
  else text = graphToDot(result.graph);
  emit(text, output, io);
  return 0;
}

/** Writes a result to stdout, or to the --output file. */
function emit(text: string, output: string | undefined, io: CliIo): void {
  if (output === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    fs.writeFileSync(path.resolve(io.cwd, output), text);
  } catch (e) {
    throw new InputError(`cannot write '${output}': ${describeFsError(e)}`);
  }
}

/** The command: this process's arguments, streams and environment (dist/cli.js calls it). */
export function main(): void {
  // A closed pipe (`gradlens codegen … | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}

if (require.main === module && isMainThread) main();
