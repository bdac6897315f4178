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
out=$(sh bench/load.sh --build "$1" --runs 1 --seconds 0.3 --soak 2 \
    --principals 1000 2>&1) || {
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
echo "$out" | grep -q '^median: [0-9][0-9]* decisions/s reading ahead, [0-9][0-9]* not (PDP_READ_AHEAD=never)$' ||
	fail "expected the large world's batch medians"
# The pool's requests are decided as they were made: some allowed, some
# denied either way (a pool of one request would give one decision).
[ "$(echo "$out" | grep -c '^mix    allow [1-9][0-9.]*%  implicit deny [1-9][0-9.]*%  explicit deny [1-9][0-9.]*%  of [0-9]* decisions$')" -eq 3 ] ||
	fail "expected three runs over the large world's mixed pool"
echo "$out" | grep -q "^the large world's pdpds exited 0 on SIGTERM$" ||
	fail "the large world's pdpds did not exit 0"
echo "$out" | grep -q '^pdpd exited 0 on SIGTERM$' || fail "pdpd did not exit 0 on SIGTERM"
echo "$out" | grep -q '^bundle loads logged: [3-9]' || fail "the reloads did not happen"

# A requests file is read whole before anything is sent: each bad line
# is named with its file, line and field, and the run refused (exit 2).
bench=$1/bench/pdpbench
tmp=$(mktemp -d /tmp/load-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
refused() { # refused FILE-TEXT EXPECTED-MESSAGE [FLAGS...]
	printf '%s\n' "$1" >"$tmp/r.jsonl"
	want=$2
	shift 2
	rc=0
	err=$("$bench" load --url "ipc://$tmp/none" --requests "$tmp/r.jsonl" \
	    --count 1 "$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq 2 ] || fail "exit $rc, not 2, for: $err"
	echo "$err" | grep -qF "$want" || fail "expected '$want', got: $err"
}
ok='{"request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject"}}'
refused "$ok
{\"request\": {" "r.jsonl:2: string or '}' expected"
refused "$ok

{\"principal\":\"arn:aws:iam::111122223333:user/a\"}" "r.jsonl:3: request.action: missing or not a string"
refused "{\"identityPolicies\":[{}],\"request\":{}}" "r.jsonl:1: identityPolicies: pdpd decides against the bundle it loaded"
refused "{\"request\":{\"principal\":\"p\",\"action\":\"a\",\"context\":{\"k\":{}}}}" "r.jsonl:1: request.context.k: a value must be"
refused "[1]" "r.jsonl:1: a line must be a JSON object"
refused "" "r.jsonl: no requests"
refused "$ok" "usage: pdpbench load" --principal arn:aws:iam::111122223333:user/b

# Against a pdpd: every request of a pool is sent once a turn, a short
# last batch included, and a refusal is named by request and line.
"$1/compiler/iamc" compile examples/account/account.json -o "$tmp/acme.pdpb" \
    >/dev/null
"$1/pdp/server/pdpd" --bundle "$tmp/acme.pdpb" --listen "ipc://$tmp/p.ipc" \
    >"$tmp/pdpd.log" 2>&1 &
pdpd=$!
i=0
until [ -S "$tmp/p.ipc" ]; do
	i=$((i + 1))
	[ $i -lt 200 ] && kill -0 "$pdpd" 2>/dev/null ||
		{ cat "$tmp/pdpd.log"; fail "pdpd did not listen"; }
	sleep 0.05
done
a='"principal":"arn:aws:iam::111111111111:user/audit/auditor"'
r='"resource":"arn:aws:s3:::acme-prod-data/q1.csv"'
cat >"$tmp/three.jsonl" <<JSON
{"request":{$a,"action":"s3:GetObject",$r}}
{$a,"action":"s3:DeleteObject",$r}

{"request":{$a,"action":"s3:GetObject",$r}}
JSON
for b in 0 2; do
	out=$("$bench" load --url "ipc://$tmp/p.ipc" --requests "$tmp/three.jsonl" \
	    --batch $b --inflight 1 --count 6 2>/dev/null) ||
		{ kill "$pdpd"; fail "--batch $b: $out"; }
	[ "$b" -eq 0 ] && n=6 || n=9 # six messages: 2 + 1 requests, 3 times
	echo "$out" | grep -q "^mix    allow 66.7%  implicit deny 33.3%  explicit deny 0.0%  of $n decisions$" ||
		{ kill "$pdpd"; fail "--batch $b: not each request once a turn: $out"; }
done
echo '{"request":{"principal":"arn:aws:iam::111111111111:user/nobody","action":"s3:GetObject"}}' \
    >>"$tmp/three.jsonl"
rc=0
out=$("$bench" load --url "ipc://$tmp/p.ipc" --requests "$tmp/three.jsonl" \
    --batch 2 --inflight 1 --count 2 2>/dev/null) || rc=$?
kill "$pdpd"
wait "$pdpd" || fail "pdpd did not exit 0"
[ "$rc" -eq 1 ] || fail "a refused request: exit $rc, want 1: $out"
echo "$out" | grep -q '^first error: request 4 (line 5): status [0-9]*: unknown principal$' ||
	fail "the refusal not named by request and line: $out"
echo "load_smoke: ok"
