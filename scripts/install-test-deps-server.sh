#!/usr/bin/env bash
# Installs what the language-server tests need beyond npm: headless Neovim (Debian's `neovim`),
# the second, independent LSP client of test/server/neovim.test.ts.
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  echo "nvim already installed: $(nvim --version | head -1)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends neovim
nvim --version | head -1
