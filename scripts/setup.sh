#!/usr/bin/env bash
# setup.sh - install the Debian 12 packages iampdp builds and tests with.
#
# Idempotent: asks dpkg which packages are already installed and runs apt
# only for the missing ones, so a second run does nothing. Needs root to
# install; without root it names what is missing and exits 1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The toolchain, then the libraries design.md names (all found through
# pkg-config or their CMake config), then clang for the libFuzzer build:
# clang links -fsanitize=fuzzer against libclang_rt.fuzzer-x86_64.a, which
# Debian 12 ships in libclang-rt-14-dev, a package clang only recommends.
PACKAGES=(
	build-essential cmake pkg-config git python3
	libjansson-dev libxxhash-dev libmsgpack-dev libnng-dev liblua5.4-dev
	libjemalloc-dev libssl-dev libsqlite3-dev libargon2-dev check
	clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" ok installed") ;;
	*) missing+=("$p") ;;
	esac
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#PACKAGES[@]} packages installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages: ${missing[*]}" >&2
	echo "setup: as root, run: apt-get install -y" \
	    "--no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
echo "setup: done"
