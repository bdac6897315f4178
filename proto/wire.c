// wire.c - the pdpd wire codec (proto/README.md, proto/wire.h): a bounds
// check over raw bytes, msgpack_unpack into a reused zone, and the walk
// that turns msgpack objects into requests and replies; the encoders.
//
// Shared by pdpd and its clients. Depends on libc and msgpack-c only.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static const char *const status_names[PDPW_STATUS_MAX] = {
	[PDPW_OK] = "OK",
	[PDPW_ENOMEM] = "ENOMEM",
	[PDPW_EINVAL] = "EINVAL",
	[PDPW_EPOLICY] = "EPOLICY",
	[PDPW_ETOOBIG] = "ETOOBIG",
	[PDPW_ECORRUPT] = "ECORRUPT",
	[PDPW_EVERSION] = "EVERSION",
	[PDPW_EIO] = "EIO",
	[PDPW_ENOENT] = "ENOENT",
	[PDPW_EPLUGIN] = "EPLUGIN",
	[PDPW_EEXPIRED] = "EEXPIRED",
	[PDPW_EUNKNOWNKEY] = "EUNKNOWNKEY",
	[PDPW_EWRONGKEY] = "EWRONGKEY",
	[PDPW_EINACTIVE] = "EINACTIVE",
	[PDPW_EMALFORMED] = "EMALFORMED",
	[PDPW_ETYPE] = "ETYPE",
	[PDPW_EOP] = "EOP",
	[PDPW_EEMPTY] = "EEMPTY",
	[PDPW_EDENIED] = "EDENIED",
	[PDPW_EINTERNAL] = "EINTERNAL",
	[PDPW_ETRANSPORT] = "ETRANSPORT",
};

const char *
pdpw_status_name(int status)
{
	if (status < 0 || status >= PDPW_STATUS_MAX ||
	    status_names[status] == NULL)
		return "E?";
	return status_names[status];
}

int
pdpw_status_parse(const char *name, size_t len)
{
	for (int i = 0; i < PDPW_STATUS_MAX; i++)
		if (status_names[i] != NULL &&
		    strlen(status_names[i]) == len &&
		    memcmp(status_names[i], name, len) == 0)
			return i;
	return -1;
}

static const char *const op_names[] = {
	[PDPW_OP_AUTHORIZE] = "authorize",
	[PDPW_OP_BATCH] = "authorize_batch",
	[PDPW_OP_EXPLAIN] = "explain",
	[PDPW_OP_HEALTH] = "health",
	[PDPW_OP_STATS] = "stats",
	[PDPW_OP_RELOAD] = "reload",
	[PDPW_OP_IAM] = "iam",
};

#define NOPS (sizeof(op_names) / sizeof(op_names[0]))

const char *
pdpw_op_name(pdpw_op op)
{
	if ((unsigned) op >= NOPS)
		return NULL;
	return op_names[op];
}

static const char *const decision_names[] = {
	[PDPW_IMPLICIT_DENY] = "ImplicitDeny",
	[PDPW_ALLOW] = "Allow",
	[PDPW_EXPLICIT_DENY] = "ExplicitDeny",
};

const char *
pdpw_decision_name(int d)
{
	if (d < 0 || d > PDPW_EXPLICIT_DENY)
		return decision_names[PDPW_IMPLICIT_DENY];
	return decision_names[d];
}

void
pdpw_limits_default(pdpw_limits *l)
{
	l->max_msg = PDPW_DEFAULT_MAX_MSG;
	l->max_depth = PDPW_DEFAULT_MAX_DEPTH;
	l->max_str = PDPW_DEFAULT_MAX_STR;
	l->max_batch = PDPW_DEFAULT_MAX_BATCH;
	l->max_context = PDPW_DEFAULT_MAX_CONTEXT;
	l->max_values = PDPW_DEFAULT_MAX_VALUES;
}

// --- The bounds check -------------------------------------------------------

// msgpack_unpack allocates a container's elements when it reads the
// container's header, before it knows the elements exist: a five-byte
// array32 header claiming 2^31 elements would ask for 48 GiB. Walking the
// bytes first, with every claimed count held to the bytes that remain
// (an element takes at least one), bounds what unpacking allocates to a
// small multiple of the message (R-WIRE-002, R-WIRE-003, R-WIRE-004).

// msgpack-c's own parser stack; deeper limits are clamped to it.
#define DEPTH_CAP 32

static uint32_t
be(const uint8_t *p, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

// long_key says whether the top-map key of `n` bytes at `p` holds a
// value that only the message size bounds (R-WIRE-004): an iam call's
// request fields and a session token.
static bool
long_key(const uint8_t *p, uint64_t n)
{
	return (n == 6 && memcmp(p, "params", 6) == 0) ||
	    (n == 13 && memcmp(p, "session_token", 13) == 0);
}

// pdpw_check walks the bytes once without recursion: `left[d]` counts
// the values still to read at depth d (the top value is depth 0).
int
pdpw_check(const pdpw_limits *lim, const void *buf, size_t len,
    const char **why)
{
	const uint8_t *p = buf, *end = p + len;
	uint64_t left[DEPTH_CAP + 1];
	uint32_t depth = 0, maxd = lim->max_depth < DEPTH_CAP ?
	    lim->max_depth : DEPTH_CAP;
	uint64_t n = 0;
	bool top_map = false, long_val = false;

	if (len > lim->max_msg) {
		*why = "message too large";
		return PDPW_ETOOBIG;
	}
	if (len == 0) {
		*why = "empty message";
		return PDPW_EMALFORMED;
	}
	left[0] = 1;
	for (;;) {
		while (left[depth] == 0) {
			if (depth == 0)
				goto done;
			depth--;
		}
		left[depth]--;
		if (p == end)
			goto truncated;
		uint8_t b = *p++;
		// In the top map, keys sit where an odd count is left; a
		// value may be long only after a long_key key.
		bool top = top_map && depth == 1, at_key = false, lv = false;
		if (top) {
			at_key = left[1] & 1;
			lv = !at_key && long_val;
			long_val = false;
		}
		// Scalars in their byte, and short strings below the top
		// map (most of a batch), need nothing more.
		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 ||
		    b == 0xc3)
			continue;
		if (!top && (b & 0xe0) == 0xa0) {
			n = b & 0x1f;
			if (n > lim->max_str) {
				*why = "string too long";
				return PDPW_ETOOBIG;
			}
			if ((size_t) (end - p) < n)
				goto truncated;
			p += n;
			continue;
		}
		size_t skip = 0, lenbytes = 0;
		bool body = false, map = false, container = false;
		if (b >= 0xa0 && b <= 0xbf) {
			n = b & 0x1f;
			body = true;
		} else if (b >= 0x80 && b <= 0x9f) {
			n = b & 0x0f;
			map = b <= 0x8f;
			container = true;
		} else {
			switch (b) {
			case 0xc4: case 0xd9: lenbytes = 1; body = true; break;
			case 0xc5: case 0xda: lenbytes = 2; body = true; break;
			case 0xc6: case 0xdb: lenbytes = 4; body = true; break;
			// ext: a length, a type byte, the body
			case 0xc7: lenbytes = 1; skip = 1; body = true; break;
			case 0xc8: lenbytes = 2; skip = 1; body = true; break;
			case 0xc9: lenbytes = 4; skip = 1; body = true; break;
			case 0xca: case 0xce: case 0xd2: skip = 4; break;
			case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
			case 0xcc: case 0xd0: skip = 1; break;
			case 0xcd: case 0xd1: skip = 2; break;
			case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
				skip = 1 + ((size_t) 1 << (b - 0xd4));
				break;
			case 0xdc: lenbytes = 2; container = true; break;
			case 0xdd: lenbytes = 4; container = true; break;
			case 0xde: lenbytes = 2; container = map = true; break;
			case 0xdf: lenbytes = 4; container = map = true; break;
			default: // 0xc1 is never used
				*why = "invalid msgpack byte";
				return PDPW_EMALFORMED;
			}
			if ((size_t) (end - p) < lenbytes)
				goto truncated;
			if (lenbytes > 0) {
				n = be(p, lenbytes);
				p += lenbytes;
			}
		}
		if (container) {
			uint64_t elems = map ? 2 * n : n;
			if (depth + 1 > maxd) {
				*why = "message nested too deep";
				return PDPW_ETOOBIG;
			}
			if (elems > (uint64_t) (end - p)) {
				*why = "container larger than the message";
				return PDPW_EMALFORMED;
			}
			if (depth == 0)
				top_map = map;
			left[++depth] = elems;
			continue;
		}
		if (at_key)
			long_val = body && skip == 0 && (uint64_t) (end - p) >=
			    n && long_key(p, n);
		if (body) {
			if (n > (lv ? lim->max_msg : lim->max_str)) {
				*why = "string too long";
				return PDPW_ETOOBIG;
			}
			skip += n;
		}
		if ((size_t) (end - p) < skip)
			goto truncated;
		p += skip;
	}
done:
	if (p != end) {
		*why = "bytes after the message";
		return PDPW_EMALFORMED;
	}
	return PDPW_OK;
truncated:
	*why = "truncated message";
	return PDPW_EMALFORMED;
}

// --- Decoding ---------------------------------------------------------------

int
pdpw_decoder_init(pdpw_decoder *d, const pdpw_limits *lim, size_t chunk)
{
	memset(d, 0, sizeof(*d));
	if (lim != NULL)
		d->lim = *lim;
	else
		pdpw_limits_default(&d->lim);
	if (d->lim.max_batch == 0)
		d->lim.max_batch = 1;
	if (!msgpack_zone_init(&d->zone, chunk ? chunk :
	    PDPW_DEFAULT_ZONE_CHUNK))
		return PDPW_ENOMEM;
	d->items = calloc(d->lim.max_batch, sizeof(*d->items));
	d->results = calloc(d->lim.max_batch, sizeof(*d->results));
	if (d->items == NULL || d->results == NULL) {
		pdpw_decoder_fini(d);
		return PDPW_ENOMEM;
	}
	return PDPW_OK;
}

void
pdpw_decoder_fini(pdpw_decoder *d)
{
	msgpack_zone_destroy(&d->zone);
	free(d->items);
	free(d->results);
	d->items = NULL;
	d->results = NULL;
}

// A walk over one decoded message; the first error wins.
typedef struct walk {
	pdpw_decoder *d;
	int err;
	const char *why;
} walk;

static bool
walk_fail(walk *w, int err, const char *why)
{
	if (w->err == PDPW_OK) {
		w->err = err;
		w->why = why;
	}
	return false;
}

static bool
key_is(const msgpack_object *k, const char *name, size_t n)
{
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
	    memcmp(k->via.str.ptr, name, n) == 0;
}

#define KEY_IS(k, lit) key_is((k), (lit), sizeof(lit) - 1)

// copy_str copies a msgpack string into the zone with a NUL. A string
// holding a NUL byte is refused: libpdp reads C strings, and
// "alice\0admin" must not quietly become "alice" (R-WIRE-007).
static const char *
copy_str(walk *w, const msgpack_object *o, const char *field)
{
	(void) field;
	if (o->type != MSGPACK_OBJECT_STR) {
		walk_fail(w, PDPW_ETYPE, "a field is not a string");
		return NULL;
	}
	size_t n = o->via.str.size;
	if (memchr(o->via.str.ptr, '\0', n) != NULL) {
		walk_fail(w, PDPW_EINVAL, "a string holds a NUL byte");
		return NULL;
	}
	char *c = msgpack_zone_malloc_no_align(&w->d->zone, n + 1);
	if (c == NULL) {
		walk_fail(w, PDPW_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(c, o->via.str.ptr, n);
	c[n] = '\0';
	return c;
}

// value_text turns one context value into text as the eval format does:
// strings as they are, integers in decimal, booleans as true/false.
static const char *
value_text(walk *w, const msgpack_object *o)
{
	char num[32];
	int n;

	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		return copy_str(w, o, "context");
	case MSGPACK_OBJECT_BOOLEAN:
		return o->via.boolean ? "true" : "false";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		n = snprintf(num, sizeof(num), "%llu",
		    (unsigned long long) o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		n = snprintf(num, sizeof(num), "%lld",
		    (long long) o->via.i64);
		break;
	default:
		walk_fail(w, PDPW_ETYPE, "a context value is not a string, "
		    "integer or boolean");
		return NULL;
	}
	char *c = msgpack_zone_malloc_no_align(&w->d->zone, (size_t) n + 1);
	if (c == NULL) {
		walk_fail(w, PDPW_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(c, num, (size_t) n + 1);
	return c;
}

static bool
walk_context(walk *w, const msgpack_object *o, pdpw_authz *a)
{
	const msgpack_object_map *m = &o->via.map;

	if (o->type == MSGPACK_OBJECT_NIL)
		return true;
	if (o->type != MSGPACK_OBJECT_MAP)
		return walk_fail(w, PDPW_ETYPE, "context is not a map");
	if (m->size > w->d->lim.max_context)
		return walk_fail(w, PDPW_ETOOBIG, "too many context keys");
	pdpw_ctx *v = msgpack_zone_malloc(&w->d->zone,
	    (m->size ? m->size : 1) * sizeof(*v));
	if (v == NULL)
		return walk_fail(w, PDPW_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < m->size; i++) {
		const msgpack_object *k = &m->ptr[i].key;
		const msgpack_object *val = &m->ptr[i].val;
		pdpw_ctx *c = &v[i];
		if (k->type != MSGPACK_OBJECT_STR)
			return walk_fail(w, PDPW_ETYPE,
			    "a context key is not a string");
		if ((c->key = copy_str(w, k, "context")) == NULL)
			return false;
		c->multi = val->type == MSGPACK_OBJECT_ARRAY;
		uint32_t nv = c->multi ? val->via.array.size : 1;
		if (nv > w->d->lim.max_values)
			return walk_fail(w, PDPW_ETOOBIG,
			    "too many values for a context key");
		const char **vals = msgpack_zone_malloc(&w->d->zone,
		    (nv ? nv : 1) * sizeof(*vals));
		if (vals == NULL)
			return walk_fail(w, PDPW_ENOMEM, "out of memory");
		for (uint32_t j = 0; j < nv; j++) {
			const msgpack_object *e = c->multi ?
			    &val->via.array.ptr[j] : val;
			if ((vals[j] = value_text(w, e)) == NULL)
				return false;
		}
		c->values = vals;
		c->nvalues = nv;
	}
	a->context = v;
	a->ncontext = m->size;
	return true;
}

enum {
	F_PRINCIPAL = 1,
	F_ACTION = 2,
	F_RESOURCE = 4,
	F_RACCOUNT = 8,
	F_SESSION = 16,
	F_CONTEXT = 32,
	F_AKID = 64,
	F_TOKEN = 128,
};

// opt_str sets *out from a string, or leaves NULL for nil.
static bool
opt_str(walk *w, const msgpack_object *o, const char **out, const char *f)
{
	if (o->type == MSGPACK_OBJECT_NIL)
		return true;
	*out = copy_str(w, o, f);
	return *out != NULL;
}

// walk_authz reads the request fields of map `o`; other keys are
// skipped, so the top map of an authorize message reads as-is and
// unknown fields are ignored for forward compatibility (R-WIRE-011).
static bool
walk_authz(walk *w, const msgpack_object *o, pdpw_authz *a)
{
	unsigned seen = 0, f;

	memset(a, 0, sizeof(*a));
	if (o->type != MSGPACK_OBJECT_MAP)
		return walk_fail(w, PDPW_ETYPE, "a request is not a map");
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;
		const msgpack_object *v = &o->via.map.ptr[i].val;
		bool ok = true;
		if (KEY_IS(k, "principal")) {
			f = F_PRINCIPAL;
			ok = opt_str(w, v, &a->principal, "principal");
		} else if (KEY_IS(k, "action")) {
			f = F_ACTION;
			ok = opt_str(w, v, &a->action, "action");
		} else if (KEY_IS(k, "resource")) {
			f = F_RESOURCE;
			ok = opt_str(w, v, &a->resource, "resource");
		} else if (KEY_IS(k, "resource_account")) {
			f = F_RACCOUNT;
			ok = opt_str(w, v, &a->resource_account,
			    "resource_account");
		} else if (KEY_IS(k, "session_policy")) {
			f = F_SESSION;
			ok = opt_str(w, v, &a->session_policy,
			    "session_policy");
		} else if (KEY_IS(k, "context")) {
			f = F_CONTEXT;
			ok = walk_context(w, v, a);
		} else if (KEY_IS(k, "akid")) {
			f = F_AKID;
			ok = opt_str(w, v, &a->akid, "akid");
		} else if (KEY_IS(k, "token")) {
			f = F_TOKEN;
			ok = opt_str(w, v, &a->token, "token");
		} else {
			continue;
		}
		if (!ok)
			return false;
		// A field given twice could be read one way by a proxy
		// and another way here (R-WIRE-012).
		if (seen & f)
			return walk_fail(w, PDPW_EINVAL, "a field is given "
			    "twice");
		seen |= f;
	}
	// The caller is named one way: by ARN, or by access key (and
	// token), whose session policies come with the token (R-WIRE-013).
	if (a->principal != NULL && (a->akid != NULL || a->token != NULL))
		return walk_fail(w, PDPW_EINVAL, "give principal or akid, not "
		    "both");
	if (a->akid == NULL && a->token != NULL)
		return walk_fail(w, PDPW_EINVAL, "token without akid");
	if (a->principal == NULL && a->akid == NULL)
		return walk_fail(w, PDPW_EINVAL, "principal is missing");
	if (a->akid != NULL && a->session_policy != NULL)
		return walk_fail(w, PDPW_EINVAL, "a request by akid takes its "
		    "session policies from its token");
	if (a->action == NULL)
		return walk_fail(w, PDPW_EINVAL, "action is missing");
	return true;
}

static bool
get_uint(const msgpack_object *o, uint64_t *out)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return false;
	*out = o->via.u64;
	return true;
}

static pdpw_op
op_parse(const msgpack_object *o)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return PDPW_OP_NONE;
	for (size_t i = 1; i < NOPS; i++)
		if (key_is(o, op_names[i], strlen(op_names[i])))
			return (pdpw_op) i;
	return PDPW_OP_NONE;
}

enum {
	I_SERVICE = 1,
	I_ACTION = 2,
	I_PARAMS = 4,
	I_KEY = 8,
	I_TOKEN = 16,
	I_TIME = 32,
	I_SIG = 64,
};

// iam_str reads one string field of an iam call into q, setting *f to
// its flag (0: not one of them); false on an error.
static bool
iam_str(walk *w, const msgpack_object *k, const msgpack_object *v,
    pdpw_iam *q, unsigned *f)
{
	static const char *const keys[] = {"service", "action", "params",
	    "access_key_id", "session_token", "signature"};
	static const unsigned flags[] = {I_SERVICE, I_ACTION, I_PARAMS,
	    I_KEY, I_TOKEN, I_SIG};
	const char **dst[] = {&q->service, &q->action, &q->params,
	    &q->access_key_id, &q->session_token, &q->signature};

	*f = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!key_is(k, keys[i], strlen(keys[i])))
			continue;
		*f = flags[i];
		if (!opt_str(w, v, dst[i], keys[i]))
			return false;
		if (*f == I_PARAMS && q->params != NULL)
			q->params_len = v->via.str.size;
		return true;
	}
	return true;
}

// walk_iam reads the fields of an iam call from the top map; unknown
// keys are skipped (R-WIRE-011), a field given twice is refused
// (R-WIRE-012).
static bool
walk_iam(walk *w, const msgpack_object *o, pdpw_iam *q)
{
	unsigned seen = 0, f;

	memset(q, 0, sizeof(*q));
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;
		const msgpack_object *v = &o->via.map.ptr[i].val;
		if (KEY_IS(k, "timestamp")) {
			f = I_TIME;
			if (v->type != MSGPACK_OBJECT_NIL &&
			    !get_uint(v, &q->timestamp))
				return walk_fail(w, PDPW_ETYPE, "timestamp is "
				    "not an unsigned integer");
		} else if (!iam_str(w, k, v, q, &f)) {
			return false;
		}
		if (f == 0)
			continue;
		if (seen & f)
			return walk_fail(w, PDPW_EINVAL, "a field is given "
			    "twice");
		seen |= f;
	}
	if (q->service == NULL)
		return walk_fail(w, PDPW_EINVAL, "service is missing");
	if (q->action == NULL)
		return walk_fail(w, PDPW_EINVAL, "action is missing");
	if (q->params == NULL)
		return walk_fail(w, PDPW_EINVAL, "params is missing");
	return true;
}

// unpack checks and unpacks one message into the decoder's zone.
static int
unpack(pdpw_decoder *d, const void *buf, size_t len, msgpack_object *root,
    const char **why)
{
	size_t off = 0;
	int rv;

	msgpack_zone_clear(&d->zone);
	if ((rv = pdpw_check(&d->lim, buf, len, why)) != PDPW_OK)
		return rv;
	switch (msgpack_unpack(buf, len, &off, &d->zone, root)) {
	case MSGPACK_UNPACK_SUCCESS:
		break;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		*why = "out of memory";
		return PDPW_ENOMEM;
	default:
		*why = "malformed msgpack";
		return PDPW_EMALFORMED;
	}
	if (root->type != MSGPACK_OBJECT_MAP) {
		*why = "a message is a msgpack map";
		return PDPW_EMALFORMED;
	}
	return PDPW_OK;
}

// head reads "v", "id" and "op", which both directions share.
static void
head(const msgpack_object *root, uint32_t *version, uint64_t *id,
    pdpw_op *op, bool *has_v, bool *bad_id, const msgpack_object **extra,
    const char *extra_key)
{
	uint64_t u;

	*extra = NULL;
	for (uint32_t i = 0; i < root->via.map.size; i++) {
		const msgpack_object *k = &root->via.map.ptr[i].key;
		const msgpack_object *v = &root->via.map.ptr[i].val;
		if (KEY_IS(k, "v")) {
			*has_v = true;
			*version = get_uint(v, &u) && u <= UINT32_MAX ?
			    (uint32_t) u : 0;
		} else if (KEY_IS(k, "id")) {
			if (!get_uint(v, id))
				*bad_id = true;
		} else if (KEY_IS(k, "op")) {
			*op = op_parse(v);
		} else if (extra_key != NULL &&
		    key_is(k, extra_key, strlen(extra_key))) {
			*extra = v;
		}
	}
}

int
pdpw_decode_request(pdpw_decoder *d, const void *buf, size_t len,
    pdpw_request *out, const char **why)
{
	msgpack_object root, *reqs;
	const msgpack_object *extra;
	bool has_v = false, bad_id = false;
	walk w = {d, PDPW_OK, NULL};
	int rv;

	memset(out, 0, sizeof(*out));
	if ((rv = unpack(d, buf, len, &root, why)) != PDPW_OK)
		return rv;
	head(&root, &out->version, &out->id, &out->op, &has_v, &bad_id,
	    &extra, "requests");
	reqs = (msgpack_object *) extra;
	if (!has_v || out->version != PDPW_VERSION) {
		*why = has_v ? "unsupported protocol version" :
		    "\"v\" (protocol version) is missing";
		return PDPW_EVERSION;
	}
	if (bad_id) {
		*why = "\"id\" is not an unsigned integer";
		return PDPW_ETYPE;
	}
	switch (out->op) {
	case PDPW_OP_NONE:
		*why = "unknown or missing op";
		return PDPW_EOP;
	case PDPW_OP_AUTHORIZE:
	case PDPW_OP_EXPLAIN:
		if (!walk_authz(&w, &root, &d->items[0])) {
			*why = w.why;
			return w.err;
		}
		out->items = d->items;
		out->nitems = 1;
		return PDPW_OK;
	case PDPW_OP_IAM:
		if (!walk_iam(&w, &root, &d->iam)) {
			*why = w.why;
			return w.err;
		}
		out->iam = &d->iam;
		return PDPW_OK;
	case PDPW_OP_BATCH:
		break;
	default:
		return PDPW_OK;
	}
	if (reqs == NULL) {
		*why = "requests is missing";
		return PDPW_EINVAL;
	}
	if (reqs->type != MSGPACK_OBJECT_ARRAY) {
		*why = "requests is not an array";
		return PDPW_ETYPE;
	}
	if (reqs->via.array.size == 0) {
		*why = "empty batch";
		return PDPW_EEMPTY;
	}
	if (reqs->via.array.size > d->lim.max_batch) {
		*why = "batch larger than the server allows";
		return PDPW_ETOOBIG;
	}
	for (uint32_t i = 0; i < reqs->via.array.size; i++) {
		pdpw_authz *a = &d->items[i];
		w.err = PDPW_OK;
		w.why = NULL;
		if (!walk_authz(&w, &reqs->via.array.ptr[i], a)) {
			if (w.err == PDPW_ENOMEM) {
				*why = w.why;
				return w.err;
			}
			memset(a, 0, sizeof(*a));
			a->status = w.err;
			a->error = w.why;
		}
	}
	out->items = d->items;
	out->nitems = reqs->via.array.size;
	return PDPW_OK;
}

// --- Decoding replies (clients) ---------------------------------------------

// zstr copies a string into the zone or returns NULL (no error: replies
// are read leniently, the server having checked them).
static const char *
zstr(walk *w, const msgpack_object *o)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return NULL;
	w->err = PDPW_OK;
	const char *s = copy_str(w, o, "");
	w->err = PDPW_OK;
	return s;
}

static int
decision_parse(const msgpack_object *o)
{
	if (KEY_IS(o, "Allow"))
		return PDPW_ALLOW;
	if (KEY_IS(o, "ExplicitDeny"))
		return PDPW_EXPLICIT_DENY;
	return PDPW_IMPLICIT_DENY;
}

static uint64_t
uget(const msgpack_object *o)
{
	uint64_t u = 0;
	get_uint(o, &u);
	return u;
}

// result_field reads one field of a result; false if not one.
static bool
result_field(walk *w, const msgpack_object *k, const msgpack_object *v,
    pdpw_result *r)
{
	if (KEY_IS(k, "status"))
		r->status = (int) uget(v);
	else if (KEY_IS(k, "decision"))
		r->decision = decision_parse(v);
	else if (KEY_IS(k, "reason") || KEY_IS(k, "error"))
		r->reason = zstr(w, v);
	else
		return false;
	return true;
}

static void
read_matched(walk *w, const msgpack_object *o, pdpw_explain *x)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (uint32_t i = 0; i < o->via.array.size &&
	    x->nmatched < PDPW_EXPLAIN_MAX; i++) {
		const msgpack_object *m = &o->via.array.ptr[i];
		pdpw_match *r = &x->matched[x->nmatched++];
		memset(r, 0, sizeof(*r));
		if (m->type != MSGPACK_OBJECT_MAP)
			continue;
		for (uint32_t j = 0; j < m->via.map.size; j++) {
			const msgpack_object *k = &m->via.map.ptr[j].key;
			const msgpack_object *v = &m->via.map.ptr[j].val;
			if (KEY_IS(k, "policy") && (r->policy = zstr(w, v)))
				r->policy_len = v->via.str.size;
			else if (KEY_IS(k, "sid") && (r->sid = zstr(w, v)))
				r->sid_len = v->via.str.size;
			else if (KEY_IS(k, "statement"))
				r->statement = (uint32_t) uget(v);
			else if (KEY_IS(k, "effect"))
				r->effect = KEY_IS(v, "Allow") ? PDPW_ALLOW :
				    PDPW_EXPLICIT_DENY;
		}
	}
}

// read_aws_error reads {code, message, http_status}.
static void
read_aws_error(walk *w, const msgpack_object *o, pdpw_iam_result *r)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;
		const msgpack_object *v = &o->via.map.ptr[i].val;
		if (KEY_IS(k, "code"))
			r->aws_code = zstr(w, v);
		else if (KEY_IS(k, "message"))
			r->aws_message = zstr(w, v);
		else if (KEY_IS(k, "http_status"))
			r->http_status = (uint32_t) uget(v);
	}
}

static void
read_stats(walk *w, const msgpack_object *o, pdpw_stats *s)
{
	(void) w;
	if (o->type != MSGPACK_OBJECT_MAP)
		return;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;
		const msgpack_object *v = &o->via.map.ptr[i].val;
		const msgpack_object_kv *sub = v->type == MSGPACK_OBJECT_MAP ?
		    v->via.map.ptr : NULL;
		uint32_t nsub = sub ? v->via.map.size : 0;
		if (KEY_IS(k, "uptime_ms"))
			s->uptime_ms = uget(v);
		else if (KEY_IS(k, "workers"))
			s->workers = (uint32_t) uget(v);
		else if (KEY_IS(k, "requests"))
			s->requests = uget(v);
		else if (KEY_IS(k, "reloads"))
			s->reloads = uget(v);
		else if (KEY_IS(k, "reload_failures"))
			s->reload_failures = uget(v);
		for (uint32_t j = 0; j < nsub; j++) {
			const msgpack_object *sk = &sub[j].key;
			uint64_t u = uget(&sub[j].val);
			if (KEY_IS(k, "decisions")) {
				s->decisions[decision_parse(sk)] += u;
			} else if (KEY_IS(k, "errors")) {
				int c = sk->type == MSGPACK_OBJECT_STR ?
				    pdpw_status_parse(sk->via.str.ptr,
				    sk->via.str.size) : -1;
				if (c >= 0)
					s->errors[c] = u;
			} else if (KEY_IS(k, "latency_ns")) {
				if (KEY_IS(sk, "count"))
					s->latency_count = u;
				else if (KEY_IS(sk, "p50"))
					s->latency_ns[0] = u;
				else if (KEY_IS(sk, "p90"))
					s->latency_ns[1] = u;
				else if (KEY_IS(sk, "p99"))
					s->latency_ns[2] = u;
				else if (KEY_IS(sk, "p999"))
					s->latency_ns[3] = u;
				else if (KEY_IS(sk, "max"))
					s->latency_max_ns = u;
			} else if (KEY_IS(k, "dlog")) {
				if (KEY_IS(sk, "enabled"))
					s->dlog_enabled =
					    sub[j].val.type ==
					    MSGPACK_OBJECT_BOOLEAN &&
					    sub[j].val.via.boolean;
				else if (KEY_IS(sk, "written"))
					s->dlog_written = u;
				else if (KEY_IS(sk, "dropped"))
					s->dlog_dropped = u;
				else if (KEY_IS(sk, "sampled_out"))
					s->dlog_sampled_out = u;
			} else if (KEY_IS(k, "plugins")) {
				if (KEY_IS(sk, "enabled"))
					s->plugins_enabled =
					    sub[j].val.type ==
					    MSGPACK_OBJECT_BOOLEAN &&
					    sub[j].val.via.boolean;
				else if (KEY_IS(sk, "calls"))
					s->plugin_calls = u;
				else if (KEY_IS(sk, "errors"))
					s->plugin_errors = u;
				else if (KEY_IS(sk, "timeouts"))
					s->plugin_timeouts = u;
				else if (KEY_IS(sk, "memory"))
					s->plugin_memory = u;
				else if (KEY_IS(sk, "denials"))
					s->plugin_denials = u;
			}
		}
	}
}

int
pdpw_decode_reply(pdpw_decoder *d, const void *buf, size_t len,
    pdpw_reply *out, const char **why)
{
	msgpack_object root;
	const msgpack_object *extra;
	bool has_v = false, bad_id = false;
	walk w = {d, PDPW_OK, NULL};
	int rv;

	memset(out, 0, sizeof(*out));
	if ((rv = unpack(d, buf, len, &root, why)) != PDPW_OK)
		return rv;
	head(&root, &out->version, &out->id, &out->op, &has_v, &bad_id,
	    &extra, NULL);
	if (!has_v || out->version != PDPW_VERSION) {
		*why = "unsupported protocol version";
		return PDPW_EVERSION;
	}
	out->status = PDPW_EMALFORMED; // until the reply says
	for (uint32_t i = 0; i < root.via.map.size; i++) {
		const msgpack_object *k = &root.via.map.ptr[i].key;
		const msgpack_object *v = &root.via.map.ptr[i].val;
		if (result_field(&w, k, v, &out->result)) {
			if (KEY_IS(k, "status"))
				out->status = out->result.status;
			else if (KEY_IS(k, "error"))
				out->error = out->result.reason;
		} else if (KEY_IS(k, "revision")) {
			out->revision = uget(v);
		} else if (KEY_IS(k, "results") &&
		    v->type == MSGPACK_OBJECT_ARRAY) {
			uint32_t n = v->via.array.size;
			if (n > d->lim.max_batch)
				n = d->lim.max_batch;
			for (uint32_t j = 0; j < n; j++) {
				const msgpack_object *it = &v->via.array.ptr[j];
				pdpw_result *r = &d->results[j];
				memset(r, 0, sizeof(*r));
				r->status = PDPW_EMALFORMED;
				if (it->type != MSGPACK_OBJECT_MAP)
					continue;
				for (uint32_t f = 0; f < it->via.map.size; f++)
					result_field(&w, &it->via.map.ptr[f].key,
					    &it->via.map.ptr[f].val, r);
			}
			out->results = d->results;
			out->nresults = n;
		} else if (KEY_IS(k, "matched")) {
			read_matched(&w, v, &out->explain);
		} else if (KEY_IS(k, "matched_truncated")) {
			out->explain.matched_truncated =
			    v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
		} else if (KEY_IS(k, "missing") &&
		    v->type == MSGPACK_OBJECT_ARRAY) {
			pdpw_explain *x = &out->explain;
			for (uint32_t j = 0; j < v->via.array.size &&
			    x->nmissing < PDPW_EXPLAIN_MAX; j++) {
				const msgpack_object *s = &v->via.array.ptr[j];
				const char *c = zstr(&w, s);
				if (c == NULL)
					continue;
				x->missing[x->nmissing] = c;
				x->missing_len[x->nmissing++] = s->via.str.size;
			}
		} else if (KEY_IS(k, "deny_type")) {
			out->explain.deny_type = zstr(&w, v);
		} else if (KEY_IS(k, "serving")) {
			out->health.serving =
			    v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
		} else if (KEY_IS(k, "uptime_ms")) {
			out->health.uptime_ms = uget(v);
		} else if (KEY_IS(k, "workers")) {
			out->health.workers = (uint32_t) uget(v);
		} else if (KEY_IS(k, "stats")) {
			read_stats(&w, v, &out->stats);
		} else if (KEY_IS(k, "result") &&
		    (out->iam.result = zstr(&w, v)) != NULL) {
			out->iam.result_len = v->via.str.size;
		} else if (KEY_IS(k, "aws_error")) {
			read_aws_error(&w, v, &out->iam);
		}
	}
	if (out->iam.result != NULL && out->iam.http_status == 0)
		out->iam.http_status = 200;
	// A reply that could not decide never reads as an Allow.
	if (out->status != PDPW_OK)
		out->result.decision = PDPW_IMPLICIT_DENY;
	for (uint32_t j = 0; j < out->nresults; j++)
		if (d->results[j].status != PDPW_OK)
			d->results[j].decision = PDPW_IMPLICIT_DENY;
	return PDPW_OK;
}

// --- Encoding ---------------------------------------------------------------

static int
enc_write(void *data, const char *buf, size_t len)
{
	pdpw_encoder *e = data;

	if (e->n + len > e->cap) {
		size_t cap = e->cap ? e->cap : 4096;
		while (cap < e->n + len)
			cap *= 2;
		char *p = realloc(e->p, cap);
		if (p == NULL) {
			e->failed = true;
			return -1;
		}
		e->p = p;
		e->cap = cap;
	}
	memcpy(e->p + e->n, buf, len);
	e->n += len;
	return 0;
}

void
pdpw_encoder_init(pdpw_encoder *e)
{
	memset(e, 0, sizeof(*e));
	msgpack_packer_init(&e->pk, e, enc_write);
}

void
pdpw_encoder_fini(pdpw_encoder *e)
{
	free(e->p);
	e->p = NULL;
	e->n = e->cap = 0;
}

void
pdpw_encoder_reset(pdpw_encoder *e)
{
	e->n = 0;
	e->failed = false;
}

static void
pstr(pdpw_encoder *e, const char *s)
{
	msgpack_pack_str_with_body(&e->pk, s, strlen(s));
}

static void
pstrn(pdpw_encoder *e, const char *s, size_t n)
{
	msgpack_pack_str_with_body(&e->pk, s, n);
}

static void
kv_str(pdpw_encoder *e, const char *k, const char *v)
{
	pstr(e, k);
	pstr(e, v);
}

static void
kv_u64(pdpw_encoder *e, const char *k, uint64_t v)
{
	pstr(e, k);
	msgpack_pack_uint64(&e->pk, v);
}

static int
done(pdpw_encoder *e)
{
	return e->failed ? PDPW_ENOMEM : PDPW_OK;
}

// The head every message carries: v, id and (when known) op.
static void
enc_head(pdpw_encoder *e, uint32_t nfields, uint64_t id, pdpw_op op)
{
	const char *name = pdpw_op_name(op);

	pdpw_encoder_reset(e);
	msgpack_pack_map(&e->pk, nfields + 2 + (name != NULL));
	kv_u64(e, "v", PDPW_VERSION);
	kv_u64(e, "id", id);
	if (name != NULL)
		kv_str(e, "op", name);
}

static void
enc_authz_fields(pdpw_encoder *e, const pdpw_authz *r)
{
	if (r->principal != NULL)
		kv_str(e, "principal", r->principal);
	if (r->akid != NULL)
		kv_str(e, "akid", r->akid);
	if (r->token != NULL)
		kv_str(e, "token", r->token);
	kv_str(e, "action", r->action);
	if (r->resource != NULL)
		kv_str(e, "resource", r->resource);
	if (r->resource_account != NULL)
		kv_str(e, "resource_account", r->resource_account);
	if (r->session_policy != NULL)
		kv_str(e, "session_policy", r->session_policy);
	if (r->ncontext > 0) {
		pstr(e, "context");
		msgpack_pack_map(&e->pk, r->ncontext);
		for (uint32_t i = 0; i < r->ncontext; i++) {
			const pdpw_ctx *c = &r->context[i];
			pstr(e, c->key);
			// One value without `multi` is a scalar; anything
			// else travels as a list.
			if (c->multi || c->nvalues != 1)
				msgpack_pack_array(&e->pk, c->nvalues);
			for (uint32_t j = 0; j < c->nvalues; j++)
				pstr(e, c->values[j]);
		}
	}
}

static uint32_t
authz_nfields(const pdpw_authz *r)
{
	return 1 + (r->principal != NULL) + (r->akid != NULL) +
	    (r->token != NULL) + (r->resource != NULL) +
	    (r->resource_account != NULL) +
	    (r->session_policy != NULL) + (r->ncontext > 0);
}

int
pdpw_encode_authz_req(pdpw_encoder *e, uint64_t id, pdpw_op op,
    const pdpw_authz *r)
{
	enc_head(e, authz_nfields(r), id, op);
	enc_authz_fields(e, r);
	return done(e);
}

int
pdpw_encode_batch_req(pdpw_encoder *e, uint64_t id, const pdpw_authz *v,
    uint32_t n)
{
	enc_head(e, 1, id, PDPW_OP_BATCH);
	pstr(e, "requests");
	msgpack_pack_array(&e->pk, n);
	for (uint32_t i = 0; i < n; i++) {
		msgpack_pack_map(&e->pk, authz_nfields(&v[i]));
		enc_authz_fields(e, &v[i]);
	}
	return done(e);
}

int
pdpw_encode_simple_req(pdpw_encoder *e, uint64_t id, pdpw_op op)
{
	enc_head(e, 0, id, op);
	return done(e);
}

int
pdpw_encode_iam_req(pdpw_encoder *e, uint64_t id, const pdpw_iam *r)
{
	enc_head(e, 4 + (r->access_key_id != NULL) +
	    (r->session_token != NULL) + (r->signature != NULL), id,
	    PDPW_OP_IAM);
	kv_str(e, "service", r->service);
	kv_str(e, "action", r->action);
	pstr(e, "params");
	pstrn(e, r->params ? r->params : "", r->params ? r->params_len : 0);
	if (r->access_key_id != NULL)
		kv_str(e, "access_key_id", r->access_key_id);
	if (r->session_token != NULL)
		kv_str(e, "session_token", r->session_token);
	kv_u64(e, "timestamp", r->timestamp);
	if (r->signature != NULL)
		kv_str(e, "signature", r->signature);
	return done(e);
}

int
pdpw_encode_error(pdpw_encoder *e, uint64_t id, pdpw_op op, int status,
    const char *error, uint64_t revision)
{
	// A reply to a decision op always names a decision, and one that
	// could not decide names a deny (R-WIRE-021).
	bool decides = op == PDPW_OP_AUTHORIZE || op == PDPW_OP_EXPLAIN;

	enc_head(e, 3 + decides, id, op);
	kv_u64(e, "status", (uint64_t) status);
	kv_str(e, "error", error ? error : pdpw_status_name(status));
	kv_u64(e, "revision", revision);
	if (decides)
		kv_str(e, "decision", decision_names[PDPW_IMPLICIT_DENY]);
	return done(e);
}

// result_fields packs status, decision and the reason (as "error" when
// the request could not be decided). Never Allow with a status.
static uint32_t
result_nfields(const pdpw_result *r)
{
	return 2 + (r->reason != NULL);
}

// The bytes of {"status": 0, "decision": D}, the common result of a
// batch, packed once: copying them beats five packer calls per result.
static const char plain_result[3][32] = {
	[PDPW_IMPLICIT_DENY] = "\x82\xa6" "status" "\x00\xa8" "decision"
	    "\xac" "ImplicitDeny",
	[PDPW_ALLOW] = "\x82\xa6" "status" "\x00\xa8" "decision" "\xa5"
	    "Allow",
	[PDPW_EXPLICIT_DENY] = "\x82\xa6" "status" "\x00\xa8" "decision"
	    "\xac" "ExplicitDeny",
};
static const size_t plain_len[3] = {31, 24, 31};

static void
enc_result_fields(pdpw_encoder *e, const pdpw_result *r)
{
	int d = r->status == PDPW_OK ? r->decision : PDPW_IMPLICIT_DENY;

	kv_u64(e, "status", (uint64_t) r->status);
	kv_str(e, "decision", pdpw_decision_name(d));
	if (r->reason != NULL)
		kv_str(e, r->status == PDPW_OK ? "reason" : "error",
		    r->reason);
}

int
pdpw_encode_result(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_result *r)
{
	enc_head(e, 1 + result_nfields(r), id, PDPW_OP_AUTHORIZE);
	kv_u64(e, "revision", revision);
	enc_result_fields(e, r);
	return done(e);
}

int
pdpw_encode_batch(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_result *r, uint32_t n)
{
	enc_head(e, 3, id, PDPW_OP_BATCH);
	kv_u64(e, "status", PDPW_OK);
	kv_u64(e, "revision", revision);
	pstr(e, "results");
	msgpack_pack_array(&e->pk, n);
	for (uint32_t i = 0; i < n; i++) {
		int d = r[i].decision;
		if (r[i].status == PDPW_OK && r[i].reason == NULL &&
		    d >= 0 && d <= PDPW_EXPLICIT_DENY) {
			enc_write(e, plain_result[d], plain_len[d]);
			continue;
		}
		msgpack_pack_map(&e->pk, result_nfields(&r[i]));
		enc_result_fields(e, &r[i]);
	}
	return done(e);
}

int
pdpw_encode_explain(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_result *r, const pdpw_explain *x)
{
	uint32_t nm = x->nmatched < PDPW_EXPLAIN_MAX ? x->nmatched :
	    PDPW_EXPLAIN_MAX;
	uint32_t nx = x->nmissing < PDPW_EXPLAIN_MAX ? x->nmissing :
	    PDPW_EXPLAIN_MAX;

	enc_head(e, 1 + result_nfields(r) + 4 + (x->deny_type != NULL), id,
	    PDPW_OP_EXPLAIN);
	kv_u64(e, "revision", revision);
	enc_result_fields(e, r);
	pstr(e, "matched");
	msgpack_pack_array(&e->pk, nm);
	for (uint32_t i = 0; i < nm; i++) {
		const pdpw_match *m = &x->matched[i];
		msgpack_pack_map(&e->pk, 4);
		pstr(e, "policy");
		pstrn(e, m->policy, m->policy_len);
		pstr(e, "sid");
		pstrn(e, m->sid ? m->sid : "", m->sid ? m->sid_len : 0);
		kv_u64(e, "statement", m->statement);
		kv_str(e, "effect", m->effect == PDPW_ALLOW ? "Allow" :
		    "Deny");
	}
	pstr(e, "matched_truncated");
	x->matched_truncated ? msgpack_pack_true(&e->pk) :
	    msgpack_pack_false(&e->pk);
	pstr(e, "missing");
	msgpack_pack_array(&e->pk, nx);
	for (uint32_t i = 0; i < nx; i++)
		pstrn(e, x->missing[i], x->missing_len[i]);
	pstr(e, "missing_truncated");
	x->missing_truncated ? msgpack_pack_true(&e->pk) :
	    msgpack_pack_false(&e->pk);
	if (x->deny_type != NULL)
		kv_str(e, "deny_type", x->deny_type);
	return done(e);
}

int
pdpw_encode_health(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_health *h)
{
	enc_head(e, 5, id, PDPW_OP_HEALTH);
	kv_u64(e, "status", PDPW_OK);
	kv_u64(e, "revision", revision);
	pstr(e, "serving");
	h->serving ? msgpack_pack_true(&e->pk) : msgpack_pack_false(&e->pk);
	kv_u64(e, "uptime_ms", h->uptime_ms);
	kv_u64(e, "workers", h->workers);
	return done(e);
}

int
pdpw_encode_stats(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_stats *s)
{
	static const char *const q[] = {"p50", "p90", "p99", "p999"};
	uint32_t nerr = 0;

	for (int i = 1; i < PDPW_STATUS_MAX; i++)
		nerr += s->errors[i] != 0;
	enc_head(e, 3, id, PDPW_OP_STATS);
	kv_u64(e, "status", PDPW_OK);
	kv_u64(e, "revision", revision);
	pstr(e, "stats");
	msgpack_pack_map(&e->pk, 10);
	kv_u64(e, "uptime_ms", s->uptime_ms);
	kv_u64(e, "workers", s->workers);
	kv_u64(e, "requests", s->requests);
	pstr(e, "decisions");
	msgpack_pack_map(&e->pk, 3);
	for (int d = 0; d < 3; d++)
		kv_u64(e, decision_names[d], s->decisions[d]);
	pstr(e, "errors");
	msgpack_pack_map(&e->pk, nerr);
	for (int i = 1; i < PDPW_STATUS_MAX; i++)
		if (s->errors[i] != 0)
			kv_u64(e, pdpw_status_name(i), s->errors[i]);
	pstr(e, "latency_ns");
	msgpack_pack_map(&e->pk, 2 + PDPW_LATENCY_QUANTILES);
	kv_u64(e, "count", s->latency_count);
	for (int i = 0; i < PDPW_LATENCY_QUANTILES; i++)
		kv_u64(e, q[i], s->latency_ns[i]);
	kv_u64(e, "max", s->latency_max_ns);
	kv_u64(e, "reloads", s->reloads);
	kv_u64(e, "reload_failures", s->reload_failures);
	pstr(e, "dlog");
	msgpack_pack_map(&e->pk, 4);
	pstr(e, "enabled");
	s->dlog_enabled ? msgpack_pack_true(&e->pk) :
	    msgpack_pack_false(&e->pk);
	kv_u64(e, "written", s->dlog_written);
	kv_u64(e, "dropped", s->dlog_dropped);
	kv_u64(e, "sampled_out", s->dlog_sampled_out);
	pstr(e, "plugins");
	msgpack_pack_map(&e->pk, 6);
	pstr(e, "enabled");
	s->plugins_enabled ? msgpack_pack_true(&e->pk) :
	    msgpack_pack_false(&e->pk);
	kv_u64(e, "calls", s->plugin_calls);
	kv_u64(e, "errors", s->plugin_errors);
	kv_u64(e, "timeouts", s->plugin_timeouts);
	kv_u64(e, "memory", s->plugin_memory);
	kv_u64(e, "denials", s->plugin_denials);
	return done(e);
}

int
pdpw_encode_iam(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_iam_result *r)
{
	enc_head(e, 3, id, PDPW_OP_IAM);
	kv_u64(e, "status", PDPW_OK);
	kv_u64(e, "revision", revision);
	if (r->aws_code == NULL) {
		pstr(e, "result");
		pstrn(e, r->result ? r->result : "{}",
		    r->result ? r->result_len : 2);
		return done(e);
	}
	pstr(e, "aws_error");
	msgpack_pack_map(&e->pk, 3);
	kv_str(e, "code", r->aws_code);
	kv_str(e, "message", r->aws_message ? r->aws_message : "");
	kv_u64(e, "http_status", r->http_status);
	return done(e);
}
