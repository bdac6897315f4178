#!/bin/sh
# bench/load.sh - the figures of bench/README.md "pdpd over nng", by one
# command: pdpd's work per decision in process (`pdpbench wire`), then
# pdpd on the example bundle against `pdpbench load`, each measurement
# repeated and its median printed.
#
#   sh bench/load.sh [--build DIR] [--runs N] [--seconds S] [--soak S]
#       [--principals N]
#
# Then pdpd on a large world, N principals (default 100,000) saved by
# `pdpbench micro --workload scale --save`, driven with its pool of
# distinct requests (`pdpbench load --requests`), reading ahead in
# batches and not (PDP_READ_AHEAD=never).
#
# On a machine of two or more CPUs, pdpd (and the echo server it is
# compared with) runs on CPU 0 and the client on CPU 1, as
# docs/stack-notes.md measures bare nng: unpinned, the two processes'
# threads chase each other across both cores and the run-to-run spread
# is wider than any difference between the servers.
#
# --soak S ends with an S-second run at 16 in flight while the bundle is
# reloaded every second (SIGHUP), printing pdpd's resident memory every
# 15 s (the target: flat across 300 s).
set -eu

build=build runs=5 secs=5 soak=0 principals=100000
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--soak) soak=$2; shift 2 ;;
	--principals) principals=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--runs N] [--seconds S] [--soak S] [--principals N]" >&2
	   exit 2 ;;
	esac
done

bench=$build/bench/pdpbench
pdpd=$build/pdp/server/pdpd
iamc=$build/compiler/iamc
for f in "$bench" "$pdpd" "$iamc"; do
	[ -x "$f" ] || { echo "$0: $f: not built (cmake --build $build)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/pdpd-load.XXXXXX)
pid= big= bign=
cleanup() {
	for p in $pid $big $bign; do
		kill "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

srv= cli= echocpu=
if [ "$(nproc)" -ge 2 ]; then
	srv="taskset -c 0" cli="taskset -c 1" echocpu="--echo-cpu 0"
fi
port=$((40000 + $$ % 20000)) # apart from the tests' 20000-39999
"$iamc" compile examples/account/account.json -o "$tmp/example.pdpb" >/dev/null
$srv "$pdpd" --bundle "$tmp/example.pdpb" --listen "ipc://$tmp/pdpd.ipc" \
    --listen "tcp://127.0.0.1:$port" >"$tmp/pdpd.log" 2>&1 &
pid=$!
# listening PID SOCKET LOG waits for pdpd PID to listen on SOCKET; if it
# exits or takes 10 s, it stops the script with its log.
listening() {
	i=0
	until [ -S "$2" ]; do
		i=$((i + 1))
		if [ $i -ge 200 ] || ! kill -0 "$1" 2>/dev/null; then
			cat "$3" >&2
			echo "$0: pdpd did not listen on $2" >&2
			exit 1
		fi
		sleep 0.05
	done
}
listening "$pid" "$tmp/pdpd.ipc" "$tmp/pdpd.log"

# median reads numbers, one a line, and prints their median.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		printf "%.10g\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# load ARGS... runs pdpbench load pinned and prints its result lines; a
# run that fails or counts an error stops the script, saying why.
load() {
	if ! $cli "$bench" load "$@" >"$tmp/res" 2>"$tmp/err"; then
		cat "$tmp/res"
		grep -v '^  ' "$tmp/err" >&2 || true # not the progress lines
		echo "$0: pdpbench load $*: failed; the pdpd logs end:" >&2
		tail -n 5 "$tmp"/*.log >&2
		exit 1
	fi
	grep -v '^pdpbench load:' "$tmp/res"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "pdpd on ${srv:-any CPU}, client on ${cli:-any CPU}"

echo "## pdpd's work per decision of a batch of 100, in process (pdpbench wire)"
$cli "$bench" wire --bundle "$tmp/example.pdpb" --count $((runs * 4000))

echo "## 64 in flight, ipc, against the echo server: $runs runs of $secs s"
: >"$tmp/tp"; : >"$tmp/p99"
for r in $(seq "$runs"); do
	load --url "ipc://$tmp/pdpd.ipc" --inflight 64 --duration "$secs" \
	    --compare-echo $echocpu >"$tmp/run"
	cat "$tmp/run"
	# ratio  throughput pdpd/echo 98.0%  p99 pdpd/echo 1.04x
	awk '/^ratio/ { print $4 + 0 }' "$tmp/run" >>"$tmp/tp"
	awk '/^ratio/ { print $NF + 0 }' "$tmp/run" >>"$tmp/p99"
done
echo "median: throughput pdpd/echo $(median <"$tmp/tp")%," \
    "p99 pdpd/echo $(median <"$tmp/p99")x (targets: >= 90%, <= 1.5x)"

echo "## 1 in flight, ipc, against the echo server"
load --url "ipc://$tmp/pdpd.ipc" --inflight 1 --duration "$secs" --compare-echo $echocpu

echo "## 64 in flight, tcp"
load --url "tcp://127.0.0.1:$port" --inflight 64 --duration "$secs"

for n in 8 16; do
	echo "## batches of 100, $n in flight, ipc: $runs runs of $secs s"
	: >"$tmp/dps"; : >"$tmp/edps"
	for r in $(seq "$runs"); do
		load --url "ipc://$tmp/pdpd.ipc" --batch 100 --inflight "$n" \
		    --duration "$secs" --compare-echo $echocpu >"$tmp/run"
		cat "$tmp/run"
		awk '/^pdpd .*decisions\/s/ { print $4 }' "$tmp/run" >>"$tmp/dps"
		awk '/^echo .*decisions\/s/ { print $4 }' "$tmp/run" >>"$tmp/edps"
	done
	echo "median: $(median <"$tmp/dps") decisions/s (target: >= 2,000,000);" \
	    "the echo server carried $(median <"$tmp/edps") a second"
done

echo "## a world of $principals principals and its pool of requests"
# The pool: 65,536 requests, or one for each principal when there are
# more (pdpbench micro's scale workload).
$cli "$bench" micro --workload scale --principals "$principals" \
    --save "$tmp/big" --quiet
# The same bundle served twice, one by one on CPU 0: reading ahead in
# batches (a bundle over 4 MiB) and not.
$srv "$pdpd" --bundle "$tmp/big-scale-principals.pdpb" \
    --listen "ipc://$tmp/big.ipc" >"$tmp/big.log" 2>&1 &
big=$!
PDP_READ_AHEAD=never $srv "$pdpd" --bundle "$tmp/big-scale-principals.pdpb" \
    --listen "ipc://$tmp/bign.ipc" >"$tmp/bign.log" 2>&1 &
bign=$!
listening "$big" "$tmp/big.ipc" "$tmp/big.log"
listening "$bign" "$tmp/bign.ipc" "$tmp/bign.log"
pool="--requests $tmp/big-scale-principals.jsonl"
echo "## one request a message, 64 in flight"
load --url "ipc://$tmp/big.ipc" $pool --inflight 64 --duration "$secs"
echo "## batches of 100, 8 in flight, reading ahead and not: $runs runs of $secs s each"
: >"$tmp/dps"; : >"$tmp/ndps"
for r in $(seq "$runs"); do
	load --url "ipc://$tmp/big.ipc" $pool --batch 100 --inflight 8 \
	    --duration "$secs" >"$tmp/run"
	cat "$tmp/run"
	awk '/^pdpd .*decisions\/s/ { print $4 }' "$tmp/run" >>"$tmp/dps"
	load --url "ipc://$tmp/bign.ipc" $pool --batch 100 --inflight 8 \
	    --duration "$secs" >"$tmp/run"
	sed 's/^pdpd /never/' "$tmp/run"
	awk '/^pdpd .*decisions\/s/ { print $4 }' "$tmp/run" >>"$tmp/ndps"
done
echo "median: $(median <"$tmp/dps") decisions/s reading ahead," \
    "$(median <"$tmp/ndps") not (PDP_READ_AHEAD=never)"
kill -TERM "$big" "$bign"
if wait "$big" && wait "$bign"; then
	echo "the large world's pdpds exited 0 on SIGTERM"
else
	tail -n 5 "$tmp/big.log" "$tmp/bign.log" >&2
	echo "$0: a large world's pdpd did not exit 0" >&2
	exit 1
fi
big= bign=

if [ "$soak" -gt 0 ]; then
	echo "## $soak s at 16 in flight, a reload (SIGHUP) every second"
	load --url "ipc://$tmp/pdpd.ipc" --inflight 16 --duration "$soak" &
	lp=$!
	t=0
	while [ $t -lt "$soak" ]; do
		sleep 1
		t=$((t + 1))
		kill -HUP "$pid"
		if [ $((t % 15)) -eq 0 ] || [ $t -eq 1 ]; then
			echo "t=${t}s VmRSS $(awk '/^VmRSS/ { print $2, $3 }' /proc/$pid/status)"
		fi
	done
	wait $lp
	echo "bundle loads logged: $(grep -c '"bundle_loaded"' "$tmp/pdpd.log" || true)"
	kill -TERM "$pid"
	wait "$pid" && echo "pdpd exited 0 on SIGTERM"
	pid=
fi
