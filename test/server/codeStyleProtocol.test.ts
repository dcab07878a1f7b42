// The server over stdio decides the style of inserted code per document: the editor's settings
// read through workspace/configuration (section `editor`, scoped to the document), and the
// .editorconfig of the document's folders over them (server/codeStyle.ts).

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TITLES } from '../../server/codeActions';
import { uri } from './fixtures';
import { applyWorkspaceEdit, LspTestClient, positionOf } from './lspClient';

const SOURCE = `/**
 * @differentiable
 * @at x = 1.5, y = -0.5
 */
export function bowl(x: number, y: number): number {
  const r = x * x + y;
  return r * r;
}
`;

describe('server: the style of inserted code', function () {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    client = await LspTestClient.start({ settings: { debounce: 20 }, editor: { tabSize: 3, insertSpaces: true, detectIndentation: false } });
    dir = mkdtempSync(path.join(tmpdir(), 'gradlens-style-protocol-'));
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function insertGradient(u: string): Promise<string> {
    await client.open(u, SOURCE);
    await client.diagnostics(u);
    const at = positionOf(SOURCE, 'bowl(');
    const action = (await client.codeActions(u, { start: at, end: at })).find((a) => a.title === TITLES.reverse);
    assert.ok(action, 'the insert action is offered');
    const resolved = await client.resolve(action);
    assert.ok(resolved.edit, client.stderr.slice(-2000));
    return applyWorkspaceEdit(client.docs.get(u)!, resolved.edit);
  }

  /** The lines of the inserted function's body. */
  function generatedBody(text: string): string[] {
    const start = text.indexOf('function bowlGrad(');
    assert.ok(start > 0, text);
    return text.slice(text.indexOf('{\n', start) + 2, text.indexOf('\n}', start)).split('\n');
  }

  it('reads editor.tabSize / insertSpaces through workspace/configuration, scoped to the document', async () => {
    const u = uri('style');
    const text = await insertGradient(u);
    const asked = client.configurationItems.filter((i) => i.section === 'editor');
    assert.ok(asked.some((i) => i.scopeUri === u), JSON.stringify(client.configurationItems));
    const body = generatedBody(text);
    assert.ok(body.every((l) => /^( {3})+\S/.test(l)), body.join('\n'));
    assert.ok(SOURCE.split('\n').every((l) => text.includes(l)), 'the user\'s code is untouched');
  });

  it('.editorconfig of the document\'s folder wins over the editor settings', async () => {
    writeFileSync(path.join(dir, '.editorconfig'), 'root = true\n\n[*.ts]\nindent_style = tab\n');
    const u = pathToFileURL(path.join(dir, 'bowl.ts')).toString();
    const body = generatedBody(await insertGradient(u));
    assert.ok(body.every((l) => /^\t+\S/.test(l)), body.join('\n'));
  });
});
