#!/usr/bin/env bash
# Records a real editing trace: Neovim replays the last commits of a git repository as a user would
# type them (scripts/record-trace.lua), with the lspllama plugin and a server that records what it
# receives (serve --record-trace). The trace then replays with `lspllama bench --trace OUT`.
#   scripts/record-trace.sh OUT [REPO] [COMMITS] [FILES] [PATHSPEC]
# REPO: default this repository; COMMITS: how many of its latest commits (default 6); FILES: how
# many files, those the commits changed most (default 4) among PATHSPEC (default '*.cs'). Only files that exist in the first of
# those commits take part. TRACE_TYPED: chars typed one by one per commit (default 300; the rest of
# each commit is pasted). The server is this checkout's build; the model a tiny one from make-model.
set -euo pipefail
out=$(realpath -m "${1:?usage: $0 OUT [REPO] [COMMITS] [FILES] [PATHSPEC]}")
repo=$(realpath "${2:-$(dirname "$0")/..}")
commits=${3:-6}
files=${4:-4}
pathspec=${5:-*.cs}
cd "$(dirname "$0")/.."
here=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/LspLlama -c Release -v quiet -nologo >&2
server=$here/src/LspLlama/bin/Release/net10.0/lspllama.dll
model=$work/granitehybrid-tiny.gguf
dotnet "$server" make-model --arch granitehybrid --layers 2 --embd 64 --ctx 65536 --seed 1 -o "$model" >&2
ROOT=$here TOOLS=${TOOLS:-$HOME/.cache/lspllama/e2e-tools}
source tests/editors/lib/install.sh
install_nvim >&2

git -C "$repo" rev-parse --verify -q "HEAD~$commits" >/dev/null || { echo "$repo has fewer than $commits commits before HEAD" >&2; exit 1; }
base=$(git -C "$repo" rev-parse "HEAD~$commits")
mapfile -t chosen < <(git -C "$repo" log --format= --name-only "$base..HEAD" -- "$pathspec" \
  | grep -v '^$' | sort | uniq -c | sort -rn | awk '{print $2}' \
  | while read -r f; do git -C "$repo" cat-file -e "$base:$f" 2>/dev/null && echo "$f"; done | head -n "$files")
[ ${#chosen[@]} -gt 0 ] || { echo "no file changed in the last $commits commits existed before them" >&2; exit 1; }

mkdir -p "$work/ws/.git" "$work/steps"
for f in "${chosen[@]}"; do
  mkdir -p "$work/ws/$(dirname "$f")"
  git -C "$repo" show "$base:$f" > "$work/ws/$f"
  echo "$f" >> "$work/ws/.files"
done
n=0
for c in $(git -C "$repo" rev-list --reverse "$base..HEAD"); do
  step=$work/steps/$(printf '%03d' "$n")
  for f in "${chosen[@]}"; do
    if ! git -C "$repo" diff --quiet "$c~1" "$c" -- "$f"; then
      mkdir -p "$step/$(dirname "$f")"
      git -C "$repo" show "$c:$f" > "$step/$f" 2>/dev/null || : > "$step/$f"
      echo "$f" >> "$step/.files"
    fi
  done
  [ -d "$step" ] && n=$((n + 1))
done
echo "[record-trace] ${#chosen[@]} files, $n commits that change them: ${chosen[*]}" >&2

(cd "$work/ws" && TRACE_WS="$work/ws" TRACE_STEPS="$work/steps" TRACE_OUT="$out" TRACE_MODEL="$model" LSPLLAMA="$server" \
  XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_CACHE_HOME=$work/cache \
  "$TOOLS/nvim/nvim" --headless -u NONE -i NONE -n -S "$here/scripts/record-trace.lua" </dev/null)
[ -s "$out" ] || { echo "no trace was written to $out" >&2; exit 1; }
echo "[record-trace] trace: $out" >&2
