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
# MFA: AWS's command and flag names, acronym included; codes given as
# numbers reach the service as six digits.
"$IAM" --store "$S" --as $ROOT create-virtual-mfa-device \
    --virtual-mfa-device-name phone >"$DIR/mfa" || fail create-virtual-mfa
grep -q '"SerialNumber": "arn:aws:iam::111122223333:mfa/phone"' "$DIR/mfa" ||
    fail no SerialNumber
grep -q '"Base32StringSeed": "[A-Z2-7]\{64\}"' "$DIR/mfa" || fail no seed
"$IAM" --store "$S" --as $ROOT list-virtual-mfa-devices \
    --assignment-status Unassigned | grep -q 'mfa/phone' ||
    fail list-virtual-mfa-devices
"$IAM" --store "$S" --as $ROOT list-virtual-mfa-devices | grep -q Base32 &&
    fail seed shown twice
"$IAM" --store "$S" --as $ROOT enable-mfa-device --user-name alice \
    --serial-number arn:aws:iam::111122223333:mfa/phone \
    --authentication-code1 012345 --authentication-code2 000000 \
    2>"$DIR/err" && fail wrong codes accepted
grep -q InvalidAuthenticationCode "$DIR/err" || fail no InvalidAuthenticationCode
"$IAM" --store "$S" --as $ROOT delete-virtual-mfa-device \
    --serial-number arn:aws:iam::111122223333:mfa/phone || fail delete-mfa
"$IAM" help | grep -q '^create-user$' || fail help
"$IAM" help | grep -q '^create-virtual-mfa-device$' || fail help mfa
echo "cli_test: ok"
