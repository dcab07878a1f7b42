// Entry point VS Code's extension host loads for the @vscode/test-electron suite: runs the
// *.vscode.js files of this folder with mocha (they are not *.test.js, so the plain node run of
// `npm test` never picks them up: they need the `vscode` module).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false });
  for (const f of readdirSync(__dirname)) if (f.endsWith('.vscode.js')) mocha.addFile(join(__dirname, f));
  return new Promise((ok, fail) => {
    mocha.run((failures) => (failures > 0 ? fail(new Error(`${failures} test(s) failed`)) : ok()));
  });
}
