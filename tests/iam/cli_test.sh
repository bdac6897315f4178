#!/bin/sh
# cli_test.sh IAM PDPD - the iam command: init, calls as root and as a
# user, AWS error codes on standard error with exit status 1, export;
# then the same over pdpd's socket (--endpoint) with signed requests:
# the same output and exit statuses, credentials from the environment,
# and the secret never printed; the audit trail through the cloudtrail
# command (beside IAM).
set -u
IAM=$1
PDPD=$2
DIR=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID; rm -rf "$DIR"' EXIT
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
# The credential report: none before the first generate-credential-report.
"$IAM" --store "$S" --as $ROOT get-credential-report 2>"$DIR/err"
[ $? -eq 1 ] || fail get-credential-report before generate did not exit 1
grep -q ReportNotPresent "$DIR/err" || fail no ReportNotPresent
"$IAM" help | grep -q '^create-user$' || fail help
"$IAM" help | grep -q '^create-virtual-mfa-device$' || fail help mfa

# --- over pdpd's socket -------------------------------------------------
# Root's first access key is made locally: holding the store is holding
# root. --query and --output text pick it out as the aws CLI does.
"$IAM" --store "$S" --as $ROOT create-access-key \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text \
    >"$DIR/key" || fail create-access-key
read -r KEY SECRET <"$DIR/key"
case $KEY in AKIA*) ;; *) fail "no access key id: $KEY" ;; esac
[ ${#SECRET} -eq 40 ] || fail "no secret"
E=ipc://$DIR/pdpd.ipc
T=tcp://127.0.0.1:$((20000 + $$ % 20000))
"$PDPD" --store "$S" --listen "$E" --listen "$T" --workers 2 \
    2>"$DIR/pdpd.log" &
PID=$!
i=0
until AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET \
    "$IAM" --endpoint "$E" get-user >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "pdpd did not come up: $(cat "$DIR/pdpd.log")"
	sleep 0.1
done
remote() {
	AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET \
	    "$IAM" --endpoint "$E" "$@"
}
# The same output as in-process, and the same errors and statuses.
remote create-user --user-name bob --path /ops/ >"$DIR/out" ||
    fail remote create-user
grep -q '"Arn": "arn:aws:iam::111122223333:user/ops/bob"' "$DIR/out" ||
    fail "remote output: $(cat "$DIR/out")"
"$IAM" --store "$S" --as $ROOT get-user --user-name bob |
    grep -v CreateDate >"$DIR/local"
remote get-user --user-name bob | grep -v CreateDate >"$DIR/remote"
cmp -s "$DIR/local" "$DIR/remote" || fail "outputs differ: $(diff "$DIR/local" "$DIR/remote")"
remote create-user --user-name BOB 2>"$DIR/err"
[ $? -eq 1 ] || fail remote duplicate did not exit 1
grep -q '^An error occurred (EntityAlreadyExists) when calling the CreateUser operation: ' \
    "$DIR/err" || fail "remote error: $(cat "$DIR/err")"
[ "$(remote list-users --path-prefix /ops/ --query 'Users[].UserName' \
    --output text)" = bob ] || fail remote --query
[ "$(AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$IAM" \
    --endpoint "$T" get-user --user-name bob --query User.UserName \
    --output text)" = bob ] || fail over tcp
# alice has ListUsers only: her key works, and is held to her policies.
"$IAM" --store "$S" --as $ROOT create-access-key --user-name alice \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text \
    >"$DIR/akey" || fail alice key
read -r AKEY ASECRET <"$DIR/akey"
AWS_ACCESS_KEY_ID=$AKEY AWS_SECRET_ACCESS_KEY=$ASECRET \
    "$IAM" --endpoint "$E" list-users >/dev/null || fail alice remote list
AWS_ACCESS_KEY_ID=$AKEY AWS_SECRET_ACCESS_KEY=$ASECRET \
    "$IAM" --endpoint "$E" delete-user --user-name bob 2>"$DIR/err" &&
    fail alice deleted bob
grep -q 'AccessDenied' "$DIR/err" || fail "no AccessDenied: $(cat "$DIR/err")"
# The credential report over pdpd: AWS's shapes, the CSV in base64, and
# root's key 1 last used just now for IAM.
remote generate-credential-report | grep -q '"State": "COMPLETE"' ||
    fail generate-credential-report
remote get-credential-report >"$DIR/out" || fail get-credential-report
grep -q '"ReportFormat": "text/csv"' "$DIR/out" || fail no ReportFormat
grep -q '"GeneratedTime": "[0-9-]*T[0-9:]*Z"' "$DIR/out" ||
    fail no GeneratedTime
remote get-credential-report --query Content --output text |
    base64 -d >"$DIR/report.csv" || fail Content is not base64
head -n 1 "$DIR/report.csv" | grep -q '^user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,.*,cert_2_last_rotated$' ||
    fail "report header: $(head -n 1 "$DIR/report.csv")"
sed -n 2p "$DIR/report.csv" | grep -q '^<root_account>,arn:aws:iam::111122223333:root,[^,]*,not_supported,no_information,not_supported,not_supported,false,true,[^,]*+00:00,[^,]*+00:00,us-east-1,iam,false,' ||
    fail "root row: $(sed -n 2p "$DIR/report.csv")"
grep -q '^alice,arn:aws:iam::111122223333:user/alice,' "$DIR/report.csv" ||
    fail no alice in the report
AWS_ACCESS_KEY_ID=$AKEY AWS_SECRET_ACCESS_KEY=$ASECRET \
    "$IAM" --endpoint "$E" get-credential-report 2>"$DIR/err" &&
    fail alice got the credential report
grep -q AccessDenied "$DIR/err" || fail "no AccessDenied: $(cat "$DIR/err")"
# Credentials: required, checked, and the secret never printed.
"$IAM" --endpoint "$E" list-users 2>"$DIR/err"
[ $? -eq 2 ] || fail no credentials did not exit 2
grep -q AWS_SECRET_ACCESS_KEY "$DIR/err" || fail "no hint: $(cat "$DIR/err")"
WRONG=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$WRONG \
    "$IAM" --endpoint "$E" list-users >"$DIR/out" 2>"$DIR/err"
[ $? -eq 1 ] || fail wrong secret did not exit 1
grep -q SignatureDoesNotMatch "$DIR/err" || fail "no SignatureDoesNotMatch"
grep -q -e "$WRONG" -e "$SECRET" "$DIR/out" "$DIR/err" "$DIR/pdpd.log" &&
    fail a secret was printed
remote --as $ROOT list-users 2>/dev/null
[ $? -eq 2 ] || fail --as accepted with --endpoint
"$IAM" --endpoint "$E" export 2>/dev/null
[ $? -eq 2 ] || fail export accepted with --endpoint
# The audit trail: cloudtrail lookup-events over pdpd (service
# "cloudtrail") names the key root signed with; alice may not look; no
# secret is in any event; in-process the same trail.
CT=$(dirname "$IAM")/cloudtrail
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$CT" --endpoint "$E" \
    lookup-events --lookup-attributes \
    AttributeKey=EventName,AttributeValue=GenerateCredentialReport \
    --query 'Events[].[EventName,Username,AccessKeyId,EventSource]' \
    --output text >"$DIR/out" || fail lookup-events
[ "$(cat "$DIR/out")" = "$(printf 'GenerateCredentialReport\troot\t%s\tiam.amazonaws.com' "$KEY")" ] ||
    fail "lookup-events: $(cat "$DIR/out")"
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$CT" --endpoint "$E" \
    lookup-events >"$DIR/out" || fail lookup-events all
grep -q CreateAccessKey "$DIR/out" || fail no CreateAccessKey event
grep -q -e "$SECRET" -e "$ASECRET" "$DIR/out" && fail a secret in an event
AWS_ACCESS_KEY_ID=$AKEY AWS_SECRET_ACCESS_KEY=$ASECRET "$CT" --endpoint "$E" \
    lookup-events 2>"$DIR/err" && fail alice looked up events
grep -q AccessDenied "$DIR/err" || fail "no AccessDenied: $(cat "$DIR/err")"
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$CT" --endpoint "$E" \
    lookup-events --max-results 51 2>"$DIR/err"
[ $? -eq 1 ] || fail max-results 51 did not exit 1
grep -q InvalidMaxResultsException "$DIR/err" || fail no InvalidMaxResults
kill $PID
wait $PID || fail "pdpd did not stop cleanly: $(cat "$DIR/pdpd.log")"
PID=
"$CT" --store "$S" --as $ROOT lookup-events --max-results 1 \
    --query 'Events[].EventName' --output text >"$DIR/out" ||
    fail lookup-events in-process
# The newest: root's refused lookup (--max-results 51) over pdpd.
[ "$(cat "$DIR/out")" = LookupEvents ] || fail "newest: $(cat "$DIR/out")"
"$CT" --store "$S" --as $ROOT describe-trails 2>/dev/null
[ $? -eq 2 ] || fail unknown cloudtrail command did not exit 2
echo "cli_test: ok"
