// save.c - `pdpbench micro --save PREFIX`: a world's bundle and its
// request pool written to files, for `pdpbench load --requests` against a
// pdpd that loads the bundle (bench/load.sh).
//
// PREFIX-NAME.pdpb is the bundle exactly as the benchmark decides
// against it; PREFIX-NAME.jsonl holds the pool in pool order, one
// request a line in the shape of docs/eval-format.md's "request" object
// (every context value a string, as the pool holds it).

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "micro.h"

// request_json builds one line's object, or dies when jansson cannot.
static json_t *
request_json(const pdp_request *q)
{
	json_t *r = json_object(), *ctx = json_object();
	int bad = r == NULL || ctx == NULL;

	bad |= json_object_set_new(r, "principal", json_string(q->principal));
	bad |= json_object_set_new(r, "action", json_string(q->action));
	if (q->resource != NULL)
		bad |= json_object_set_new(r, "resource",
		    json_string(q->resource));
	if (q->resource_account != NULL)
		bad |= json_object_set_new(r, "resourceAccount",
		    json_string(q->resource_account));
	for (uint32_t i = 0; i < q->ncontext && !bad; i++) {
		const pdp_context_entry *e = &q->context[i];
		json_t *v;
		if (e->multi) {
			v = json_array();
			for (uint32_t j = 0; j < e->nvalues && v != NULL; j++)
				bad |= json_array_append_new(v,
				    json_string(e->values[j]));
		} else {
			v = json_string(e->nvalues ? e->values[0] : "");
		}
		bad |= json_object_set_new(ctx, e->key, v);
	}
	if (q->ncontext > 0)
		bad |= json_object_set(r, "context", ctx);
	json_decref(ctx);
	json_t *line = json_pack("{s:o}", "request", r);
	if (bad || line == NULL)
		bench_die("save: a request could not be written as JSON");
	return line;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		bench_die("%s: %s", path, strerror(errno));
}

// said prints what was written: a line of text, or with --json an
// object.
static void
said(const char *path, const char *what, size_t n, bool json)
{
	if (json) {
		json_t *o = json_pack("{s:s,s:s,s:I}", "kind", "save", "path",
		    path, what, (json_int_t) n);
		if (o == NULL || json_dumpf(o, stdout, JSON_COMPACT) != 0)
			bench_die("save: %s: could not print", path);
		putchar('\n');
		json_decref(o);
	} else {
		printf("save  %s  %zu %s\n", path, n, what);
	}
	fflush(stdout);
}

void
bench_world_save(const bench_world *w, const char *prefix, bool json)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s-%s.jsonl", prefix, w->name);

	if (n < 0 || (size_t) n >= sizeof(path))
		bench_die("save: %s: path too long", prefix);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		bench_die("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < w->reqs.n; i++) {
		json_t *line = request_json(&w->reqs.v[i]);
		if (json_dumpf(line, f, JSON_COMPACT) != 0 ||
		    fputc('\n', f) == EOF)
			bench_die("%s: %s", path, strerror(errno));
		json_decref(line);
	}
	if (fclose(f) != 0)
		bench_die("%s: %s", path, strerror(errno));
	said(path, "requests", w->reqs.n, json);
	memcpy(path + n - 6, ".pdpb", 6); // ".jsonl" -> ".pdpb"
	write_file(path, w->data, w->len);
	said(path, "bytes", w->len, json);
}
