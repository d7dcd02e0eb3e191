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

  private _problem: string | undefined;

  /** `problem`: why the client failed (shown in the tooltip until the next start). */
  setPhase(phase: ClientPhase, problem?: string): void {
    this._phase = phase;
    this._problem = phase === 'failed' ? problem : undefined;
    if (phase !== 'running') {
      this._status = undefined;
    }
    this.render();
  }

  /** Each report is whole: a field the server left out (a message gone) is gone here too. */
  update(status: ServerStatus): void {
    this._status = status;
    this.render();
  }

  /** What the bar shows now, for tests: its text, and whether it has the error colour. */
  get shown(): { text: string; error: boolean; warning: boolean } {
    const bg = this._item.backgroundColor as vscode.ThemeColor | undefined;
    const id = (bg as unknown as { id?: string } | undefined)?.id;
    return { text: this._item.text, error: id === 'statusBarItem.errorBackground', warning: id === 'statusBarItem.warningBackground' };
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
        item.text = '$(error) LspLlama · no server';
        item.tooltip = `LspLlama: ${this._problem ?? 'the server failed'} (click for the log)`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        return;
      case 'running': {
        // A model error stays in the error colour until a status says otherwise (a fixed setting).
        const state = this._status?.state;
        item.text = `${state === 'error' ? '$(error)' : state === 'noModel' ? '$(warning)' : '$(sparkle)'} ${formatSummary(this._status)}`;
        item.tooltip = formatTooltip(this._status);
        if (state === 'error') {
          item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        } else if (state === 'noModel') {
          item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        }
        return;
      }
    }
  }
}

/** The short text: context tokens, checkpoints, last latency, as far as the server reported them. */
export function formatSummary(status: ServerStatus | undefined): string {
  const parts = ['LspLlama'];
  if (status?.state && status.state !== 'ready') {
    parts.push(status.state === 'noModel' ? 'no model' : status.state);
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
  md.appendMarkdown(formatStatusLines(status).map((l) => `${l}  \n`).join(''));
  return md;
}

/** The status in words, one fact per line (the tooltip and the Show Status command). */
export function formatStatusLines(status: ServerStatus): string[] {
  const lines = [`state: ${status.state ?? 'unknown'}`];
  if (status.message) {
    lines.push(`message: ${status.message}`);
  }
  const model = status.model as { path?: string; architecture?: string } | string | undefined;
  if (model) {
    lines.push(`model: ${typeof model === 'string' ? model : `${model.path} (${model.architecture})`}`);
  }
  if (typeof status.memoryKind === 'string') {
    lines.push(`memory: ${status.memoryKind}, checkpoint policy ${String(status.policy ?? '?')}`);
  }
  if (status.contextTokens !== undefined) {
    lines.push(`context: ${formatCount(status.contextTokens)} of ${formatCount(status.contextSize ?? 0)} tokens`);
  }
  if (status.checkpoints?.count !== undefined) {
    lines.push(`checkpoints: ${status.checkpoints.count} (${formatBytes(status.checkpoints.bytes ?? 0)})`);
  }
  const sync = status.lastSync;
  if (sync?.ms !== undefined) {
    lines.push(`last sync: decoded ${sync.decodedTokens ?? 0} tokens (ideal ${sync.idealTokens ?? 0}) in ${Math.round(sync.ms)} ms`);
  }
  const gen = status.lastGeneration;
  if (gen?.ms !== undefined) {
    lines.push(`last suggestion: ${gen.fromCache ? `from the cache (${gen.fromCache})` : `${gen.tokens ?? 0} tokens in ${Math.round(gen.ms)} ms`}`);
  }
  return lines;
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
