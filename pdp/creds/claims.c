// claims.c - the claims of a session, checked and packed with msgpack
// (sealed by token.c). The packed form is a map with short string keys;
// proto/keyring.md lists them. Reading is strict: an unknown or repeated
// key, a wrong type or a missing claim makes the claims unreadable, so a
// field a newer issuer adds can never be silently ignored.

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <msgpack.h>
#include <openssl/crypto.h>

#include "creds.h"

// --- Checks -----------------------------------------------------------------

static bool
is_account(const char *s)
{
	if (s == NULL || strlen(s) != 12)
		return false;
	for (int i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

// An access key id: 16 to 128 of [A-Za-z0-9_] (iam-semantics 6.1).
static bool
is_akid(const char *s, const char *prefix)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 16 || n > 128 || strncmp(s, prefix, 4) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

// arn_is reports whether `arn` is arn:PARTITION:svc::account:rest... with
// the resource part starting with `rest` (or equal to it when exact).
static bool
arn_is(const char *arn, const char *svc, const char *account,
    const char *rest, bool exact)
{
	const char *p;
	size_t sn = strlen(svc);

	if (arn == NULL || strncmp(arn, "arn:", 4) != 0 ||
	    (p = strchr(arn + 4, ':')) == NULL || p == arn + 4)
		return false;
	p++;
	if (strncmp(p, svc, sn) != 0 || p[sn] != ':' || p[sn + 1] != ':')
		return false;
	p += sn + 2;
	if (strncmp(p, account, 12) != 0 || p[12] != ':')
		return false;
	p += 13;
	return exact ? strcmp(p, rest) == 0 : (strncmp(p, rest,
	    strlen(rest)) == 0 && p[strlen(rest)] != '\0');
}

static int
check_str(const char *s, const char *what, bool required, size_t max,
    char *err, size_t errlen)
{
	if (s == NULL || s[0] == '\0')
		return required ? pdpci_errf(PDP_EINVAL, err, errlen,
		    "claims: %s is missing", what) : PDP_OK;
	if (strlen(s) > max)
		return pdpci_errf(PDP_ETOOBIG, err, errlen,
		    "claims: %s is longer than %zu bytes", what, max);
	return PDP_OK;
}

// check_who checks that the ARNs agree with the credential type.
static int
check_who(const pdp_creds_claims *c, char *err, size_t errlen)
{
	const char *a = c->account;
	bool ok;

	switch (c->type) {
	case PDP_CREDS_ASSUMED_ROLE:
		ok = arn_is(c->arn, "sts", a, "assumed-role/", false) &&
		    arn_is(c->policy_arn, "iam", a, "role/", false);
		break;
	case PDP_CREDS_FEDERATED_USER:
		ok = arn_is(c->arn, "sts", a, "federated-user/", false) &&
		    (arn_is(c->policy_arn, "iam", a, "user/", false) ||
		    arn_is(c->policy_arn, "iam", a, "root", true));
		break;
	case PDP_CREDS_SESSION_TOKEN:
		ok = (arn_is(c->arn, "iam", a, "user/", false) ||
		    arn_is(c->arn, "iam", a, "root", true)) &&
		    strcmp(c->arn, c->policy_arn) == 0;
		break;
	default:
		return pdpci_errf(PDP_EINVAL, err, errlen,
		    "claims: unknown credential type %d", (int) c->type);
	}
	if (!ok)
		return pdpci_errf(PDP_EINVAL, err, errlen, "claims: the ARNs "
		    "do not fit the credential type and account");
	if (c->type == PDP_CREDS_SESSION_TOKEN && (c->ntags > 0 ||
	    c->ntransitive > 0 || c->policy != NULL || c->npolicy_arns > 0))
		return pdpci_errf(PDP_EINVAL, err, errlen, "claims: "
		    "GetSessionToken credentials have no session tags or "
		    "policies");
	if (c->type == PDP_CREDS_FEDERATED_USER && c->ntransitive > 0)
		return pdpci_errf(PDP_EINVAL, err, errlen, "claims: federated "
		    "users have no transitive tags");
	return PDP_OK;
}

static int
check_tags(const pdp_creds_claims *c, char *err, size_t errlen)
{
	if (c->ntags > PDP_CREDS_TAGS_MAX ||
	    c->ntransitive > PDP_CREDS_TAGS_MAX)
		return pdpci_errf(PDP_ETOOBIG, err, errlen, "claims: more than "
		    "%d session tags", PDP_CREDS_TAGS_MAX);
	if ((c->ntags > 0 && c->tags == NULL) ||
	    (c->ntransitive > 0 && c->transitive == NULL))
		return pdpci_errf(PDP_EINVAL, err, errlen, "claims: tags "
		    "counted but not given");
	for (uint32_t i = 0; i < c->ntags; i++) {
		const pdp_creds_tag *t = &c->tags[i];
		if (t->key == NULL || t->value == NULL || t->key[0] == '\0' ||
		    strlen(t->key) > 128 || strlen(t->value) > 256)
			return pdpci_errf(PDP_EINVAL, err, errlen, "claims: "
			    "tag %u: a key of 1-128 bytes and a value of "
			    "0-256", i);
		for (uint32_t j = 0; j < i; j++)
			if (strcasecmp(c->tags[j].key, t->key) == 0)
				return pdpci_errf(PDP_EINVAL, err, errlen,
				    "claims: tag %u: duplicate key (tag keys "
				    "are case-insensitive)", i);
	}
	for (uint32_t i = 0; i < c->ntransitive; i++) {
		uint32_t j = 0;
		while (j < c->ntags && (c->transitive[i] == NULL ||
		    strcasecmp(c->tags[j].key, c->transitive[i]) != 0))
			j++;
		if (j == c->ntags)
			return pdpci_errf(PDP_EINVAL, err, errlen, "claims: "
			    "transitive tag key %u names no session tag", i);
	}
	return PDP_OK;
}

int
pdpci_claims_check(const pdp_creds_claims *c, char *err, size_t errlen)
{
	int rv;
	const size_t m = PDP_CREDS_STRING_MAX;

	if (!is_account(c->account))
		return pdpci_errf(PDP_EINVAL, err, errlen,
		    "claims: account must be 12 digits");
	if ((rv = check_str(c->arn, "arn", true, m, err, errlen)) ||
	    (rv = check_str(c->policy_arn, "policy_arn", true, m, err,
	    errlen)) ||
	    (rv = check_str(c->user_id, "user_id", true, 256, err, errlen)) ||
	    (rv = check_str(c->secret_access_key, "secret_access_key", true,
	    256, err, errlen)) ||
	    (rv = check_str(c->source_identity, "source_identity", false, 64,
	    err, errlen)) ||
	    (rv = check_str(c->policy, "policy", false, PDP_CREDS_POLICY_MAX,
	    err, errlen)) || (rv = check_who(c, err, errlen)) ||
	    (rv = check_tags(c, err, errlen)))
		return rv;
	if (!is_akid(c->access_key_id, "ASIA"))
		return pdpci_errf(PDP_EINVAL, err, errlen, "claims: "
		    "access_key_id must be ASIA and 12-124 more of "
		    "[A-Za-z0-9_]");
	if (c->issued < 0 || c->expires <= c->issued ||
	    (c->mfa && c->mfa_time < 0))
		return pdpci_errf(PDP_EINVAL, err, errlen, "claims: times: "
		    "0 <= issued < expires");
	if (c->npolicy_arns > PDP_CREDS_POLICY_ARNS_MAX)
		return pdpci_errf(PDP_ETOOBIG, err, errlen, "claims: more than "
		    "%d managed session policies", PDP_CREDS_POLICY_ARNS_MAX);
	if (c->npolicy_arns > 0 && c->policy_arns == NULL)
		return pdpci_errf(PDP_EINVAL, err, errlen,
		    "claims: policy_arns counted but not given");
	for (uint32_t i = 0; i < c->npolicy_arns; i++)
		if ((rv = check_str(c->policy_arns[i], "policy_arns[]", true, m,
		    err, errlen)) != PDP_OK)
			return rv;
	return PDP_OK;
}

// --- Packing ------------------------------------------------------------------

static void
pack_key(msgpack_packer *pk, const char *k)
{
	size_t n = strlen(k);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, k, n);
}

static void
pack_str(msgpack_packer *pk, const char *k, const char *v)
{
	size_t n = strlen(v);
	pack_key(pk, k);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, v, n);
}

static void
pack_int(msgpack_packer *pk, const char *k, int64_t v)
{
	pack_key(pk, k);
	msgpack_pack_int64(pk, v);
}

static void
pack_strs(msgpack_packer *pk, const char *k, const char *const *v, uint32_t n)
{
	pack_key(pk, k);
	msgpack_pack_array(pk, n);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]);
		msgpack_pack_str(pk, len);
		msgpack_pack_str_body(pk, v[i], len);
	}
}

int
pdpci_claims_pack(const pdp_creds_claims *c, char **out, size_t *len)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t n = 12; // the claims every session has

	n += (c->mfa ? 1 : 0) + (c->source_identity ? 1 : 0) +
	    (c->ntags ? 1 : 0) + (c->ntransitive ? 1 : 0) +
	    (c->policy ? 1 : 0) + (c->npolicy_arns ? 1 : 0);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n);
	pack_int(&pk, "v", PDP_CREDS_CLAIMS_VERSION);
	pack_int(&pk, "t", c->type);
	pack_str(&pk, "acct", c->account);
	pack_str(&pk, "arn", c->arn);
	pack_str(&pk, "parn", c->policy_arn);
	pack_str(&pk, "uid", c->user_id);
	pack_str(&pk, "akid", c->access_key_id);
	pack_str(&pk, "sak", c->secret_access_key);
	pack_int(&pk, "iat", c->issued);
	pack_int(&pk, "exp", c->expires);
	pack_key(&pk, "chain");
	c->chained ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
	pack_key(&pk, "mfa");
	c->mfa ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
	if (c->mfa)
		pack_int(&pk, "mfat", c->mfa_time);
	if (c->source_identity)
		pack_str(&pk, "srcid", c->source_identity);
	if (c->ntags) {
		pack_key(&pk, "tags");
		msgpack_pack_array(&pk, 2 * c->ntags);
		for (uint32_t i = 0; i < c->ntags; i++) {
			const char *kv[2] = {c->tags[i].key, c->tags[i].value};
			for (int j = 0; j < 2; j++) {
				size_t l = strlen(kv[j]);
				msgpack_pack_str(&pk, l);
				msgpack_pack_str_body(&pk, kv[j], l);
			}
		}
	}
	if (c->ntransitive)
		pack_strs(&pk, "ttk", c->transitive, c->ntransitive);
	if (c->policy)
		pack_str(&pk, "pol", c->policy);
	if (c->npolicy_arns)
		pack_strs(&pk, "parns", c->policy_arns, c->npolicy_arns);
	// msgpack_sbuffer_write reports no error: a failed realloc leaves
	// the buffer short, so a NULL data pointer is the only sign.
	if (sb.data == NULL) {
		msgpack_sbuffer_destroy(&sb);
		return PDP_ENOMEM;
	}
	*out = sb.data;
	*len = sb.size;
	return PDP_OK;
}

// --- Unpacking ----------------------------------------------------------------

// An opened token: the claims, then one block holding every array and
// string they point to.
struct pdp_creds_token {
	pdp_creds_claims c;
	size_t cap, used;
	char *mem;
};

static void *
bump(pdp_creds_token *t, size_t n, size_t align)
{
	size_t at = (t->used + align - 1) & ~(align - 1);

	if (at > t->cap || n > t->cap - at)
		return NULL;
	t->used = at + n;
	return t->mem + at;
}

static const char *
copy_str(pdp_creds_token *t, const msgpack_object *o)
{
	if (o->type != MSGPACK_OBJECT_STR ||
	    memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
		return NULL;
	char *s = bump(t, o->via.str.size + 1, 1);
	if (s == NULL)
		return NULL;
	memcpy(s, o->via.str.ptr, o->via.str.size);
	s[o->via.str.size] = '\0';
	return s;
}

static bool
read_int(const msgpack_object *o, int64_t *v)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    o->via.u64 <= INT64_MAX)
		*v = (int64_t) o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = o->via.i64;
	else
		return false;
	return true;
}

static bool
read_strs(pdp_creds_token *t, const msgpack_object *o, uint32_t max,
    const char *const **out, uint32_t *n)
{
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0 ||
	    o->via.array.size > max)
		return false;
	const char **v = bump(t, o->via.array.size * sizeof(char *),
	    sizeof(char *));
	if (v == NULL)
		return false;
	for (uint32_t i = 0; i < o->via.array.size; i++)
		if ((v[i] = copy_str(t, &o->via.array.ptr[i])) == NULL)
			return false;
	*out = v;
	*n = o->via.array.size;
	return true;
}

static bool
read_tags(pdp_creds_token *t, const msgpack_object *o)
{
	const char *const *kv;
	uint32_t n;

	if (!read_strs(t, o, 2 * PDP_CREDS_TAGS_MAX, &kv, &n) || n % 2 != 0)
		return false;
	pdp_creds_tag *tags = bump(t, n / 2 * sizeof(*tags), sizeof(void *));
	if (tags == NULL)
		return false;
	for (uint32_t i = 0; i < n / 2; i++) {
		tags[i].key = kv[2 * i];
		tags[i].value = kv[2 * i + 1];
	}
	t->c.tags = tags;
	t->c.ntags = n / 2;
	return true;
}

// read_claim stores the claim named k.
static bool
read_claim(pdp_creds_token *t, const char *k, size_t kn,
    const msgpack_object *v)
{
	pdp_creds_claims *c = &t->c;
	int64_t i;

#define IS(lit) (kn == sizeof(lit) - 1 && memcmp(k, lit, kn) == 0)
	if (IS("v") || IS("t")) {
		if (!read_int(v, &i) || i < 0 || i > 255)
			return false;
		if (IS("v"))
			c->version = (uint32_t) i;
		else
			c->type = (pdp_creds_type) i;
		return true;
	}
	if (IS("iat"))
		return read_int(v, &c->issued);
	if (IS("exp"))
		return read_int(v, &c->expires);
	if (IS("mfat"))
		return read_int(v, &c->mfa_time);
	if (IS("mfa") || IS("chain")) {
		if (v->type != MSGPACK_OBJECT_BOOLEAN)
			return false;
		*(IS("mfa") ? &c->mfa : &c->chained) = v->via.boolean;
		return true;
	}
	if (IS("tags"))
		return read_tags(t, v);
	if (IS("ttk"))
		return read_strs(t, v, PDP_CREDS_TAGS_MAX, &c->transitive,
		    &c->ntransitive);
	if (IS("parns"))
		return read_strs(t, v, PDP_CREDS_POLICY_ARNS_MAX,
		    &c->policy_arns, &c->npolicy_arns);
	const char **s = IS("acct") ? &c->account : IS("arn") ? &c->arn :
	    IS("parn") ? &c->policy_arn : IS("uid") ? &c->user_id :
	    IS("akid") ? &c->access_key_id : IS("sak") ?
	    &c->secret_access_key : IS("srcid") ? &c->source_identity :
	    IS("pol") ? &c->policy : NULL;
#undef IS
	return s != NULL && (*s = copy_str(t, v)) != NULL;
}

static bool
read_map(pdp_creds_token *t, const msgpack_object *o)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return false;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;
		if (k->type != MSGPACK_OBJECT_STR)
			return false;
		for (uint32_t j = 0; j < i; j++) {
			const msgpack_object *k2 = &o->via.map.ptr[j].key;
			if (k2->via.str.size == k->via.str.size &&
			    memcmp(k2->via.str.ptr, k->via.str.ptr,
			    k->via.str.size) == 0)
				return false; // a claim given twice
		}
		if (!read_claim(t, k->via.str.ptr, k->via.str.size,
		    &o->via.map.ptr[i].val))
			return false;
	}
	return true;
}

int
pdpci_claims_unpack(const char *p, size_t len, pdp_creds_token **out,
    char *err, size_t errlen)
{
	msgpack_zone zone;
	msgpack_object obj;
	size_t off = 0;
	// Copies of every string fit twice the packed size (each string
	// gains a NUL, and a string costs at least one byte packed), plus
	// the arrays of pointers.
	size_t cap = 2 * len + (4 * PDP_CREDS_TAGS_MAX +
	    PDP_CREDS_POLICY_ARNS_MAX) * sizeof(void *) + 64;
	pdp_creds_token *t = calloc(1, sizeof(*t) + cap);
	int rv = PDP_OK;

	if (t == NULL)
		return pdpci_errf(PDP_ENOMEM, err, errlen, "out of memory");
	t->mem = (char *) (t + 1);
	t->cap = cap;
	if (!msgpack_zone_init(&zone, 2048)) {
		free(t);
		return pdpci_errf(PDP_ENOMEM, err, errlen, "out of memory");
	}
	msgpack_unpack_return ur = msgpack_unpack(p, len, &off, &zone, &obj);
	if (ur == MSGPACK_UNPACK_NOMEM_ERROR)
		rv = pdpci_errf(PDP_ENOMEM, err, errlen, "out of memory");
	else if (ur != MSGPACK_UNPACK_SUCCESS || off != len ||
	    !read_map(t, &obj))
		rv = pdpci_errf(PDP_ECORRUPT, err, errlen,
		    "token: the claims are unreadable");
	else if (t->c.version != PDP_CREDS_CLAIMS_VERSION)
		rv = pdpci_errf(PDP_EVERSION, err, errlen, "token: claims "
		    "version %u is not %d", (unsigned) t->c.version,
		    PDP_CREDS_CLAIMS_VERSION);
	else if (pdpci_claims_check(&t->c, err, errlen) != PDP_OK)
		rv = PDP_ECORRUPT; // err names the claim
	msgpack_zone_destroy(&zone);
	if (rv != PDP_OK) {
		pdp_creds_token_free(t);
		return rv;
	}
	*out = t;
	return PDP_OK;
}

const pdp_creds_claims *
pdp_creds_token_claims(const pdp_creds_token *t)
{
	return &t->c;
}

void
pdp_creds_token_free(pdp_creds_token *t)
{
	if (t == NULL)
		return;
	OPENSSL_cleanse(t->mem, t->cap);
	free(t);
}
