import * as fs from 'node:fs';
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
 * initializationOptions, pushed with `workspace/didChangeConfiguration` and answered to
 * `workspace/configuration` for the `lspllama` section. A declared default that means "let the
 * server choose" goes as null (the server's own default), never as its placeholder value: a 0
 * read literally would be a zero checkpoint budget. Null also undoes an earlier value.
 */
export function serverSettings(config = vscode.workspace.getConfiguration('lspllama')): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const group of ['model', 'completion', 'checkpoints', 'context', 'log']) {
    const value = config.get<Record<string, unknown>>(group);
    if (value && typeof value === 'object') {
      const set = Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([key, v]) => [key, `${group}.${key}` in UNSET && UNSET[`${group}.${key}`] === v ? null : v]);
      if (set.length > 0) {
        settings[group] = Object.fromEntries(set);
      }
    }
  }
  const model = settings.model as Record<string, unknown> | undefined;
  if (model && typeof model.path === 'string') {
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

/** Where a command name is found: itself when it has a slash, else the first match on PATH. */
export function resolveCommand(command: string, env = process.env): string | undefined {
  const executable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/') || command.includes(path.sep)) {
    return executable(command) ? command : undefined;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter((d) => d)) {
    const candidate = path.join(dir, command);
    if (executable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** Why the server command cannot run, in words for the user; undefined when it can. */
export function commandProblem({ command, args }: ServerCommand): string | undefined {
  if (!resolveCommand(command)) {
    return command === 'dotnet'
      ? '`dotnet` is not on PATH (a .dll server needs the .NET runtime).'
      : `the server command \`${command}\` was not found${command.includes('/') ? '' : ' on PATH'}. ` +
          'Set lspllama.server.path to its absolute path (for example ~/.dotnet/tools/lspllama) ' +
          'or add its folder to PATH.';
  }
  if (command === 'dotnet' && args[0] && !fs.existsSync(args[0])) {
    return `the server ${args[0]} does not exist. Check lspllama.server.path.`;
  }
  return undefined;
}
