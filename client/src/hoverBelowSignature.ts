// Gradlens's hover comes after the TypeScript extension's, so the function's signature stays at the
// top of the hover and ours follows it. VS Code orders hover providers by how well their selector
// matches the document (a language named exactly: 10; `*`: 5) and, among equals, newest first: the
// language client's own hover provider (exact languages, registered after TypeScript's) would come
// first. So that one answers nothing (middleware) and this provider, registered for `*` and
// answering only for the languages Gradlens analyses, asks the server the same request.

import type * as vscode from 'vscode';
import { HoverRequest, type LanguageClient, type Middleware } from 'vscode-languageclient/node';

/** Middleware that silences the language client's own hover provider. */
export const silenceDefaultHover: Pick<Middleware, 'provideHover'> = {
  provideHover: () => undefined,
};

/** Registers the hover provider that asks the server, ordered after exact-language providers. */
export function registerHoverBelowSignature(
  api: typeof vscode,
  client: LanguageClient,
  isSupported: (doc: vscode.TextDocument) => boolean,
): vscode.Disposable {
  return api.languages.registerHoverProvider({ language: '*' }, {
    async provideHover(doc, position, token) {
      if (!isSupported(doc) || !client.isRunning()) return undefined;
      const params = client.code2ProtocolConverter.asTextDocumentPositionParams(doc, position);
      const result = await client.sendRequest(HoverRequest.type, params, token);
      return result ? client.protocol2CodeConverter.asHover(result) : undefined;
    },
  });
}
