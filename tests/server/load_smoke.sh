#!/bin/sh
# load_smoke.sh BUILD_DIR - a smoke run of bench/load.sh: pdpbench wire in
# process, pdpbench load against pdpd and the echo server, single requests
# and batches, a short soak with reloads. Asserts that every run completed without an error
# and printed its figures; the figures themselves are not judged (speed
# belongs to bench/README.md, not to tests).
set -eu
# Under the sanitizer build: leaks inside nng's own teardown are nng's
# (lsan.supp, as for the other pdpd tests); ours are still reported.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/server/lsan.supp}"
out=$(sh bench/load.sh --build "$1" --runs 1 --seconds 0.3 --soak 2 2>&1) || {
	echo "$out"
	echo "load_smoke: bench/load.sh failed" >&2
	exit 1
}
echo "$out"
fail() { echo "load_smoke: $*" >&2; exit 1; }
[ "$(echo "$out" | grep -c '^ratio  throughput pdpd/echo [0-9.]*%  p99 pdpd/echo [0-9.]*x$')" -eq 4 ] ||
	fail "expected four pdpd/echo ratio lines"
[ "$(echo "$out" | grep -c '^median: [0-9][0-9]* decisions/s (target: >= 2,000,000); the echo server carried [0-9][0-9]* a second$')" -eq 2 ] ||
	fail "expected two batch medians"
echo "$out" | grep -q '^median: throughput pdpd/echo [0-9.]*%, p99 pdpd/echo [0-9.]*x' ||
	fail "expected the 64-in-flight median"
[ "$(echo "$out" | grep -c ' 0 errors$')" -eq "$(echo "$out" | grep -c ' errors$')" ] ||
	fail "a run had errors"
echo "$out" | grep -q '^per decision: decode [0-9.]* ns  decide [0-9.]* ns  encode [0-9.]* ns' ||
	fail "expected pdpbench wire's figures"
echo "$out" | grep -q '^wire  batch 100 .* decision Allow$' ||
	fail "pdpbench wire's request was not allowed"
echo "$out" | grep -q '^pdpd exited 0 on SIGTERM$' || fail "pdpd did not exit 0 on SIGTERM"
echo "$out" | grep -q '^bundle loads logged: [3-9]' || fail "the reloads did not happen"
