// sts.c - the sts command, mirroring `aws sts`:
//
//   sts --store PATH --as arn:aws:iam::111122223333:user/alice
//       assume-role --role-arn arn:aws:iam::111122223333:role/R
//       --role-session-name s1 [--duration-seconds 900]
//       [--tags Key=k,Value=v ...] [--policy file://session.json]
//   AWS_ACCESS_KEY_ID=ASIA... AWS_SESSION_TOKEN=...
//       sts --store PATH get-caller-identity
//   sts --endpoint ipc:///run/pdpd.ipc get-caller-identity
//   sts --store PATH --as ROOT_ARN rotate-session-keys
//   sts --store PATH export-keyring --out FILE
//
// With --store the command opens the store file itself; the caller is
// --as CALLER_ARN (long-term credentials, trusted as the iam command
// trusts them), or temporary credentials: --access-key-id and
// --session-token, else AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN from the
// environment, as the AWS CLI reads them. With --endpoint it asks pdpd
// (pdpd --store), signing with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN. Answers are AWS's JSON on standard output
// (--query and --output as the iam command has them); an error prints
// AWS's code and message on standard error and exits 1 (2 for usage).

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

// The operations of `aws sts` the service has, and ours.
static const char *const commands[] = {
	"AssumeRole", "GetSessionToken", "GetFederationToken",
	"GetCallerIdentity", "RotateSessionKeys", NULL,
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sts --store PATH [CALLER] COMMAND [--flag VALUE]...\n"
	    "       sts --endpoint URL COMMAND [--flag VALUE]...\n"
	    "       sts --store PATH export-keyring --out FILE\n"
	    "       sts help   (lists the commands)\n"
	    "\n"
	    SVC_CALLERS
	    "COMMAND is an STS operation in kebab case (assume-role,\n"
	    "get-session-token, ...); flags are its request fields\n"
	    "(--role-session-name s1), with values as the iam command\n"
	    "takes them: --tags Key=k,Value=v ..., --policy-arns arn=ARN\n"
	    "..., --policy file://PATH.\n"
	    "--query PATH and --output text select and print the answer\n"
	    "as the iam command does (--query Credentials.[AccessKeyId,\n"
	    "SecretAccessKey,SessionToken] --output text).\n");
}

static int
export_keyring(iam_transport *t, int argc, char **argv)
{
	char err[1024];

	if (argc != 2 || strcmp(argv[0], "--out") != 0) {
		usage(stderr);
		return 2;
	}
	if (iams_keyring_export(t->service, argv[1], err,
	    sizeof(err)) != PDP_OK) {
		fprintf(stderr, "sts: %s\n", err);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const svc_cli sts = {"sts", "sts", "an STS command", commands,
	    usage, "export-keyring", export_keyring};

	return svc_main(&sts, argc, argv);
}
