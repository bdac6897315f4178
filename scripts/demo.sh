#!/usr/bin/env bash
# demo.sh - install what is missing, build Release into build/, and show
# iamc at work on examples/: validate the example policies, then decide
# the example requests (examples/requests.jsonl, one per line; each id says
# what it shows and the decision AWS would give, after "->").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/build.sh build --target=iamc --target=pdpd \
    --target=example_client -DCMAKE_BUILD_TYPE=Release \
    -DPDP_SANITIZE=OFF -DPDP_FUZZ=OFF
iamc=build/compiler/iamc

# Example policies are named TYPE-NAME.json; validate each type's files
# against that type's rules.
printf '\n=== iamc validate ===\n'
for type in identity resource trust scp rcp boundary session aws-managed; do
	files=(examples/policies/"$type"-*.json)
	[ -e "${files[0]}" ] || continue
	echo "\$ iamc validate --type $type ${files[*]#examples/policies/}"
	"$iamc" validate --type "$type" "${files[@]}"
done
echo "all example policies are valid"

# Each decision: a mark ("ok" when the decision is the one the id expects
# after "->", "!!" when not), the id, the decision and why, and the
# statements that decided it.
pretty=$(cat <<'PY'
import json, sys
for raw in sys.stdin:
    raw = raw.strip()
    if not raw:
        continue
    try:
        d = json.loads(raw)
    except ValueError:
        print("?? unreadable output line: " + raw)
        continue
    rid = str(d.get("id", ""))
    what, _, want = rid.rpartition(" -> ")
    if not what:
        what, want = rid, ""
    got = d.get("decision", "?")
    mark = "  " if not want else ("ok" if got == want else "!!")
    print("%s %s" % (mark, what))
    line = "     => " + got
    if d.get("reason"):
        line += ": " + d["reason"]
    print(line)
    for m in d.get("matched") or []:
        who = m.get("policy", "?")
        if m.get("sid"):
            who += "/" + m["sid"]
        print("        %s by %s (statement %s)" % (
            m.get("effect", ""), who, m.get("statement", "?")))
    if d.get("missingContext"):
        print("        missing context: " + ", ".join(d["missingContext"]))
    if d.get("error"):
        print("        error: " + d["error"])
    if want and got != want:
        print("        expected " + want)
PY
)
printf '\n=== iamc eval < examples/requests.jsonl ===\n'
"$iamc" eval < examples/requests.jsonl | python3 -c "$pretty"

# The sidecar: compile the example account (examples/account/) into a
# bundle, serve it with pdpd on an ipc:// address, ask it with the example
# client (examples/client.c) over nng, then stop it with SIGTERM, which
# answers what is in flight and exits 0.
printf '\n=== pdpd: the example account served over nng ===\n'
echo "\$ iamc compile examples/account/account.json -o build/example.pdpb"
"$iamc" compile examples/account/account.json -o build/example.pdpb
sock=$(mktemp -u /tmp/pdpd-demo-XXXXXX.ipc)
echo "\$ pdpd --bundle build/example.pdpb --listen ipc://$sock &"
build/pdp/server/pdpd --bundle build/example.pdpb --listen "ipc://$sock" \
    2>build/pdpd-demo.log &
pdpd=$!
trap 'kill $pdpd 2>/dev/null || true' EXIT
ask() {
	echo "\$ examples/client ipc://$sock $*"
	build/tests/example_client "ipc://$sock" "$@" || true
}
sleep 0.3
ask arn:aws:iam::111111111111:user/audit/auditor s3:GetObject \
    arn:aws:s3:::acme-prod-data/q1.csv
ask arn:aws:iam::111111111111:user/audit/auditor s3:PutObject \
    arn:aws:s3:::acme-prod-data/q1.csv
kill -TERM $pdpd
wait $pdpd && echo "pdpd stopped on SIGTERM (exit 0); its log is" \
    "build/pdpd-demo.log"
trap - EXIT
