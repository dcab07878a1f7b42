import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CodegenMode } from '../../engine/api';
import { generateDerivative } from '../../engine/codegen/generate';
import { parseProgram } from '../../engine/program';
import { typeErrors } from './harness';

const ROOT = path.resolve(__dirname, '../../..');
const FILES = ['examples', 'bench/objectives'].flatMap((d) => {
  const dir = path.join(ROOT, d);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f)) : [];
});

describe('codegen: every annotated function of the examples and bench objectives', function () {
  this.timeout(300_000);
  for (const file of FILES) {
    it(path.relative(ROOT, file), () => {
      const text = fs.readFileSync(file, 'utf8');
      for (const f of parseProgram(text).annotated()) {
        for (const mode of ['reverse', 'jvp', 'hessian'] as CodegenMode[]) {
          const r = generateDerivative(text, f.name, mode);
          if (!r.generated) {
            assert.ok(r.diagnostics.some((d) => d.code === 'GL002' && d.message.startsWith('Cannot generate')), `${f.name} ${mode}: ${JSON.stringify(r.diagnostics)}`);
            continue;
          }
          assert.deepStrictEqual(typeErrors(`${text}\n${r.generated.code}`), [], `${f.name} ${mode}:\n${r.generated.code}`);
        }
      }
    });
  }
});
