// cond.c - condition operators, policy variables and the missing-key,
// IfExists and set-operator rules (iam-semantics sections 3 and 4).

#include <string.h>

#include "fold.h"
#include "glob.h"
#include "request.h"
#include "scan.h"
#include "value.h"

// The three outcomes of comparing one request value with one policy value.
// ERROR (a value that does not parse for the operator's type) is "no
// match" for the positive and the negated form alike.
enum cmp {
	CMP_NOMATCH = 0,
	CMP_MATCH = 1,
	CMP_ERROR = 2,
};

void
pdpi_explain_missing(pdpi_scan *s, pdpi_str keytext)
{
	pdpi_explain *ex = s->ex;

	if (ex == NULL)
		return;
	for (uint32_t i = 0; i < ex->nmissing; i++)
		if (pdpi_eq_fold(ex->missing[i].p, ex->missing[i].n,
		    keytext.p, keytext.n))
			return;
	if (ex->nmissing == PDPI_EXPLAIN_MISSING) {
		ex->missing_truncated = true;
		return;
	}
	ex->missing[ex->nmissing++] = keytext;
}

// var_value returns the single value of a context key usable as a policy
// variable. Multivalued keys and empty values are no value.
static bool
var_value(const pdpi_req *r, const pdpi_part *p, pdpi_str *out)
{
	const pdpi_ckey *c = pdpi_req_key(r, p->s, p->ref);

	if (c == NULL || c->multi || c->nvals != 1 || c->vals[0].n == 0)
		return false;
	*out = c->vals[0];
	return true;
}

int
pdpi_tmpl_expand(pdpi_scan *s, const pdpi_tmpl *t, pdpi_str *out,
    const uint8_t **lit)
{
	size_t n = 0;

	if (t->nparts == 0) {
		*out = t->text;
		*lit = NULL;
		return PDPI_EXPAND_OK;
	}
	for (uint32_t i = 0; i < t->nparts; i++) {
		const pdpi_part *p = &t->parts[i];
		pdpi_str v = p->s;
		uint8_t mark = 1;

		if (p->kind == PDPI_PART_LIT) {
			mark = 0;
		} else if (p->kind == PDPI_PART_VAR &&
		    !var_value(s->r, p, &v)) {
			if (!p->has_default)
				return PDPI_EXPAND_MISSING;
			v = p->dflt;
		}
		if (v.n > PDPI_SCRATCH - n) {
			s->overflow = true;
			return PDPI_EXPAND_OVERFLOW;
		}
		memcpy(s->buf + n, v.p, v.n);
		memset(s->lit + n, mark, v.n);
		n += v.n;
	}
	out->p = s->buf;
	out->n = (uint32_t) n;
	*lit = s->lit;
	return PDPI_EXPAND_OK;
}

// arn_like matches an ARN against an ARN pattern segment by segment: a
// wildcard never crosses the first five colons.
static enum cmp
arn_like(pdpi_str pat, const uint8_t *lit, pdpi_str val)
{
	pdpi_str ps[5], pr, vs[5], vr;

	if (!pdpi_arn_split(pat.p, pat.n, ps, &pr) ||
	    !pdpi_arn_split(val.p, val.n, vs, &vr))
		return CMP_ERROR;
	for (int i = 0; i < 5; i++) {
		const uint8_t *l = lit ? lit + (ps[i].p - pat.p) : NULL;
		if (!pdpi_glob(ps[i].p, l, ps[i].n, vs[i].p, vs[i].n))
			return CMP_NOMATCH;
	}
	return pdpi_glob(pr.p, lit ? lit + (pr.p - pat.p) : NULL, pr.n, vr.p,
	    vr.n) ? CMP_MATCH : CMP_NOMATCH;
}

static enum cmp
num_cmp(int op, double a, double b)
{
	bool m;

	switch (op) {
	case PDPI_COP_NUM_EQ: m = a == b; break;
	case PDPI_COP_NUM_LT: m = a < b; break;
	case PDPI_COP_NUM_LE: m = a <= b; break;
	case PDPI_COP_NUM_GT: m = a > b; break;
	default: m = a >= b; break;
	}
	return m ? CMP_MATCH : CMP_NOMATCH;
}

static enum cmp
date_cmp(int op, const pdpi_date *a, const pdpi_date *b)
{
	int c = pdpi_date_cmp(a, b);
	bool m;

	switch (op) {
	case PDPI_COP_DATE_EQ: m = c == 0; break;
	case PDPI_COP_DATE_LT: m = c < 0; break;
	case PDPI_COP_DATE_LE: m = c <= 0; break;
	case PDPI_COP_DATE_GT: m = c > 0; break;
	default: m = c >= 0; break;
	}
	return m ? CMP_MATCH : CMP_NOMATCH;
}

// cmp_one compares request value `rv` with policy value `pv` under the
// positive form of the operator.
static enum cmp
cmp_one(pdpi_scan *s, const pdpi_cond *c, pdpi_str rv, const pdpi_cvalue *pv)
{
	pdpi_str t;
	const uint8_t *lit;
	double num;
	pdpi_date date;
	bool b;

	switch (c->op) {
	case PDPI_COP_STR_EQ:
	case PDPI_COP_STR_EQ_IC:
	case PDPI_COP_STR_LIKE:
	case PDPI_COP_ARN_LIKE:
	case PDPI_COP_BOOL:
		switch (pdpi_tmpl_expand(s, &pv->t, &t, &lit)) {
		case PDPI_EXPAND_OK:
			break;
		case PDPI_EXPAND_MISSING:
			// A variable without a value equals nothing, so
			// negated operators match (iam-semantics 4).
			return CMP_NOMATCH;
		default:
			return CMP_ERROR;
		}
		break;
	default:
		if (!pv->ok)
			return CMP_ERROR;
		break;
	}

	switch (c->op) {
	case PDPI_COP_STR_EQ:
		return (t.n == rv.n && memcmp(t.p, rv.p, t.n) == 0) ?
		    CMP_MATCH : CMP_NOMATCH;
	case PDPI_COP_STR_EQ_IC:
		return pdpi_eq_fold(t.p, t.n, rv.p, rv.n) ? CMP_MATCH :
		    CMP_NOMATCH;
	case PDPI_COP_STR_LIKE:
		return pdpi_glob(t.p, lit, t.n, rv.p, rv.n) ? CMP_MATCH :
		    CMP_NOMATCH;
	case PDPI_COP_ARN_LIKE:
		return arn_like(t, lit, rv);
	case PDPI_COP_BOOL: {
		bool want;
		if (!pdpi_parse_bool(t.p, t.n, &want) ||
		    !pdpi_parse_bool(rv.p, rv.n, &b))
			return CMP_ERROR;
		return b == want ? CMP_MATCH : CMP_NOMATCH;
	}
	case PDPI_COP_NUM_EQ:
	case PDPI_COP_NUM_LT:
	case PDPI_COP_NUM_LE:
	case PDPI_COP_NUM_GT:
	case PDPI_COP_NUM_GE:
		if (!pdpi_parse_number(rv.p, rv.n, &num))
			return CMP_ERROR;
		return num_cmp(c->op, num, pv->v.num);
	case PDPI_COP_DATE_EQ:
	case PDPI_COP_DATE_LT:
	case PDPI_COP_DATE_LE:
	case PDPI_COP_DATE_GT:
	case PDPI_COP_DATE_GE:
		if (!pdpi_parse_date(rv.p, rv.n, &date))
			return CMP_ERROR;
		return date_cmp(c->op, &date, &pv->v.date);
	case PDPI_COP_IP:
		if (rv.p != s->ip_p || rv.n != s->ip_n) {
			// A request address is an address, not a range.
			s->ip_ok = memchr(rv.p, '/', rv.n) == NULL &&
			    pdpi_parse_cidr(rv.p, rv.n, &s->ip);
			s->ip_p = rv.p;
			s->ip_n = rv.n;
		}
		if (!s->ip_ok)
			return CMP_ERROR;
		return pdpi_cidr_contains(&pv->v.ip, &s->ip) ? CMP_MATCH :
		    CMP_NOMATCH;
	case PDPI_COP_BINARY:
		// The request carries the key's bytes; the policy's base64
		// was decoded by the compiler.
		return (pv->v.bin.n == rv.n &&
		    memcmp(pv->v.bin.p, rv.p, rv.n) == 0) ? CMP_MATCH :
		    CMP_NOMATCH;
	default:
		return CMP_ERROR;
	}
}

// match_one: positive operators need one policy value to match; negated
// ones need every policy value to be a clean non-match.
static bool
match_one(pdpi_scan *s, const pdpi_cond *c, pdpi_str rv)
{
	for (uint32_t i = 0; i < c->nvalues; i++) {
		enum cmp m = cmp_one(s, c, rv, &c->values[i]);
		if (!c->negated && m == CMP_MATCH)
			return true;
		if (c->negated && m != CMP_NOMATCH)
			return false;
	}
	return c->negated;
}

// A key is null when absent, or when its value is empty: an empty string
// or an empty list (iam-semantics 3.2, 3.11).
static bool
is_null(const pdpi_ckey *k)
{
	if (k == NULL || k->nvals == 0)
		return true;
	return !k->multi && k->vals[0].n == 0;
}

const pdpi_ckey *
pdpi_scan_key(pdpi_scan *s, const pdpi_cond *c)
{
	pdpi_hooks *h = s->hooks;

	if (!c->custom)
		return pdpi_req_key(s->r, c->key, c->ref);
	// A plugin's key is the plugin's to say: a value the caller sent
	// under that name is ignored, and without the plugin it is absent.
	if (h == NULL || h->prov == NULL || h->prov->key == NULL ||
	    h->err != PDP_OK)
		return NULL;
	for (uint32_t i = 0; i < s->ncustom; i++) {
		pdpi_custom *x = &s->custom[i];
		if (pdpi_eq_fold(x->k.key.p, x->k.key.n, c->key.p, c->key.n))
			return x->absent ? NULL : &x->k;
	}
	if (s->ncustom == PDPI_CUSTOM_KEYS) {
		h->err = PDP_ETOOBIG;
		h->why = "too many custom condition keys in one request";
		return NULL;
	}
	// Asked lazily: only a condition that tests the key pays for it.
	pdpi_custom *x = &s->custom[s->ncustom];
	uint32_t n = 0;
	bool multi = false;
	const char *why = NULL;
	int rv = h->prov->key(h->prov->arg, h->view, c->keytext.p,
	    c->keytext.n, (pdp_value *) x->vals, &n, &multi, &why);
	if (rv != PDP_OK && rv != PDP_ENOENT) {
		h->err = PDP_EPLUGIN;
		h->why = why ? why : "a plugin failed";
		return NULL;
	}
	x->k.key = c->key;
	x->k.multi = multi;
	x->k.nvals = n > PDP_PROVIDER_VALUES ? PDP_PROVIDER_VALUES : n;
	x->k.vals = x->vals;
	x->absent = rv == PDP_ENOENT;
	s->ncustom++;
	return x->absent ? NULL : &x->k;
}

bool
pdpi_cond_eval(pdpi_scan *s, const pdpi_cond *c)
{
	const pdpi_ckey *k = c->custom ? pdpi_scan_key(s, c) :
	    pdpi_req_key(s->r, c->key, c->ref);

	if (k == NULL && s->ex != NULL)
		pdpi_explain_missing(s, c->keytext);

	if (c->op == PDPI_COP_NULL) {
		bool absent = is_null(k);
		for (uint32_t i = 0; i < c->nvalues; i++)
			if (c->values[i].ok && c->values[i].v.b == absent)
				return true;
		return false;
	}

	if (c->set == PDPI_SET_NONE) {
		if (k == NULL)
			return c->if_exists || c->negated;
		// A multivalued key needs a set operator; without one the
		// condition is false whatever the operator.
		if (k->multi || k->nvals != 1)
			return false;
		return match_one(s, c, k->vals[0]);
	}

	if (k == NULL && c->if_exists)
		return true;
	// An empty or null value set: ForAnyValue is false, ForAllValues
	// vacuously true.
	uint32_t n = is_null(k) ? 0 : k->nvals;
	if (c->set == PDPI_SET_ANY) {
		for (uint32_t i = 0; i < n; i++)
			if (match_one(s, c, k->vals[i]))
				return true;
		return false;
	}
	for (uint32_t i = 0; i < n; i++)
		if (!match_one(s, c, k->vals[i]))
			return false;
	return true;
}
