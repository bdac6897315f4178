// request.c - building the evaluator's view of a request: the principal,
// the folded action, the split resource and the context keys AWS derives.

#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "fold.h"
#include "request.h"
#include "table.h"

static pdpi_str
mkstr(const char *p, size_t n)
{
	pdpi_str s = {p, (uint32_t) n};
	return s;
}

static bool
str_is(pdpi_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

static bool
has_prefix(const char *s, size_t n, const char *pre)
{
	size_t m = strlen(pre);
	return n >= m && memcmp(s, pre, m) == 0;
}

// colons16 returns a mask of the bytes of p[0..16) that are ':' (bit i:
// byte i).
static inline uint32_t
colons16(const char *p)
{
#if defined(__SSE2__)
	__m128i x = _mm_loadu_si128((const __m128i *) (const void *) p);
	return (uint32_t) _mm_movemask_epi8(_mm_cmpeq_epi8(x,
	    _mm_set1_epi8(':')));
#else
	uint32_t m = 0;
	for (int i = 0; i < 16; i++)
		m |= (uint32_t) (p[i] == ':') << i;
	return m;
#endif
}

// has4 reports whether mask m has four bits set or more.
static inline bool
has4(uint64_t m)
{
	m &= m - 1;
	m &= m - 1;
	m &= m - 1;
	return m != 0;
}

bool
pdpi_arn_split(const char *s, size_t n, pdpi_str seg[5], pdpi_str *rest)
{
	size_t i = 4;
	uint64_t m = 0; // bit j: byte 4 + j is a colon

	if (!has_prefix(s, n, "arn:"))
		return false;
	seg[0] = mkstr(s, 3);
	// Sixteen bytes at a time until four colons are seen; the last
	// bytes as the last sixteen (bytes seen twice set the same bits).
	for (; i + 16 <= n && i < 4 + 48; i += 16) {
		m |= (uint64_t) colons16(s + i) << (i - 4);
		if (has4(m))
			goto cut;
	}
	if (i < n && i < 4 + 48 && n >= 20 && n - 16 < 4 + 48) {
		m |= (uint64_t) colons16(s + n - 16) << (n - 20);
		i = n;
	}
	// Past what the mask covers, byte by byte.
	for (; !has4(m) && i < n && i < 4 + 64; i++)
		m |= (uint64_t) (s[i] == ':') << (i - 4);
	if (!has4(m)) {
		size_t start = 4;
		int k = 1;
		for (; m != 0; m &= m - 1) {
			size_t at = 4 + (size_t) __builtin_ctzll(m);
			seg[k++] = mkstr(s + start, at - start);
			start = at + 1;
		}
		for (; k < 5 && i < n; i++) {
			if (s[i] == ':') {
				seg[k++] = mkstr(s + start, i - start);
				start = i + 1;
			}
		}
		if (k < 5)
			return false;
		*rest = mkstr(s + start, n - start);
		return true;
	}
cut:;
	size_t a = 4 + (size_t) __builtin_ctzll(m);
	m &= m - 1;
	size_t b = 4 + (size_t) __builtin_ctzll(m);
	m &= m - 1;
	size_t c = 4 + (size_t) __builtin_ctzll(m);
	m &= m - 1;
	size_t d = 4 + (size_t) __builtin_ctzll(m);
	seg[1] = mkstr(s + 4, a - 4);
	seg[2] = mkstr(s + a + 1, b - a - 1);
	seg[3] = mkstr(s + b + 1, c - b - 1);
	seg[4] = mkstr(s + c + 1, d - c - 1);
	*rest = mkstr(s + d + 1, n - d - 1);
	return true;
}

// An AWS account id is twelve digits.
static bool
is_account_id(pdpi_str s)
{
	uint64_t a, b;

	if (s.n != 12)
		return false;
	// Bytes 0-7 and 4-11: each '0'..'9' has high nibble 3 and a low
	// nibble that adding 6 keeps below 16.
	memcpy(&a, s.p, 8);
	memcpy(&b, s.p + 4, 8);
	return (a & 0xf0f0f0f0f0f0f0f0ull) == 0x3030303030303030ull &&
	    (b & 0xf0f0f0f0f0f0f0f0ull) == 0x3030303030303030ull &&
	    (((a & 0x0f0f0f0f0f0f0f0full) + 0x0606060606060606ull) &
	    0xf0f0f0f0f0f0f0f0ull) == 0 &&
	    (((b & 0x0f0f0f0f0f0f0f0full) + 0x0606060606060606ull) &
	    0xf0f0f0f0f0f0f0f0ull) == 0;
}

// split_name splits "path/.../name" into its path ("/path/.../") and its
// last element.
static void
split_name(pdpi_str all, pdpi_str *path, pdpi_str *name)
{
	uint32_t i = all.n;
	while (i > 0 && all.p[i - 1] != '/')
		i--;
	*name = mkstr(all.p + i, all.n - i);
	*path = mkstr(all.p, i);
}

bool
pdpi_who_parse(pdpi_who *who, const char *principal, size_t n, char *buf,
    size_t cap)
{
	pdpi_str seg[5], rest;

	memset(who, 0, sizeof(*who));
	who->arn = mkstr(principal, n);
	if (n == 0)
		return false;
	if ((n == 9 && memcmp(principal, "anonymous", 9) == 0) ||
	    (n == 1 && principal[0] == '*')) {
		who->kind = PDPI_WHO_ANONYMOUS;
		who->arn = mkstr("", 0);
		return true;
	}
	if (!has_prefix(principal, n, "arn:")) {
		// A service principal: "lambda.amazonaws.com".
		if (memchr(principal, '.', n) == NULL ||
		    memchr(principal, ':', n) != NULL ||
		    memchr(principal, '/', n) != NULL)
			return false;
		who->kind = PDPI_WHO_SERVICE;
		who->name = who->arn;
		return true;
	}
	if (!pdpi_arn_split(principal, n, seg, &rest))
		return false;
	who->partition = seg[1];
	who->account = seg[4];
	who->kind = PDPI_WHO_OTHER;
	if (!is_account_id(seg[4]))
		return true;
	if (str_is(seg[2], "iam") && str_is(rest, "root")) {
		who->kind = PDPI_WHO_ROOT;
	} else if (str_is(seg[2], "iam") && has_prefix(rest.p, rest.n,
	    "user/")) {
		pdpi_str all = mkstr(rest.p + 4, rest.n - 4);
		split_name(all, &who->path, &who->name);
		if (who->name.n == 0)
			return false;
		who->kind = PDPI_WHO_USER;
		who->canonical = str_is(seg[1], "aws") && seg[3].n == 0 &&
		    who->path.n == 1;
	} else if (str_is(seg[2], "sts") && has_prefix(rest.p, rest.n,
	    "assumed-role/")) {
		const char *r = rest.p + 13;
		size_t rn = rest.n - 13;
		const char *slash = memchr(r, '/', rn);
		if (slash == NULL || slash == r || slash == r + rn - 1)
			return false;
		who->kind = PDPI_WHO_ROLE_SESSION;
		who->name = mkstr(r, (size_t) (slash - r));
		who->session = mkstr(slash + 1, rn - (size_t) (slash - r) - 1);
		who->service_linked = has_prefix(who->name.p, who->name.n,
		    "AWSServiceRoleFor");
		if (buf != NULL) {
			int len = snprintf(buf, cap,
			    "arn:%.*s:iam::%.*s:role/%.*s", (int) seg[1].n,
			    seg[1].p, (int) seg[4].n, seg[4].p,
			    (int) who->name.n, who->name.p);
			if (len < 0 || (size_t) len >= cap)
				return false;
			who->role_arn = mkstr(buf, (size_t) len);
		}
	} else if (str_is(seg[2], "sts") && has_prefix(rest.p, rest.n,
	    "federated-user/")) {
		who->kind = PDPI_WHO_FEDUSER;
		who->name = mkstr(rest.p + 15, rest.n - 15);
		if (who->name.n == 0)
			return false;
	}
	return true;
}

// may_match is a cheap, exact prefilter for pdpi_eq_fold(c, key): equal
// lengths and, unless both last bytes may end a two-byte Latin-1 pair
// (both next-to-last bytes are 0xC3), equal folded last bytes:
// pdpi_eq_fold compares a last byte on its own with pdpi_fold_ascii.
static inline bool
may_match(pdpi_str c, pdpi_str key)
{
	if (c.n != key.n)
		return false;
	if (key.n == 0)
		return true;
	unsigned char x = (unsigned char) c.p[c.n - 1];
	unsigned char y = (unsigned char) key.p[key.n - 1];
	if (pdpi_fold_ascii(x) == pdpi_fold_ascii(y))
		return true;
	return key.n >= 2 && (unsigned char) c.p[c.n - 2] == 0xC3 &&
	    (unsigned char) key.p[key.n - 2] == 0xC3;
}

const pdpi_ckey *
pdpi_ctx_find(const pdpi_req *r, pdpi_str key)
{
	for (uint32_t i = 0; i < r->nctx; i++) {
		const pdpi_ckey *c = &r->ctx[i];
		if (may_match(c->key, key) &&
		    pdpi_eq_fold(c->key.p, c->key.n, key.p, key.n))
			return c;
	}
	for (uint32_t i = 0; i < r->nimplied; i++) {
		const pdpi_ckey *c = &r->implied[i];
		if (may_match(c->key, key) &&
		    pdpi_eq_fold(c->key.p, c->key.n, key.p, key.n))
			return c;
	}
	return NULL;
}

// keytab_probe returns the slot whose hash is h, or PDPI_NO_SLOT. The
// loader gives no two slots the same hash (bundle.c), so the slot is the
// only one a key of this hash can be.
static uint32_t
keytab_probe(const pdpi_keytab *t, uint64_t h)
{
	if (t->n == 0)
		return PDPI_NO_SLOT;
	for (uint32_t i = (uint32_t) h & t->mask, s; (s = t->index[i]) != 0;
	    i = (i + 1) & t->mask)
		if (t->hash[s - 1] == h)
			return s - 1;
	return PDPI_NO_SLOT;
}

uint32_t
pdpi_keytab_find(const pdpi_keytab *t, const char *key, size_t n)
{
	uint32_t s = keytab_probe(t, pdpi_key_hash(key, n));

	if (s != PDPI_NO_SLOT && !pdpi_eq_fold(t->key[s].p, t->key[s].n, key,
	    n))
		return PDPI_NO_SLOT;
	return s;
}

// The keys pdpi_req_derive may add, folded.
static const char *const derived_keys[] = {
	"aws:principalarn", "aws:principalaccount", "aws:principaltype",
	"aws:username", "aws:userid", "aws:principalisawsservice",
	"aws:principalservicename",
};

uint8_t
pdpi_key_class(pdpi_str key)
{
	for (size_t i = 0; i < sizeof(derived_keys) / sizeof(*derived_keys);
	    i++)
		if (pdpi_eq_fold(key.p, key.n, derived_keys[i],
		    strlen(derived_keys[i])))
			return PDPI_KEY_DERIVED;
	if (key.n >= PDPI_PTAG_LEN && pdpi_eq_fold(key.p, PDPI_PTAG_LEN,
	    PDPI_PTAG, PDPI_PTAG_LEN))
		return PDPI_KEY_PTAG;
	return PDPI_KEY_PLAIN;
}

// map_context learns the keys of the context (from the caller's entries,
// when not done yet) and, for each, the slot of its hash: the first entry
// of a hash wins. A key equal to a slot's (any case) has its hash, so a
// slot no entry points at was not given; one an entry points at is
// confirmed when first read (pdpi_req_key_slow).
static void
map_context(const pdpi_req *r, pdpi_lazy *lz)
{
	const pdpi_keytab *t = lz->keys;

	memset(lz->pos, 0, t->n * sizeof(lz->pos[0]));
	lz->nvals = 0;
	for (uint32_t i = 0; i < r->nctx; i++) {
		pdpi_ckey *c = &lz->ctx[i];
		if (lz->raw != NULL) {
			// The values are read when the entry is (entry).
			c->key = mkstr(lz->raw[i].key, strlen(lz->raw[i].key));
			c->vals = NULL;
		}
		// Only a key of a length some slot has is hashed.
		if (c->key.n < 128 &&
		    !(t->lens[c->key.n >> 6] >> (c->key.n & 63) & 1))
			continue;
		uint32_t s = keytab_probe(t, pdpi_key_hash(c->key.p, c->key.n));
		if (s != PDPI_NO_SLOT && lz->pos[s] == 0)
			lz->pos[s] = (uint16_t) (PDPI_POS_HASH | (i + 1));
	}
	lz->mapped = true;
}

// entry returns context entry i with its values and their lengths.
static const pdpi_ckey *
entry(pdpi_lazy *lz, uint32_t i)
{
	pdpi_ckey *c = &lz->ctx[i];

	if (lz->raw != NULL && c->vals == NULL) {
		const pdp_context_entry *e = &lz->raw[i];
		// The values were counted when the request was checked: the
		// room cannot run out.
		pdpi_str *v = &lz->vals[lz->nvals];
		lz->nvals += e->nvalues;
		for (uint32_t j = 0; j < e->nvalues; j++)
			v[j] = mkstr(e->values[j], strlen(e->values[j]));
		c->multi = e->multi;
		c->nvals = e->nvalues;
		c->vals = v;
	}
	return c;
}

// find_in returns the first of n entries whose key equals `key` (any
// case), or NULL.
static const pdpi_ckey *
find_in(const pdpi_ckey *v, uint32_t n, pdpi_str key)
{
	for (uint32_t i = 0; i < n; i++)
		if (may_match(v[i].key, key) &&
		    pdpi_eq_fold(v[i].key.p, v[i].key.n, key.p, key.n))
			return &v[i];
	return NULL;
}

// ptag finds aws:PrincipalTag/<tag> among the principal's tags, with the
// limits pdpi_req_implied applies.
static const pdpi_ckey *
ptag(pdpi_lazy *lz, pdpi_str key)
{
	pdpi_str want = mkstr(key.p + PDPI_PTAG_LEN, key.n - PDPI_PTAG_LEN);

	uint32_t ntags = lz->info != NULL ? lz->info->ntags : 0;

	for (uint32_t i = 0; i < ntags && i < PDPI_TAGS_MAX; i++) {
		const pdpb_tag *t = &lz->tags[lz->info->tags + i];
		if (PDPI_PTAG_LEN + t->key.len >= PDPI_TAGKEY_MAX ||
		    !pdpi_eq_fold(lz->strings + t->key.off, t->key.len,
		    want.p, want.n))
			continue;
		pdpi_ckey *k = &lz->tkeys[i];
		lz->tvals[i] = mkstr(lz->strings + t->value.off, t->value.len);
		k->key = key;
		k->multi = false;
		k->nvals = 1;
		k->vals = &lz->tvals[i];
		return k;
	}
	return NULL;
}

pdpi_str
pdpi_req_userid(const pdpi_req *r)
{
	pdpi_lazy *lz = r->lz;

	if (lz == NULL || lz->uid)
		return lz == NULL ? r->who.user_id : lz->user_id;
	lz->uid = true;
	lz->user_id = mkstr("", 0);
	if (lz->info == NULL || lz->info->unique_id.len == 0)
		return lz->user_id;
	pdpi_str id = mkstr(lz->strings + lz->info->unique_id.off,
	    lz->info->unique_id.len);
	if (r->who.kind != PDPI_WHO_ROLE_SESSION) {
		lz->user_id = id;
		return id;
	}
	// A role session's is role-id:session-name (the role's id alone
	// when that does not fit).
	size_t n = (size_t) id.n + 1 + r->who.session.n;
	lz->user_id = id;
	if (n < sizeof(lz->uidbuf)) {
		memcpy(lz->uidbuf, id.p, id.n);
		lz->uidbuf[id.n] = ':';
		memcpy(lz->uidbuf + id.n + 1, r->who.session.p,
		    r->who.session.n);
		lz->user_id = mkstr(lz->uidbuf, n);
	}
	return lz->user_id;
}

// implied returns a key the request implies (class `cls`), or NULL.
static const pdpi_ckey *
implied(const pdpi_req *r, pdpi_lazy *lz, pdpi_str key, uint8_t cls)
{
	switch (cls) {
	case PDPI_KEY_DERIVED:
		if (!lz->derived) {
			pdpi_who w = r->who;
			w.user_id = pdpi_req_userid(r);
			lz->nderived = pdpi_req_derive(&w, lz->dkeys,
			    lz->dvals, lz->dbuf, sizeof(lz->dbuf));
			lz->derived = true;
		}
		return find_in(lz->dkeys, lz->nderived, key);
	case PDPI_KEY_PTAG:
		return ptag(lz, key);
	default:
		return NULL;
	}
}

// resolve finds a key: the request's entry (the one a slot's hash points
// at, or one searched for), else an implied key.
static const pdpi_ckey *
resolve(const pdpi_req *r, pdpi_lazy *lz, pdpi_str key, uint8_t cls,
    uint32_t cand)
{
	const pdpi_ckey *c = NULL;

	if (cand != 0) {
		c = &lz->ctx[cand - 1];
		// Another key of the same hash may have come first.
		if (!pdpi_eq_fold(c->key.p, c->key.n, key.p, key.n))
			c = find_in(lz->ctx, r->nctx, key);
	}
	if (c != NULL)
		return entry(lz, (uint32_t) (c - lz->ctx));
	return implied(r, lz, key, cls);
}

const pdpi_ckey *
pdpi_req_key_slow(const pdpi_req *r, pdpi_str key, pdpi_keyref ref)
{
	pdpi_lazy *lz = r->lz;

	if (lz == NULL)
		return pdpi_ctx_find(r, key);
	if (!lz->mapped)
		map_context(r, lz);
	if (ref.slot >= lz->keys->n) {
		// Not interned: searched for each time.
		const pdpi_ckey *c = find_in(lz->ctx, r->nctx, key);
		return c != NULL ? entry(lz, (uint32_t) (c - lz->ctx)) :
		    implied(r, lz, key, ref.cls);
	}
	// A slot's answer is kept: the next test of the key reads it.
	uint32_t p = lz->pos[ref.slot];
	const pdpi_ckey *c;
	if (pdpi_pos_answer(lz, p, &c))
		return c;
	c = resolve(r, lz, key, ref.cls, (p & PDPI_POS_KIND) ==
	    PDPI_POS_HASH ? p & PDPI_POS_INDEX : 0);
	if (c == NULL)
		p = PDPI_POS_NONE;
	else if (c >= lz->ctx && c < lz->ctx + r->nctx)
		p = PDPI_POS_CTX | (uint32_t) (c - lz->ctx);
	else if (c >= lz->dkeys && c < lz->dkeys + PDPI_DERIVED_MAX)
		p = PDPI_POS_DERIVED | (uint32_t) (c - lz->dkeys);
	else
		p = PDPI_POS_TAG | (uint32_t) (c - lz->tkeys);
	lz->pos[ref.slot] = (uint16_t) p;
	return c;
}

bool
pdpi_req_set_action(pdpi_req *r, const char *action, size_t n, char *buf,
    size_t cap)
{
	const char *colon = memchr(action, ':', n);

	if (cap < n)
		return false;
	pdpi_fold_utf8(buf, action, n);
	r->action = mkstr(action, n);
	r->folded = mkstr(buf, n);
	if (colon == NULL) {
		r->svc = mkstr(buf, 0);
		r->aname = mkstr(buf, n);
	} else {
		size_t k = (size_t) (colon - action);
		r->svc = mkstr(buf, k);
		r->aname = mkstr(buf + k + 1, n - k - 1);
	}
	// Every decision table of the request is looked up with it.
	r->ahash = pdpi_hash(r->folded.p, r->folded.n);
	return true;
}

void
pdpi_req_set_resource(pdpi_req *r, const char *resource, size_t n,
    const char *resource_account)
{
	r->resource = mkstr(resource, n);
	r->res_arn = pdpi_arn_split(resource, n, r->rseg, &r->rrest);
	if (resource_account != NULL && resource_account[0] != '\0')
		r->resource_account = mkstr(resource_account,
		    strlen(resource_account));
	else if (r->res_arn && r->rseg[4].n > 0)
		r->resource_account = r->rseg[4];
	else
		r->resource_account = r->who.account;
}

// derive_add appends key=value.
static void
derive_add(pdpi_ckey *out, pdpi_str *vals, uint32_t *k, const char *key,
    size_t keylen, pdpi_str value)
{
	vals[*k] = value;
	out[*k].key = mkstr(key, keylen);
	out[*k].multi = false;
	out[*k].nvals = 1;
	out[*k].vals = &vals[*k];
	(*k)++;
}

uint32_t
pdpi_req_derive(const pdpi_who *who, pdpi_ckey *out, pdpi_str *vals, char *buf,
    size_t cap)
{
	uint32_t k = 0;
	const char *type = NULL;

#define ADD(key, val) derive_add(out, vals, &k, key, sizeof(key) - 1, val)
	switch (who->kind) {
	case PDPI_WHO_ROOT:
		type = "Account";
		ADD("aws:PrincipalArn", who->arn);
		ADD("aws:userid", who->account);
		break;
	case PDPI_WHO_USER:
		type = "User";
		ADD("aws:PrincipalArn", who->arn);
		ADD("aws:username", who->name);
		if (who->user_id.n > 0)
			ADD("aws:userid", who->user_id);
		break;
	case PDPI_WHO_ROLE_SESSION:
		type = "AssumedRole";
		ADD("aws:PrincipalArn", who->role_arn);
		if (who->user_id.n > 0) // role-id:session-name
			ADD("aws:userid", who->user_id);
		break;
	case PDPI_WHO_FEDUSER: {
		type = "FederatedUser";
		ADD("aws:PrincipalArn", who->arn);
		int len = snprintf(buf, cap, "%.*s:%.*s", (int) who->account.n,
		    who->account.p, (int) who->name.n, who->name.p);
		if (len > 0 && (size_t) len < cap)
			ADD("aws:userid", mkstr(buf, (size_t) len));
		break;
	}
	case PDPI_WHO_ANONYMOUS:
		type = "Anonymous";
		ADD("aws:userid", mkstr("anonymous", 9));
		ADD("aws:PrincipalAccount", mkstr("anonymous", 9));
		break;
	case PDPI_WHO_SERVICE:
		ADD("aws:PrincipalServiceName", who->name);
		break;
	default:
		break;
	}
	if (who->account.n > 0)
		ADD("aws:PrincipalAccount", who->account);
	if (type != NULL)
		ADD("aws:PrincipalType", mkstr(type, strlen(type)));
	if (who->kind == PDPI_WHO_SERVICE)
		ADD("aws:PrincipalIsAWSService", mkstr("true", 4));
	else
		ADD("aws:PrincipalIsAWSService", mkstr("false", 5));
#undef ADD
	return k;
}

bool
pdpi_req_is_trust_action(const pdpi_req *r)
{
	if (!str_is(r->svc, "sts") || !r->res_arn ||
	    !str_is(r->rseg[2], "iam") || !has_prefix(r->rrest.p, r->rrest.n,
	    "role/"))
		return false;
	return str_is(r->aname, "assumerole") ||
	    str_is(r->aname, "assumerolewithsaml") ||
	    str_is(r->aname, "assumerolewithwebidentity") ||
	    str_is(r->aname, "tagsession") ||
	    str_is(r->aname, "setsourceidentity");
}
