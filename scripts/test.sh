#!/usr/bin/env bash
# test.sh - everything CI checks, in the order a failure is cheapest found:
#
#   1. Release build with warnings as errors (build/), all CTest suites;
#   2. ASan+UBSan Debug build with warnings as errors (build-asan/), all
#      CTest suites again;
#   3. clang libFuzzer build (build-fuzz/): each fuzz target replays its
#      seed corpus, then fuzzes for FUZZ_SECONDS (default 30) from it.
#
# Each CTest suite prints one line (PASS/FAIL, name, Check's summary);
# failing suites also print their whole output. The last line reads
# "N passed, N failed", counting CTest suites and fuzz runs. Exits non-zero
# on any failure. A Release build failure stops the run at once; later
# stages run even when an earlier stage's tests fail.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-30}
JOBS=$(nproc)

passed=0
failed=0
report=()

stage() {
	printf '\n=== %s ===\n' "$*"
}

# record LABEL PASSED FAILED adds one stage's counts to the totals.
record() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	report+=("$(printf '%-28s %3d passed, %3d failed' "$1" "$2" "$3")")
}

# finish prints the summary and exits with the run's verdict.
finish() {
	stage summary
	printf '%s\n' "${report[@]}"
	echo "$passed passed, $failed failed"
	if [ "$failed" -ne 0 ]; then
		exit 1
	fi
	exit 0
}

# build LABEL DIR CMAKE_ARGS... builds one tree; a failure counts as one
# failed suite.
build() {
	local label=$1 dir=$2
	shift 2
	stage "$label: build $dir ($*)"
	if bash scripts/build.sh "$dir" "$@"; then
		return 0
	fi
	echo "test: $label: build failed" >&2
	record "$label (build)" 0 1
	return 1
}

# run_ctest LABEL DIR [VAR=VALUE ...] runs every CTest suite of DIR with
# the given environment, prints one line per suite and records the
# counts read back from CTest's own log.
run_ctest() {
	local label=$1 dir=$2
	shift 2
	local log=$dir/Testing/Temporary/LastTest.log
	stage "$label: ctest in $dir"
	local rc=0
	rm -f "$log"
	(cd "$dir" && env "$@" ctest --output-on-failure --no-tests=error \
	    --timeout 300 -j "$JOBS") || rc=$?
	if [ ! -f "$log" ]; then
		echo "test: $label: ctest ran no suite" >&2
		record "$label (ctest)" 0 1
		return
	fi
	# One line per suite: verdict, name, and Check's "N%: Checks: ..."
	# summary when the suite is a Check program.
	echo "--- $label: suites ---"
	local out
	out=$(awk '
		/^[0-9]+\/[0-9]+ Test: / {
			name = $0; sub(/^[0-9]+\/[0-9]+ Test: /, "", name)
			ok = 0; summary = ""; total++; next
		}
		/^[0-9]+%: Checks: / { summary = $0; next }
		/^Test Passed\./ { ok = 1; next }
		/^".*" end time: / {
			printf "  %s  %-40s %s\n", ok ? "PASS" : "FAIL", name,
			    summary
			if (ok) npass++
		}
		END { printf "%d %d\n", npass, total - npass }
	' "$log")
	# The last line holds the counts: passed, failed.
	echo "$out" | sed '$d'
	local n
	n=$(echo "$out" | tail -n 1)
	local npass=${n% *} nfail=${n#* }
	if [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; then
		# A suite that never started (missing program) has no
		# record in the log; ctest's status still says so.
		echo "  FAIL  (ctest exited with status $rc)"
		nfail=1
	fi
	record "$label (ctest)" "$npass" "$nfail"
}

# run_fuzzers DIR fuzzes every target in DIR/fuzz/ for FUZZ_SECONDS,
# seeded from tests/fuzz/seeds/NAME/; new inputs go to DIR/fuzz-corpus/,
# crashes to DIR/fuzz-artifacts/.
run_fuzzers() {
	local dir=$1 ok=0 bad=0
	stage "fuzz: ${FUZZ_SECONDS}s per target"
	mkdir -p "$dir/fuzz-artifacts"
	local bin
	for bin in "$dir"/fuzz/fuzz_*; do
		[ -x "$bin" ] || continue
		local name=${bin##*/fuzz_}
		local corpus=$dir/fuzz-corpus/$name
		local seeds=tests/fuzz/seeds/$name
		local log=$dir/fuzz-artifacts/$name.log
		local args=(-max_total_time="$FUZZ_SECONDS" -timeout=10
		    -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
		    -artifact_prefix="$dir/fuzz-artifacts/$name-")
		if [ -f "tests/fuzz/$name.dict" ]; then
			args+=(-dict="tests/fuzz/$name.dict")
		fi
		mkdir -p "$corpus"
		local dirs=("$corpus")
		if [ -d "$seeds" ]; then
			dirs+=("$seeds")
		fi
		if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 </dev/null; then
			printf '  PASS  %-40s %s\n' "fuzz_$name" \
			    "$(grep -m1 -o 'Done [0-9]* runs in [0-9]* second(s)' \
			    "$log" || true)"
			ok=$((ok + 1))
		else
			printf '  FAIL  %-40s see %s\n' "fuzz_$name" "$log"
			tail -n 60 "$log"
			bad=$((bad + 1))
		fi
	done
	if [ $((ok + bad)) -eq 0 ]; then
		echo "test: no fuzz target found in $dir/fuzz" >&2
		bad=1
	fi
	record "fuzz (runs)" "$ok" "$bad"
}

stage setup
bash scripts/setup.sh

# Options are given in full each time: a build directory keeps the cache
# of whoever configured it last.
if ! build release build -DCMAKE_BUILD_TYPE=Release \
    -DPDP_WERROR=ON -DPDP_SANITIZE=OFF -DPDP_FUZZ=OFF -DPDP_TESTS=ON; then
	finish
fi
run_ctest release build

if build asan build-asan -DCMAKE_BUILD_TYPE=Debug \
    -DPDP_WERROR=ON -DPDP_SANITIZE=ON -DPDP_FUZZ=OFF -DPDP_TESTS=ON; then
	# Sanitized code runs several times slower: stretch Check's timeouts.
	run_ctest asan build-asan CK_TIMEOUT_MULTIPLIER=4 \
	    ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

# The fuzz build is clang's, without -Werror: warnings gate the gcc builds
# above, and a clang-only warning must not hide a crash found here. -O1
# without NDEBUG: asserts stay on while fuzzing.
if build fuzz build-fuzz -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" \
    -DPDP_WERROR=OFF -DPDP_SANITIZE=OFF \
    -DPDP_FUZZ=ON; then
	run_ctest fuzz build-fuzz
	run_fuzzers build-fuzz
fi

finish
