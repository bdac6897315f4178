// iamc.c - the iamc command: validate policies, compile account models
// and decide requests.
//
//   iamc validate [--type TYPE] FILE...   diagnostics; exit 1 on an error
//   iamc compile ACCOUNT -o FILE.pdpb      an account model to a bundle
//   iamc eval                              JSON lines in, decisions out
//   iamc export --store PATH -o FILE.json  an IAM store as an account model
//   iamc import --store PATH FILE.json     an account model into a store

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "iamc.h"
#include "iamc_eval.h"
#include "plugins.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: iamc validate [--type TYPE] [--plugins DIR] FILE...\n"
	    "       iamc compile ACCOUNT -o FILE.pdpb [--aws-managed FILE]\n"
	    "                    [--revision N] [--quiet]\n"
	    "       iamc eval [--plugins DIR] < requests.jsonl\n"
	    "       iamc export --store PATH [-o FILE.json] [--all-versions]\n"
	    "       iamc import --store PATH ACCOUNT.json [--quiet]\n"
	    "\n"
	    "validate  check IAM policy documents; prints every problem as\n"
	    "          FILE: JSON-PATH: error|warning: MESSAGE and exits 1\n"
	    "          when any document has an error.\n"
	    "          TYPE: identity (default), resource, trust, scp, rcp,\n"
	    "          boundary, session, aws-managed.\n"
	    "compile   compile an account model (compiler/ACCOUNT.md) into a\n"
	    "          bundle; prints every problem as FILE: JSON-PATH:\n"
	    "          error|warning: MESSAGE and exits 1 on an error.\n"
	    "eval      read one JSON request per line on standard input and\n"
	    "          write one decision per line (see README: iamc eval).\n"
	    "export    write the IAM store (pdp/iam) as an account model:\n"
	    "          identities and policies, never passwords or access\n"
	    "          keys; --all-versions keeps every policy version.\n"
	    "import    validate an account model as compile does, then load\n"
	    "          it into the IAM store (created when absent) in one\n"
	    "          transaction; its accounts must be new to the store.\n"
	    "--plugins DIR  the Lua plugins of DIR (plugins/README.md):\n"
	    "          their condition keys are known to the compiler, and\n"
	    "          eval decides with the plugins themselves.\n");
}

// read_file reads a whole file (or standard input for "-").
static char *
read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 8192, n = 0;
	char *buf;

	if (f == NULL)
		return NULL;
	buf = malloc(cap);
	while (buf != NULL) {
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	if (buf != NULL && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static int
cmd_validate(int argc, char **argv)
{
	pdp_policy_type type = PDP_POLICY_IDENTITY;
	int i = 0, bad = 0, nfiles = 0;
	iamc_cli_plugins pl = {0};

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--plugins") == 0) {
			iamc_cli_plugins_close(&pl);
			if (!iamc_cli_plugins_open(argv[i + 1], false, &pl))
				return 2;
		} else if (strcmp(argv[i], "--type") != 0) {
			break;
		} else if (!iamc_policy_type_parse(argv[i + 1], &type)) {
			fprintf(stderr, "iamc: unknown policy type \"%s\"\n",
			    argv[i + 1]);
			iamc_cli_plugins_close(&pl);
			return 2;
		}
	}
	for (; i < argc; i++, nfiles++) {
		size_t len;
		char *text = read_file(argv[i], &len);
		iamc_arena *a = iamc_arena_open();
		const pdpi_policy *p;
		iamc_diags d;

		if (text == NULL || a == NULL) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			free(text);
			iamc_arena_close(a);
			bad = 1;
			continue;
		}
		iamc_diags_init(&d);
		iamc_policy_compile_text_ex(a, text, len, type, argv[i],
		    pl.eval.compile, &p, &d);
		for (size_t k = 0; k < d.n; k++)
			printf("%s: %s%s%s: %s\n", argv[i], d.v[k].path,
			    d.v[k].path[0] ? ": " : "",
			    d.v[k].severity == IAMC_ERROR ? "error" :
			    "warning", d.v[k].message);
		if (d.nerrors > 0)
			bad = 1;
		else if (d.n == 0)
			printf("%s: ok\n", argv[i]);
		iamc_diags_fini(&d);
		iamc_arena_close(a);
		free(text);
	}
	iamc_cli_plugins_close(&pl);
	if (nfiles == 0) {
		usage(stderr);
		return 2;
	}
	return bad;
}

static int
cmd_eval(int argc, char **argv)
{
	char *linebuf = NULL;
	size_t cap = 0;
	ssize_t n;
	iamc_cli_plugins pl = {0};

	if (argc == 2 && strcmp(argv[0], "--plugins") == 0) {
		if (!iamc_cli_plugins_open(argv[1], true, &pl))
			return 2;
	} else if (argc != 0) {
		usage(stderr);
		return 2;
	}

	// A bad line yields an Error line; the stream always goes on.
	while ((n = getline(&linebuf, &cap, stdin)) != -1) {
		while (n > 0 && (linebuf[n - 1] == '\n' ||
		    linebuf[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		json_t *out = iamc_eval_line_ex(linebuf, (size_t) n,
		    pl.keys != NULL ? &pl.eval : NULL);
		if (out == NULL) {
			puts("{\"id\":null,\"decision\":\"Error\","
			    "\"error\":\"out of memory\"}");
			continue;
		}
		char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		puts(s != NULL ? s : "{\"id\":null,\"decision\":\"Error\","
		    "\"error\":\"out of memory\"}");
		free(s);
		json_decref(out);
		fflush(stdout);
	}
	free(linebuf);
	iamc_cli_plugins_close(&pl);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "validate") == 0)
		return cmd_validate(argc - 2, argv + 2);
	if (strcmp(argv[1], "compile") == 0)
		return iamc_cmd_compile(argc - 2, argv + 2);
	if (strcmp(argv[1], "eval") == 0)
		return cmd_eval(argc - 2, argv + 2);
	if (strcmp(argv[1], "export") == 0)
		return iamc_cmd_export(argc - 2, argv + 2);
	if (strcmp(argv[1], "import") == 0)
		return iamc_cmd_import(argc - 2, argv + 2);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "iamc: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
