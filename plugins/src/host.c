// host.c - a plugin directory loaded once: every NAME.json manifest with
// its NAME.lua, every .lua file kept as text for `require`, and the whole
// set run once in a scratch sandbox, so that a plugin that does not load
// refuses the reload before any worker sees it. A host is immutable and
// reference counted; workers are made from it (worker.c).

#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdpli.h"

#define SOURCE_MAX (1 << 20) // a plugin file larger than this is refused

static int fail(char *err, size_t errlen, int rv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errlen, int rv, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rv;
}

// plain: names are words, so that a module name maps to one file of the
// directory and nothing else.
static bool
plain(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool
ends(const char *s, const char *suffix, size_t *stem)
{
	size_t n = strlen(s), k = strlen(suffix);

	if (n <= k || strcmp(s + n - k, suffix) != 0)
		return false;
	*stem = n - k;
	return true;
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    n <= SOURCE_MAX && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t) n + 1)) != NULL) {
		if (fread(buf, 1, (size_t) n, f) != (size_t) n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t) n;
		}
	} else if (errno == 0) {
		errno = EFBIG;
	}
	fclose(f);
	return buf;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
host_free(pdpl_host *h)
{
	for (uint32_t i = 0; i < h->nplugins; i++)
		free(h->plugins[i].name);
	for (uint32_t i = 0; i < h->nkeys; i++)
		free(h->keys[i].name);
	for (uint32_t i = 0; i < h->nmods; i++) {
		free(h->mods[i].name);
		free(h->mods[i].src);
	}
	free(h->plugins);
	free(h->keys);
	free(h->mods);
	free(h->dir);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

// list reads the directory's file names, sorted, into *names.
static int
list(const char *dir, char ***names, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t k = 0;

	if (d == NULL)
		return fail(err, errlen, PDP_EIO, "%s: %s", dir,
		    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t stem;
		if (!ends(e->d_name, ".lua", &stem) &&
		    !ends(e->d_name, ".json", &stem))
			continue;
		char **nv = realloc(v, (k + 1) * sizeof(*v));
		if (nv == NULL || (nv[k] = strdup(e->d_name)) == NULL) {
			v = nv != NULL ? nv : v;
			closedir(d);
			while (k > 0)
				free(v[--k]);
			free(v);
			return fail(err, errlen, PDP_ENOMEM, "%s",
			    "out of memory");
		}
		v = nv;
		k++;
	}
	closedir(d);
	if (k > 0)
		qsort(v, k, sizeof(*v), by_name);
	*names = v;
	*n = k;
	return PDP_OK;
}

// load_files fills the modules and, for each manifest, a plugin.
static int
load_files(pdpl_host *h, char **names, size_t n, char *err, size_t errlen)
{
	char path[4096];
	size_t stem;
	int rv;

	h->mods = calloc(n + 1, sizeof(*h->mods));
	h->plugins = calloc(n + 1, sizeof(*h->plugins));
	if (h->mods == NULL || h->plugins == NULL)
		return fail(err, errlen, PDP_ENOMEM, "%s", "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!ends(names[i], ".lua", &stem))
			continue;
		pdpli_module *m = &h->mods[h->nmods];
		snprintf(path, sizeof(path), "%s/%s", h->dir, names[i]);
		if (!plain(names[i], stem))
			return fail(err, errlen, PDP_EINVAL, "%s: %s", path,
			    "file names are letters, digits and '_'");
		errno = 0;
		m->src = read_all(path, &m->len);
		if (m->src == NULL)
			return fail(err, errlen, PDP_EIO, "%s: %s", path,
			    strerror(errno ? errno : EIO));
		m->name = strndup(names[i], stem);
		h->nmods++;
		if (m->name == NULL)
			return fail(err, errlen, PDP_ENOMEM, "%s",
			    "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (!ends(names[i], ".json", &stem))
			continue;
		pdpli_plugin *p = &h->plugins[h->nplugins];
		const pdpli_module *m = NULL;
		snprintf(path, sizeof(path), "%s/%s", h->dir, names[i]);
		if (!plain(names[i], stem))
			return fail(err, errlen, PDP_EINVAL, "%s: %s", path,
			    "file names are letters, digits and '_'");
		if ((p->name = strndup(names[i], stem)) == NULL)
			return fail(err, errlen, PDP_ENOMEM, "%s",
			    "out of memory");
		h->nplugins++;
		for (uint32_t j = 0; j < h->nmods; j++)
			if (strcmp(h->mods[j].name, p->name) == 0)
				m = &h->mods[j];
		if (m == NULL)
			return fail(err, errlen, PDP_EINVAL, "%s: no %s.lua "
			    "beside it", path, p->name);
		p->src = m->src;
		p->srclen = m->len;
		rv = pdpli_manifest_read(h, path, p->name, h->nplugins - 1, p,
		    err, errlen);
		if (rv != PDP_OK)
			return rv;
	}
	return PDP_OK;
}

int
pdpl_host_open(const char *dir, const pdpl_options *opt, pdpl_host **out,
    char *err, size_t errlen)
{
	pdpl_host *h;
	char **names = NULL;
	size_t n = 0;
	int rv;

	if (dir == NULL || out == NULL)
		return fail(err, errlen, PDP_EINVAL, "%s", "no plugin "
		    "directory");
	h = calloc(1, sizeof(*h));
	if (h == NULL || (h->dir = strdup(dir)) == NULL) {
		free(h);
		return fail(err, errlen, PDP_ENOMEM, "%s", "out of memory");
	}
	pthread_mutex_init(&h->mu, NULL);
	atomic_init(&h->refs, 1);
	h->opt.budget = opt && opt->budget ? opt->budget : PDPL_BUDGET;
	h->opt.memory = opt && opt->memory ? opt->memory : PDPL_MEMORY;
	rv = list(dir, &names, &n, err, errlen);
	if (rv == PDP_OK)
		rv = load_files(h, names, n, err, errlen);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rv == PDP_OK) {
		// Run everything once: a plugin that fails here would fail
		// in every worker.
		pdpli_state st;
		char msg[1024];
		rv = pdpli_state_open(&st, h, msg, sizeof(msg));
		if (rv == PDP_OK)
			pdpli_state_close(&st);
		else if (err != NULL)
			snprintf(err, errlen, "%s/%s", dir, msg);
	}
	if (rv != PDP_OK) {
		host_free(h);
		return rv;
	}
	*out = h;
	return PDP_OK;
}

void
pdpl_host_hold(pdpl_host *h)
{
	atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
}

void
pdpl_host_close(pdpl_host *h)
{
	if (h == NULL)
		return;
	if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) ==
	    1)
		host_free(h);
}

uint32_t
pdpl_host_plugins(const pdpl_host *h)
{
	return h->nplugins;
}

const char *
pdpl_host_plugin_name(const pdpl_host *h, uint32_t i)
{
	return i < h->nplugins ? h->plugins[i].name : NULL;
}

void
pdpl_host_stats(pdpl_host *h, pdpl_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&h->mu);
	pdpli_stats_merge(out, &h->retired);
	for (pdpl_worker *w = h->workers; w != NULL;
	    w = pdpli_worker_next(w))
		pdpli_stats_add(out, pdpli_worker_counts(w));
	pthread_mutex_unlock(&h->mu);
}
