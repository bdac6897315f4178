#!/bin/sh
# sts_cli_test.sh IAM STS [PDPD] - the sts command: assume-role as a user,
# get-caller-identity with the session's credentials from the
# environment and from flags, AWS error codes on standard error with exit
# status 1, usage errors with 2, digits kept as text, the keyring export
# and rotation; with PDPD, the same over pdpd --store: requests signed
# with alice's access key, then with the session's credentials.
set -u
IAM=$1
STS=$2
PDPD=${3:-}
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
# --query and --output, as the iam command and the AWS CLI have them.
[ "$(AWS_ACCESS_KEY_ID=$AKID AWS_SESSION_TOKEN=$TOKEN "$STS" --store "$S" \
    get-caller-identity --query Arn --output text)" = "$SESSION" ] ||
    fail get-caller-identity --query Arn --output text
"$STS" --store "$S" --as $ALICE assume-role --role-arn $APP \
    --role-session-name s3 --query 'Credentials.[AccessKeyId,SessionToken]' \
    --output text >"$DIR/out" || fail assume-role --query
awk -F '\t' 'NF == 2 && $1 ~ /^ASIA/ { ok = 1 } END { exit !ok }' \
    "$DIR/out" || fail "assume-role --output text: $(cat "$DIR/out")"
"$STS" --store "$S" --as $ALICE get-caller-identity --output yaml \
    2>"$DIR/err"
[ $? -eq 2 ] || fail an unknown --output is not a usage error
grep -q '^sts: --output is json or text$' "$DIR/err" ||
    fail "--output's message: $(cat "$DIR/err")"
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

[ -n "$PDPD" ] || { echo "sts_cli_test: ok (no pdpd)"; exit 0; }
"$IAM" --store "$S" --as $ROOT create-access-key --user-name alice \
    >"$DIR/key" || fail create-access-key
AK=$(sed -n 's/.*"AccessKeyId": "\(.*\)".*/\1/p' "$DIR/key")
SK=$(sed -n 's/.*"SecretAccessKey": "\(.*\)".*/\1/p' "$DIR/key")
URL="ipc://$DIR/pdpd.ipc"
"$PDPD" --store "$S" --listen "$URL" --log-level error 2>"$DIR/pdpd.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
# pdpd is up when it answers (its socket appears first).
up=0
for _ in $(seq 1 100); do
	if AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK "$STS" \
	    --endpoint "$URL" get-caller-identity >"$DIR/me" 2>/dev/null; then
		up=1
		break
	fi
	sleep 0.1
done
[ $up = 1 ] || { cat "$DIR/pdpd.log" >&2; fail pdpd did not answer; }
grep -q "\"Arn\": \"$ALICE\"" "$DIR/me" || fail remote identity
AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK "$STS" --endpoint "$URL" \
    assume-role --role-arn $APP --role-session-name s1 >"$DIR/out" ||
    fail remote assume-role
AKID=$(sed -n 's/.*"AccessKeyId": "\(.*\)".*/\1/p' "$DIR/out")
SECRET=$(sed -n 's/.*"SecretAccessKey": "\(.*\)".*/\1/p' "$DIR/out")
TOKEN=$(sed -n 's/.*"SessionToken": "\(.*\)".*/\1/p' "$DIR/out")
# Signed with the session's secret, the caller is the session.
AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET \
    AWS_SESSION_TOKEN=$TOKEN "$STS" --endpoint "$URL" get-caller-identity |
    grep -q "\"Arn\": \"$SESSION\"" || fail remote session identity
# ... and its IAM calls are decided for the session (the role may not).
AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET \
    AWS_SESSION_TOKEN=$TOKEN "$IAM" --endpoint "$URL" list-users \
    2>"$DIR/err" && fail the session may list users
grep -q "AccessDenied" "$DIR/err" || fail no remote AccessDenied
# A wrong secret with the token does not sign.
AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SK \
    AWS_SESSION_TOKEN=$TOKEN "$STS" --endpoint "$URL" get-caller-identity \
    2>"$DIR/err" && fail a wrong secret signs
grep -q SignatureDoesNotMatch "$DIR/err" || fail no SignatureDoesNotMatch
echo "sts_cli_test: ok"
