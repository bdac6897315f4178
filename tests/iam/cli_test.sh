#!/bin/sh
# cli_test.sh IAM - the iam command: init, calls as root and as a user,
# AWS error codes on standard error with exit status 1, export.
set -u
IAM=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
S="$DIR/iam.db"
ROOT=arn:aws:iam::111122223333:root
fail() { echo "cli_test: $*" >&2; exit 1; }

"$IAM" init --store "$S" --account 111122223333 >/dev/null || fail init
"$IAM" --store "$S" --as $ROOT create-user --user-name alice \
    --tags Key=team,Value=eng | grep -q '"UserName": "alice"' ||
    fail create-user
"$IAM" --store "$S" --as $ROOT create-user --user-name ALICE \
    2>"$DIR/err" && fail duplicate accepted
grep -q EntityAlreadyExists "$DIR/err" || fail no EntityAlreadyExists
"$IAM" --store "$S" --as arn:aws:iam::111122223333:user/alice list-users \
    2>"$DIR/err" && fail alice may list
grep -q AccessDenied "$DIR/err" || fail no AccessDenied
printf '%s' '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}' >"$DIR/p.json"
"$IAM" --store "$S" --as $ROOT create-policy --policy-name list \
    --policy-document "file://$DIR/p.json" >/dev/null || fail create-policy
"$IAM" --store "$S" --as $ROOT attach-user-policy --user-name alice \
    --policy-arn arn:aws:iam::111122223333:policy/list || fail attach
"$IAM" --store "$S" --as arn:aws:iam::111122223333:user/alice list-users \
    | grep -q '"IsTruncated": false' || fail alice cannot list
"$IAM" --store "$S" --as $ROOT put-user-policy --user-name alice \
    --policy-name bad --policy-document '{"Statement":[]}' 2>"$DIR/err" &&
    fail bad document accepted
grep -q MalformedPolicyDocument "$DIR/err" || fail no MalformedPolicyDocument
"$IAM" --store "$S" export | grep -q '"attachedPolicies"' || fail export
# AWS managed policies: init loaded them (found by default), read-only,
# attachable, exported with their documents.
SR=arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
"$IAM" --store "$S" --as $ROOT get-policy --policy-arn $SR |
    grep -q '"Path": "/service-role/"' || fail no AWS managed policies
"$IAM" --store "$S" --as $ROOT delete-policy --policy-arn $SR \
    2>"$DIR/err" && fail AWS managed policy deleted
grep -q AccessDenied "$DIR/err" || fail no AccessDenied for delete-policy
"$IAM" --store "$S" --as $ROOT attach-user-policy --user-name alice \
    --policy-arn $SR || fail attach AWS managed
"$IAM" --store "$S" export | grep -q '"AWSLambdaBasicExecutionRole": {' ||
    fail export without awsManagedPolicies
"$IAM" init --store "$DIR/bare.db" --account 111122223333 \
    --aws-managed "" >/dev/null || fail init without AWS managed
"$IAM" --store "$DIR/bare.db" --as $ROOT get-policy --policy-arn $SR \
    2>"$DIR/err" && fail bare store has AWS managed policies
grep -q NoSuchEntity "$DIR/err" || fail no NoSuchEntity
"$IAM" help | grep -q '^create-user$' || fail help
echo "cli_test: ok"
