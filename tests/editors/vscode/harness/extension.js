// Test-only extension: drives the installed LspLlama extension in a real VS Code (code-server in
// headless Chromium). Edits documents the way a user does (the `type` command, editor edits,
// undo) and checks that the server's copy (`lspllama/documentText`) equals the editor's. With
// LSPLLAMA_E2E_INLINE=1 it triggers and commits an inline suggestion; with LSPLLAMA_E2E_COMPLETION=1 it checks the
// completion list. Writes "DONE OK" or "DONE FAIL ..." to $E2E_RESULT.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const RESULT = process.env.E2E_RESULT;
const log = [];
const started = Date.now();

function note(line) {
  log.push(`${line} (+${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (RESULT) {
    fs.writeFileSync(`${RESULT}.log`, log.join('\n') + '\n');
  }
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value; fails with `what()` after `ms`. */
async function waitFor(probe, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timeout: ${typeof what === 'function' ? what() : what}`);
    }
    await delay(50);
  }
}

let api;
let checks = 0;

async function assertInSync(doc, when) {
  let last;
  await waitFor(
    async () => {
      last = await api.sendRequest('lspllama/documentText', { uri: doc.uri.toString() });
      return last.text === doc.getText() && last.version === doc.version;
    },
    10000,
    () => `server differs ${when}: version ${last?.version} vs ${doc.version}\n--- server\n${last?.text}\n--- editor\n${doc.getText()}`,
  );
  checks++;
  note(`in sync ${when} (version ${doc.version})`);
}

async function open(name) {
  const folder = vscode.workspace.workspaceFolders[0].uri;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, name));
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor };
}

function lineEnd(doc, needle) {
  const at = doc.getText().indexOf(needle);
  if (at < 0) {
    throw new Error(`fixture text not found: ${needle}`);
  }
  return doc.lineAt(doc.positionAt(at).line).range.end;
}

async function syncTests() {
  const { doc: a, editor } = await open('A.cs');
  await assertInSync(a, 'after open');

  // Typing, as the keyboard does it (the `type` command), on the empty line in Main.
  const blank = lineEnd(a, '        \n    }');
  editor.selection = new vscode.Selection(blank, blank);
  for (const text of ['Console.', 'WriteLine(message);', '\n', '// grüße 😀 done']) {
    await vscode.commands.executeCommand('type', { text });
  }
  if (!a.getText().includes('Console.WriteLine(message);')) {
    throw new Error(`typing did not reach the document:\n${a.getText()}`);
  }
  await assertInSync(a, 'after typing');

  // One edit with several changes, a deletion, undo.
  await editor.edit((e) => {
    e.insert(new vscode.Position(0, 0), '// head é\n');
    e.replace(new vscode.Range(lineEnd(a, 'public static class').translate(0, -7), lineEnd(a, 'public static class')), 'Welcomer');
    e.insert(a.lineAt(a.lineCount - 1).range.end, '// tail 😀\n');
  });
  await assertInSync(a, 'after a multi-change edit');
  editor.selection = new vscode.Selection(3, 0, 3, 0);
  await vscode.commands.executeCommand('editor.action.deleteLines');
  await assertInSync(a, 'after deleting a line');
  await vscode.commands.executeCommand('undo');
  await vscode.commands.executeCommand('undo');
  await assertInSync(a, 'after undo');

  const { doc: b } = await open('B.cs');
  const edit = new vscode.WorkspaceEdit();
  edit.insert(b.uri, new vscode.Position(0, 0), '// added in B 😀\n');
  edit.replace(b.uri, new vscode.Range(lineEnd(b, '_count = 0;').translate(0, -11), lineEnd(b, '_count = 0;')), '_count = -1;');
  await vscode.workspace.applyEdit(edit);
  await assertInSync(b, 'B after a workspace edit');
  await assertInSync(a, 'A untouched by edits in B');
  return a;
}

/** The document text after `item` replaces its range (or is inserted at `position`). */
function textAfter(doc, item, position) {
  const text = typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
  const range = item.range
    ? new vscode.Range(item.range.start.line, item.range.start.character, item.range.end.line, item.range.end.character)
    : new vscode.Range(position, position);
  const all = doc.getText();
  return all.slice(0, doc.offsetAt(range.start)) + text + all.slice(doc.offsetAt(range.end));
}

async function inlineTest(a) {
  const editor = await vscode.window.showTextDocument(a);
  const end = lineEnd(a, 'Console.WriteLine(message);');
  await editor.edit((e) => e.insert(end, '\n        Console.'));
  const cursor = a.lineAt(end.line + 1).range.end;
  editor.selection = new vscode.Selection(cursor, cursor);
  await assertInSync(a, 'before the inline suggestion');
  const answer = await api.sendRequest('textDocument/inlineCompletion', {
    textDocument: { uri: a.uri.toString() },
    position: { line: cursor.line, character: cursor.character },
    context: { triggerKind: 1 },
  });
  const items = Array.isArray(answer) ? answer : answer?.items ?? [];
  if (items.length === 0) {
    throw new Error('the server offered no inline completion');
  }
  const expected = textAfter(a, items[0], cursor);
  // VS Code shows the suggestion asynchronously and has no API to read it: trigger, then commit
  // until the document holds the suggestion.
  await waitFor(
    async () => {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await delay(300);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      return a.getText() === expected;
    },
    60000,
    () => `the committed suggestion differs:\n${a.getText()}\n--- expected\n${expected}`,
  );
  note('inline suggestion committed');
  await assertInSync(a, 'after committing the inline suggestion');
}

/**
 * The first-day check shared by every editor suite: with default settings, type 20 characters on
 * the blank line in Main, asking for a suggestion after each; no message may show, and the
 * checkpoint count goes to $LSPLLAMA_E2E_WORK/checkpoints.vscode for run.sh to compare.
 */
async function typingTest() {
  const { doc: a, editor } = await open('A.cs');
  const blank = lineEnd(a, '        \n    }');
  editor.selection = new vscode.Selection(blank, blank);
  const before = api.messages().length;
  // The test asks after each character itself: VS Code's own inline requests would race with
  // them (a request superseded mid-sync leaves other checkpoints), and the counts must compare.
  // (run-vscode.sh starts with them off: turning them off here would open the settings file,
  // a document the server would then hold too.)
  if (vscode.workspace.getConfiguration('editor').get('inlineSuggest.enabled')) {
    throw new Error('inline suggestions must be off until the typing test is done');
  }
  for (const ch of TYPED) {
    await vscode.commands.executeCommand('type', { text: ch });
    await assertInSync(a, `after typing '${ch}'`);
    // After the idle prefill (300 ms after an edit): the syncs then come in the same order in every editor.
    await delay(450);
    const cursor = editor.selection.active;
    await api.sendRequest('textDocument/inlineCompletion', {
      textDocument: { uri: a.uri.toString() },
      position: { line: cursor.line, character: cursor.character },
      context: { triggerKind: 2 },
    });
  }
  await delay(500); // a message would come after the answers
  const shown = api.messages().slice(before);
  if (shown.length > 0) {
    throw new Error(`typing showed messages: ${JSON.stringify(shown)}`);
  }
  const status = await api.sendRequest('lspllama/status', {});
  const count = status.checkpoints.count;
  if (process.env.LSPLLAMA_E2E_WORK) {
    fs.writeFileSync(path.join(process.env.LSPLLAMA_E2E_WORK, 'checkpoints.vscode'), `${count}\n`);
  }
  note(`typed ${TYPED.length} characters: no message, ${count} checkpoints`);
  // Back to the fixture's text, so the other tests start where the other editors' do.
  await editor.edit((e) => e.delete(new vscode.Range(blank, editor.selection.active)));
  await assertInSync(a, 'after taking the typed text out');
}

/** The same 20 characters every editor suite types (tests/editors/README.md). */
const TYPED = 'Console.WriteLine(x)';

/** A bad model path set in the settings, then a missing server: each shows a message and the bar its error. */
/** LspLlama: Check the Set-up runs `lspllama doctor` with this window's command and model, and says what it found. */
async function doctorTest(expect) {
  const before = api.messages().length;
  await vscode.commands.executeCommand('lspllama.doctor');
  const verdict = await waitFor(() => api.messages().slice(before).find((m) => m.text.includes('doctor')), 120000,
    () => `the doctor said nothing: ${JSON.stringify(api.messages().slice(before))}`);
  if (verdict.type !== expect) {
    throw new Error(`the doctor said "${verdict.text}" (${verdict.type}), expected ${expect}`);
  }
  note(`doctor: "${verdict.text}"`);
}

async function errorTests() {
  const config = () => vscode.workspace.getConfiguration('lspllama');
  const model = config().get('model.path');
  const bad = path.join(path.dirname(model || '/tmp'), 'no-such-model.gguf');
  await doctorTest('info');
  let before = api.messages().length;
  await config().update('model.path', bad, vscode.ConfigurationTarget.Workspace);
  const message = await waitFor(() => api.messages().slice(before).find((m) => m.type === 'error' && m.text.includes(bad)), 20000,
    () => `no error message for the bad model path: ${JSON.stringify(api.messages())}`);
  await doctorTest('error');
  await waitFor(() => api.statusBar().error, 10000, () => `the status bar shows no error: ${JSON.stringify(api.statusBar())}`);
  note(`bad model path: "${message.text}", status bar "${api.statusBar().text}" in the error colour`);
  await delay(1500);
  if (!api.statusBar().error) {
    throw new Error(`the error faded from the status bar: ${JSON.stringify(api.statusBar())}`);
  }

  before = api.messages().length;
  await config().update('server.path', '/nonexistent/lspllama', vscode.ConfigurationTarget.Workspace);
  const missing = await waitFor(() => api.messages().slice(before).find((m) => m.type === 'error' && m.text.includes('/nonexistent/lspllama')), 20000,
    () => `no error message for a missing server command: ${JSON.stringify(api.messages())}`);
  await waitFor(() => api.statusBar().error && api.statusBar().text.includes('no server'), 10000,
    () => `the status bar shows no missing server: ${JSON.stringify(api.statusBar())}`);
  note(`missing server: "${missing.text}", status bar "${api.statusBar().text}" in the error colour`);
}

async function completionTest(a) {
  const editor = await vscode.window.showTextDocument(a);
  const end = lineEnd(a, 'Console.WriteLine(message);');
  await editor.edit((e) => e.insert(end, '\n        Console.'));
  const cursor = a.lineAt(end.line + 1).range.end;
  await assertInSync(a, 'before the completion list');
  const direct = await api.sendRequest('textDocument/completion', {
    textDocument: { uri: a.uri.toString() },
    position: { line: cursor.line, character: cursor.character },
  });
  const labels = (Array.isArray(direct) ? direct : direct?.items ?? []).map((i) => i.label);
  if (labels.length === 0) {
    throw new Error('the server offered no completion item');
  }
  // The suggestion shows as ghost text; the completion list must not offer it a second time.
  const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', a.uri, cursor);
  if (list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === labels[0])) {
    throw new Error(`VS Code's completion list repeats the inline suggestion ${labels[0]}`);
  }
  note(`completion list does not repeat the inline suggestion (${list.items.length} items)`);
  // Take the line out again, so the inline test starts from the same text as the other editors'.
  await editor.edit((e) => e.delete(new vscode.Range(end, cursor)));
  await assertInSync(a, 'after removing the completion line');
}

async function run() {
  const ext = vscode.extensions.getExtension('lspllama.lspllama');
  if (!ext) {
    throw new Error('the LspLlama extension is not installed');
  }
  api = await ext.activate();
  // The user settings (the server's path) can reach the extension host after activation; the
  // extension then restarts the server. Wait for a running server, not for the first attempt.
  let lastError;
  await waitFor(
    () => api.ready().then(() => true, (e) => ((lastError = e), delay(250).then(() => false))),
    30000,
    () => `the server did not start: ${lastError}`,
  );
  note(`LspLlama ${ext.packageJSON.version} active, VS Code ${vscode.version}`);
  if (process.env.LSPLLAMA_E2E_INLINE === '1') {
    await typingTest();
  }
  await vscode.workspace.getConfiguration('editor').update('inlineSuggest.enabled', true, vscode.ConfigurationTarget.Global);
  const a = await syncTests();
  if (process.env.LSPLLAMA_E2E_COMPLETION === '1') {
    await completionTest(a);
  } else {
    note('completion list test skipped (LSPLLAMA_E2E_COMPLETION is off)');
  }
  if (process.env.LSPLLAMA_E2E_INLINE === '1') {
    await inlineTest(a);
  } else {
    note('inline suggestion test skipped (LSPLLAMA_E2E_INLINE is off)');
  }
  if (process.env.LSPLLAMA_E2E_INLINE === '1' || process.env.LSPLLAMA_E2E_COMPLETION === '1') {
    // The status bar's data: the server's lspllama/statusChanged after a completion.
    const status = await waitFor(() => {
      const s = api.status();
      return s && s.contextTokens > 0 && s;
    }, 10000, () => `no status with context tokens: ${JSON.stringify(api.status())}`);
    note(`status: ${status.contextTokens} context tokens, ${status.checkpoints?.count} checkpoints`);
  }
  // The commands: restart gives a new server that gets the open documents again.
  await vscode.commands.executeCommand('lspllama.showLog');
  await vscode.commands.executeCommand('lspllama.restart');
  await api.ready();
  await assertInSync(a, 'after LspLlama: Restart Server');
  note(`${checks} sync checks passed`);
  await errorTests();
}

exports.activate = () => {
  run().then(
    () => fs.writeFileSync(RESULT, 'DONE OK\n'),
    (e) => fs.writeFileSync(RESULT, `DONE FAIL ${e && e.stack ? e.stack : e}\n`),
  );
};
exports.deactivate = () => undefined;
