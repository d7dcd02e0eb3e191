import * as vscode from 'vscode';

/**
 * The payload of `lspllama/statusChanged` (and the `lspllama/status` answer). Every field is
 * optional: the bar shows what the server sends and the tooltip lists the rest.
 */
export interface ServerStatus {
  model?: string;
  state?: string;
  contextTokens?: number;
  checkpoints?: { count?: number; bytes?: number };
  contextSize?: number;
  lastSync?: { decodedTokens?: number; idealTokens?: number; ms?: number };
  lastGeneration?: { tokens?: number; ms?: number; fromCache?: string | null };
  message?: string | null;
  [key: string]: unknown;
}

export type ClientPhase = 'starting' | 'running' | 'stopped' | 'failed';

/** One status bar item: the client's phase, then the server's numbers once it reports them. */
export class StatusBar implements vscode.Disposable {
  private readonly _item: vscode.StatusBarItem;
  private _phase: ClientPhase = 'starting';
  private _status: ServerStatus | undefined;

  constructor() {
    this._item = vscode.window.createStatusBarItem('lspllama.status', vscode.StatusBarAlignment.Right, 100);
    this._item.name = 'LspLlama';
    this._item.command = 'lspllama.showLog';
    this.render();
    this._item.show();
  }

  setPhase(phase: ClientPhase): void {
    this._phase = phase;
    if (phase !== 'running') {
      this._status = undefined;
    }
    this.render();
  }

  update(status: ServerStatus): void {
    this._status = { ...this._status, ...status };
    this.render();
  }

  get status(): ServerStatus | undefined {
    return this._status;
  }

  dispose(): void {
    this._item.dispose();
  }

  private render(): void {
    const item = this._item;
    item.backgroundColor = undefined;
    switch (this._phase) {
      case 'starting':
        item.text = '$(loading~spin) LspLlama';
        item.tooltip = 'LspLlama: starting the server';
        return;
      case 'stopped':
        item.text = '$(circle-slash) LspLlama';
        item.tooltip = 'LspLlama: server stopped (click for the log)';
        return;
      case 'failed':
        item.text = '$(error) LspLlama';
        item.tooltip = 'LspLlama: the server failed (click for the log)';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        return;
      case 'running':
        item.text = `$(sparkle) ${formatSummary(this._status)}`;
        item.tooltip = formatTooltip(this._status);
        return;
    }
  }
}

/** The short text: context tokens, checkpoints, last latency, as far as the server reported them. */
export function formatSummary(status: ServerStatus | undefined): string {
  const parts = ['LspLlama'];
  if (status?.state && status.state !== 'ready') {
    parts.push(status.state);
  }
  if (status?.contextTokens !== undefined) {
    parts.push(`${formatCount(status.contextTokens)} tok`);
  }
  if (status?.checkpoints?.count !== undefined) {
    const bytes = status.checkpoints.bytes;
    parts.push(`${status.checkpoints.count} ckpt${bytes !== undefined ? ` ${formatBytes(bytes)}` : ''}`);
  }
  const latency = latencyMs(status);
  if (latency !== undefined) {
    parts.push(`${Math.round(latency)} ms`);
  }
  return parts.join(' · ');
}

function formatTooltip(status: ServerStatus | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString('**LspLlama** (click for the server log)\n\n');
  if (!status) {
    md.appendMarkdown('No status from the server yet.');
    return md;
  }
  md.appendCodeblock(JSON.stringify(status, undefined, 2), 'json');
  return md;
}

/** The last request's cost: the sync before generating plus the generation. */
function latencyMs(status: ServerStatus | undefined): number | undefined {
  const g = status?.lastGeneration?.ms;
  const s = status?.lastSync?.ms;
  return g === undefined && s === undefined ? undefined : (g ?? 0) + (s ?? 0);
}

export function formatCount(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : `${n}`;
}

export function formatBytes(n: number): string {
  const mib = n / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(mib >= 100 ? 0 : 1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
