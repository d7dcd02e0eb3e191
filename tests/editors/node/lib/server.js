// Starts the LspLlama server over stdio for the Node protocol tests.
// LSPLLAMA_E2E_SERVER: the `lspllama` executable or its .dll; LSPLLAMA_E2E_MODEL: the model file.
'use strict';
const cp = require('node:child_process');
const path = require('node:path');
const url = require('node:url');
const rpc = require('vscode-jsonrpc/node');
const P = require('vscode-languageserver-protocol');

function serverCommand() {
  const server = process.env.LSPLLAMA_E2E_SERVER;
  if (!server) {
    throw new Error('LSPLLAMA_E2E_SERVER is not set (run tests/editors/run.sh)');
  }
  return server.toLowerCase().endsWith('.dll') ? ['dotnet', [server]] : [server, []];
}

function serverSettings() {
  // Greedy decoding, so completions are exact and repeatable.
  const model = process.env.LSPLLAMA_E2E_MODEL;
  return { ...(model ? { model: { path: model } } : {}), completion: { temperature: 0 } };
}

/** The capabilities a client announces; `encodings` is the positionEncodings list. */
function clientCapabilities(encodings = ['utf-16']) {
  return {
    general: { positionEncodings: encodings },
    textDocument: {
      synchronization: { dynamicRegistration: false, didSave: false },
      completion: { completionItem: { snippetSupport: false } },
      inlineCompletion: { dynamicRegistration: false },
    },
    workspace: { configuration: true },
    window: { workDoneProgress: true },
  };
}

async function startServer({ stderr = 'inherit' } = {}) {
  const [command, args] = serverCommand();
  const proc = cp.spawn(command, args, { stdio: ['pipe', 'pipe', stderr] });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  // A server that dies fails the pending requests at once instead of at their timeouts.
  void exited.then(() => setImmediate(() => conn.dispose()));
  const conn = rpc.createMessageConnection(
    new rpc.StreamMessageReader(proc.stdout),
    new rpc.StreamMessageWriter(proc.stdin),
  );
  const notifications = [];
  conn.onNotification((method, params) => notifications.push({ method, params }));
  // Servers may ask for their settings; answer the `lspllama` section.
  conn.onRequest(P.ConfigurationRequest.type, (params) =>
    params.items.map((item) => (item.section === 'lspllama' ? serverSettings() : null)),
  );
  conn.onRequest(P.WorkDoneProgressCreateRequest.type, () => null);
  conn.onRequest(P.RegistrationRequest.type, () => null);
  conn.listen();
  const root = path.resolve(__dirname, '..', '..', 'fixtures');

  return {
    proc,
    conn,
    exited,
    notifications,
    rootUri: url.pathToFileURL(root).href,
    async initialize(encodings) {
      const result = await withTimeout(
        conn.sendRequest(P.InitializeRequest.type, {
          processId: process.pid,
          clientInfo: { name: 'lspllama-node-conformance' },
          rootUri: url.pathToFileURL(root).href,
          workspaceFolders: [{ uri: url.pathToFileURL(root).href, name: 'fixtures' }],
          capabilities: clientCapabilities(encodings),
          initializationOptions: serverSettings(),
        }),
        30000,
        'initialize',
      );
      await conn.sendNotification(P.InitializedNotification.type, {});
      return result;
    },
    async shutdown() {
      await withTimeout(conn.sendRequest(P.ShutdownRequest.type), 10000, 'shutdown');
      await conn.sendNotification(P.ExitNotification.type);
      const status = await withTimeout(exited, 10000, 'server exit');
      conn.dispose();
      return status;
    },
    kill() {
      conn.dispose();
      proc.kill('SIGKILL');
    },
  };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

module.exports = { startServer, serverSettings, withTimeout };
