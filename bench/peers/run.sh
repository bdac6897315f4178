#!/usr/bin/env bash
# Peer comparison: the same authorization workload through iampdp
# (pdpbench micro), @cloud-copilot/iam-simulate, @cedar-policy/cedar-wasm and
# pbac, all measured in this one run.  See bench/peers/README.md.
#
#   bench/peers/run.sh [peers.mjs options, e.g. --seconds 5 --batch 100]
#
# Environment:
#   PDPBENCH   iampdp's benchmark binary     (default build/bench/pdpbench)
#   IAMC       iamc, for a per-line check of iampdp's decisions
#              (default build/compiler/iamc; skipped when absent)
#   BENCH_CPU  a core to pin every engine to with taskset (default: none).
#              Every engine decides on one thread either way; pinning node
#              also puts its GC and JIT threads on that core, which slows
#              the JS peers, so by default nothing is pinned (ratios then
#              err in the peers' favour).
# Exit: 0 all good; 1 iampdp's side missing (peers were still run);
#       3 a peer or iampdp disagreed with the expected decisions.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

PDPBENCH="${PDPBENCH:-build/bench/pdpbench}"
IAMC="${IAMC:-build/compiler/iamc}"
BENCH_CPU="${BENCH_CPU:-}"

for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done

pin=()
if [[ -n "$BENCH_CPU" ]] && command -v taskset >/dev/null; then
  pin=(taskset -c "$BENCH_CPU")
fi

if [[ ! -d bench/peers/node_modules ]]; then
  echo "run.sh: installing the peers (npm ci)" >&2
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
fi

python3 bench/peers/gen-workload.py

out="bench/peers/results"
mkdir -p "$out"
rm -f "$out"/iampdp*.json "$out"/iampdp-eval.jsonl "$out"/peers.json
rc=0

# Per-line decisions of iampdp (pdpbench only reports totals): iamc eval
# runs the same engine; peers.mjs compares them with the expectations.
eval_args=()
if [[ -x "$IAMC" ]]; then
  "$IAMC" eval < bench/peers/workload.jsonl > "$out/iampdp-eval.jsonl"
  eval_args=(--iampdp-eval "$out/iampdp-eval.jsonl")
else
  echo "run.sh: $IAMC not found: iampdp's per-line decisions not checked" >&2
fi

have_iampdp=0
if [[ -x "$PDPBENCH" ]]; then
  have_iampdp=1
  echo "run.sh: timing iampdp ($PDPBENCH micro)" >&2
  "${pin[@]}" "$PDPBENCH" micro --workload bench/peers/workload.jsonl --json > "$out/iampdp.json"
  "${pin[@]}" "$PDPBENCH" micro --workload bench/peers/workload-pbac.jsonl --json > "$out/iampdp-pbac.json"
  iampdp_args=(--iampdp "$out/iampdp.json" --iampdp-pbac "$out/iampdp-pbac.json")
else
  iampdp_args=()
fi

echo "run.sh: timing the peers (node bench/peers/peers.mjs)" >&2
prc=0
"${pin[@]}" node bench/peers/peers.mjs "${iampdp_args[@]}" "${eval_args[@]}" --json "$out/peers.json" "$@" || prc=$?
if [[ $prc -ne 0 ]]; then
  [[ $prc -eq 3 ]] && rc=3 || { echo "run.sh: peers.mjs failed ($prc)" >&2; exit "$prc"; }
fi

if [[ $have_iampdp -eq 0 ]]; then
  echo "" >&2
  echo "run.sh: iampdp's side is missing: $PDPBENCH not found (build iampdp into build/, or set PDPBENCH=path)." >&2
  echo "run.sh: the peers above were measured, but there are no ratios." >&2
  exit 1
fi
echo "run.sh: results in $out/peers.json" >&2
exit "$rc"
