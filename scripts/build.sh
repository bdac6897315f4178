#!/usr/bin/env bash
# build.sh - configure and build one build directory.
#
#   scripts/build.sh BUILD_DIR [--target=NAME ...] [CMAKE_ARG ...]
#
# BUILD_DIR is relative to the repository root (or absolute). Every
# CMAKE_ARG goes to the configure step (-DCMAKE_BUILD_TYPE=Debug, ...);
# each --target=NAME limits the build to that target (default: all).
# Builds with one job per core.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ $# -lt 1 ]; then
	echo "usage: scripts/build.sh BUILD_DIR [--target=NAME ...]" \
	    "[CMAKE_ARG ...]" >&2
	exit 2
fi
dir=$1
shift

targets=()
cmake_args=()
for a in "$@"; do
	case "$a" in
	--target=*) targets+=(--target "${a#--target=}") ;;
	*) cmake_args+=("$a") ;;
	esac
done

cmake -S . -B "$dir" "${cmake_args[@]}"
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
