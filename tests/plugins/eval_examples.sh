#!/bin/sh
# eval_examples.sh IAMC SOURCE_DIR - decides examples/plugins.jsonl with
# `iamc eval --plugins plugins/examples` and checks that every line's
# decision is the one its id announces after "-> ".
set -eu
iamc=$1
src=$2
out=$("$iamc" eval --plugins "$src/plugins/examples" \
	< "$src/examples/plugins.jsonl")
n=0
bad=0
echo "$out" | {
	while IFS= read -r line; do
		n=$((n + 1))
		want=$(printf '%s\n' "$line" |
			sed -n 's/^{"id":"[^"]*-> \([A-Za-z]*\)".*/\1/p')
		got=$(printf '%s\n' "$line" |
			sed -n 's/.*"decision":"\([A-Za-z]*\)".*/\1/p')
		if [ -z "$want" ] || [ "$want" != "$got" ]; then
			echo "FAIL: $line"
			bad=$((bad + 1))
		fi
	done
	echo "$n lines, $bad wrong"
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}
