// condition.c - the Condition block: operator names resolved to an enum
// with set / IfExists / negation flags, keys folded, and values parsed to
// their typed form once, at compile time.

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "fold.h"
#include "iamci.h"
#include "value.h"

typedef struct opdef {
	const char *name;
	uint8_t op;
	bool negated;
} opdef;

static const opdef ops[] = {
	{ "StringEquals", PDPI_COP_STR_EQ, false },
	{ "StringNotEquals", PDPI_COP_STR_EQ, true },
	{ "StringEqualsIgnoreCase", PDPI_COP_STR_EQ_IC, false },
	{ "StringNotEqualsIgnoreCase", PDPI_COP_STR_EQ_IC, true },
	{ "StringLike", PDPI_COP_STR_LIKE, false },
	{ "StringNotLike", PDPI_COP_STR_LIKE, true },
	{ "NumericEquals", PDPI_COP_NUM_EQ, false },
	{ "NumericNotEquals", PDPI_COP_NUM_EQ, true },
	{ "NumericLessThan", PDPI_COP_NUM_LT, false },
	{ "NumericLessThanEquals", PDPI_COP_NUM_LE, false },
	{ "NumericGreaterThan", PDPI_COP_NUM_GT, false },
	{ "NumericGreaterThanEquals", PDPI_COP_NUM_GE, false },
	{ "DateEquals", PDPI_COP_DATE_EQ, false },
	{ "DateNotEquals", PDPI_COP_DATE_EQ, true },
	{ "DateLessThan", PDPI_COP_DATE_LT, false },
	{ "DateLessThanEquals", PDPI_COP_DATE_LE, false },
	{ "DateGreaterThan", PDPI_COP_DATE_GT, false },
	{ "DateGreaterThanEquals", PDPI_COP_DATE_GE, false },
	{ "Bool", PDPI_COP_BOOL, false },
	{ "BinaryEquals", PDPI_COP_BINARY, false },
	{ "IpAddress", PDPI_COP_IP, false },
	{ "NotIpAddress", PDPI_COP_IP, true },
	// ArnEquals behaves exactly like ArnLike: wildcards work in both.
	{ "ArnEquals", PDPI_COP_ARN_LIKE, false },
	{ "ArnLike", PDPI_COP_ARN_LIKE, false },
	{ "ArnNotEquals", PDPI_COP_ARN_LIKE, true },
	{ "ArnNotLike", PDPI_COP_ARN_LIKE, true },
	{ "Null", PDPI_COP_NULL, false },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct opname {
	const opdef *def; // NULL: unknown operator
	uint8_t set;
	bool if_exists;
} opname;

// parse_opname splits [ForAnyValue:|ForAllValues:]Base[IfExists].
static opname
parse_opname(const char *s)
{
	opname o = { NULL, PDPI_SET_NONE, false };
	size_t n;

	if (strncmp(s, "ForAnyValue:", 12) == 0) {
		o.set = PDPI_SET_ANY;
		s += 12;
	} else if (strncmp(s, "ForAllValues:", 13) == 0) {
		o.set = PDPI_SET_ALL;
		s += 13;
	}
	n = strlen(s);
	if (n > 8 && strcmp(s + n - 8, "IfExists") == 0) {
		o.if_exists = true;
		n -= 8;
	}
	for (size_t i = 0; i < NELEM(ops); i++) {
		if (strlen(ops[i].name) == n &&
		    memcmp(ops[i].name, s, n) == 0)
			o.def = &ops[i];
	}
	return o;
}

static bool
scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

// scalar_text gives the string form of a JSON scalar: JSON numbers and
// booleans are written without quotes but compared as their text.
static const char *
scalar_text(const json_t *v, char *buf, size_t cap, size_t *n)
{
	if (json_is_string(v)) {
		*n = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v))
		snprintf(buf, cap, "%lld", (long long) json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, cap, "%.15g", json_real_value(v));
	else
		snprintf(buf, cap, "%s", json_is_true(v) ? "true" : "false");
	*n = strlen(buf);
	return buf;
}

// binary_value decodes base64 text into cv->v.bin and keeps the canonical
// encoding in cv->t.text, so equal bytes always compare equal as text.
static bool
binary_value(iamci_ctx *c, const char *s, size_t n, pdpi_cvalue *cv)
{
	unsigned char *raw, *enc;
	size_t pad = 0, e = n;
	int len;

	if (n > INT32_MAX / 2)
		return false;
	raw = iamci_alloc(c, n / 4 * 3 + 4);
	if (raw == NULL)
		return false;
	len = EVP_DecodeBlock(raw, (const unsigned char *) s, (int) n);
	if (len < 0)
		return false;
	while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' ||
	    s[e - 1] == '\n' || s[e - 1] == '\r'))
		e--;
	while (e > 0 && s[e - 1] == '=' && pad < 2) {
		pad++;
		e--;
	}
	// EVP_DecodeBlock counts the padding as zero bytes.
	len -= (int) pad;
	if (len < 0)
		return false;
	enc = iamci_alloc(c, ((size_t) len + 2) / 3 * 4 + 1);
	if (enc == NULL)
		return false;
	EVP_EncodeBlock(enc, raw, len);
	cv->v.bin.p = (const char *) raw;
	cv->v.bin.n = (uint32_t) len;
	return iamci_str(c, (const char *) enc, strlen((const char *) enc),
	    &cv->t.text);
}

// value_compile fills *cv for one value of operator `def`; false on an
// error (reported at `path`) or out of memory.
static bool
value_compile(iamci_ctx *c, const char *path, const char *opn,
    const opdef *def, const char *s, size_t n, pdpi_cvalue *cv)
{
	switch (def->op) {
	case PDPI_COP_STR_EQ:
	case PDPI_COP_STR_LIKE:
	case PDPI_COP_ARN_LIKE:
		cv->ok = true;
		return iamci_tmpl_build(c, s, n, c->vars, &cv->t);
	case PDPI_COP_STR_EQ_IC: {
		pdpi_str f;
		cv->ok = true;
		// Folded once here; the evaluator folds only the request side.
		return iamci_str_fold(c, s, n, &f) &&
		    iamci_tmpl_build(c, f.p, f.n, c->vars, &cv->t);
	}
	case PDPI_COP_BOOL:
		if (!iamci_tmpl_build(c, s, n, c->vars, &cv->t))
			return false;
		cv->ok = pdpi_parse_bool(s, n, &cv->v.b);
		if (!cv->ok && cv->t.nparts == 0)
			iamci_warn(c, path, "%s value \"%.*s\" is neither "
			    "\"true\" nor \"false\" and never matches", opn,
			    (int) n, s);
		return true;
	default:
		break;
	}
	// Typed operators take no policy variables: their text is literal.
	if (!iamci_tmpl_build(c, s, n, false, &cv->t))
		return false;
	switch (def->op) {
	case PDPI_COP_NULL:
		cv->ok = pdpi_parse_bool(s, n, &cv->v.b);
		if (!cv->ok)
			iamci_warn(c, path, "Null value \"%.*s\" is neither "
			    "\"true\" nor \"false\" and never matches",
			    (int) n, s);
		return true;
	case PDPI_COP_BINARY:
		cv->ok = binary_value(c, s, n, cv);
		if (c->nomem)
			return false;
		if (!cv->ok) {
			iamci_error(c, path, "invalid %s value \"%.*s\": not "
			    "base64", opn, (int) n, s);
			return false;
		}
		return true;
	case PDPI_COP_IP:
		cv->ok = pdpi_parse_cidr(s, n, &cv->v.ip);
		if (!cv->ok) {
			iamci_error(c, path, "invalid %s value \"%.*s\": not "
			    "an IP address or CIDR", opn, (int) n, s);
			return false;
		}
		return true;
	case PDPI_COP_DATE_EQ:
	case PDPI_COP_DATE_LT:
	case PDPI_COP_DATE_LE:
	case PDPI_COP_DATE_GT:
	case PDPI_COP_DATE_GE:
		cv->ok = pdpi_parse_date(s, n, &cv->v.date);
		if (!cv->ok) {
			iamci_error(c, path, "The policy failed legacy "
			    "parsing: invalid %s value \"%.*s\": not an ISO "
			    "8601 date or epoch seconds", opn, (int) n, s);
			return false;
		}
		return true;
	default:
		// AWS checks dates when a policy is saved, but not numbers:
		// a value that is no number (a policy variable, say) is
		// literal text that never matches (iam-semantics 3.5).
		cv->ok = pdpi_parse_number(s, n, &cv->v.num);
		if (!cv->ok)
			iamci_warn(c, path, "%s value \"%.*s\" is not a number "
			    "and never matches", opn, (int) n, s);
		return true;
	}
}

// key_compile compiles one key of an operator map into *cd; false when
// it has an error (reported) or on out of memory.
static bool
key_compile(iamci_ctx *c, const char *kpath, const char *opn, opname o,
    const char *key, const json_t *val, pdpi_cond *cd)
{
	char vp[IAMCI_PATH_MAX], buf[64];
	size_t nv = json_is_array(val) ? json_array_size(val) : 1;
	pdpi_cvalue *vals = NULL;
	bool good = true;

	if (!json_is_array(val) && !scalar(val)) {
		iamci_error(c, kpath, "condition values must be strings, "
		    "numbers, booleans or an array of them");
		return false;
	}
	cd->op = o.def->op;
	cd->set = o.set;
	cd->negated = o.def->negated;
	cd->if_exists = o.if_exists;
	if (!iamci_str(c, opn, strlen(opn), &cd->opname) ||
	    !iamci_str(c, key, strlen(key), &cd->keytext) ||
	    !iamci_str_fold(c, key, strlen(key), &cd->key))
		return false;
	if (nv > 0) {
		vals = iamci_alloc(c, nv * sizeof(*vals));
		if (vals == NULL)
			return false;
	}
	for (size_t i = 0; i < nv; i++) {
		const json_t *e = json_is_array(val) ? json_array_get(val, i)
		    : val;
		const char *s;
		size_t n;
		iamci_elem_path(vp, kpath, val, i);
		if (!scalar(e)) {
			iamci_error(c, vp, "condition values must be strings, "
			    "numbers or booleans");
			good = false;
			continue;
		}
		s = scalar_text(e, buf, sizeof(buf), &n);
		if (!value_compile(c, vp, opn, o.def, s, n, &vals[i]))
			good = false;
	}
	cd->values = vals;
	cd->nvalues = (uint32_t) nv;
	return good && !c->nomem;
}

// key_warnings flags keys Access Analyzer would flag.
static void
key_warnings(iamci_ctx *c, const char *kpath, const char *opn,
    const pdpi_cond *cd)
{
	enum iamci_key_class kc = iamci_key_class(cd->key.p, cd->key.n);

	if (kc == IAMCI_KEY_UNKNOWN)
		iamci_warn(c, kpath, "unknown global condition key \"%s\"",
		    cd->keytext.p);
	if (kc == IAMCI_KEY_SINGLE && cd->set != PDPI_SET_NONE)
		iamci_warn(c, kpath, "%s used with single-valued key \"%s\": "
		    "a set operator treats it as a one-element set, which can "
		    "be overly permissive; drop the %s prefix", opn,
		    cd->keytext.p,
		    cd->set == PDPI_SET_ANY ? "ForAnyValue:"
		    : "ForAllValues:");
}

// has_null_guard reports whether conds hold Null {key: "false"}.
static bool
has_null_guard(const pdpi_cond *conds, uint32_t n, const pdpi_str *key)
{
	for (uint32_t i = 0; i < n; i++) {
		const pdpi_cond *g = &conds[i];
		if (g->op != PDPI_COP_NULL || g->key.n != key->n ||
		    memcmp(g->key.p, key->p, key->n) != 0)
			continue;
		for (uint32_t j = 0; j < g->nvalues; j++) {
			if (g->values[j].ok && !g->values[j].v.b)
				return true;
		}
	}
	return false;
}

uint32_t
iamci_conds_compile(iamci_ctx *c, const char *path, const json_t *v,
    uint8_t effect, const pdpi_cond **out)
{
	char op_path[IAMCI_PATH_MAX], kpath[IAMCI_PATH_MAX];
	const char *opn, *key;
	json_t *map, *val;
	size_t total = 0;
	pdpi_cond *conds;
	uint32_t k = 0;

	*out = NULL;
	if (!json_is_object(v)) {
		iamci_error(c, path, "Condition must be an object");
		return 0;
	}
	json_object_foreach((json_t *) v, opn, map) {
		opname o = parse_opname(opn);
		iamci_path(op_path, "%s.%s", path, opn);
		if (!json_is_object(map)) {
			iamci_error(c, op_path, "the value of condition "
			    "operator \"%s\" must be an object", opn);
			continue;
		}
		if (o.def == NULL) {
			// AWS saves an unknown operator with nothing under
			// it.
			if (json_object_size(map) == 0)
				iamci_warn(c, path, "unknown operator \"%s\" "
				    "with an empty map is ignored", opn);
			else
				iamci_error(c, path, "unknown operator \"%s\"",
				    opn);
			continue;
		}
		if (o.def->op == PDPI_COP_NULL && o.if_exists) {
			iamci_error(c, path, "invalid operator \"%s\": Null "
			    "has no IfExists form", opn);
			continue;
		}
		if (o.def->op == PDPI_COP_NULL && o.set != PDPI_SET_NONE) {
			iamci_error(c, path, "invalid operator \"%s\": Null "
			    "takes no ForAnyValue:/ForAllValues: prefix", opn);
			continue;
		}
		total += json_object_size(map);
	}
	if (total == 0)
		return 0;
	conds = iamci_alloc(c, total * sizeof(*conds));
	if (conds == NULL)
		return 0;
	json_object_foreach((json_t *) v, opn, map) {
		opname o = parse_opname(opn);
		if (!json_is_object(map) || o.def == NULL ||
		    (o.def->op == PDPI_COP_NULL &&
		    (o.if_exists || o.set != PDPI_SET_NONE)))
			continue;
		json_object_foreach(map, key, val) {
			iamci_path(kpath, "%s.%s.%s", path, opn, key);
			if (!key_compile(c, kpath, opn, o, key, val,
			    &conds[k])) {
				if (c->nomem)
					return 0;
				continue;
			}
			key_warnings(c, kpath, opn, &conds[k]);
			iamci_custom_key(c, kpath, &conds[k]);
			k++;
		}
	}
	for (uint32_t i = 0; i < k; i++) {
		if (effect != PDPI_ALLOW || conds[i].set != PDPI_SET_ALL ||
		    has_null_guard(conds, k, &conds[i].key))
			continue;
		iamci_path(kpath, "%s.%s.%s", path, conds[i].opname.p,
		    conds[i].keytext.p);
		iamci_warn(c, kpath, "ForAllValues with \"Allow\" also "
		    "matches when \"%s\" is missing or empty; add "
		    "\"Null\": {\"%s\": \"false\"}", conds[i].keytext.p,
		    conds[i].keytext.p);
	}
	*out = conds;
	return k;
}
