#!/usr/bin/env bash
# Runs Debian unstable's llama-server on this machine without touching the machine's own packages.
#
# Debian's llama-server (llama.cpp-tools, libllama0, libggml0) needs a newer C library than Debian 12
# has. So this script downloads those packages and the libraries they depend on (libc6, libstdc++6,
# libgomp1, ...) with apt-get from Debian unstable through a private apt configuration (its own
# sources.list, lists, status and archives under the cache folder), unpacks them there with
# dpkg-deb -x, and starts llama-server through that folder's own loader, ld-linux-x86-64.so.2
# --library-path. ggml's CPU backends are separate files: GGML_BACKEND_PATH names the best one this
# CPU supports. The machine's apt sources, lists and libraries are left as they are.
#
#   scripts/llama-server.sh install        resolve what unstable has now, download it if it is new,
#                                          print the build
#   scripts/llama-server.sh version        the cached build (installs first when none is cached)
#   scripts/llama-server.sh root           the folder of the cached build
#   scripts/llama-server.sh [run] ARGS...  llama-server ARGS (installs first when none is cached)
#
# The cache is $LSPLLAMA_LLAMA_SERVER_CACHE, else $XDG_CACHE_HOME/lspllama/llama-server. A cached
# build older than $LSPLLAMA_LLAMA_SERVER_MAX_AGE_HOURS (24) is refreshed on the next use; when the
# refresh fails (no network), the cached build is used with a warning. $LSPLLAMA_GGML_CPU forces a
# CPU backend variant (haswell, x64, ...). Messages go to stderr; stdout is llama-server's.
set -euo pipefail

cache="${LSPLLAMA_LLAMA_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lspllama/llama-server}"
max_age_hours="${LSPLLAMA_LLAMA_SERVER_MAX_AGE_HOURS:-24}"
mirror="${LSPLLAMA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
apt_dir="$cache/apt"
multiarch=x86_64-linux-gnu

say() { echo "llama-server.sh: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(uname -m)" = x86_64 ] || die "only x86_64 is supported (Debian's amd64 packages)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "needs apt-get and dpkg-deb (Debian)"
mkdir -p "$cache"

# Every apt call reads and writes only under $apt_dir. Timeouts keep a dead mirror from hanging a test run.
apt_opts() {
  printf '%s\n' \
    -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d" \
    -o "Dir::Etc::Preferences=$apt_dir/preferences" -o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d" \
    -o "Dir::State=$apt_dir/state" -o "Dir::State::Lists=$apt_dir/state/lists" \
    -o "Dir::State::status=$apt_dir/state/status" -o "Dir::Cache=$apt_dir/cache" \
    -o "Dir::Cache::archives=$apt_dir/cache/archives" -o Debug::NoLocking=1 \
    -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Languages=none \
    -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
    -o Acquire::http::Timeout=30 -o Acquire::Retries=2 -o APT::Sandbox::User=root
}
mapfile -t apt_options < <(apt_opts)
private_apt() { local cmd=$1; shift; "$cmd" "${apt_options[@]}" "$@"; }

prepare_apt() {
  mkdir -p "$apt_dir"/{sources.list.d,preferences.d,state/lists/partial,cache/archives/partial}
  echo "deb $mirror unstable main" > "$apt_dir/sources.list"
  : > "$apt_dir/preferences"
  # An empty status: nothing counts as installed, so the whole library closure is resolved.
  : > "$apt_dir/state/status"
}

# llama.cpp-tools, the libraries it depends on (not debconf, wget or curl: the server needs none of
# them), a separate ggml CPU backend package if Debian splits one off, and their library closure.
resolve_packages() {
  local roots
  roots=$(private_apt apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
            --no-replaces --no-enhances llama.cpp-tools | awk '$1 ~ /Depends:$/ && $2 ~ /^lib/ {print $2}' | sort -u)
  [ -n "$roots" ] || die "llama.cpp-tools not found in Debian unstable"
  if private_apt apt-cache show libggml0-backend-cpu >/dev/null 2>&1; then roots="$roots libggml0-backend-cpu"; fi
  # shellcheck disable=SC2086
  { echo llama.cpp-tools
    private_apt apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
      --no-replaces --no-enhances $roots | grep -v '^ ' | grep -v '^<'
  } | sort -u | while read -r pkg; do
    echo "$pkg=$(private_apt apt-cache policy "$pkg" | awk '$1 == "Candidate:" {print $2}')"
  done
}

root_of() { echo "$cache/builds/$1/root"; }
lib_dir() { echo "$1/usr/lib/$multiarch"; }

launch() {
  local root=$1; shift
  local lib; lib=$(lib_dir "$root")
  GGML_BACKEND_PATH="${GGML_BACKEND_PATH:-$(cpu_backend "$lib/ggml/backends0")}" \
    exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib:$lib/llama:$root/lib/$multiarch" "$root/usr/bin/llama-server" "$@"
}

# The best CPU variant whose instructions /proc/cpuinfo lists, best first; x64 needs nothing.
cpu_backend() {
  local dir=$1 flags variant need ok
  if [ -n "${LSPLLAMA_GGML_CPU:-}" ]; then echo "$dir/libggml-cpu-$LSPLLAMA_GGML_CPU.so"; return; fi
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  local avx512="avx512f avx512cd avx512vl avx512dq avx512bw"
  local haswell="sse4_2 avx f16c fma avx2 bmi2"
  while read -r variant need; do
    [ -f "$dir/libggml-cpu-$variant.so" ] || continue
    ok=1
    for f in $need; do case "$flags" in *" $f "*) ;; *) ok=0; break ;; esac; done
    if [ $ok = 1 ]; then echo "$dir/libggml-cpu-$variant.so"; return; fi
  done <<EOF
zen4 $haswell $avx512 avx512vbmi avx512_vnni avx512_bf16
icelake $haswell $avx512 avx512vbmi avx512_vnni
cascadelake $haswell $avx512 avx512_vnni
skylakex $haswell $avx512
alderlake $haswell avx_vnni
haswell $haswell
ivybridge sse4_2 avx f16c
sandybridge sse4_2 avx
sse42 sse4_2
x64
EOF
  die "no ggml CPU backend in $dir"
}

build_version() { (launch "$1" --version 2>&1) | grep -m1 '^version:' || true; }

install() {
  prepare_apt
  say "resolving llama.cpp-tools in Debian unstable ($mirror)"
  timeout 600 apt-get "${apt_options[@]}" -qq update >&2 \
    || die "apt-get update of the private unstable lists failed"
  local manifest key build root
  manifest=$(resolve_packages)
  key=$(echo "$manifest" | sha256sum | cut -c1-16)
  build="$cache/builds/$key"
  if [ ! -f "$build/complete" ]; then
    rm -rf "$build" && mkdir -p "$build/debs" "$build/root.partial"
    say "downloading $(echo "$manifest" | wc -l) packages"
    # shellcheck disable=SC2046
    (cd "$build/debs" && timeout 900 apt-get "${apt_options[@]}" -qq download $(echo "$manifest")) >&2 \
      || die "apt-get download failed"
    for deb in "$build"/debs/*.deb; do dpkg-deb -x "$deb" "$build/root.partial"; done
    rm -rf "$build/debs"
    mv "$build/root.partial" "$build/root"
    echo "$manifest" > "$build/packages"
    [ -n "$(build_version "$build/root")" ] || die "the unpacked llama-server does not start: $( (launch "$build/root" --version 2>&1) | tail -3)"
    touch "$build/complete"
  fi
  ln -sfn "builds/$key" "$cache/current.new" && mv -T "$cache/current.new" "$cache/current"
  touch "$cache/current/complete"
  # Older builds go; the current one stays.
  for old in "$cache"/builds/*; do [ "$old" = "$build" ] || rm -rf "$old"; done
  say "$(grep -m1 '^llama.cpp-tools=' "$build/packages"), $(build_version "$build/root"), CPU backend $(basename "$(cpu_backend "$(lib_dir "$build/root")/ggml/backends0")")"
}

# A cached build when there is a fresh one; otherwise installs, and falls back to a stale one.
ensure() {
  if [ -f "$cache/current/complete" ] && [ -z "$(find "$cache/current/complete" -mmin +$((max_age_hours * 60)))" ]; then return; fi
  if [ -f "$cache/current/complete" ]; then
    (install) || say "warning: refresh failed, using the cached $(build_version "$cache/current/root")"
  else
    install
  fi
}

# One install at a time: tests start servers in parallel.
locked() { exec 9>"$cache/.lock"; flock -w 1200 9 || die "timed out waiting for another install"; "$@"; exec 9>&-; }

case "${1:-run}" in
  install) locked install; build_version "$cache/current/root" ;;
  version) locked ensure; build_version "$cache/current/root" ;;
  root) locked ensure; readlink -f "$cache/current/root" ;;
  run) shift || true; locked ensure; launch "$(readlink -f "$cache/current/root")" "$@" ;;
  *) locked ensure; launch "$(readlink -f "$cache/current/root")" "$@" ;;
esac
