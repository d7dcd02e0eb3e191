import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  MessageType,
  ShowMessageNotification,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { commandProblem, documentSelector, RESTART_KEYS, serverCommand, serverSettings } from './settings';
import { formatStatusLines, ServerStatus, StatusBar } from './statusBar';

/** What other extensions (and the end-to-end tests) get from `getExtension('lspllama.lspllama').exports`. */
export interface LspLlamaApi {
  /** Resolves once the server is running (after a restart, too). */
  ready(): Promise<void>;
  /** Sends a request to the running server, for example `lspllama/documentText`. */
  sendRequest<R>(method: string, params: unknown): Promise<R>;
  /** The last status the server reported. */
  status(): ServerStatus | undefined;
  /** Every message shown to the user so far (the server's and the extension's), oldest first. */
  messages(): { type: 'error' | 'warning' | 'info'; text: string }[];
  /** What the status bar item shows now, and whether it has the error colour. */
  statusBar(): { text: string; error: boolean; warning: boolean };
}

let client: LanguageClient | undefined;
let starting: Promise<void> | undefined;
let output: vscode.LogOutputChannel;
let statusBar: StatusBar;
const shownMessages: { type: 'error' | 'warning' | 'info'; text: string }[] = [];

/** Shows a message and keeps it for the API; the buttons are offered with errors. */
function show(type: 'error' | 'warning' | 'info', text: string): void {
  shownMessages.push({ type, text });
  const buttons = type === 'info' ? [] : ['Show Log', 'Open Settings'];
  const showIt = type === 'error' ? vscode.window.showErrorMessage : type === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void showIt(text, ...buttons).then((choice) => {
    if (choice === 'Show Log') {
      output.show(true);
    } else if (choice === 'Open Settings') {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'lspllama');
    }
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<LspLlamaApi> {
  output = vscode.window.createOutputChannel('LspLlama', { log: true });
  statusBar = new StatusBar();
  context.subscriptions.push(output, statusBar);

  context.subscriptions.push(
    vscode.commands.registerCommand('lspllama.restart', () => restart()),
    vscode.commands.registerCommand('lspllama.showLog', () => output.show(true)),
    vscode.commands.registerCommand('lspllama.showStatus', () => showStatus()),
    vscode.commands.registerCommand('lspllama.doctor', () => doctor()),
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
    messages: () => [...shownMessages],
    statusBar: () => statusBar.shown,
  };
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const { command, args } = serverCommand();
  output.info(`starting ${command} ${args.join(' ')}`);
  // Checked before starting: a missing program would only surface as ENOENT in the log.
  const problem = commandProblem({ command, args });
  if (problem) {
    client = undefined;
    statusBar.setPhase('failed', problem);
    output.error(problem);
    show('error', `LspLlama: ${problem}`);
    throw new Error(problem);
  }
  const executable = { command, args, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: output,
    initializationOptions: () => serverSettings(),
    // Pushes the section with workspace/didChangeConfiguration; the server may also pull it.
    synchronize: { configurationSection: 'lspllama' },
    middleware: {
      // VS Code shows the server's suggestion as ghost text (inline completion); the same text in
      // the completion list would show it twice. Without inline suggestions the list offers it.
      provideCompletionItem: (document, position, context, token, next) =>
        vscode.workspace.getConfiguration('editor', document).get<boolean>('inlineSuggest.enabled', true)
          ? undefined
          : next(document, position, context, token),
      workspace: {
        // The push carries the server's settings, not the raw section with its placeholders.
        didChangeConfiguration: async () => {
          await client?.sendNotification(DidChangeConfigurationNotification.type, { settings: { lspllama: serverSettings() } });
        },
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
  // Replaces the client's own handler, so the messages are kept for the API as well.
  c.onNotification(ShowMessageNotification.type, (m) =>
    show(m.type === MessageType.Error ? 'error' : m.type === MessageType.Warning ? 'warning' : 'info', m.message),
  );
  client = c;
  statusBar.setPhase('starting');
  try {
    await c.start();
  } catch (e) {
    statusBar.setPhase('failed', `could not start ${command}: ${String(e)}`);
    output.error(`could not start the server: ${String(e)}`);
    show('error', `LspLlama: could not start the server (${command}): ${String(e)}`);
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
  const lines = status ? formatStatusLines(status) : ['no status from the server yet'];
  output.info(`status:\n  ${lines.join('\n  ')}`);
  output.show(true);
}

/** `lspllama doctor` with this window's server command and model: what works and what does not. */
async function doctor(): Promise<void> {
  const { command, args } = serverCommand();
  const problem = commandProblem({ command, args });
  if (problem) {
    show('error', `LspLlama doctor: ${problem}`);
    return;
  }
  const model = serverSettings().model as { path?: string | null } | undefined;
  const doctorArgs = [...args, 'doctor', ...(model?.path ? ['--model', model.path] : [])];
  const code = await new Promise<number>((resolve) => {
    execFile(command, doctorArgs, { timeout: 120_000 }, (error, stdout, stderr) => {
      output.info(`${command} ${doctorArgs.join(' ')}\n${stdout}${stderr}`);
      resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0);
    });
  });
  output.show(true);
  show(code === 0 ? 'info' : 'error', code === 0 ? 'LspLlama doctor: everything works (details in the log).' : 'LspLlama doctor found problems: see the LspLlama log.');
}
