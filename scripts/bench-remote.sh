#!/usr/bin/env bash
# The remote engine's bench in one command: builds the bench's tiny hybrid model (make-model, as
# `bench` does when it has no --model), starts llama-server (scripts/llama-server.sh) on a free
# loopback port with two slots as large as the bench's context, runs
#   lspllama bench --engine URL --model MODEL [ARGS...]   (default ARGS: --quick)
# and stops the server. It prints in-process lspllama, the remote engine with LspLlama's layout and
# llama.vscode's /infill layout side by side, with the server's own decoded tokens.
#   LSPLLAMA_BENCH_CTX  context per slot (default 16384, the quick trace's)
set -euo pipefail
cd "$(dirname "$0")/.."
ctx="${LSPLLAMA_BENCH_CTX:-16384}"
[ $# -gt 0 ] || set -- --quick
work=$(mktemp -d)
server_pid=
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

dotnet build src/LspLlama -c Release -v quiet -nologo >&2
lspllama=(dotnet src/LspLlama/bin/Release/net10.0/lspllama.dll)
model="$work/granitehybrid-tiny.gguf"
"${lspllama[@]}" make-model --arch granitehybrid --layers 2 --embd 64 --seed 1 -o "$model" >&2

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bash scripts/llama-server.sh -m "$model" --host 127.0.0.1 --port "$port" -c $((2 * ctx)) -np 2 -t "$(nproc)" --no-webui \
  > "$work/llama-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$work/llama-server.log" >&2; exit 1; }
  sleep 0.5
done
echo "llama-server $(bash scripts/llama-server.sh version) on port $port, 2 slots of $ctx tokens" >&2
"${lspllama[@]}" bench --engine "http://127.0.0.1:$port/" --model "$model" --ctx-size "$ctx" "$@"
