// svc.c - the main of the commands that mirror one AWS service's CLI
// with the same callers (svc.h): sts and cloudtrail.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

static bool
known(const svc_cli *d, const char *op)
{
	for (size_t i = 0; d->commands[i] != NULL; i++)
		if (strcmp(d->commands[i], op) == 0)
			return true;
	return false;
}

// The caller of one command.
typedef struct caller {
	const char *as, *akid, *token;
} caller;

static int
run(iam_transport *t, const caller *who, const char *op, json_t *params,
    const output *out)
{
	json_t *resp = NULL;
	iams_error e;
	int rv;

	// In-process, a session's token is opened by the service; over a
	// socket the transport signs with the session's credentials.
	if (t->service != NULL && who->as == NULL)
		rv = iams_call_session(t->service, who->akid, who->token, op,
		    params, &resp, &e);
	else
		rv = t->call(t->arg, who->as, op, params, &resp, &e);
	if (rv != PDP_OK) {
		fprintf(stderr, "An error occurred (%s) when calling the %s "
		    "operation: %s\n", e.code, op, e.message);
		return 1;
	}
	print_answer(resp, out);
	json_decref(resp);
	return 0;
}

// check_caller says what is missing for the command to run, or NULL.
static const char *
check_caller(const char *store, const char *endpoint, const caller *who,
    bool export)
{
	if ((store == NULL) == (endpoint == NULL))
		return "give --store PATH or --endpoint URL";
	if (endpoint != NULL && (export || who->as != NULL))
		return export ? "this command reads the store file: give "
		    "--store PATH" : "--as is for --store; over --endpoint "
		    "the caller is the owner of AWS_ACCESS_KEY_ID";
	if (store != NULL && !export && who->as == NULL &&
	    (who->akid == NULL || who->token == NULL))
		return "no caller: give --as CALLER_ARN, or temporary "
		    "credentials (--access-key-id and --session-token, or "
		    "AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN)";
	return NULL;
}

int
svc_main(const svc_cli *d, int argc, char **argv)
{
	const char *store = NULL, *endpoint = NULL, *why;
	caller who = {NULL, getenv("AWS_ACCESS_KEY_ID"),
	    getenv("AWS_SESSION_TOKEN")};
	iam_transport t;
	char err[1024], op[128];
	int i = 1;

	// The options before the command, each with its value.
	const struct {
		const char *flag;
		const char **value;
	} opts[] = {
		{"--store", &store}, {"--endpoint", &endpoint},
		{"--as", &who.as}, {"--access-key-id", &who.akid},
		{"--session-token", &who.token},
	};
	flags_prog = d->prog;
	for (; i < argc; i++) {
		size_t k = 0, n = sizeof(opts) / sizeof(opts[0]);
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			d->usage(stdout);
			return 0;
		}
		while (k < n && strcmp(argv[i], opts[k].flag) != 0)
			k++;
		if (k == n || i + 1 >= argc)
			break;
		*opts[k].value = argv[++i];
	}
	if (i >= argc) {
		d->usage(stderr);
		return 2;
	}
	const char *cmd = argv[i++];
	if (strcmp(cmd, "help") == 0) {
		for (size_t k = 0; d->commands[k] != NULL; k++) {
			pascal_to_kebab(d->commands[k], op, sizeof(op));
			puts(op);
		}
		return 0;
	}
	bool export = d->local != NULL && strcmp(cmd, d->local) == 0;
	kebab_to_pascal(cmd, op, sizeof(op));
	if (!export && !known(d, op)) {
		fprintf(stderr, "%s: %s is not %s (%s help lists them)\n",
		    d->prog, cmd, d->what, d->prog);
		return 2;
	}
	if ((why = check_caller(store, endpoint, &who, export)) != NULL) {
		fprintf(stderr, "%s: %s\n", d->prog, why);
		return 2;
	}
	output out = {NULL, false};
	int nflags = argc - i;
	if (!export && !take_output(&nflags, argv + i, &out))
		return 2;
	json_t *params = export ? NULL : parse_flags(nflags, argv + i);
	if (!export && params == NULL)
		return 2;
	int rv = endpoint ? iam_remote_open(endpoint, &t, err, sizeof(err)) :
	    iam_local_open(store, false, &t, err, sizeof(err));
	if (rv != PDP_OK) {
		fprintf(stderr, "%s: %s\n", d->prog, err);
		json_decref(params);
		return rv == PDP_EINVAL ? 2 : 1;
	}
	if (endpoint != NULL)
		iam_remote_service(&t, d->service);
	int status = export ? d->local_fn(&t, argc - i, argv + i) :
	    run(&t, &who, op, params, &out);
	json_decref(params);
	t.close(t.arg);
	return status;
}
