#!/bin/sh
# micro_smoke.sh BUILD_DIR - a smoke run of pdpbench micro on the
# 10-statement account, one decision a call and in batches, and of
# pdpbench memory. Asserts that each printed its figures, that no
# decision allocated, and that the smallest account
# takes the same mix of requests as the larger ones (wildcards included);
# the figures themselves are not judged (speed belongs to
# bench/README.md, not to tests).
set -eu
fail() { echo "micro_smoke: $*" >&2; exit 1; }
bin=$1/bench/pdpbench
out=$("$bin" micro --workload scale --statements 10 --seconds 0.05 \
    --requests 2048 --threads 1 --quiet 2>&1) || {
	echo "$out"
	fail "pdpbench micro failed"
}
echo "$out"
for w in scale-statements scale-account-10; do
	line=$(echo "$out" | grep "^decide  $w ") || fail "no figures for $w"
	echo "$line" | grep -q 'median *[0-9.]* ns  p99 *[0-9.]* ns' ||
		fail "$w: no median and p99"
	echo "$line" | grep -q ' alloc 0.00 B/dec ' ||
		fail "$w: decisions allocated"
	echo "$line" | grep -q 'mix allow 50% implicit 30% explicit 20% wildcard 15%$' ||
		fail "$w: not the workload's mix of requests"
done
# In batches: pdp_bundle_authorize_many, 16 requests a call.
out=$("$bin" micro --workload scale --statements 10 --seconds 0.05 \
    --requests 2048 --threads 1 --many 16 --quiet 2>&1) || {
	echo "$out"
	fail "pdpbench micro --many 16 failed"
}
echo "$out"
line=$(echo "$out" | grep "^decide  scale-account-10 ") ||
	fail "no figures for scale-account-10 in batches"
echo "$line" | grep -q 'many 16  median *[0-9.]* ns' ||
	fail "batches: not 16 decisions a call"
echo "$line" | grep -q ' alloc 0.00 B/dec ' || fail "batches: decisions allocated"
# Calls that reach the end of a pool that is no multiple of 16, from two
# threads whose streams start unaligned.
"$bin" micro --workload scale --statements 10 --seconds 0.05 \
    --requests 100 --threads 2 --many 16,1 --quiet >/dev/null 2>&1 ||
	fail "pdpbench micro --requests 100 --threads 2 --many 16,1 failed"
rc=0
"$bin" micro --workload scale --statements 10 --many 3 --quiet \
    >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "--many 3 (not a divisor of 64): exit $rc, want 2"
rc=0
"$bin" micro --workload scale --many 1,2,4,8,16 --quiet >/dev/null 2>&1 ||
	rc=$?
[ "$rc" -eq 2 ] || fail "five --many values: exit $rc, want 2"
# --save writes each world's bundle and its pool, and times nothing.
tmp=$(mktemp -d /tmp/micro-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
out=$("$bin" micro --workload scale --statements 10 --requests 300 \
    --save "$tmp/w" --quiet 2>&1) || { echo "$out"; fail "--save failed"; }
echo "$out"
echo "$out" | grep -q '^decide' && fail "--save timed decisions"
for w in scale-statements scale-account-10; do
	[ "$(wc -l <"$tmp/w-$w.jsonl")" -eq 300 ] ||
		fail "$w: expected the pool's 300 requests"
	[ "$(grep -c '^{"request":{"principal":"arn:aws:iam::[0-9]*:user/[^"]*","action":"[^"]*"' \
	    "$tmp/w-$w.jsonl")" -eq 300 ] || fail "$w: a request without principal or action"
	bytes=$(echo "$out" | sed -n "s|^save  $tmp/w-$w.pdpb  \([0-9]*\) bytes$|\1|p")
	[ -n "$bytes" ] && [ "$(wc -c <"$tmp/w-$w.pdpb")" -eq "$bytes" ] ||
		fail "$w: the bundle is not the size printed"
	head -c 4 "$tmp/w-$w.pdpb" | grep -q PDPB || fail "$w: not a bundle"
done
# With --json, what --save says is JSON too.
out=$("$bin" micro --workload scale --statements 10 --requests 10 \
    --save "$tmp/j" --json --quiet) || fail "--save --json failed"
[ "$(echo "$out" | grep -c '^{"kind":"save","path":"[^"]*","\(requests\|bytes\)":[0-9]*}$')" -eq 4 ] ||
	fail "--save --json: not four JSON objects: $out"
rc=0
err=$("$bin" micro --workload scale --save "$tmp/x" --quiet 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "--save of all five scale worlds: exit $rc, want 2"
echo "$err" | grep -q 'needs --principals N or --statements N' ||
	fail "--save of all five scale worlds: $err"
rc=0
err=$("$bin" micro --workload "$tmp/w-scale-account-10.jsonl" --save "$tmp/x" \
    --quiet 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "--save of a FILE workload: exit $rc, want 2"
echo "$err" | grep -q 'is a file already' || fail "--save of a FILE workload: $err"
out=$("$bin" memory) || fail "pdpbench memory failed"
echo "$out"
[ "$(echo "$out" | grep -c '^memory  *[0-9]* MiB  *[0-9.]* ns/load$')" -eq 10 ] ||
	fail "expected ten memory latency lines"
