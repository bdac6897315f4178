// svc.h - the main of the commands that mirror one AWS service's CLI
// with the same callers (sts, cloudtrail): options before the command
// (--store PATH with --as CALLER_ARN or session credentials, or
// --endpoint URL), a kebab-case command of the service's, its flags,
// --query and --output.

#ifndef IAM_SVC_H
#define IAM_SVC_H

#include <stdio.h>

#include "flags.h"
#include "transport.h"

// The usage text on the caller, the same for every such command.
#define SVC_CALLERS \
	"CALLER (with --store): --as CALLER_ARN, or --access-key-id\n" \
	"ASIA... --session-token TOKEN (default: AWS_ACCESS_KEY_ID and\n" \
	"AWS_SESSION_TOKEN from the environment). With --endpoint the\n" \
	"requests are signed with AWS_ACCESS_KEY_ID,\n" \
	"AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.\n"

typedef struct svc_cli {
	const char *prog;              // "sts"
	const char *service;           // pdpd's service field: "sts"
	const char *what;              // "an STS command"
	const char *const *commands;   // the operations, NULL-terminated
	void (*usage)(FILE *f);
	// A command of the program's own that reads the store file
	// (export-keyring) and its runner, or NULL.
	const char *local;
	int (*local_fn)(iam_transport *t, int argc, char **argv);
} svc_cli;

// svc_main runs the command line of program `d`; returns the exit
// status (2 for usage errors).
int svc_main(const svc_cli *d, int argc, char **argv);

#endif // IAM_SVC_H
