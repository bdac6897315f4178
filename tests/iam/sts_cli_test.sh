#!/bin/sh
# sts_cli_test.sh IAM STS - the sts command: assume-role as a user,
# get-caller-identity with the session's credentials from the
# environment and from flags, AWS error codes on standard error with exit
# status 1, usage errors with 2, digits kept as text, the keyring export
# and rotation.
set -u
IAM=$1
STS=$2
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
S="$DIR/iam.db"
ROOT=arn:aws:iam::111122223333:root
ALICE=arn:aws:iam::111122223333:user/alice
APP=arn:aws:iam::111122223333:role/app
SESSION=arn:aws:sts::111122223333:assumed-role/app/s1
fail() { echo "sts_cli_test: $*" >&2; exit 1; }
unset AWS_ACCESS_KEY_ID AWS_SESSION_TOKEN

"$IAM" init --store "$S" --account 111122223333 >/dev/null || fail init
"$IAM" --store "$S" --as $ROOT create-user --user-name alice >/dev/null ||
    fail create-user
printf '%s' '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}' >"$DIR/p.json"
"$IAM" --store "$S" --as $ROOT put-user-policy --user-name alice \
    --policy-name sts --policy-document "file://$DIR/p.json" ||
    fail put-user-policy
printf '%s' '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}' >"$DIR/t.json"
"$IAM" --store "$S" --as $ROOT create-role --role-name app \
    --assume-role-policy-document "file://$DIR/t.json" >/dev/null ||
    fail create-role

"$STS" --store "$S" --as $ALICE assume-role --role-arn $APP \
    --role-session-name s1 --duration-seconds 900 \
    --tags Key=team,Value=eng --transitive-tag-keys team >"$DIR/out" ||
    fail assume-role
grep -q "\"Arn\": \"$SESSION\"" "$DIR/out" || fail no AssumedRoleUser
grep -q '"PackedPolicySize": ' "$DIR/out" || fail no PackedPolicySize
AKID=$(sed -n 's/.*"AccessKeyId": "\(.*\)".*/\1/p' "$DIR/out")
TOKEN=$(sed -n 's/.*"SessionToken": "\(.*\)".*/\1/p' "$DIR/out")
case $AKID in ASIA*) ;; *) fail "access key id $AKID" ;; esac

AWS_ACCESS_KEY_ID=$AKID AWS_SESSION_TOKEN=$TOKEN "$STS" --store "$S" \
    get-caller-identity | grep -q "\"Arn\": \"$SESSION\"" ||
    fail get-caller-identity from the environment
# The session may not chain: the role has no permission to.
"$STS" --store "$S" --access-key-id "$AKID" --session-token "$TOKEN" \
    assume-role --role-arn $APP --role-session-name s2 2>"$DIR/err" &&
    fail chained without permission
grep -q '(AccessDenied) when calling the AssumeRole operation' "$DIR/err" ||
    fail no AccessDenied
"$STS" --store "$S" --access-key-id "$AKID" --session-token x \
    get-caller-identity 2>"$DIR/err" && fail bad token accepted
grep -q InvalidClientTokenId "$DIR/err" || fail no InvalidClientTokenId

"$STS" --store "$S" --as $ALICE assume-role --role-arn $APP \
    --role-session-name x 2>"$DIR/err"
[ $? -eq 1 ] || fail exit status of an AWS error
grep -q ValidationError "$DIR/err" || fail no ValidationError
# Digits stay text: a token code with a leading zero reaches the service.
"$STS" --store "$S" --as $ALICE get-session-token \
    --serial-number arn:aws:iam::111122223333:mfa/none \
    --token-code 012345 2>"$DIR/err" && fail unknown device accepted
grep -q AccessDenied "$DIR/err" || fail token code not taken as text
"$STS" --store "$S" get-caller-identity 2>/dev/null
[ $? -eq 2 ] || fail no caller is not a usage error
"$STS" --store "$S" --as $ROOT create-user --user-name x 2>/dev/null
[ $? -eq 2 ] || fail sts runs an IAM operation

"$STS" --store "$S" export-keyring --out "$DIR/ring" || fail export-keyring
[ "$(stat -c %a "$DIR/ring")" = 600 ] || fail keyring file mode
"$STS" --store "$S" --as $ROOT rotate-session-keys |
    grep -q '"SigningKeyId": 2' || fail rotate-session-keys
"$STS" help | grep -q '^assume-role$' || fail help
echo "sts_cli_test: ok"
