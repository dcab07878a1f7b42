// Diagnostics GL001–GL009: pulled (textDocument/diagnostic) when the client supports it, else
// pushed (publishDiagnostics, with the analysed version) after each analysis of the current text.

import { DocumentDiagnosticReportKind, type Connection, type DocumentDiagnosticReport } from 'vscode-languageserver';
import type { AnalysisEvent, DocumentAnalysis } from './documentAnalysis';
import { toLspDiagnostics } from './toLsp';

/** How long a pull waits for the analysis of the current version before answering with the last one. */
const PULL_WAIT_MS = 10_000;

export class DiagnosticsChannel {
  constructor(
    private readonly connection: Connection,
    private readonly analysis: DocumentAnalysis,
    private readonly pull: boolean,
    private readonly refreshSupported: boolean,
    private readonly log: (message: string) => void,
  ) {}

  register(): void {
    if (!this.pull) return;
    this.connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
      try {
        const event = await this.analysis.current(params.textDocument.uri, PULL_WAIT_MS, true);
        if (token.isCancellationRequested || !event) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
        return { kind: DocumentDiagnosticReportKind.Full, items: toLspDiagnostics(this.analysis.positionsFor(event), event.diagnostics) };
      } catch (e) {
        this.log(`Gradlens: diagnostics of ${params.textDocument.uri} failed: ${String(e)}`);
        return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      }
    });
  }

  analyzed(event: AnalysisEvent): void {
    if (this.pull) {
      // Clients without refresh support pull after each change; the pull waits for this analysis.
      if (this.refreshSupported && event.current) this.connection.languages.diagnostics.refresh();
      return;
    }
    if (!event.current) return; // a newer version is queued; its analysis will publish
    void this.connection.sendDiagnostics({
      uri: event.uri,
      version: event.version,
      diagnostics: toLspDiagnostics(this.analysis.positionsFor(event), event.diagnostics),
    });
  }

  closed(uri: string): void {
    if (!this.pull) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}
