// iam.c - the iam command, mirroring `aws iam`:
//
//   iam init --store PATH --account 111122223333
//   iam --store PATH --as CALLER_ARN create-user --user-name alice
//   iam --store PATH --as CALLER_ARN attach-user-policy
//       --user-name alice --policy-arn arn:aws:iam::...:policy/read
//   iam --store PATH export [--all-versions]
//   iam bench-live --users N
//
// Commands are AWS's operation names in kebab case; flags are AWS's
// request fields in kebab case. Answers are AWS's JSON on standard
// output; an error prints AWS's code and message on standard error and
// exits 1 (2 for usage).

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "transport.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: iam init --store PATH --account ID\n"
	    "       iam --store PATH --as CALLER_ARN COMMAND [--flag VALUE]...\n"
	    "       iam --store PATH export [--all-versions]\n"
	    "       iam bench-live [--users N] [--rounds R]\n"
	    "       iam help   (lists the commands)\n"
	    "\n"
	    "COMMAND is an IAM operation in kebab case (create-user,\n"
	    "attach-user-policy, ...); flags are its request fields\n"
	    "(--user-name alice). VALUE: a number, true/false, JSON\n"
	    "([...] or {...}), file://PATH (the file's text), Key=k,Value=v\n"
	    "(a tag), or text; several values after one flag make a list.\n"
	    "A flag without a value is true (--set-as-default).\n");
}

static int
cmd_init(const char *store, int argc, char **argv)
{
	const char *account = NULL;
	iam_transport t;
	iams_error e;
	char err[1024];

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--account") == 0 && i + 1 < argc)
			account = argv[++i];
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
	if (iam_local_open(store, true, &t, err, sizeof(err)) != PDP_OK) {
		fprintf(stderr, "iam: %s\n", err);
		return 1;
	}
	int rv = iams_account_create(iam_local_service(&t), account, &e);
	t.close(t.arg);
	if (rv != PDP_OK) {
		fprintf(stderr, "An error occurred (%s) when calling the "
		    "init operation: %s\n", e.code, e.message);
		return 1;
	}
	json_t *o = json_pack("{s:{s:s, s:o}}", "Account", "Id", account,
	    "RootArn", json_sprintf("arn:aws:iam::%s:root", account));
	print_json(o);
	json_decref(o);
	return 0;
}

static int
cmd_export(iam_transport *t, int argc, char **argv)
{
	bool all = argc > 0 && strcmp(argv[0], "--all-versions") == 0;
	json_t *m;

	if (iams_export(iam_local_service(t), all, &m) != PDP_OK) {
		fprintf(stderr, "iam: export failed\n");
		return 1;
	}
	print_json(m);
	json_decref(m);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *store = NULL, *as = NULL;
	iam_transport t;
	char err[1024], op[128];
	int i = 1;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			store = argv[++i];
		else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
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
	if (store == NULL) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "export") != 0 && as == NULL) {
		fprintf(stderr, "iam: --as CALLER_ARN is required\n");
		return 2;
	}
	json_t *params = parse_flags(argc - i, argv + i);
	if (params == NULL)
		return 2;
	if (iam_local_open(store, false, &t, err, sizeof(err)) != PDP_OK) {
		fprintf(stderr, "iam: %s\n", err);
		json_decref(params);
		return 1;
	}
	int status = 0;
	if (strcmp(cmd, "export") == 0) {
		status = cmd_export(&t, argc - i, argv + i);
	} else {
		json_t *resp = NULL;
		iams_error e;
		kebab_to_pascal(cmd, op, sizeof(op));
		if (t.call(t.arg, as, op, params, &resp, &e) != PDP_OK) {
			fprintf(stderr, "An error occurred (%s) when calling "
			    "the %s operation: %s\n", e.code, op, e.message);
			status = 1;
		} else {
			if (json_object_size(resp) > 0)
				print_json(resp);
			json_decref(resp);
		}
	}
	json_decref(params);
	t.close(t.arg);
	return status;
}
