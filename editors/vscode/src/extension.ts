import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { documentSelector, RESTART_KEYS, serverCommand, serverSettings } from './settings';
import { ServerStatus, StatusBar } from './statusBar';

/** What other extensions (and the end-to-end tests) get from `getExtension('lspllama.lspllama').exports`. */
export interface LspLlamaApi {
  /** Resolves once the server is running (after a restart, too). */
  ready(): Promise<void>;
  /** Sends a request to the running server, for example `lspllama/documentText`. */
  sendRequest<R>(method: string, params: unknown): Promise<R>;
  /** The last status the server reported. */
  status(): ServerStatus | undefined;
}

let client: LanguageClient | undefined;
let starting: Promise<void> | undefined;
let output: vscode.LogOutputChannel;
let statusBar: StatusBar;

export async function activate(context: vscode.ExtensionContext): Promise<LspLlamaApi> {
  output = vscode.window.createOutputChannel('LspLlama', { log: true });
  statusBar = new StatusBar();
  context.subscriptions.push(output, statusBar);

  context.subscriptions.push(
    vscode.commands.registerCommand('lspllama.restart', () => restart()),
    vscode.commands.registerCommand('lspllama.showLog', () => output.show(true)),
    vscode.commands.registerCommand('lspllama.showStatus', () => showStatus()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (RESTART_KEYS.some((key) => e.affectsConfiguration(key))) {
        void restart();
      }
    }),
  );

  starting = start();
  void starting.catch(() => undefined);

  return {
    ready: async () => {
      // Follow restarts: a start that failed and was replaced (say, by a settings change) is not the answer.
      for (;;) {
        const current = starting;
        try {
          await current;
          return;
        } catch (e) {
          if (current === starting) {
            throw e;
          }
        }
      }
    },
    sendRequest: async <R>(method: string, params: unknown) => {
      await starting;
      if (!client) {
        throw new Error('LspLlama: the server is not running');
      }
      return client.sendRequest<R>(method, params);
    },
    status: () => statusBar.status,
  };
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const { command, args } = serverCommand();
  output.info(`starting ${command} ${args.join(' ')}`);
  const executable = { command, args, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: output,
    initializationOptions: () => serverSettings(),
    // Pushes the section with workspace/didChangeConfiguration; the server may also pull it.
    synchronize: { configurationSection: 'lspllama' },
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for `lspllama` with the server's part only.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) => (item.section === 'lspllama' ? serverSettings() : answers[i]));
        },
      },
    },
  };

  const c = new LanguageClient('lspllama', 'LspLlama', serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      statusBar.setPhase('running');
    } else if (e.newState === State.Starting) {
      statusBar.setPhase('starting');
    } else {
      statusBar.setPhase('stopped');
    }
  });
  c.onNotification('lspllama/statusChanged', (status: ServerStatus) => statusBar.update(status));
  client = c;
  statusBar.setPhase('starting');
  try {
    await c.start();
  } catch (e) {
    statusBar.setPhase('failed');
    output.error(`could not start the server: ${String(e)}`);
    void vscode.window
      .showErrorMessage(`LspLlama: could not start the server (${command}).`, 'Show Log', 'Open Settings')
      .then((choice) => {
        if (choice === 'Show Log') {
          output.show(true);
        } else if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'lspllama');
        }
      });
    throw e;
  }
  // Servers without the status request simply leave the bar at its name.
  c.sendRequest<ServerStatus>('lspllama/status', {}).then(
    (status) => status && statusBar.update(status),
    () => undefined,
  );
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.isRunning()) {
    await c.stop(5000).catch((e) => output.warn(`stop: ${String(e)}`));
  }
}

async function restart(): Promise<void> {
  output.info('restarting the server');
  await starting?.catch(() => undefined);
  await stop();
  starting = start();
  await starting.catch(() => undefined);
}

async function showStatus(): Promise<void> {
  const status = statusBar.status;
  const text = status ? JSON.stringify(status, undefined, 2) : 'No status from the server yet.';
  output.info(`status: ${text}`);
  output.show(true);
}
