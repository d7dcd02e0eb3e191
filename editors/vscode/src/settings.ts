import * as path from 'node:path';
import * as vscode from 'vscode';

/** How the server process is started, read from the `lspllama.server.*` settings. */
export interface ServerCommand {
  command: string;
  args: string[];
}

/** Settings that only the extension uses; everything else in the section goes to the server. */
const CLIENT_ONLY = new Set(['server', 'languages', 'trace']);

/** Declared defaults that stand for "the server's own default". */
const UNSET: Record<string, unknown> = {
  'model.path': '',
  'model.contextSize': 0,
  'model.gpuLayers': -1,
  'completion.maxTokens': 0,
  'checkpoints.maxMemoryMiB': 0,
};

/** Settings whose change needs a new server process rather than a configuration update. */
export const RESTART_KEYS = ['lspllama.server', 'lspllama.languages'];

export function serverCommand(config = vscode.workspace.getConfiguration('lspllama')): ServerCommand {
  const configured = expandHome(config.get<string>('server.path', 'lspllama').trim() || 'lspllama');
  const extra = config.get<string[]>('server.args', []);
  // A framework-dependent build is a .dll: run it with the dotnet host.
  if (configured.toLowerCase().endsWith('.dll')) {
    return { command: 'dotnet', args: [configured, ...extra] };
  }
  return { command: configured, args: extra };
}

/**
 * The server's settings: the `lspllama` section without the client-only keys, as a plain object
 * (`{ model: { path, contextSize }, completion: {...}, checkpoints: {...} }`). Sent as
 * initializationOptions and answered to `workspace/configuration` for the `lspllama` section.
 */
export function serverSettings(config = vscode.workspace.getConfiguration('lspllama')): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const group of ['model', 'completion', 'checkpoints', 'context', 'log']) {
    const value = config.get<Record<string, unknown>>(group);
    if (value && typeof value === 'object') {
      // Declared defaults that mean "let the server choose" are left out.
      const set = Object.entries(value).filter(([key, v]) => v !== null && v !== undefined && UNSET[`${group}.${key}`] !== v);
      if (set.length > 0) {
        settings[group] = Object.fromEntries(set);
      }
    }
  }
  const model = settings.model as Record<string, unknown> | undefined;
  if (model && typeof model.path === 'string' && model.path) {
    model.path = expandHome(model.path);
  }
  for (const key of Object.keys(settings)) {
    if (CLIENT_ONLY.has(key)) {
      delete settings[key];
    }
  }
  return settings;
}

export function documentSelector(config = vscode.workspace.getConfiguration('lspllama')) {
  const languages = config.get<string[]>('languages', []);
  const schemes = ['file', 'untitled'];
  if (languages.length === 0) {
    return schemes.map((scheme) => ({ scheme }));
  }
  return schemes.flatMap((scheme) => languages.map((language) => ({ scheme, language })));
}

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) {
    return path.join(process.env.HOME ?? '', p.slice(1));
  }
  return p;
}
