// Protocol conformance of the LspLlama server, driven by the same protocol library VS Code's
// client uses. Run by tests/editors/run.sh node (it sets LSPLLAMA_E2E_SERVER and the switches).
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const url = require('node:url');
const rpc = require('vscode-jsonrpc/node');
const P = require('vscode-languageserver-protocol');
const { startServer, withTimeout } = require('./lib/server');
const { TextDoc, seeded } = require('./lib/textdoc');

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
// Completion tests run only when run.sh found the server advertising them (or was told to).
const INLINE = process.env.LSPLLAMA_E2E_INLINE === '1';
const COMPLETION = process.env.LSPLLAMA_E2E_COMPLETION === '1';
const DOCUMENT_TEXT = 'lspllama/documentText';

function fixture(name, encoding) {
  const file = path.join(FIXTURES, name);
  return new TextDoc(url.pathToFileURL(file).href, fs.readFileSync(file, 'utf8'), encoding);
}

/** Runs `body(server, init)` against a fresh, initialized server, and always stops it. */
async function withServer(encodings, body) {
  const server = await startServer();
  try {
    const init = await server.initialize(encodings);
    await body(server, init);
  } finally {
    server.kill();
  }
}

function negotiated(init) {
  return init.capabilities.positionEncoding ?? 'utf-16';
}

async function serverText(server, doc) {
  return withTimeout(server.conn.sendRequest(DOCUMENT_TEXT, { uri: doc.uri }), 10000, DOCUMENT_TEXT);
}

async function assertInSync(server, doc, when) {
  const got = await serverText(server, doc);
  assert.equal(got.text, doc.text, `server text differs ${when}`);
  assert.equal(got.version, doc.version, `server version differs ${when}`);
}

for (const encodings of [['utf-16'], ['utf-8', 'utf-16']]) {
  test(`lifecycle: initialize, encoding from [${encodings}], incremental sync, shutdown, exit 0`, async () => {
    const server = await startServer();
    try {
      const init = await server.initialize(encodings);
      const caps = init.capabilities;
      assert.ok(encodings.includes(negotiated(init)), `positionEncoding ${caps.positionEncoding} was not offered`);
      const sync = typeof caps.textDocumentSync === 'number' ? caps.textDocumentSync : caps.textDocumentSync?.change;
      assert.equal(sync, P.TextDocumentSyncKind.Incremental, 'textDocumentSync.change must be incremental (2)');
      if (typeof caps.textDocumentSync === 'object') {
        assert.equal(caps.textDocumentSync.openClose, true, 'openClose must be true');
      }
      const status = await server.shutdown();
      assert.deepEqual(status, { code: 0, signal: null });
    } finally {
      server.kill();
    }
  });

  test(`sync: random edits, several per notification, documentText equals the client (${encodings})`, async () => {
    await withServer(encodings, async (server, init) => {
      const encoding = negotiated(init);
      const doc = fixture('A.cs', encoding);
      await server.conn.sendNotification(P.DidOpenTextDocumentNotification.type, doc.openParams());
      await assertInSync(server, doc, 'after didOpen');
      const rng = seeded(encoding === 'utf-8' ? 8 : 16);
      for (let n = 0; n < 60; n++) {
        await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, doc.randomEdit(rng, 1 + (n % 4)));
        if (n % 6 === 5) {
          await assertInSync(server, doc, `after notification ${n} (${encoding})`);
        }
      }
      await assertInSync(server, doc, `at the end (${encoding})`);
    });
  });
}

test('sync: full-text changes, mixed changes, several documents, close', async () => {
  await withServer(['utf-16'], async (server, init) => {
    const encoding = negotiated(init);
    const a = fixture('A.cs', encoding);
    const b = fixture('B.cs', encoding);
    for (const doc of [a, b]) {
      await server.conn.sendNotification(P.DidOpenTextDocumentNotification.type, doc.openParams());
    }
    // Typing, one character per notification, as editors send it.
    const line = a.text.indexOf('        \n    }\n}') + 8;
    for (const [i, ch] of [...'Console.WriteLine(message);'].entries()) {
      await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, a.apply([a.change(line + i, line + i, ch)]));
    }
    // A full-text change, then a ranged one in the same notification.
    b.text = b.text.replace('++_count', '_count += 2');
    await server.conn.sendNotification(
      P.DidChangeTextDocumentNotification.type,
      b.apply([{ text: b.text }, b.change(0, 0, '// top\n')]),
    );
    await assertInSync(server, a, 'after typing');
    await assertInSync(server, b, 'after a full change');
    await server.conn.sendNotification(P.DidCloseTextDocumentNotification.type, { textDocument: { uri: b.uri } });
    await assert.rejects(serverText(server, b), rpc.ResponseError, 'documentText of a closed document must fail');
    await assertInSync(server, a, 'after closing another document');
  });
});

test('bad input: unknown document and method get errors, the server keeps its documents', async () => {
  await withServer(['utf-16'], async (server, init) => {
    const a = fixture('A.cs', negotiated(init));
    await server.conn.sendNotification(P.DidOpenTextDocumentNotification.type, a.openParams());
    const ghost = { uri: url.pathToFileURL(path.join(FIXTURES, 'missing.cs')).href };
    await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, {
      textDocument: { ...ghost, version: 2 },
      contentChanges: [{ text: 'nothing' }],
    });
    await assert.rejects(server.conn.sendRequest(DOCUMENT_TEXT, ghost), rpc.ResponseError);
    await assert.rejects(server.conn.sendRequest('lspllama/noSuchMethod', {}), (e) => {
      assert.equal(e.code, rpc.ErrorCodes.MethodNotFound);
      return true;
    });
    await server.conn.sendNotification('workspace/didChangeConfiguration', { settings: { lspllama: {} } });
    await assertInSync(server, a, 'after bad input');
  });
});

test('shutdown: notifications after shutdown are ignored, then exit 0', async () => {
  const server = await startServer();
  try {
    const init = await server.initialize(['utf-16']);
    const a = fixture('A.cs', negotiated(init));
    await server.conn.sendNotification(P.DidOpenTextDocumentNotification.type, a.openParams());
    await withTimeout(server.conn.sendRequest(P.ShutdownRequest.type), 10000, 'shutdown');
    // VS Code sends a didChange after shutdown.
    await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, a.apply([a.change(0, 0, 'x')]));
    await server.conn.sendNotification(P.ExitNotification.type);
    assert.deepEqual(await withTimeout(server.exited, 10000, 'exit'), { code: 0, signal: null });
  } finally {
    server.kill();
  }
});

test('exit without shutdown exits with code 1', async () => {
  const server = await startServer();
  try {
    await server.initialize(['utf-16']);
    await server.conn.sendNotification(P.ExitNotification.type);
    assert.deepEqual(await withTimeout(server.exited, 10000, 'exit'), { code: 1, signal: null });
  } finally {
    server.kill();
  }
});

/** Opens A.cs with a cursor after `Console.` in Main, the place the completion tests ask at. */
async function openWithCursor(server, init) {
  const a = fixture('A.cs', negotiated(init));
  await server.conn.sendNotification(P.DidOpenTextDocumentNotification.type, a.openParams());
  const at = a.text.indexOf('        \n    }\n}') + 8;
  await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, a.apply([a.change(at, at, 'Console.')]));
  const change = a.change(at + 'Console.'.length, at + 'Console.'.length, '');
  return { doc: a, position: change.range.start, offset: at + 'Console.'.length };
}

function inlineParams(doc, position) {
  return {
    textDocument: { uri: doc.uri },
    position,
    context: { triggerKind: P.InlineCompletionTriggerKind.Invoked },
  };
}

test('cancellation: a cancelled request is answered (result or RequestCancelled) and the server goes on', async (t) => {
  await withServer(['utf-16'], async (server, init) => {
    const caps = init.capabilities;
    const method = caps.inlineCompletionProvider
      ? P.InlineCompletionRequest.type
      : caps.completionProvider
        ? P.CompletionRequest.type
        : undefined;
    if (!method) {
      t.skip('the server advertises no cancellable request (no completion provider yet)');
      return;
    }
    const { doc, position } = await openWithCursor(server, init);
    const source = new rpc.CancellationTokenSource();
    const pending = server.conn.sendRequest(method, inlineParams(doc, position), source.token);
    source.cancel();
    try {
      await withTimeout(pending, 30000, 'cancelled request');
    } catch (e) {
      assert.ok(e instanceof rpc.ResponseError, `unexpected failure ${e}`);
      assert.equal(e.code, P.LSPErrorCodes.RequestCancelled);
    }
    await assertInSync(server, doc, 'after a cancelled request');
  });
});

/** Completion texts at the cursor, by kind; greedy decoding makes them exact and repeatable. */
async function completionTexts(server, kind, doc, position) {
  if (kind === 'inline') {
    const r = await withTimeout(server.conn.sendRequest(P.InlineCompletionRequest.type, inlineParams(doc, position)), 60000, 'inline');
    const items = Array.isArray(r) ? r : r?.items ?? [];
    for (const item of items) {
      const text = typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
      assert.equal(typeof text, 'string');
      if (item.range) {
        assert.ok(item.range.start.line <= position.line && item.range.end.line >= position.line, 'range must hold the cursor');
      }
    }
    return items.map((i) => (typeof i.insertText === 'string' ? i.insertText : i.insertText.value));
  }
  const r = await withTimeout(
    server.conn.sendRequest(P.CompletionRequest.type, { textDocument: { uri: doc.uri }, position, context: { triggerKind: 1 } }),
    60000,
    'completion',
  );
  const items = Array.isArray(r) ? r : r?.items ?? [];
  for (const item of items) {
    assert.equal(typeof item.label, 'string');
  }
  return items.map((i) => i.textEdit?.newText ?? i.insertText ?? i.label);
}

for (const [kind, enabled] of [['inline', INLINE], ['completion', COMPLETION]]) {
  test(`completions (${kind}): non-empty, repeatable, unchanged after an edit elsewhere is undone`, { skip: !enabled && `LSPLLAMA_E2E_${kind.toUpperCase()} is off (run.sh turns it on when the server advertises it)` }, async () => {
    await withServer(['utf-16'], async (server, init) => {
      const { doc, position } = await openWithCursor(server, init);
      const first = await completionTexts(server, kind, doc, position);
      assert.ok(first.length > 0 && first[0].length > 0, `no ${kind} completion at the cursor`);
      assert.deepEqual(await completionTexts(server, kind, doc, position), first, 'same request, same answer');
      // An edit above the cursor, then its undo: the model rolls back and must answer the same.
      const top = doc.text.indexOf('public static class');
      await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, doc.apply([doc.change(top, top, '// edit\n')]));
      await completionTexts(server, kind, doc, { line: position.line + 1, character: position.character });
      await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, doc.apply([doc.change(top, top + 8, '')]));
      assert.deepEqual(await completionTexts(server, kind, doc, position), first, 'answer after edit and undo');
    });
  });
}

// The first-day check every editor suite runs: default settings, 20 characters typed on the blank
// line in Main with a suggestion asked after each. No message; the checkpoint count is written for
// run.sh, which compares it with the editors'.
// The idle prefill runs 300 ms after an edit; asking only after it ran makes the order of syncs,
// and so the checkpoints, the same in every editor, whatever its own delays.
const PREFILL_WAIT_MS = 450;

test('typing 20 characters with default settings: no message, checkpoints counted', { skip: !INLINE && 'LSPLLAMA_E2E_INLINE is off' }, async () => {
  await withServer(['utf-16'], async (server) => {
    // In $LSPLLAMA_E2E_WORK/ws, where the editors' suites open it: the file's path is in the prompt.
    const ws = path.join(process.env.LSPLLAMA_E2E_WORK ?? FIXTURES, 'ws');
    fs.mkdirSync(ws, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, 'A.cs'), path.join(ws, 'A.cs'));
    const file = path.join(ws, 'A.cs');
    const doc = new TextDoc(url.pathToFileURL(file).href, fs.readFileSync(file, 'utf8'), 'utf-16');
    await server.conn.sendNotification(P.DidOpenTextDocumentNotification.type, doc.openParams());
    const blank = doc.text.indexOf('        \n    }') + 8;
    const typed = 'Console.WriteLine(x)';
    for (let i = 0; i < typed.length; i++) {
      await server.conn.sendNotification(P.DidChangeTextDocumentNotification.type, doc.apply([doc.change(blank + i, blank + i, typed[i])]));
      await new Promise((resolve) => setTimeout(resolve, PREFILL_WAIT_MS));
      await withTimeout(server.conn.sendRequest(P.InlineCompletionRequest.type, {
        textDocument: { uri: doc.uri }, position: { line: 15, character: 9 + i }, context: { triggerKind: 2 },
      }), 20000, 'inline completion');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const messages = server.notifications.filter((n) => n.method === 'window/showMessage');
    assert.deepEqual(messages, [], 'typing showed messages');
    const status = await server.conn.sendRequest('lspllama/status', {});
    if (process.env.LSPLLAMA_E2E_WORK) {
      fs.writeFileSync(path.join(process.env.LSPLLAMA_E2E_WORK, 'checkpoints.node'), `${status.checkpoints.count}\n`);
    }
  });
});
