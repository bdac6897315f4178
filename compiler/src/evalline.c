// evalline.c - one `iamc eval` line: compile its policies into a bundle in
// memory, open it as pdpd would, and decide the request with
// pdp_bundle_authorize. The line is decided by the very code that decides
// against compiled bundle files: tables, loader and all.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamc.h"
#include "iamc_bundle.h"
#include "iamc_eval.h"
#include "request.h"

#define ERRMAX 1024

// One line's working state; everything lives in the builder's arena.
typedef struct line {
	iamc_builder *b;
	iamc_arena *a;
	char err[ERRMAX];
	pdpi_who who;        // the caller, parsed
	pdpi_req r;          // action and resource, parsed (for the trust
	                     // policy and account rules)
	pdp_request req;     // what is decided
	const char *userid;  // aws:userid from the context, or NULL
	const iamc_eval_options *opt; // NULL: no plugins
} line;

// A prepared line: the bundle and the request that decide it.
struct iamc_eval_prep {
	line l;
	pdp_bundle *bundle;
};

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
	int rv = iamc_policy_compile_ex(l->a, doc, type, name,
	    l->opt != NULL ? l->opt->compile : NULL, &p, &d);
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

// compile_list compiles a list of POLICY named prefix[i] into a set of
// the bundle; `extra` (may be NULL) is appended. `table`: index it.
static int
compile_list(line *l, const json_t *list, pdp_policy_type type,
    const char *prefix, const pdpi_policy *extra, bool table, uint32_t *set)
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
	if (iamc_builder_set(l->b, v, (uint32_t) n, table, set) != PDP_OK)
		return fail(l, "%s", "out of memory");
	return 0;
}

// The AWS-managed RCPFullAWSAccess, attached to every RCP level.
static const char rcp_full_access[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

// compile_levels compiles SCPs or RCPs: a list of levels (lists), or a
// flat list of policies meaning one level. *levels gets one set index per
// level.
static int
compile_levels(line *l, const json_t *j, pdp_policy_type type,
    const char *field, uint32_t *nout, uint32_t **levels)
{
	char prefix[32];
	const pdpi_policy *full = NULL;
	size_t n;
	bool flat;

	*nout = 0;
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
	*levels = iamc_arena_alloc(l->a, (n + 1) * sizeof(**levels));
	if (*levels == NULL)
		return fail(l, "%s", "out of memory");
	if (flat) {
		snprintf(prefix, sizeof(prefix), "%s[0]", field);
		if (compile_list(l, j, type, prefix, full, false,
		    &(*levels)[0]) != 0)
			return -1;
		*nout = 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *lv = json_array_get(j, i);
		if (!json_is_array(lv))
			return fail(l, "%s: a list mixes levels and policies",
			    field);
		snprintf(prefix, sizeof(prefix), "%s[%zu]", field, i);
		if (compile_list(l, lv, type, prefix, full, false,
		    &(*levels)[i]) != 0)
			return -1;
	}
	*nout = (uint32_t) n;
	return 0;
}

// req_fail writes why a request was refused into err and returns
// PDP_EINVAL.
static int req_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
req_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return PDP_EINVAL;
}

// oom writes "out of memory" into err and returns PDP_ENOMEM.
static int
oom(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return PDP_ENOMEM;
}

// value_text converts one context value (string, number or boolean) to
// a NUL-terminated string in the arena: PDP_EINVAL for any other JSON
// type, PDP_ENOMEM when the arena is full.
static int
value_text(iamc_arena *a, const json_t *v, const char **out)
{
	char num[64];

	if (json_is_string(v))
		*out = iamc_arena_strdup(a, json_string_value(v),
		    json_string_length(v));
	else if (json_is_integer(v) || json_is_real(v) ||
	    json_is_boolean(v)) {
		if (json_is_integer(v))
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		else if (json_is_real(v))
			snprintf(num, sizeof(num), "%.17g",
			    json_real_value(v));
		else
			snprintf(num, sizeof(num), "%s", json_is_true(v) ?
			    "true" : "false");
		*out = iamc_arena_strdup(a, num, strlen(num));
	} else {
		return PDP_EINVAL;
	}
	return *out != NULL ? PDP_OK : PDP_ENOMEM;
}

// read_context turns request.context into q's context entries.
static int
read_context(iamc_arena *a, const json_t *ctx, pdp_request *q, char *err,
    size_t errlen)
{
	size_t n = json_is_object(ctx) ? json_object_size(ctx) : 0;
	const char *k;
	json_t *v;
	size_t i = 0;

	if (ctx != NULL && !json_is_null(ctx) && !json_is_object(ctx))
		return req_fail(err, errlen, "request.context must be an "
		    "object");
	if (n > PDP_CONTEXT_MAX)
		return req_fail(err, errlen, "request.context: more than %d "
		    "keys", PDP_CONTEXT_MAX);
	pdp_context_entry *ents = iamc_arena_alloc(a, (n + 1) *
	    sizeof(*ents));
	if (ents == NULL)
		return oom(err, errlen);
	json_object_foreach((json_t *) ctx, k, v) {
		pdp_context_entry *e = &ents[i++];
		size_t nv = json_is_array(v) ? json_array_size(v) : 1;
		const char **vals = iamc_arena_alloc(a,
		    (nv + 1) * sizeof(*vals));
		if (vals == NULL ||
		    (e->key = iamc_arena_strdup(a, k, strlen(k))) == NULL)
			return oom(err, errlen);
		e->multi = json_is_array(v);
		e->nvalues = (uint32_t) nv;
		e->values = vals;
		for (size_t j = 0; j < nv; j++) {
			const json_t *el = e->multi ? json_array_get(v, j) : v;
			int rv = value_text(a, el, &vals[j]);
			if (rv == PDP_ENOMEM)
				return oom(err, errlen);
			if (rv != PDP_OK)
				return req_fail(err, errlen, "request.context."
				    "%s: a value must be a string, number, "
				    "boolean or a list of these", k);
		}
	}
	q->context = ents;
	q->ncontext = (uint32_t) n;
	return 0;
}

// text copies the string member `key` of o into *out: NULL when it is
// absent or null, which only an optional member may be.
static int
text(iamc_arena *a, const json_t *o, const char *key, bool required,
    const char **out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!json_is_string(v)) {
		if (required)
			return req_fail(err, errlen, "request.%s: missing or "
			    "not a string", key);
		if (v != NULL && !json_is_null(v))
			return req_fail(err, errlen, "request.%s: not a string",
			    key);
		return 0;
	}
	if ((*out = iamc_arena_strdup(a, json_string_value(v),
	    json_string_length(v))) == NULL)
		return oom(err, errlen);
	return 0;
}

int
iamc_eval_request(const json_t *req, iamc_arena *a, pdp_request *q,
    char *err, size_t errlen)
{
	int rv;

	memset(q, 0, sizeof(*q));
	if (!json_is_object(req))
		return req_fail(err, errlen, "request: missing or not an "
		    "object");
	if ((rv = text(a, req, "principal", true, &q->principal, err,
	    errlen)) != 0 ||
	    (rv = text(a, req, "action", true, &q->action, err, errlen)) != 0 ||
	    (rv = text(a, req, "resource", false, &q->resource, err,
	    errlen)) != 0 ||
	    (rv = text(a, req, "resourceAccount", false, &q->resource_account,
	    err, errlen)) != 0)
		return rv;
	return read_context(a, json_object_get(req, "context"), q, err,
	    errlen);
}

// build_request reads the "request" object into l->req, and parses the
// caller, action and resource for the bundle built around them.
static int
build_request(line *l, const json_t *req)
{
	pdp_request *q = &l->req;
	char *buf;

	if (iamc_eval_request(req, l->a, q, l->err, sizeof(l->err)) != 0)
		return -1;
	q->provider = l->opt != NULL ? l->opt->provider : NULL;
	if (q->resource == NULL)
		q->resource = "*";
	for (uint32_t i = 0; i < q->ncontext; i++)
		if (!q->context[i].multi &&
		    strcasecmp(q->context[i].key, "aws:userid") == 0)
			l->userid = q->context[i].values[0];

	size_t pn = strlen(q->principal), an = strlen(q->action);
	buf = iamc_arena_alloc(l->a, pn + 64);
	if (buf == NULL)
		return fail(l, "%s", "out of memory");
	if (!pdpi_who_parse(&l->who, q->principal, pn, buf, pn + 64) ||
	    l->who.kind == PDPI_WHO_OTHER)
		return fail(l, "request.principal: \"%s\" is not a user, role "
		    "session, federated user or root ARN, a service principal "
		    "or \"anonymous\"", q->principal);
	l->r.who = l->who;
	buf = iamc_arena_alloc(l->a, an + 1);
	if (buf == NULL || !pdpi_req_set_action(&l->r, q->action, an, buf,
	    an + 1))
		return fail(l, "%s", "out of memory");
	pdpi_req_set_resource(&l->r, q->resource, strlen(q->resource),
	    q->resource_account);
	return 0;
}

static const char *
dup_str(line *l, pdpi_str s)
{
	return iamc_arena_strdup(l->a, s.p ? s.p : "", s.n);
}

// add_principal registers the caller, so that the bundle resolves it the
// way it resolves principals compiled from an account.
static int
add_principal(line *l, uint32_t identity, uint32_t boundary)
{
	const pdpi_who *who = &l->who;
	iamc_principal_spec p;
	char uid[128] = "";

	memset(&p, 0, sizeof(p));
	p.identity = identity;
	p.boundary = boundary;
	p.account = dup_str(l, who->account);
	p.name = dup_str(l, who->name);
	p.path = dup_str(l, who->path);
	p.service_linked = who->service_linked;
	// A unique id given as aws:userid identifies the caller to
	// Principal elements naming ids (AIDA..., or AROA...:session).
	if (l->userid != NULL) {
		snprintf(uid, sizeof(uid), "%s", l->userid);
		char *colon = strchr(uid, ':');
		if (colon != NULL && who->kind == PDPI_WHO_ROLE_SESSION)
			*colon = '\0';
		p.unique_id = uid;
	}
	switch (who->kind) {
	case PDPI_WHO_ROOT:
		p.kind = PDPB_ROOT;
		break;
	case PDPI_WHO_USER:
		p.kind = PDPB_USER;
		break;
	case PDPI_WHO_ROLE_SESSION:
		p.kind = PDPB_ROLE;
		p.path = "/";
		break;
	case PDPI_WHO_FEDUSER:
		p.kind = PDPB_FEDUSER;
		break;
	default:
		return 0; // services and anonymous callers have no entity
	}
	if (p.account == NULL || p.name == NULL || p.path == NULL)
		return fail(l, "%s", "out of memory");
	if (iamc_builder_principal(l->b, &p) != PDP_OK)
		return fail(l, "%s", "out of memory");
	return 0;
}

// build_bundle compiles every policy of the line into the builder: the
// caller's identity policies and boundary, the session policy (named
// "session"), the resource's policy, the SCP levels of the caller's
// account and the RCP levels of the resource's account.
static int
build_bundle(line *l, const json_t *in)
{
	const json_t *j;
	uint32_t identity = PDPB_NONE, boundary = PDPB_NONE, set;
	uint32_t nscp = 0, nrcp = 0, *scp = NULL, *rcp = NULL;

	j = json_object_get(in, "identityPolicies");
	if (j != NULL && !json_is_null(j)) {
		if (!json_is_array(j))
			return fail(l, "%s", "identityPolicies must be a list");
		if (compile_list(l, j, PDP_POLICY_IDENTITY, "identity", NULL,
		    true, &identity) != 0)
			return -1;
	}
	j = json_object_get(in, "permissionBoundaries");
	if (j != NULL && !json_is_null(j)) {
		if (!json_is_array(j))
			return fail(l, "%s",
			    "permissionBoundaries must be a list");
		if (compile_list(l, j, PDP_POLICY_BOUNDARY, "boundary", NULL,
		    true, &boundary) != 0)
			return -1;
	}
	j = json_object_get(in, "sessionPolicy");
	if (j != NULL && !json_is_null(j)) {
		const pdpi_policy *p = compile_one(l, j, PDP_POLICY_SESSION,
		    "session");
		if (p == NULL)
			return -1;
		if (iamc_builder_set(l->b, &p, 1, true, &set) != PDP_OK ||
		    iamc_builder_named(l->b, "session", set) != PDP_OK)
			return fail(l, "%s", "out of memory");
		l->req.session_policy = "session";
	}
	j = json_object_get(in, "resourcePolicy");
	if (j != NULL && !json_is_null(j)) {
		pdp_policy_type t = pdpi_req_is_trust_action(&l->r) ?
		    PDP_POLICY_TRUST : PDP_POLICY_RESOURCE;
		const pdpi_policy *p = compile_one(l, j, t, "resource");
		if (p == NULL)
			return -1;
		// A resource policy belongs to a resource: a request on
		// "*" has none to consult.
		if (strcmp(l->req.resource, "*") != 0 &&
		    iamc_builder_resource_policy(l->b, l->req.resource, p) !=
		    PDP_OK)
			return fail(l, "%s", "out of memory");
	}
	if (compile_levels(l, json_object_get(in, "scps"), PDP_POLICY_SCP,
	    "scp", &nscp, &scp) != 0 ||
	    compile_levels(l, json_object_get(in, "rcps"), PDP_POLICY_RCP,
	    "rcp", &nrcp, &rcp) != 0)
		return -1;

	const char *pa = dup_str(l, l->who.account);
	const char *ra = dup_str(l, l->r.resource_account);
	if (pa == NULL || ra == NULL)
		return fail(l, "%s", "out of memory");
	// A service or anonymous caller on an S3 object, with no
	// resourceAccount: the resource's account is unknown, but the line's
	// RCPs are still its RCPs. Give it an account of its own.
	if (ra[0] == '\0' && nrcp > 0) {
		ra = "(resource)";
		l->req.resource_account = ra;
	}
	bool same = strcmp(pa, ra) == 0;
	if (pa[0] != '\0' && iamc_builder_account(l->b, pa, scp, nscp,
	    rcp, same ? nrcp : 0) != PDP_OK)
		return fail(l, "%s", "out of memory");
	if (ra[0] != '\0' && !same && iamc_builder_account(l->b, ra, NULL, 0,
	    rcp, nrcp) != PDP_OK)
		return fail(l, "%s", "out of memory");
	return add_principal(l, identity, boundary);
}

void
iamc_eval_prep_free(iamc_eval_prep *p)
{
	if (p == NULL)
		return;
	pdp_bundle_close(p->bundle);
	iamc_builder_close(p->l.b);
	free(p);
}

int
iamc_eval_prepare(const json_t *in, iamc_eval_prep **out, char *err,
    size_t errlen)
{
	return iamc_eval_prepare_ex(in, NULL, out, err, errlen);
}

int
iamc_eval_prepare_ex(const json_t *in, const iamc_eval_options *opt,
    iamc_eval_prep **out, char *err, size_t errlen)
{
	iamc_eval_prep *p = calloc(1, sizeof(*p));
	line *l;
	void *data = NULL;
	size_t len = 0;
	int rv;

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return PDP_ENOMEM;
	}
	l = &p->l;
	if (iamc_builder_open(&l->b) != PDP_OK) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return PDP_ENOMEM;
	}
	l->a = iamc_builder_arena(l->b);
	l->opt = opt;
	if (!json_is_object(in)) {
		fail(l, "%s", "a line must be a JSON object");
	} else if (build_request(l, json_object_get(in, "request")) == 0 &&
	    build_bundle(l, in) == 0) {
		rv = iamc_builder_write(l->b, 1, &data, &len);
		if (rv != PDP_OK)
			fail(l, "writing the bundle: %s", pdp_strerror(rv));
		else if (pdp_bundle_open_mem(data, len, &p->bundle, l->err,
		    sizeof(l->err)) != PDP_OK && l->err[0] == '\0')
			fail(l, "%s", "opening the bundle failed");
		free(data);
	}
	if (l->err[0] != '\0') {
		snprintf(err, errlen, "%s", l->err);
		iamc_eval_prep_free(p);
		return PDP_EINVAL;
	}
	*out = p;
	return PDP_OK;
}

const pdp_bundle *
iamc_eval_prep_bundle(const iamc_eval_prep *p)
{
	return p->bundle;
}

const pdp_request *
iamc_eval_prep_request(const iamc_eval_prep *p)
{
	return &p->l.req;
}

static json_t *
error_result(json_t *out, const char *msg)
{
	json_object_set_new(out, "decision", json_string("Error"));
	json_object_set_new(out, "error", json_string(msg));
	return out;
}

json_t *
iamc_eval_result(const json_t *id, const pdp_decision *d,
    const pdp_explanation *ex)
{
	json_t *out = json_object(), *m = json_array(), *miss = json_array();

	if (out == NULL || m == NULL || miss == NULL) {
		json_decref(out);
		json_decref(m);
		json_decref(miss);
		return NULL;
	}
	json_object_set_new(out, "id", id ? json_deep_copy(id) : json_null());
	if (d->err != PDP_OK) {
		json_decref(m);
		json_decref(miss);
		return error_result(out, d->reason ? d->reason :
		    pdp_strerror(d->err));
	}
	json_object_set_new(out, "decision",
	    json_string(pdp_effect_name(d->effect)));
	for (uint32_t i = 0; ex != NULL && i < ex->nmatched &&
	    i < PDP_EXPLAIN_MAX; i++) {
		const pdp_statement_ref *r = &ex->matched[i];
		json_t *o = json_object();
		json_object_set_new(o, "policy",
		    json_stringn(r->policy, r->policy_len));
		if (r->sid_len > 0)
			json_object_set_new(o, "sid",
			    json_stringn(r->sid, r->sid_len));
		json_object_set_new(o, "statement", json_integer(r->index));
		json_object_set_new(o, "effect", json_string(
		    r->effect == PDP_ALLOW ? "Allow" : "Deny"));
		json_array_append_new(m, o);
	}
	for (uint32_t i = 0; ex != NULL && i < ex->nmissing &&
	    i < PDP_EXPLAIN_MAX; i++)
		json_array_append_new(miss,
		    json_stringn(ex->missing[i], ex->missing_len[i]));
	json_object_set_new(out, "matched", m);
	json_object_set_new(out, "missingContext", miss);
	if (d->reason != NULL)
		json_object_set_new(out, "reason", json_string(d->reason));
	return out;
}

json_t *
iamc_eval_json(const json_t *in)
{
	return iamc_eval_json_ex(in, NULL);
}

json_t *
iamc_eval_json_ex(const json_t *in, const iamc_eval_options *opt)
{
	const json_t *id = json_is_object(in) ? json_object_get(in, "id") :
	    NULL;
	iamc_eval_prep *p;
	char err[ERRMAX];
	json_t *out;

	if (iamc_eval_prepare_ex(in, opt, &p, err, sizeof(err)) != PDP_OK) {
		out = json_object();
		if (out == NULL)
			return NULL;
		json_object_set_new(out, "id", id ? json_deep_copy(id) :
		    json_null());
		return error_result(out, err);
	}
	pdp_decision d;
	pdp_explanation ex;
	pdp_bundle_authorize(p->bundle, &p->l.req, &d, &ex);
	out = iamc_eval_result(id, &d, &ex);
	iamc_eval_prep_free(p);
	return out;
}

json_t *
iamc_eval_line(const char *text, size_t len)
{
	return iamc_eval_line_ex(text, len, NULL);
}

json_t *
iamc_eval_line_ex(const char *text, size_t len, const iamc_eval_options *opt)
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
	out = iamc_eval_json_ex(in, opt);
	json_decref(in);
	return out;
}
