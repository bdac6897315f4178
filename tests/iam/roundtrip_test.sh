#!/bin/sh
# roundtrip_test.sh IAM IAMC PDPD CLIENT - iamc export and iamc import:
# import(export(store)) is a store whose export is identical, with every
# policy version too, and whose live bundle decides every request as
# the original's does; an import that the store cannot hold reports
# every problem with file and JSON path and writes nothing; an account
# the store holds already is refused.
set -u
IAM=$1 IAMC=$2 PDPD=$3 CLIENT=$4
DIR=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$DIR"' EXIT
fail() { echo "roundtrip_test: $*" >&2; exit 1; }
A=111122223333
ROOT=arn:aws:iam::$A:root
cd "$DIR" || exit 1

# A store with something of everything the store holds.
"$IAM" init --store a.db --account $A >/dev/null || fail init
iam() { "$IAM" --store a.db --as $ROOT "$@" >/dev/null || fail "$@"; }
doc() { printf '{"Version":"2012-10-17","Statement":[{"Effect":"%s","Action":%s,"Resource":"%s"}]}' "$@"; }
iam create-policy --policy-name read --path /app/ --description "read reports" \
    --policy-document "$(doc Allow '"s3:GetObject"' 'arn:aws:s3:::reports/*')"
iam create-policy-version --policy-arn arn:aws:iam::$A:policy/app/read \
    --set-as-default --policy-document "$(doc Allow '["s3:GetObject","s3:ListBucket"]' '*')"
iam create-policy --policy-name bound --policy-document "$(doc Allow '"s3:*"' '*')"
iam create-group --group-name readers --path /teams/
iam attach-group-policy --group-name readers --policy-arn arn:aws:iam::$A:policy/app/read
iam put-group-policy --group-name readers --policy-name no-delete \
    --policy-document "$(doc Deny '"s3:DeleteObject"' '*')"
iam create-user --user-name alice --path /staff/ --tags Key=team,Value=red \
    --permissions-boundary arn:aws:iam::$A:policy/bound
iam add-user-to-group --user-name alice --group-name readers
iam create-user --user-name bob
iam put-user-policy --user-name bob --policy-name lambda \
    --policy-document "$(doc Allow '"lambda:*"' '*')"
iam create-role --role-name deployer --max-session-duration 7200 \
    --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}'
iam attach-role-policy --role-name deployer --policy-arn arn:aws:iam::$A:policy/bound
iam attach-user-policy --user-name bob \
    --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
iam create-login-profile --user-name bob --password 'Correct-Horse-9'

# Access keys are exported by id and status (bundles decide by them) but
# never imported: their secrets are not in the file. Import says so.
"$IAM" --store a.db --as $ROOT create-access-key --user-name bob \
    --query AccessKey.SecretAccessKey --output text >secret || fail key
"$IAMC" export --store a.db -o k.json || fail export keys
grep -q '"accessKeyId": "AKIA' k.json || fail "no access key id exported"
grep -q -f secret k.json && fail secret exported
"$IAMC" import --store k.db k.json >out 2>&1 || fail import keys: "$(cat out)"
grep -q 'users\[[0-9]*\].accessKeys.*1 access keys not imported' out ||
    fail "no warning for skipped keys: $(cat out)"
"$IAMC" export --store k.db -o k2.json || fail export k
grep -q AKIA k2.json && fail "a key without its secret was imported"
"$IAM" --store a.db --as $ROOT delete-access-key --user-name bob \
    --access-key-id "$(grep -o 'AKIA[A-Z0-9]*' k.json | head -1)" ||
    fail delete key

# Identical exports, with the default versions and with all of them.
"$IAMC" export --store a.db -o a.json || fail export
"$IAMC" import --store b.db a.json >out || fail import: "$(cat out)"
grep -q "imported 1 accounts (2 users, 1 groups, 1 roles, 2 managed policies)" out ||
    fail "no summary: $(cat out)"
"$IAMC" export --store b.db -o b.json || fail export b
cmp -s a.json b.json || fail "exports differ: $(diff a.json b.json)"
"$IAMC" export --store a.db --all-versions -o a2.json || fail export all
grep -q '"v2"' a2.json || fail "no second version in --all-versions"
"$IAMC" import --store c.db a2.json >/dev/null || fail import all
"$IAMC" export --store c.db --all-versions -o c2.json || fail export c
cmp -s a2.json c2.json || fail "exports differ: $(diff a2.json c2.json)"
# Secrets are not exported.
grep -q -e 'Correct-Horse-9' -e '"[a-zA-Z]*[Pp]assword"' -e '"[a-zA-Z]*[Ss]ecret[a-zA-Z]*"' -e AKIA a.json a2.json &&
    fail secret exported
# The exported file compiles (bundles carry their creation time, so they
# are compared by their decisions, below).
"$IAMC" compile a.json -o a.pdpb -q || fail compile a

# Both stores' live bundles decide alike, served by pdpd.
serve() {
	"$PDPD" --store "$1" --listen "ipc://$DIR/$1.ipc" --workers 1 \
	    2>"$1.log" &
	PIDS="$PIDS $!"
}
serve a.db
serve c.db
for P in user/staff/alice user/bob; do
	for ACT in s3:GetObject s3:ListBucket s3:DeleteObject s3:PutObject lambda:InvokeFunction; do
		for R in arn:aws:s3:::reports/q1.csv arn:aws:lambda:us-east-1:$A:function:f; do
			echo "$P $ACT $R" >>requests
		done
	done
done
ask() {
	i=0
	until "$CLIENT" "ipc://$DIR/$1.ipc" $ROOT iam:ListUsers >/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "pdpd on $1 did not come up: $(cat "$1.log")"
		sleep 0.1
	done
	while read -r P ACT R; do
		"$CLIENT" "ipc://$DIR/$1.ipc" "arn:aws:iam::$A:$P" "$ACT" "$R" |
		    sed 's/ (revision [0-9]*)//'
	done <requests
}
ask a.db >da
ask c.db >dc
cmp -s da dc || fail "decisions differ: $(diff da dc)"
grep -q '^Allow' da || fail "no Allow among the decisions"
grep -q '^ExplicitDeny' da || fail "no ExplicitDeny among the decisions"

# An account the store holds already: refused, nothing written.
"$IAMC" import --store b.db a.json 2>err && fail second import accepted
grep -q "EntityAlreadyExists" err || fail "no EntityAlreadyExists: $(cat err)"
"$IAMC" export --store b.db -o b3.json && cmp -s b.json b3.json ||
    fail the refused import changed the store

# What the store cannot hold: every problem, with file and JSON path.
cat >org.json <<'JSON'
{"organization": {"root": {"accounts": ["222222222222"]}},
 "accounts": [{"id": "222222222222",
   "users": [{"name": "u", "attachedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}],
   "resourcePolicies": {"arn:aws:s3:::b": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}}],
 "awsManagedPolicies": "managed.json"}
JSON
echo '{"ReadOnlyAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}}' >managed.json
"$IAMC" import --store d.db org.json 2>err && fail org import accepted
for want in "org.json: organization: error" \
    "org.json: accounts\[0\].resourcePolicies: error"; do
	grep -q "$want" err || fail "missing \"$want\": $(cat err)"
done
# AWS managed policies are the store's own: attaching one is no error.
grep -q "attachedPolicies" err && fail "AWS managed attachment refused: $(cat err)"
[ -e d.db ] && fail a refused import left a store behind
# A model with errors: the compiler's diagnostics, nothing written.
echo '{"accounts": [{"id": "222222222222", "users": [{"name": "a b"},
    {"name": "c", "groups": ["nope"]}]}]}' >bad.json
"$IAMC" import --store d.db bad.json 2>err && fail bad model accepted
grep -q "bad.json: accounts\[0\].users\[0\].name: error" err ||
    fail "no path: $(cat err)"
grep -q "bad.json: accounts\[0\].users\[1\].groups\[0\]: error" err ||
    fail "not every error: $(cat err)"
[ -e d.db ] && fail an invalid model made a store
echo "roundtrip_test: ok"
