#!/bin/sh
# walkthrough_test.sh README IAM_DIR PDPD_DIR CLIENT_DIR IAMC_DIR - runs
# the README's walkthrough (every ```sh block between the walkthrough
# markers) with the programs of this build on PATH, and checks that each
# "# => TEXT" line of it appears in the output, in order, so that the
# walkthrough cannot rot.
set -u
README=$1
PATH="$2:$3:$4:$5:$PATH"
export PATH
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "walkthrough_test: $*" >&2; exit 1; }

awk '/<!-- walkthrough:begin/ { on = 1; next }
     /<!-- walkthrough:end/ { on = 0 }
     on' "$README" |
    awk '/^```sh$/ { code = 1; next } /^```$/ { code = 0; next } code' \
    >"$DIR/walk.sh"
sed -n 's/^# => //p' "$DIR/walk.sh" >"$DIR/expect"
[ "$(wc -l <"$DIR/expect")" -ge 10 ] || fail "the walkthrough is gone"
grep -q 'pdpd --store' "$DIR/walk.sh" || fail "no pdpd --store in it"
# Whatever happens, the pdpd it starts does not outlive it.
{
	echo 'trap '\''[ -n "${PDPD:-}" ] && kill "$PDPD" 2>/dev/null'\'' EXIT'
	cat "$DIR/walk.sh"
} >"$DIR/run.sh"
(cd "$DIR" && env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
    -u AWS_SESSION_TOKEN sh "$DIR/run.sh") >"$DIR/out" 2>&1 ||
    fail "it ended with a failure: $(cat "$DIR/out")"
awk 'NR == FNR { want[++n] = $0; next }
     { while (k < n && index($0, want[k + 1]) > 0) k++ }
     END { if (k < n) { print "not in the output: " want[k + 1]; exit 1 } }' \
    "$DIR/expect" "$DIR/out" >"$DIR/why" ||
    fail "$(cat "$DIR/why"); the output was:
$(cat "$DIR/out")"
echo "walkthrough_test: ok ($(wc -l <"$DIR/expect") lines checked)"
