// compile.c - `iamc compile ACCOUNT -o FILE.pdpb`: an account model
// (compiler/ACCOUNT.md) to a bundle file, written atomically so that a
// server watching FILE.pdpb never sees half of one.

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "plugins.h"
#include "iamc_account.h"
#include "iamc_bundle.h"
#include "pdp.h"
#include "pdpb.h"

// Progress lines appear only when compiling takes a while.
#define PROGRESS_PRINCIPALS 1000
#define PROGRESS_SECONDS 0.5

typedef struct progress {
	bool quiet;
	struct timespec start;
	double last;
} progress;

static double
elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) (t.tv_sec - t0->tv_sec) +
	    (double) (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
on_progress(void *arg, size_t done, size_t total)
{
	progress *p = arg;
	double now = elapsed(&p->start);

	if (p->quiet || (total <= PROGRESS_PRINCIPALS &&
	    now < PROGRESS_SECONDS))
		return;
	// At most about two lines a second, and always the last one.
	if (done < total && now - p->last < 0.5)
		return;
	p->last = now;
	fprintf(stderr, "compiling: %zu/%zu principals\n", done, total);
}

static void
compile_usage(FILE *f)
{
	fprintf(f, "usage: iamc compile ACCOUNT -o FILE.pdpb "
	    "[--aws-managed FILE] [--revision N] [--quiet]\n"
	    "       [--plugins DIR]\n");
}

int
iamc_cli_write_atomic(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path) + 5;
	char *tmp = malloc(n);
	int fd, err = 0;

	if (tmp == NULL)
		return ENOMEM;
	snprintf(tmp, n, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		err = errno;
		free(tmp);
		return err;
	}
	for (size_t off = 0; off < len && err == 0;) {
		ssize_t k = write(fd, (const char *) data + off, len - off);
		if (k < 0 && errno != EINTR)
			err = errno;
		else if (k > 0)
			off += (size_t) k;
	}
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
	} else {
		// Make the rename itself durable.
		const char *slash = strrchr(path, '/');
		char *dir = slash ?
		    strndup(path, (size_t) (slash - path + 1)) : strdup(".");
		int dfd = dir ? open(dir, O_RDONLY) : -1;
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(tmp);
	return err;
}

// count_sets reads the number of policy sets and decision tables from a
// bundle the builder just wrote.
static void
count_sets(const void *data, uint32_t *nsets, uint32_t *ntables)
{
	const pdpb_header *h = data;
	const pdpb_section *dir = (const pdpb_section *) ((const char *) data +
	    h->directory);

	*nsets = *ntables = 0;
	for (uint32_t i = 0; i < h->nsections; i++) {
		if (dir[i].id != PDPB_SEC_SETS)
			continue;
		const pdpb_set *s = (const pdpb_set *) ((const char *) data +
		    dir[i].offset);
		*nsets = dir[i].count;
		for (uint32_t k = 0; k < dir[i].count; k++)
			*ntables += s[k].table != PDPB_NONE;
	}
}

void
iamc_cli_print_diags(const iamc_diags *d, bool quiet)
{
	for (size_t i = 0; i < d->n; i++) {
		if (quiet && d->v[i].severity != IAMC_ERROR)
			continue;
		fprintf(stderr, "%s: %s: %s\n", d->v[i].path,
		    d->v[i].severity == IAMC_ERROR ? "error" : "warning",
		    d->v[i].message);
	}
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

int
iamc_cmd_compile(int argc, char **argv)
{
	const char *model = NULL, *out = NULL;
	bool quiet = false, has_rev = false;
	const char *plugins = NULL;
	iamc_cli_plugins pl = {0};
	uint64_t rev = 0;
	iamc_account_options opt;
	iamc_account_stats st;
	progress pr;

	memset(&opt, 0, sizeof(opt));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(a, "--aws-managed") == 0 && i + 1 < argc) {
			opt.aws_managed = argv[++i];
		} else if (strcmp(a, "--plugins") == 0 && i + 1 < argc) {
			plugins = argv[++i];
		} else if (strcmp(a, "--revision") == 0 && i + 1 < argc) {
			if (!parse_u64(argv[++i], &rev)) {
				fprintf(stderr, "iamc compile: --revision "
				    "takes a non-negative integer\n");
				return 2;
			}
			has_rev = true;
		} else if (strcmp(a, "--quiet") == 0 ||
		    strcmp(a, "-q") == 0) {
			quiet = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "iamc compile: unknown or incomplete "
			    "option \"%s\"\n", a);
			compile_usage(stderr);
			return 2;
		} else if (model == NULL) {
			model = a;
		} else {
			fprintf(stderr, "iamc compile: one account model at a "
			    "time (\"%s\" and \"%s\")\n", model, a);
			return 2;
		}
	}
	if (model == NULL || out == NULL) {
		compile_usage(stderr);
		return 2;
	}
	// Only the manifests: a bundle holds which keys are custom, the
	// plugins run where it is decided (pdpd --plugins DIR).
	if (plugins != NULL) {
		if (!iamc_cli_plugins_open(plugins, false, &pl))
			return 2;
		opt.policy = pl.eval.compile;
	}

	memset(&pr, 0, sizeof(pr));
	pr.quiet = quiet;
	clock_gettime(CLOCK_MONOTONIC, &pr.start);
	opt.progress = on_progress;
	opt.progress_arg = &pr;

	iamc_builder *b = NULL;
	iamc_diags d;
	void *data = NULL;
	size_t len = 0;
	int rv;
	iamc_diags_init(&d);
	if ((rv = iamc_builder_open(&b)) == PDP_OK)
		rv = iamc_account_compile(model, &opt, b, &d, &st);
	iamc_cli_plugins_close(&pl);
	iamc_cli_print_diags(&d, quiet);
	iamc_diags_fini(&d);
	if (rv != PDP_OK) {
		if (rv != PDP_EPOLICY && rv != PDP_EIO)
			fprintf(stderr, "iamc compile: %s: %s\n", model,
			    pdp_strerror(rv));
		iamc_builder_close(b);
		return 1;
	}
	if (!has_rev)
		rev = st.has_revision ? st.revision : (uint64_t) time(NULL);
	rv = iamc_builder_write(b, rev, &data, &len);
	iamc_builder_close(b);
	if (rv != PDP_OK) {
		fprintf(stderr, "iamc compile: writing the bundle: %s\n",
		    pdp_strerror(rv));
		return 1;
	}

	// Never publish a bundle the library would refuse.
	char err[256];
	pdp_bundle *check = NULL;
	rv = pdp_bundle_open_mem(data, len, &check, err, sizeof(err));
	if (rv != PDP_OK) {
		fprintf(stderr, "iamc compile: the written bundle does not "
		    "load (a bug): %s: %s\n", pdp_strerror(rv), err);
		free(data);
		return 1;
	}
	pdp_bundle_close(check);

	uint32_t nsets, ntables;
	count_sets(data, &nsets, &ntables);
	int werr = iamc_cli_write_atomic(out, data, len);
	free(data);
	if (werr != 0) {
		fprintf(stderr, "iamc compile: %s: %s\n", out,
		    strerror(werr));
		return 1;
	}
	if (!quiet)
		printf("%s: revision %llu: %u accounts, %u principals (%u "
		    "users, %u roles), %u groups, %u policies, %u sets (%u "
		    "tables), %u resource policies, %u named, %zu bytes, "
		    "%.2f s\n", out, (unsigned long long) rev, st.accounts,
		    st.principals, st.users, st.roles, st.groups, st.policies,
		    nsets, ntables, st.resource_policies, st.named, len,
		    elapsed(&pr.start));
	return 0;
}
