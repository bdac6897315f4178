// view.c - what a provider may read and write of a request (pdp.h).

#include <string.h>

#include "fold.h"
#include "view.h"

// pdpi_str and pdp_value have the same layout: a pointer and a 32-bit
// length. The casts below rely on it.
_Static_assert(sizeof(pdp_value) == sizeof(pdpi_str), "pdp_value layout");
_Static_assert(offsetof(pdp_value, n) == offsetof(pdpi_str, n),
    "pdp_value layout");

static pdp_value
value(pdpi_str s)
{
	pdp_value v = {s.p, s.n};
	return v;
}

pdp_value
pdp_view_principal(const pdp_view *v)
{
	return value(v->r->who.arn);
}

pdp_value
pdp_view_action(const pdp_view *v)
{
	return value(v->r->action);
}

pdp_value
pdp_view_resource(const pdp_view *v)
{
	return value(v->r->resource);
}

bool
pdp_view_get(const pdp_view *v, const char *key, size_t keylen,
    const pdp_value **vals, uint32_t *n, bool *multi)
{
	pdpi_str k = {key, (uint32_t) keylen};
	const pdpi_ckey *c = pdpi_ctx_find(v->r, k);

	if (c == NULL)
		return false;
	*vals = (const pdp_value *) c->vals;
	*n = c->nvals;
	*multi = c->multi;
	return true;
}

// The request's own keys come first, then the implied ones (principal
// tags, derived keys); an implied key the request overrides is listed
// twice, and pdp_view_get answers with the request's.
uint32_t
pdp_view_count(const pdp_view *v)
{
	return v->r->nctx + v->r->nimplied;
}

pdp_value
pdp_view_key(const pdp_view *v, uint32_t i)
{
	pdp_value none = {"", 0};

	if (i < v->r->nctx)
		return value(v->r->ctx[i].key);
	i -= v->r->nctx;
	return i < v->r->nimplied ? value(v->r->implied[i].key) : none;
}

int
pdp_view_set(pdp_view *v, const char *key, size_t keylen,
    const pdp_value *vals, uint32_t n, bool multi)
{
	pdpi_ckey *c = NULL;

	if (key == NULL || keylen > UINT32_MAX || (n > 0 && vals == NULL))
		return PDP_EINVAL;
	for (uint32_t i = 0; i < v->r->nctx; i++)
		if (pdpi_eq_fold(v->ctx[i].key.p, v->ctx[i].key.n, key,
		    keylen))
			c = &v->ctx[i];
	if (c == NULL) {
		if (v->r->nctx == v->cap)
			return PDP_ETOOBIG;
		c = &v->ctx[v->r->nctx++];
		c->key.p = key;
		c->key.n = (uint32_t) keylen;
	}
	c->multi = multi;
	c->nvals = n;
	c->vals = (const pdpi_str *) vals;
	return PDP_OK;
}
