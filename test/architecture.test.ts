// The layering rules of the project, checked on the sources: the engine knows nothing of LSP or
// VS Code and does no IO; the server knows nothing of VS Code; only client/ imports `vscode`; no
// product code calls eval.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push(m[1] ?? m[2] ?? m[3]);
  }
  return found;
}

describe('architecture', () => {
  it('engine/ imports no vscode, no LSP, and no IO module', () => {
    const banned = /^(vscode|vscode-languageserver.*|vscode-languageclient.*|vscode-jsonrpc|node:fs|fs|node:net|net|node:http|http|node:https|https|node:child_process|child_process|node:worker_threads)$/;
    for (const f of sources('engine')) {
      for (const i of imports(f)) assert.ok(!banned.test(i), `${path.relative(ROOT, f)} imports ${i}`);
      for (const i of imports(f)) assert.ok(!i.startsWith('../server') && !i.startsWith('../client') && !i.startsWith('../cli'), `${path.relative(ROOT, f)} imports ${i}`);
    }
  });

  it('server/ and cli/ do not import vscode; only client/ does', () => {
    for (const dir of ['server', 'cli', 'engine']) {
      for (const f of sources(dir)) {
        for (const i of imports(f)) assert.notEqual(i, 'vscode', `${path.relative(ROOT, f)} imports vscode`);
        for (const i of imports(f)) assert.ok(!i.includes('/client/') && !i.startsWith('../client'), `${path.relative(ROOT, f)} imports ${i}`);
      }
    }
    assert.ok(sources('client').some((f) => imports(f).includes('vscode')), 'the client is where vscode is imported');
  });

  it('has no import cycle, type-only imports included', () => {
    const files = ['engine', 'server', 'cli', 'client'].flatMap(sources);
    const resolve = (from: string, spec: string): string | null => {
      if (!spec.startsWith('.')) return null;
      const base = path.resolve(path.dirname(from), spec);
      for (const c of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c)) return c;
      return null;
    };
    const graph = new Map(files.map((f) => [f, imports(f).map((i) => resolve(f, i)).filter((x): x is string => x !== null)]));
    // Depth-first search with colours: grey on the stack, black done; a grey neighbour closes a cycle.
    const colour = new Map<string, 'grey' | 'black'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      colour.set(f, 'grey');
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (colour.get(g) === 'grey') {
          const cycle = [...stack.slice(stack.indexOf(g)), g].map((x) => path.relative(ROOT, x));
          assert.fail(`import cycle: ${cycle.join(' → ')}`);
        }
        if (!colour.has(g)) visit(g);
      }
      stack.pop();
      colour.set(f, 'black');
    };
    for (const f of files) if (!colour.has(f)) visit(f);
  });

  it('product code takes the TypeScript compiler\'s module object as it is (`import ts = require(\'typescript\')`)', () => {
    // For each `import ts from 'typescript'` (or `import * as ts`), esbuild wraps the CommonJS
    // module in a copy with a getter per export (2,248 of them): 25 copies cost ~36 ms and ~15 MB
    // at every start of the CLI and of the analysis worker.
    for (const dir of ['engine', 'server', 'client', 'cli']) {
      for (const f of sources(dir)) {
        const text = fs.readFileSync(f, 'utf8');
        assert.ok(!/^\s*(import|export)\s+(?!type\s)[^;]*?from\s+['"]typescript(\/[^'"]*)?['"]|import\(\s*['"]typescript/m.test(text), `${path.relative(ROOT, f)} imports 'typescript' as an ES module`);
      }
    }
  });

  it('no product code calls eval; the only Function constructor is the IR compiler', () => {
    for (const dir of ['engine', 'server', 'client', 'cli']) {
      for (const f of sources(dir)) {
        const text = fs.readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '');
        assert.ok(!/\beval\s*\(/.test(text), `${path.relative(ROOT, f)} calls eval`);
        if (/new Function\s*\(/.test(text)) assert.equal(path.relative(ROOT, f), path.join('engine', 'compileIr.ts'), `${path.relative(ROOT, f)} builds a Function`);
      }
    }
  });
});
