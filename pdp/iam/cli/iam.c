// iam.c - the iam command, mirroring `aws iam`:
//
//   iam init --store PATH --account 111122223333 [--aws-managed FILE]
//   iam --store PATH --as CALLER_ARN create-user --user-name alice
//   iam --store PATH --as CALLER_ARN attach-user-policy
//       --user-name alice --policy-arn arn:aws:iam::...:policy/read
//   iam --endpoint ipc:///run/pdpd.ipc create-user --user-name alice
//   iam --store PATH export [--all-versions]
//   iam bench-live --users N
//
// Commands are AWS's operation names in kebab case; flags are AWS's
// request fields in kebab case. Answers are AWS's JSON on standard
// output; an error prints AWS's code and message on standard error and
// exits 1 (2 for usage). With --store the command opens the store file
// itself and acts as --as says; with --endpoint it asks pdpd, signing
// with the access key of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and
// the caller is that key's owner.

#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flags.h"
#include "iams_auth.h"
#include "transport.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: iam init --store PATH --account ID [--aws-managed FILE]\n"
	    "       iam --store PATH --as CALLER_ARN COMMAND [--flag VALUE]...\n"
	    "       iam --endpoint URL COMMAND [--flag VALUE]...\n"
	    "       iam --store PATH export [--all-versions]\n"
	    "       iam bench-live [--users N] [--rounds R]\n"
	    "       iam help   (lists the commands)\n"
	    "\n"
	    "COMMAND is an IAM operation in kebab case (create-user,\n"
	    "attach-user-policy, ...); flags are its request fields\n"
	    "(--user-name alice). VALUE: a number (integer fields such as\n"
	    "--max-items; other digits stay text), true/false, JSON\n"
	    "([...] or {...}), file://PATH (the file's text), Key=k,Value=v\n"
	    "(a tag), or text; several values after one flag make a list.\n"
	    "A flag without a value is true (--set-as-default).\n"
	    "\n"
	    "--store PATH     open the store file in-process; the caller is\n"
	    "                 --as (whoever holds the store file is root)\n"
	    "--endpoint URL   ask the pdpd serving a store (pdpd --store) at\n"
	    "                 ipc:///path or tcp://host:port; requests are\n"
	    "                 signed with AWS_ACCESS_KEY_ID and\n"
	    "                 AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN),\n"
	    "                 and the caller is the owner of that key\n"
	    "--query PATH     print only this part of the answer: names\n"
	    "                 separated by dots, NAME[] to take every item\n"
	    "                 of a list, [A,B] to take several fields\n"
	    "                 (AccessKey.[AccessKeyId,SecretAccessKey])\n"
	    "--output text    print scalars as text, a list's on one line\n"
	    "                 separated by tabs (default: json)\n");
}

static int
cmd_init(const char *store, int argc, char **argv)
{
	const char *account = NULL, *aws = iams_aws_managed_default();
	output out = {NULL, false};
	iam_transport t;
	iams_error e;
	char err[1024];

	if (!take_output(&argc, argv, &out))
		return 2;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--account") == 0 && i + 1 < argc)
			account = argv[++i];
		else if (strcmp(argv[i], "--aws-managed") == 0 && i + 1 < argc)
			aws = argv[++i][0] ? argv[i] : NULL;
		else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			store = argv[++i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (store == NULL || account == NULL) {
		usage(stderr);
		return 2;
	}
	iam_local_aws_managed(aws);
	if (iam_local_open(store, true, &t, err, sizeof(err)) != PDP_OK) {
		fprintf(stderr, "iam: %s\n", err);
		return 1;
	}
	int rv = iams_account_create(t.service, account, &e);
	t.close(t.arg);
	if (rv != PDP_OK) {
		fprintf(stderr, "An error occurred (%s) when calling the "
		    "init operation: %s\n", e.code, e.message);
		return 1;
	}
	json_t *o = json_pack("{s:{s:s, s:o}}", "Account", "Id", account,
	    "RootArn", json_sprintf("arn:aws:iam::%s:root", account));
	print_answer(o, &out);
	json_decref(o);
	return 0;
}

static int
cmd_export(iam_transport *t, int argc, char **argv)
{
	bool all = argc > 0 && strcmp(argv[0], "--all-versions") == 0;
	json_t *m;

	if (iams_export(t->service, all, &m) != PDP_OK) {
		fprintf(stderr, "iam: export failed\n");
		return 1;
	}
	print_json(m);
	json_decref(m);
	return 0;
}

// run_op runs one operation through the transport and prints its answer
// as the aws CLI does; returns the exit status.
static int
run_op(iam_transport *t, const char *as, const char *cmd,
    const json_t *params, const output *o)
{
	json_t *resp = NULL;
	iams_error e;
	char op[128];

	kebab_to_pascal(cmd, op, sizeof(op));
	if (t->call(t->arg, as, op, params, &resp, &e) != PDP_OK) {
		fprintf(stderr, "An error occurred (%s) when calling the %s "
		    "operation: %s\n", e.code, op, e.message);
		return 1;
	}
	if (json_object_size(resp) > 0 || o->query != NULL)
		print_answer(resp, o);
	json_decref(resp);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *store = NULL, *as = NULL, *endpoint = NULL;
	output out = {NULL, false};
	iam_transport t;
	char err[1024], op[128];
	int i = 1;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			store = argv[++i];
		else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
		else if (strcmp(argv[i], "--endpoint") == 0 && i + 1 < argc)
			endpoint = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else
			break;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[i++];
	if (strcmp(cmd, "init") == 0)
		return cmd_init(store, argc - i, argv + i);
	if (strcmp(cmd, "bench-live") == 0)
		return iam_bench_live(argc - i, argv + i);
	if (strcmp(cmd, "help") == 0) {
		for (const char *const *n = iams_op_names(); *n; n++) {
			pascal_to_kebab(*n, op, sizeof(op));
			puts(op);
		}
		return 0;
	}
	if ((store == NULL) == (endpoint == NULL)) {
		fprintf(stderr, "iam: give --store PATH or --endpoint URL\n");
		usage(stderr);
		return 2;
	}
	bool is_export = strcmp(cmd, "export") == 0;
	if (endpoint != NULL && (as != NULL || is_export)) {
		fprintf(stderr, "iam: %s\n", is_export ? "export reads the "
		    "store file: give --store PATH" : "--as is for --store; "
		    "over --endpoint the caller is the owner of "
		    "AWS_ACCESS_KEY_ID");
		return 2;
	}
	if (store != NULL && !is_export && as == NULL) {
		fprintf(stderr, "iam: --as CALLER_ARN is required\n");
		return 2;
	}
	int nflags = argc - i;
	if (!take_output(&nflags, argv + i, &out))
		return 2;
	json_t *params = is_export ? json_object() :
	    parse_flags(nflags, argv + i);
	if (params == NULL)
		return 2;
	int rv = endpoint ? iam_remote_open(endpoint, &t, err, sizeof(err)) :
	    iam_local_open(store, false, &t, err, sizeof(err));
	if (rv != PDP_OK) {
		fprintf(stderr, "iam: %s\n", err);
		json_decref(params);
		return rv == PDP_EINVAL ? 2 : 1;
	}
	int status = is_export ? cmd_export(&t, nflags, argv + i) :
	    run_op(&t, as, cmd, params, &out);
	json_decref(params);
	t.close(t.arg);
	return status;
}
