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

#include "flags.h"
#include "transport.h"

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
	    "CALLER (with --store): --as CALLER_ARN, or --access-key-id\n"
	    "ASIA... --session-token TOKEN (default: AWS_ACCESS_KEY_ID and\n"
	    "AWS_SESSION_TOKEN from the environment). With --endpoint the\n"
	    "requests are signed with AWS_ACCESS_KEY_ID,\n"
	    "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.\n"
	    "COMMAND is an STS operation in kebab case (assume-role,\n"
	    "get-session-token, ...); flags are its request fields\n"
	    "(--role-session-name s1), with values as the iam command\n"
	    "takes them: --tags Key=k,Value=v ..., --policy-arns arn=ARN\n"
	    "..., --policy file://PATH.\n"
	    "--query PATH and --output text select and print the answer\n"
	    "as the iam command does (--query Credentials.[AccessKeyId,\n"
	    "SecretAccessKey,SessionToken] --output text).\n");
}

static bool
known(const char *op)
{
	for (size_t i = 0; commands[i] != NULL; i++)
		if (strcmp(commands[i], op) == 0)
			return true;
	return false;
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
		return export ? "export-keyring reads the store file: give "
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
main(int argc, char **argv)
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
	flags_prog = "sts";
	for (; i < argc; i++) {
		size_t k = 0, n = sizeof(opts) / sizeof(opts[0]);
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		while (k < n && strcmp(argv[i], opts[k].flag) != 0)
			k++;
		if (k == n || i + 1 >= argc)
			break;
		*opts[k].value = argv[++i];
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[i++];
	if (strcmp(cmd, "help") == 0) {
		for (size_t k = 0; commands[k] != NULL; k++) {
			pascal_to_kebab(commands[k], op, sizeof(op));
			puts(op);
		}
		return 0;
	}
	bool export = strcmp(cmd, "export-keyring") == 0;
	kebab_to_pascal(cmd, op, sizeof(op));
	if (!export && !known(op)) {
		fprintf(stderr, "sts: %s is not an STS command (sts help "
		    "lists them)\n", cmd);
		return 2;
	}
	if ((why = check_caller(store, endpoint, &who, export)) != NULL) {
		fprintf(stderr, "sts: %s\n", why);
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
		fprintf(stderr, "sts: %s\n", err);
		json_decref(params);
		return rv == PDP_EINVAL ? 2 : 1;
	}
	if (endpoint != NULL)
		iam_remote_service(&t, "sts");
	int status = export ? export_keyring(&t, argc - i, argv + i) :
	    run(&t, &who, op, params, &out);
	json_decref(params);
	t.close(t.arg);
	return status;
}
