// evalline.c - one `iamc eval` line: compile its policies in memory, build
// the request, decide with pdpi_decide and report the explanation.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "iamc.h"
#include "iamc_eval.h"
#include "iamc_table.h"

#define ERRMAX 1024

// One line's working state; everything lives in the arena.
typedef struct line {
	iamc_arena *a;
	char err[ERRMAX];
	pdpi_world w;
	pdpi_req r;
	bool trust; // the resource policy is a role trust policy
} line;

static int fail(line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// fail keeps the first error of the line and returns -1.
static int
fail(line *l, const char *fmt, ...)
{
	va_list ap;

	if (l->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(l->err, sizeof(l->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

// compile_one compiles one POLICY element: a document, or
// {"name": ..., "document": {...}}. `dflt` names it otherwise.
static const pdpi_policy *
compile_one(line *l, const json_t *el, pdp_policy_type type, const char *dflt)
{
	const json_t *doc = el;
	const char *name = dflt;
	const pdpi_policy *p = NULL;
	iamc_diags d;

	if (json_is_object(el) && json_object_get(el, "document") != NULL &&
	    json_object_get(el, "Statement") == NULL) {
		const json_t *jn = json_object_get(el, "name");
		doc = json_object_get(el, "document");
		if (jn != NULL && !json_is_string(jn)) {
			fail(l, "%s: \"name\" must be a string", dflt);
			return NULL;
		}
		if (jn != NULL)
			name = json_string_value(jn);
	}
	iamc_diags_init(&d);
	int rv = iamc_policy_compile(l->a, doc, type, name, &p, &d);
	if (rv != PDP_OK && l->err[0] == '\0') {
		size_t off = 0;
		for (size_t i = 0; i < d.n && off < sizeof(l->err); i++) {
			if (d.v[i].severity != IAMC_ERROR)
				continue;
			int k = snprintf(l->err + off, sizeof(l->err) - off,
			    "%s%s: %s%s%s", off ? "; " : "", name,
			    d.v[i].path, d.v[i].path[0] ? ": " : "",
			    d.v[i].message);
			if (k < 0)
				break;
			off += (size_t) k;
		}
		if (off == 0)
			snprintf(l->err, sizeof(l->err), "%s: %s", name,
			    pdp_strerror(rv));
	}
	iamc_diags_fini(&d);
	return p;
}

// compile_list compiles a list of POLICY into a set named prefix[i];
// `extra` (may be NULL) is appended to the set.
static int
compile_list(line *l, const json_t *list, pdp_policy_type type,
    const char *prefix, const pdpi_policy *extra, pdpi_pset *out)
{
	char name[64];
	size_t n = json_array_size(list);
	const pdpi_policy **v = iamc_arena_alloc(l->a, (n + 1) * sizeof(*v));

	if (v == NULL)
		return fail(l, "%s", "out of memory");
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s[%zu]", prefix, i);
		v[i] = compile_one(l, json_array_get(list, i), type, name);
		if (v[i] == NULL)
			return -1;
	}
	if (extra != NULL)
		v[n++] = extra;
	out->n = (uint32_t) n;
	out->v = v;
	return 0;
}

// The AWS-managed RCPFullAWSAccess, attached to every RCP level.
static const char rcp_full_access[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

// compile_levels compiles SCPs or RCPs: a list of levels (lists), or a
// flat list of policies meaning one level.
static int
compile_levels(line *l, const json_t *j, pdp_policy_type type,
    const char *field, uint32_t *nout, const pdpi_pset **out)
{
	char prefix[32];
	const pdpi_policy *full = NULL;
	size_t n;
	bool flat;

	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_array(j))
		return fail(l, "%s must be a list", field);
	n = json_array_size(j);
	flat = n > 0 && !json_is_array(json_array_get(j, 0));
	if (type == PDP_POLICY_RCP) {
		iamc_diags d;
		iamc_diags_init(&d);
		int rv = iamc_policy_compile_text(l->a, rcp_full_access,
		    sizeof(rcp_full_access) - 1, type, "RCPFullAWSAccess",
		    &full, &d);
		iamc_diags_fini(&d);
		if (rv != PDP_OK)
			return fail(l, "%s", "RCPFullAWSAccess: internal error");
	}
	pdpi_pset *levels = iamc_arena_alloc(l->a, (n + 1) * sizeof(*levels));
	if (levels == NULL)
		return fail(l, "%s", "out of memory");
	if (flat) {
		snprintf(prefix, sizeof(prefix), "%s[0]", field);
		if (compile_list(l, j, type, prefix, full, &levels[0]) != 0)
			return -1;
		*nout = 1;
		*out = levels;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *lv = json_array_get(j, i);
		if (!json_is_array(lv))
			return fail(l, "%s: a list mixes levels and policies",
			    field);
		snprintf(prefix, sizeof(prefix), "%s[%zu]", field, i);
		if (compile_list(l, lv, type, prefix, full, &levels[i]) != 0)
			return -1;
	}
	*nout = (uint32_t) n;
	*out = levels;
	return 0;
}

// value_text converts one context value (string, number or boolean) to
// its string form in the arena.
static bool
value_text(line *l, const json_t *v, pdpi_str *out)
{
	char num[64];
	const char *s;
	size_t n;

	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v)) {
		n = (size_t) snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		n = (size_t) snprintf(num, sizeof(num), "%.17g",
		    json_real_value(v));
		s = num;
	} else if (json_is_boolean(v)) {
		s = json_is_true(v) ? "true" : "false";
		n = strlen(s);
	} else {
		return false;
	}
	char *c = iamc_arena_strdup(l->a, s, n);
	if (c == NULL)
		return false;
	out->p = c;
	out->n = (uint32_t) n;
	return true;
}

// build_context turns request.context into context keys, then appends the
// keys AWS derives from the principal that the request did not give.
static int
build_context(line *l, const json_t *ctx)
{
	size_t n = json_is_object(ctx) ? json_object_size(ctx) : 0;
	pdpi_ckey *keys;
	const char *k;
	json_t *v;
	size_t i = 0;

	if (ctx != NULL && !json_is_null(ctx) && !json_is_object(ctx))
		return fail(l, "%s", "request.context must be an object");
	keys = iamc_arena_alloc(l->a, (n + PDPI_DERIVED_MAX) * sizeof(*keys));
	if (keys == NULL)
		return fail(l, "%s", "out of memory");
	json_object_foreach((json_t *) ctx, k, v) {
		pdpi_ckey *c = &keys[i++];
		size_t nv = json_is_array(v) ? json_array_size(v) : 1;
		pdpi_str *vals = iamc_arena_alloc(l->a,
		    (nv + 1) * sizeof(*vals));
		if (vals == NULL)
			return fail(l, "%s", "out of memory");
		c->key.p = k;
		c->key.n = (uint32_t) strlen(k);
		c->multi = json_is_array(v);
		c->nvals = (uint32_t) nv;
		c->vals = vals;
		for (size_t j = 0; j < nv; j++) {
			const json_t *e = c->multi ? json_array_get(v, j) : v;
			if (!value_text(l, e, &vals[j]))
				return fail(l, "request.context.%s: a value "
				    "must be a string, number, boolean or a "
				    "list of these", k);
		}
	}
	pdpi_str *dv = iamc_arena_alloc(l->a, PDPI_DERIVED_MAX * sizeof(*dv));
	char *buf = iamc_arena_alloc(l->a, 512);
	if (dv == NULL || buf == NULL)
		return fail(l, "%s", "out of memory");
	i += pdpi_req_derive(&l->r.who, keys, (uint32_t) i, keys + i, dv, buf,
	    512);
	l->r.ctx = keys;
	l->r.nctx = (uint32_t) i;
	return 0;
}

static const char *
get_string(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

// build_request reads the "request" object into l->r.
static int
build_request(line *l, const json_t *req)
{
	const char *principal, *action, *resource, *racct;
	const json_t *jr;
	char *buf;

	if (!json_is_object(req))
		return fail(l, "%s", "request: missing or not an object");
	principal = get_string(req, "principal");
	action = get_string(req, "action");
	if (principal == NULL)
		return fail(l, "%s", "request.principal: missing or not a "
		    "string");
	if (action == NULL)
		return fail(l, "%s", "request.action: missing or not a string");
	jr = json_object_get(req, "resource");
	resource = get_string(req, "resource");
	if (jr != NULL && !json_is_null(jr) && resource == NULL)
		return fail(l, "%s", "request.resource: not a string");
	if (resource == NULL)
		resource = "*";
	jr = json_object_get(req, "resourceAccount");
	racct = get_string(req, "resourceAccount");
	if (jr != NULL && !json_is_null(jr) && racct == NULL)
		return fail(l, "%s", "request.resourceAccount: not a string");

	buf = iamc_arena_alloc(l->a, strlen(principal) + 64);
	if (buf == NULL)
		return fail(l, "%s", "out of memory");
	if (!pdpi_who_parse(&l->r.who, principal, strlen(principal), buf,
	    strlen(principal) + 64))
		return fail(l, "request.principal: \"%s\" is not an ARN, a "
		    "service principal or \"anonymous\"", principal);
	size_t an = strlen(action);
	buf = iamc_arena_alloc(l->a, an + 1);
	if (buf == NULL || !pdpi_req_set_action(&l->r, action, an, buf,
	    an + 1))
		return fail(l, "%s", "out of memory");
	pdpi_req_set_resource(&l->r, resource, strlen(resource), racct);
	if (build_context(l, json_object_get(req, "context")) != 0)
		return -1;
	// A unique id given as aws:userid identifies the caller to
	// Principal elements that name ids (AIDA..., AROA...:session).
	const pdpi_ckey *uid = pdpi_ctx_find(&l->r,
	    (pdpi_str){"aws:userid", 10});
	if (uid != NULL && !uid->multi && uid->nvals == 1)
		l->r.who.user_id = uid->vals[0];
	return 0;
}

// Actions whose resource policy is the role's trust policy.
static bool
is_trust_request(const pdpi_req *r)
{
	static const char *const acts[] = {"assumerole",
	    "assumerolewithsaml", "assumerolewithwebidentity", "tagsession",
	    "setsourceidentity"};
	if (r->svc.n != 3 || memcmp(r->svc.p, "sts", 3) != 0 || !r->res_arn ||
	    r->rseg[2].n != 3 || memcmp(r->rseg[2].p, "iam", 3) != 0 ||
	    r->rrest.n < 5 || memcmp(r->rrest.p, "role/", 5) != 0)
		return false;
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (r->aname.n == strlen(acts[i]) &&
		    memcmp(r->aname.p, acts[i], r->aname.n) == 0)
			return true;
	return false;
}

// index_set gives a policy set its decision table, so that the line is
// decided the way a compiled bundle is.
static int
index_set(line *l, pdpi_pset *set)
{
	pdpi_table *t = iamc_arena_alloc(l->a, sizeof(*t));

	if (t == NULL || iamc_table_build(l->a, set->v, set->n, t) != PDP_OK)
		return fail(l, "%s", "out of memory");
	set->table = t;
	return 0;
}

// build_world compiles every policy of the line.
static int
build_world(line *l, const json_t *in)
{
	const json_t *j;

	j = json_object_get(in, "identityPolicies");
	if (j != NULL && !json_is_null(j)) {
		if (!json_is_array(j))
			return fail(l, "%s", "identityPolicies must be a list");
		if (compile_list(l, j, PDP_POLICY_IDENTITY, "identity", NULL,
		    &l->w.identity) != 0 || index_set(l, &l->w.identity) != 0)
			return -1;
	}
	j = json_object_get(in, "resourcePolicy");
	if (j != NULL && !json_is_null(j)) {
		pdp_policy_type t = is_trust_request(&l->r) ?
		    PDP_POLICY_TRUST : PDP_POLICY_RESOURCE;
		l->w.resource = compile_one(l, j, t, "resource");
		if (l->w.resource == NULL)
			return -1;
	}
	j = json_object_get(in, "permissionBoundaries");
	if (j != NULL && !json_is_null(j)) {
		if (!json_is_array(j))
			return fail(l, "%s",
			    "permissionBoundaries must be a list");
		l->w.has_boundary = true;
		if (compile_list(l, j, PDP_POLICY_BOUNDARY, "boundary", NULL,
		    &l->w.boundary) != 0 || index_set(l, &l->w.boundary) != 0)
			return -1;
	}
	j = json_object_get(in, "sessionPolicy");
	if (j != NULL && !json_is_null(j)) {
		const pdpi_policy **v = iamc_arena_alloc(l->a, sizeof(*v));
		if (v == NULL)
			return fail(l, "%s", "out of memory");
		v[0] = compile_one(l, j, PDP_POLICY_SESSION, "session");
		if (v[0] == NULL)
			return -1;
		l->w.has_session = true;
		l->w.session.n = 1;
		l->w.session.v = v;
	}
	if (compile_levels(l, json_object_get(in, "scps"), PDP_POLICY_SCP,
	    "scp", &l->w.nscp, &l->w.scp) != 0)
		return -1;
	return compile_levels(l, json_object_get(in, "rcps"), PDP_POLICY_RCP,
	    "rcp", &l->w.nrcp, &l->w.rcp);
}

static json_t *
error_result(json_t *out, const char *msg)
{
	json_object_set_new(out, "decision", json_string("Error"));
	json_object_set_new(out, "error", json_string(msg));
	return out;
}

static json_t *
explain_json(json_t *out, pdp_effect e, const pdpi_explain *ex)
{
	json_t *m = json_array(), *miss = json_array();

	json_object_set_new(out, "decision", json_string(pdp_effect_name(e)));
	for (uint32_t i = 0; m && i < ex->nmatched; i++) {
		const pdpi_policy *p = ex->matched[i].policy;
		const pdpi_stmt *st = ex->matched[i].stmt;
		json_t *o = json_object();
		json_object_set_new(o, "policy",
		    json_stringn(p->name.p, p->name.n));
		if (st->sid.n > 0)
			json_object_set_new(o, "sid",
			    json_stringn(st->sid.p, st->sid.n));
		json_object_set_new(o, "statement", json_integer(st->index));
		json_object_set_new(o, "effect", json_string(
		    st->effect == PDPI_ALLOW ? "Allow" : "Deny"));
		json_array_append_new(m, o);
	}
	for (uint32_t i = 0; miss && i < ex->nmissing; i++)
		json_array_append_new(miss,
		    json_stringn(ex->missing[i].p, ex->missing[i].n));
	json_object_set_new(out, "matched", m);
	json_object_set_new(out, "missingContext", miss);
	if (ex->reason != NULL)
		json_object_set_new(out, "reason", json_string(ex->reason));
	return out;
}

json_t *
iamc_eval_json(const json_t *in)
{
	json_t *out = json_object();
	line *l;

	if (out == NULL)
		return NULL;
	if (json_is_object(in)) {
		const json_t *id = json_object_get(in, "id");
		json_object_set_new(out, "id", id ? json_deep_copy(id) :
		    json_null());
	} else {
		json_object_set_new(out, "id", json_null());
		return error_result(out, "a line must be a JSON object");
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->a = iamc_arena_open()) == NULL) {
		free(l);
		return error_result(out, "out of memory");
	}
	if (build_request(l, json_object_get(in, "request")) != 0 ||
	    build_world(l, in) != 0) {
		error_result(out, l->err);
	} else {
		pdpi_explain ex;
		pdp_effect e = pdpi_decide(&l->w, &l->r, &ex, NULL);
		explain_json(out, e, &ex);
	}
	iamc_arena_close(l->a);
	free(l);
	return out;
}

json_t *
iamc_eval_line(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *in = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *out;

	if (in == NULL) {
		char msg[256];
		out = json_object();
		if (out == NULL)
			return NULL;
		snprintf(msg, sizeof(msg), "invalid JSON at line %d column %d: "
		    "%s", jerr.line, jerr.column, jerr.text);
		json_object_set_new(out, "id", json_null());
		return error_result(out, msg);
	}
	out = iamc_eval_json(in);
	json_decref(in);
	return out;
}
