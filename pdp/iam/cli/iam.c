// iam.c - the iam command, mirroring `aws iam`:
//
//   iam init --store PATH --account 111122223333 [--aws-managed FILE]
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

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: iam init --store PATH --account ID [--aws-managed FILE]\n"
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

// kebab_to_pascal turns "create-user" into "CreateUser".
static void
kebab_to_pascal(const char *in, char *out, size_t len)
{
	size_t n = 0;
	bool up = true;

	for (; *in && n + 1 < len; in++) {
		if (*in == '-') {
			up = true;
			continue;
		}
		out[n++] = up ? (char) toupper((unsigned char) *in) : *in;
		up = false;
	}
	out[n] = '\0';
}

static void
pascal_to_kebab(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; in[i] && n + 2 < len; i++) {
		if (isupper((unsigned char) in[i]) && i > 0)
			out[n++] = '-';
		out[n++] = (char) tolower((unsigned char) in[i]);
	}
	out[n] = '\0';
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t) n + 1))) {
		if (fread(buf, 1, (size_t) n, f) != (size_t) n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

// value parses one flag value (see usage). Documents stay text: IAM
// takes policy documents as strings.
static json_t *
value(const char *field, const char *v)
{
	bool doc = strstr(field, "Document") != NULL;

	if (strncmp(v, "file://", 7) == 0) {
		char *t = read_text(v + 7);
		json_t *j = t ? json_string(t) : NULL;
		free(t);
		if (j == NULL)
			fprintf(stderr, "iam: cannot read %s\n", v + 7);
		return j;
	}
	if (!doc && (v[0] == '[' || v[0] == '{'))
		return json_loads(v, 0, NULL);
	if (strcmp(v, "true") == 0)
		return json_true();
	if (strcmp(v, "false") == 0)
		return json_false();
	if (v[0] != '\0' && strspn(v, "0123456789") == strlen(v) &&
	    strlen(v) < 16)
		return json_integer(strtoll(v, NULL, 10));
	if (strncmp(v, "Key=", 4) == 0) {
		const char *c = strstr(v, ",Value=");
		if (c != NULL) {
			json_t *k = json_stringn(v + 4, (size_t) (c - v - 4));
			return json_pack("{s:o, s:s}", "Key", k, "Value",
			    c + 7);
		}
	}
	return json_string(v);
}

// parse_flags turns --flag VALUE... into the request's params.
static json_t *
parse_flags(int argc, char **argv)
{
	json_t *p = json_object();

	for (int i = 0; i < argc; i++) {
		char field[128];
		if (strncmp(argv[i], "--", 2) != 0) {
			fprintf(stderr, "iam: unexpected argument %s\n",
			    argv[i]);
			json_decref(p);
			return NULL;
		}
		bool neg = strncmp(argv[i], "--no-", 5) == 0;
		kebab_to_pascal(argv[i] + (neg ? 5 : 2), field,
		    sizeof(field));
		int k = i + 1;
		while (k < argc && strncmp(argv[k], "--", 2) != 0)
			k++;
		json_t *v;
		if (k == i + 1) {
			v = json_boolean(!neg);
		} else if (k == i + 2 && strcmp(field, "Tags") != 0 &&
		    strcmp(field, "TagKeys") != 0) {
			v = value(field, argv[i + 1]);
		} else {
			v = json_array();
			for (int j = i + 1; j < k; j++) {
				json_t *e = value(field, argv[j]);
				// A single JSON list given for a list field.
				if (json_is_array(e) && k == i + 2) {
					json_decref(v);
					v = e;
					break;
				}
				json_array_append_new(v, e);
			}
		}
		if (v == NULL) {
			fprintf(stderr, "iam: bad value for %s\n", argv[i]);
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, field, v);
		i = k - 1;
	}
	return p;
}

static void
print_json(const json_t *j)
{
	char *t = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER);

	if (t != NULL) {
		puts(t);
		free(t);
	}
}

// default_aws_managed finds the AWS managed policies file: installed,
// else (a build tree) the repository's.
static const char *
default_aws_managed(void)
{
	if (access(IAM_AWS_MANAGED_INSTALLED, R_OK) == 0)
		return IAM_AWS_MANAGED_INSTALLED;
	if (access(IAM_AWS_MANAGED_SOURCE, R_OK) == 0)
		return IAM_AWS_MANAGED_SOURCE;
	return NULL;
}

static int
cmd_init(const char *store, int argc, char **argv)
{
	const char *account = NULL, *aws = default_aws_managed();
	iam_transport t;
	iams_error e;
	char err[1024];

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
