// account_load.c - the account model's inputs: JSON files, policy
// documents given inline or as {"file": ...}, diagnostics that name the
// file and JSON path, and the model's string maps.

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "iamci_account.h"

static void am_report(iamci_am *m, iamc_severity sev, const char *file,
    const char *where, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void
am_report(iamci_am *m, iamc_severity sev, const char *file, const char *where,
    const char *fmt, va_list ap)
{
	char msg[1024];
	char path[IAMCI_PATH_MAX + 256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(path, sizeof(path), "%s%s%s", file ? file : m->file,
	    where && where[0] ? ": " : "", where ? where : "");
	iamc_diags_add(m->d, sev, path, "%s", msg);
}

void
iamci_am_error(iamci_am *m, const char *file, const char *where,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	am_report(m, IAMC_ERROR, file, where, fmt, ap);
	va_end(ap);
}

void
iamci_am_warn(iamci_am *m, const char *file, const char *where,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	am_report(m, IAMC_WARNING, file, where, fmt, ap);
	va_end(ap);
}

void *
iamci_am_alloc(iamci_am *m, size_t n)
{
	void *p = iamc_arena_alloc(m->a, n ? n : 1);

	if (p == NULL)
		m->nomem = true;
	return p;
}

char *
iamci_am_strdup(iamci_am *m, const char *s)
{
	char *p = iamc_arena_strdup(m->a, s, strlen(s));

	if (p == NULL)
		m->nomem = true;
	return p;
}

char *
iamci_am_where(iamci_am *m, const char *fmt, ...)
{
	char buf[IAMCI_PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return iamci_am_strdup(m, buf);
}

char *
iamci_am_key(iamci_am *m, const char *base, const char *key)
{
	bool word = key[0] != '\0';

	for (const char *p = key; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			word = false;
	}
	if (word)
		return iamci_am_where(m, "%s%s%s", base, base[0] ? "." : "",
		    key);
	return iamci_am_where(m, "%s[\"%s\"]", base, key);
}

char *
iamci_am_fold(iamci_am *m, const char *s)
{
	char *f = iamci_am_strdup(m, s);

	for (char *p = f; p != NULL && *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char) (*p + 32);
	}
	return f;
}

bool
iamci_am_push(iamci_am *m, void ***v, uint32_t *n, uint32_t *cap, void *p)
{
	if (*n == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 16;
		void **nv = iamci_am_alloc(m, nc * sizeof(*nv));
		if (nv == NULL)
			return false;
		if (*n > 0)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = p;
	return true;
}

char *
iamci_am_resolve(iamci_am *m, const char *rel)
{
	if (rel[0] == '/')
		return iamci_am_strdup(m, rel);
	return iamci_am_where(m, "%s%s", m->dir, rel);
}

json_t *
iamci_am_load_json(iamci_am *m, const char *path, const char *where,
    const char *what)
{
	json_error_t err;
	FILE *f = fopen(path, "rb");
	json_t *j;

	if (f == NULL) {
		iamci_am_error(m, NULL, where, "cannot read %s \"%s\": %s",
		    what, path, strerror(errno));
		return NULL;
	}
	j = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
	fclose(f);
	if (j == NULL) {
		if (json_error_code(&err) == json_error_out_of_memory)
			m->nomem = true;
		else
			iamci_am_error(m, path, NULL, "invalid JSON at line "
			    "%d, column %d: %s (%s named at %s)", err.line,
			    err.column, err.text, what, where);
	}
	return j;
}

void
iamci_am_doc(iamci_am *m, const json_t *v, const char *where,
    pdp_policy_type type, const char *name, iamci_doc *doc)
{
	const json_t *f = json_object_get(v, "file");

	memset(doc, 0, sizeof(*doc));
	doc->file = m->file;
	doc->inner = where;
	doc->type = type;
	doc->name = name;
	if (!json_is_object(v)) {
		iamci_am_error(m, NULL, where, "a policy document must be a "
		    "JSON object, or {\"file\": \"relative/path.json\"}");
		return;
	}
	// A document always has Statement; a reference has only "file".
	if (f == NULL || json_object_get(v, "Statement") != NULL) {
		doc->json = v;
		return;
	}
	if (!json_is_string(f) || json_object_size(v) != 1 ||
	    json_string_length(f) == 0) {
		iamci_am_error(m, NULL, where, "a document file reference is "
		    "{\"file\": \"relative/path.json\"} and nothing else");
		return;
	}
	char *path = iamci_am_resolve(m, json_string_value(f));
	if (path == NULL)
		return;
	// A file named many times is read once.
	json_t *j = json_object_get(m->files, path);
	if (j == NULL) {
		j = iamci_am_load_json(m, path, where, "policy file");
		if (j == NULL)
			j = json_null(); // remembered as unreadable
		if (json_object_set_new(m->files, path, j) != 0)
			m->nomem = true;
	}
	if (json_is_null(j))
		return;
	doc->json = j;
	doc->file = path;
	doc->inner = "";
	doc->ref = where;
}

void
iamci_am_fields(iamci_am *m, const json_t *o, const char *where,
    const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *) o, key, v) {
		size_t i;
		for (i = 0; known[i] != NULL; i++) {
			if (strcmp(known[i], key) == 0)
				break;
		}
		if (known[i] == NULL) {
			char *w = iamci_am_key(m, where, key);
			iamci_am_error(m, NULL, w ? w : where,
			    "unknown field \"%s\"", key);
		}
	}
}

// --- maps -------------------------------------------------------------------

static bool
smap_grow(iamci_smap *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	uint64_t *h = calloc(cap, sizeof(*h));
	const char **k = calloc(cap, sizeof(*k));
	void **v = calloc(cap, sizeof(*v));

	if (h == NULL || k == NULL || v == NULL) {
		free(h);
		free(k);
		free(v);
		return false;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (s->k[i] == NULL)
			continue;
		size_t j = s->h[i] & (cap - 1);
		while (k[j] != NULL)
			j = (j + 1) & (cap - 1);
		h[j] = s->h[i];
		k[j] = s->k[i];
		v[j] = s->v[i];
	}
	free(s->h);
	free(s->k);
	free(s->v);
	s->h = h;
	s->k = k;
	s->v = v;
	s->cap = cap;
	return true;
}

void *
iamci_smap_get(const iamci_smap *s, const char *key)
{
	uint64_t h = XXH3_64bits(key, strlen(key));

	if (s->cap == 0)
		return NULL;
	for (size_t j = h & (s->cap - 1); s->k[j] != NULL;
	    j = (j + 1) & (s->cap - 1)) {
		if (s->h[j] == h && strcmp(s->k[j], key) == 0)
			return s->v[j];
	}
	return NULL;
}

void *
iamci_smap_put(iamci_am *m, iamci_smap *s, const char *key, void *val)
{
	void *old = iamci_smap_get(s, key);
	uint64_t h = XXH3_64bits(key, strlen(key));

	if (old != NULL)
		return old;
	if ((s->n + 1) * 2 > s->cap && !smap_grow(s)) {
		m->nomem = true;
		return NULL;
	}
	const char *k = iamci_am_strdup(m, key);
	if (k == NULL)
		return NULL;
	size_t j = h & (s->cap - 1);
	while (s->k[j] != NULL)
		j = (j + 1) & (s->cap - 1);
	s->h[j] = h;
	s->k[j] = k;
	s->v[j] = val;
	s->n++;
	return NULL;
}

void
iamci_smap_fini(iamci_smap *s)
{
	free(s->h);
	free(s->k);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
