// load_pool.c - the requests `pdpbench load` sends (load_pool.h): one
// request given by flags, or a pool read from a JSON-lines file, encoded
// into messages before the run so that the run only copies bytes.

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "iamc.h"
#include "iamc_eval.h"
#include "load_pool.h"

// encode fills p with the messages for requests v[0..n): one each, or
// `batch` consecutive ones a message.
static int
encode(load_pool *p, const pdpw_authz *v, size_t n, uint32_t batch,
    bool explain)
{
	pdpw_encoder enc;
	size_t nmsg = batch ? (n + batch - 1) / batch : n;
	int rv = 0;

	p->batch = batch;
	p->nreq = n;
	p->msg = calloc(nmsg, sizeof(*p->msg));
	p->len = calloc(nmsg, sizeof(*p->len));
	p->items = calloc(nmsg, sizeof(*p->items));
	if (p->msg == NULL || p->len == NULL || p->items == NULL)
		return -1;
	pdpw_encoder_init(&enc);
	for (size_t k = 0; k < nmsg && rv == 0; k++) {
		const pdpw_authz *first = &v[load_pool_request(p, k, 0)];
		uint32_t m = batch == 0 ? 1 : n - k * batch < batch ?
		    (uint32_t) (n - k * batch) : batch;
		if ((batch ? pdpw_encode_batch_req(&enc, 1, first, m) :
		    pdpw_encode_authz_req(&enc, 1, explain ? PDPW_OP_EXPLAIN :
		    PDPW_OP_AUTHORIZE, first)) != PDPW_OK ||
		    (p->msg[k] = malloc(enc.n)) == NULL) {
			rv = -1;
			break;
		}
		memcpy(p->msg[k], enc.p, enc.n);
		p->len[k] = enc.n;
		p->items[k] = m;
		p->n++;
	}
	pdpw_encoder_fini(&enc);
	return rv;
}

int
load_pool_one(load_pool *p, const pdpw_authz *a, uint32_t batch,
    bool explain)
{
	// Alone, or `batch` copies of the one request in one message.
	uint32_t n = batch ? batch : 1;
	pdpw_authz *v = calloc(n, sizeof(*v));
	int rv = -1;

	memset(p, 0, sizeof(*p));
	if (v != NULL) {
		for (uint32_t i = 0; i < n; i++)
			v[i] = *a;
		rv = encode(p, v, n, batch, explain);
	}
	free(v);
	if (rv != 0)
		load_pool_fini(p);
	return rv;
}

// The eval-format fields that carry policies: pdpd has its own.
static const char *const policy_fields[] = {"identityPolicies",
    "resourcePolicy", "permissionBoundaries", "scps", "rcps",
    "sessionPolicy"};

// read_line turns one line into *out, its strings in `a`; on bad input
// it writes why into err and returns -1 (-2 when out of memory).
static int
read_line(const char *text, size_t len, iamc_arena *a, pdpw_authz *out,
    char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	pdp_request q;
	int rv = -1;

	if (j == NULL) {
		if (je.column > 0)
			snprintf(err, errlen, "column %d: %s", je.column,
			    je.text);
		else
			snprintf(err, errlen, "%s", je.text);
		return -1;
	}
	if (!json_is_object(j)) {
		snprintf(err, errlen, "a line must be a JSON object");
		goto out;
	}
	for (size_t i = 0; i < sizeof(policy_fields) /
	    sizeof(policy_fields[0]); i++) {
		const json_t *v = json_object_get(j, policy_fields[i]);
		if (v != NULL && !json_is_null(v) && !(json_is_array(v) &&
		    json_array_size(v) == 0)) {
			snprintf(err, errlen, "%s: pdpd decides against the "
			    "bundle it loaded, so a line cannot bring "
			    "policies", policy_fields[i]);
			goto out;
		}
	}
	const json_t *req = json_object_get(j, "request");
	int e = iamc_eval_request(req ? req : j, a, &q, err, errlen);
	if (e != PDP_OK) {
		rv = e == PDP_ENOMEM ? -2 : -1;
		goto out;
	}
	// pdpw_ctx mirrors pdp_context_entry field by field.
	pdpw_ctx *ctx = iamc_arena_alloc(a, (q.ncontext + 1) * sizeof(*ctx));
	if (ctx == NULL) {
		rv = -2;
		goto out;
	}
	for (uint32_t i = 0; i < q.ncontext; i++) {
		ctx[i].key = q.context[i].key;
		ctx[i].values = q.context[i].values;
		ctx[i].nvalues = q.context[i].nvalues;
		ctx[i].multi = q.context[i].multi;
	}
	memset(out, 0, sizeof(*out));
	out->principal = q.principal;
	out->action = q.action;
	out->resource = q.resource;
	out->resource_account = q.resource_account;
	out->context = ctx;
	out->ncontext = q.ncontext;
	rv = 0;
out:
	json_decref(j);
	return rv;
}

int
load_pool_file(load_pool *p, const char *path, uint32_t batch, bool explain)
{
	FILE *f = fopen(path, "r");
	iamc_arena *a = iamc_arena_open();
	pdpw_authz *v = NULL;
	size_t *lines = NULL;
	size_t n = 0, cap = 0, lineno = 0, size = 0;
	char *text = NULL, err[512];
	ssize_t len;
	int rv = 2;

	memset(p, 0, sizeof(*p));
	if (f == NULL) {
		fprintf(stderr, "pdpbench load: %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	if (a == NULL) {
		rv = 1;
		goto out;
	}
	while ((len = getline(&text, &size, f)) >= 0) {
		lineno++;
		if (strspn(text, " \t\r\n") == (size_t) len)
			continue; // a blank line
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			pdpw_authz *w = realloc(v, cap * sizeof(*v));
			if (w != NULL)
				v = w;
			size_t *l = realloc(lines, cap * sizeof(*lines));
			if (l != NULL)
				lines = l;
			if (w == NULL || l == NULL) {
				rv = 1;
				goto out;
			}
		}
		int r = read_line(text, (size_t) len, a, &v[n], err,
		    sizeof(err));
		if (r == -2) {
			rv = 1;
			goto out;
		}
		if (r != 0) {
			fprintf(stderr, "pdpbench load: %s:%zu: %s\n", path,
			    lineno, err);
			goto out;
		}
		lines[n++] = lineno;
	}
	if (ferror(f)) {
		fprintf(stderr, "pdpbench load: %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	if (n == 0) {
		fprintf(stderr, "pdpbench load: %s: no requests\n", path);
		goto out;
	}
	rv = encode(p, v, n, batch, explain) == 0 ? 0 : 1;
	if (rv == 0) {
		p->line = lines;
		lines = NULL;
	}
out:
	if (rv == 1)
		fprintf(stderr, "pdpbench load: out of memory\n");
	if (f != NULL)
		fclose(f);
	free(text);
	free(v);
	free(lines);
	iamc_arena_close(a);
	if (rv != 0)
		load_pool_fini(p);
	return rv;
}

void
load_pool_fini(load_pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->msg[i]);
	free(p->msg);
	free(p->len);
	free(p->items);
	free(p->line);
	memset(p, 0, sizeof(*p));
}
