// cache.c - deciding requests whose caller is named by an access key:
// the per-thread cache of opened sessions and pdp_creds_authorize.
//
// A session's token is opened once: its claims, its inline session
// policy compiled into a small bundle, and the context entries it implies
// (session tags, aws:TokenIssueTime, MFA, source identity, aws:userid)
// stay in the cache, keyed by the token's xxh3 with the whole token
// compared. A hit allocates nothing and takes no lock; expiry is checked
// on every request.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "creds.h"
#include "iamc_bundle.h"

#define WINDOW 8           // slots probed for one token
#define OWNER_MAX 2048     // bytes of an access key owner's ARN
#define PTAG "aws:PrincipalTag/"
#define PTAG_LEN 17
#define FIXED_KEYS 4       // TokenIssueTime, MFA, SourceIdentity, userid

// One cached session. `text` is NULL in an empty slot.
typedef struct centry {
	uint64_t hash;
	char *text;          // the token (in mem)
	size_t len;
	uint64_t used;       // the cache's tick at the last hit
	pdp_creds_token *tok;
	const pdp_creds_claims *c;
	pdp_bundle *session; // the inline session policy, or NULL
	const char *principal_id; // the unique id the principal must have
	bool mfa_age;        // add aws:MultiFactorAuthAge per request
	uint32_t nprep;
	pdp_context_entry *prep; // the context entries the session implies
	char *mem;           // one block: prep, values, token, key texts
} centry;

struct pdp_creds_cache {
	const pdp_creds_keyring *kr;
	uint32_t nslots;     // a power of two
	uint64_t tick;
	int64_t (*now)(void *);
	void *now_arg;
	pdp_creds_cache_stats st;
	centry *slots;
};

static int64_t
real_now(void *arg)
{
	struct timespec ts;

	(void) arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec;
}

int
pdp_creds_cache_alloc(const pdp_creds_keyring *kr, uint32_t capacity,
    pdp_creds_cache **out)
{
	pdp_creds_cache *c = calloc(1, sizeof(*c));
	uint32_t n = WINDOW;

	if (capacity == 0)
		capacity = PDP_CREDS_CACHE_DEFAULT;
	while (n < capacity && n < (1u << 24))
		n *= 2;
	if (c == NULL || (c->slots = calloc(n, sizeof(centry))) == NULL) {
		free(c);
		return PDP_ENOMEM;
	}
	c->kr = kr;
	c->nslots = n;
	c->now = real_now;
	*out = c;
	return PDP_OK;
}

// entry_clear empties slot e, whole or filled part way (fill sets tok
// first).
static void
entry_clear(centry *e)
{
	if (e->tok == NULL)
		return;
	pdp_bundle_close(e->session);
	pdp_creds_token_free(e->tok);
	if (e->text != NULL)
		OPENSSL_cleanse(e->text, e->len); // a bearer credential
	free(e->mem);
	memset(e, 0, sizeof(*e));
}

void
pdp_creds_cache_free(pdp_creds_cache *c)
{
	if (c == NULL)
		return;
	for (uint32_t i = 0; i < c->nslots; i++)
		entry_clear(&c->slots[i]);
	free(c->slots);
	free(c);
}

void
pdp_creds_cache_set_clock(pdp_creds_cache *c, int64_t (*now)(void *arg),
    void *arg)
{
	c->now = now ? now : real_now;
	c->now_arg = now ? arg : NULL;
}

void
pdp_creds_cache_stats_get(const pdp_creds_cache *c, pdp_creds_cache_stats *out)
{
	*out = c->st;
}

// compile_session compiles an inline session policy into a bundle whose
// only policy it is (pdp_request.session_bundle).
static int
compile_session(const char *json, pdp_bundle **out)
{
	iamc_builder *bd = NULL;
	iamc_diags d;
	const pdpi_policy *p = NULL;
	uint32_t set;
	void *data = NULL;
	size_t len = 0;
	int rv;

	if ((rv = iamc_builder_open(&bd)) != PDP_OK)
		return rv;
	iamc_diags_init(&d);
	if ((rv = iamc_policy_compile_text(iamc_builder_arena(bd), json,
	    strlen(json), PDP_POLICY_SESSION, "session policy", &p, &d)) ==
	    PDP_OK &&
	    (rv = iamc_builder_set(bd, &p, 1, false, &set)) == PDP_OK &&
	    (rv = iamc_builder_write(bd, 0, &data, &len)) == PDP_OK)
		// The bundle takes the bytes over (freeing them if refused).
		rv = pdp_bundle_open_owned(data, len, out, NULL, 0);
	else
		free(data);
	iamc_diags_fini(&d);
	iamc_builder_close(bd);
	return rv;
}

static bool
has_prefix(const char *s, const char *pre)
{
	return strncmp(s, pre, strlen(pre)) == 0;
}

// put appends context entry key = value to e->prep.
static void
put(centry *e, const char **vals, const char *key, const char *value)
{
	vals[e->nprep] = value;
	e->prep[e->nprep].key = key;
	e->prep[e->nprep].values = &vals[e->nprep];
	e->prep[e->nprep].nvalues = 1;
	e->prep[e->nprep].multi = false;
	e->nprep++;
}

// prepare builds the context entries a session implies (iam-semantics
// 6.10), in one block with a copy of the token.
static int
prepare(centry *e, const char *text, size_t len)
{
	const pdp_creds_claims *c = e->c;
	size_t n = c->ntags + FIXED_KEYS, keys = 0;

	for (uint32_t i = 0; i < c->ntags; i++)
		keys += PTAG_LEN + strlen(c->tags[i].key) + 1;
	size_t size = n * (sizeof(pdp_context_entry) + sizeof(char *)) +
	    len + 1 + keys + 32 + strlen(c->user_id) + 1;
	char *m = malloc(size);
	if (m == NULL)
		return PDP_ENOMEM;
	e->mem = m;
	e->prep = (pdp_context_entry *) m;
	const char **vals = (const char **) (m + n * sizeof(*e->prep));
	char *s = (char *) (vals + n);
	e->text = memcpy(s, text, len);
	s[len] = '\0';
	e->len = len;
	s += len + 1;

	// Session tags override the principal's tags of the same key (any
	// case): the engine reads the request's keys before the tags.
	for (uint32_t i = 0; i < c->ntags; i++) {
		int k = sprintf(s, PTAG "%s", c->tags[i].key);
		put(e, vals, s, c->tags[i].value);
		s += k + 1;
	}
	struct tm tm;
	time_t t = (time_t) c->issued;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return PDP_EINVAL;
	put(e, vals, "aws:TokenIssueTime", s);
	s += 32;
	// AssumeRole sessions say false even when MFA was used to assume
	// the role; GetSessionToken sessions carry what they had (6.3,
	// 6.4); federated users have neither key (6.10).
	if (c->type == PDP_CREDS_ASSUMED_ROLE)
		put(e, vals, "aws:MultiFactorAuthPresent", "false");
	else if (c->type == PDP_CREDS_SESSION_TOKEN)
		put(e, vals, "aws:MultiFactorAuthPresent",
		    c->mfa ? "true" : "false");
	e->mfa_age = c->type == PDP_CREDS_SESSION_TOKEN && c->mfa;
	if (c->source_identity != NULL)
		put(e, vals, "aws:SourceIdentity", c->source_identity);
	put(e, vals, "aws:userid", c->user_id);
	// The principal must still be the one the token was issued for: a
	// role's id is the part before ":SESSION"; a user's is its own.
	size_t an = strlen(c->arn);
	bool root = an > 5 && strcmp(c->arn + an - 5, ":root") == 0;
	if (c->type == PDP_CREDS_ASSUMED_ROLE ||
	    (c->type == PDP_CREDS_SESSION_TOKEN && !root)) {
		size_t idn = strcspn(c->user_id, ":");
		memcpy(s, c->user_id, idn);
		s[idn] = '\0';
		e->principal_id = s;
	}
	return PDP_OK;
}

// fill opens a token into slot e (empty).
static int
fill(pdp_creds_cache *c, centry *e, uint64_t h, const char *text,
    size_t len, int64_t now)
{
	int rv = pdp_creds_open(c->kr, text, len, now, &e->tok, NULL, 0);

	if (rv != PDP_OK)
		return rv;
	e->c = pdp_creds_token_claims(e->tok);
	if ((e->c->policy != NULL &&
	    (rv = compile_session(e->c->policy, &e->session)) != PDP_OK) ||
	    (rv = prepare(e, text, len)) != PDP_OK) {
		entry_clear(e);
		return rv;
	}
	e->hash = h;
	return PDP_OK;
}

// lookup finds the session of token `text`, opening it on a miss.
static int
lookup(pdp_creds_cache *c, const char *text, int64_t now, centry **out)
{
	size_t len = strlen(text);
	uint64_t h = XXH3_64bits(text, len);
	uint32_t mask = c->nslots - 1, start = (uint32_t) h & mask;
	centry *victim = NULL;
	int rv;

	c->tick++;
	for (uint32_t k = 0; k < WINDOW; k++) {
		centry *e = &c->slots[(start + k) & mask];
		if (e->text != NULL && e->hash == h && e->len == len &&
		    memcmp(e->text, text, len) == 0) {
			c->st.hits++;
			e->used = c->tick;
			*out = e;
			return PDP_OK;
		}
		if (victim == NULL || (victim->text != NULL &&
		    (e->text == NULL || e->used < victim->used)))
			victim = e;
	}
	c->st.misses++;
	if (victim->text != NULL) {
		c->st.evictions++;
		entry_clear(victim);
	}
	if ((rv = fill(c, victim, h, text, len, now)) != PDP_OK) {
		c->st.refused++;
		return rv;
	}
	victim->used = c->tick;
	*out = victim;
	return PDP_OK;
}

static int
refuse(pdp_decision *out, int err, const char *reason)
{
	out->effect = PDP_IMPLICIT_DENY;
	out->err = err;
	out->reason = reason;
	return err;
}

// Static reasons for refused tokens, by error.
static const char *
token_reason(int err)
{
	switch (err) {
	case PDP_EEXPIRED:
		return "the session token has expired";
	case PDP_EUNKNOWNKEY:
		return "the session token was sealed under a key this PDP "
		    "does not hold";
	case PDP_EWRONGKEY:
		return "the session token was sealed under a different key";
	case PDP_EVERSION:
		return "the session token's format is not supported";
	case PDP_EPOLICY:
		return "the session's inline policy does not compile";
	case PDP_ENOMEM:
		return "out of memory";
	default:
		return "the session token is invalid (malformed or altered)";
	}
}

// decided reports whether context key `k` is one the credentials decide,
// so that a caller's value for it is ignored. Runs for every key of every
// request: lengths are compared before any case-insensitive comparison.
static bool
decided(const char *k)
{
#define K(s) {s, sizeof(s) - 1}
	static const struct {
		const char *s;
		size_t n;
	} keys[] = {K("principalarn"), K("principalaccount"),
	    K("principaltype"), K("userid"), K("username"),
	    K("tokenissuetime"), K("multifactorauthpresent"),
	    K("multifactorauthage"), K("sourceidentity"),
	    K("principalisawsservice"), K("principalservicename")};
#undef K

	if ((k[0] | 0x20) != 'a' || (k[1] | 0x20) != 'w' ||
	    (k[2] | 0x20) != 's' || k[3] != ':')
		return false;
	k += 4;
	size_t n = strlen(k);
	char c0 = (char) (k[0] | 0x20);
	if (c0 == 'p' && n > 13 && strncasecmp(k, "PrincipalTag/", 13) == 0)
		return true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (n == keys[i].n && c0 == keys[i].s[0] &&
		    strcasecmp(k, keys[i].s) == 0)
			return true;
	return false;
}

// The stack of one request by credentials.
typedef struct frame {
	pdp_request r;
	pdp_context_entry ctx[PDP_CONTEXT_MAX];
	char owner[OWNER_MAX + 1];
	char age[24];
	const char *agev[1];
} frame;

// The MFA keys of a request whose MFA code was just verified.
static const char *const yes[] = {"true"}, *const zero[] = {"0"};
static const pdp_context_entry mfa_now[] = {
	{"aws:MultiFactorAuthPresent", yes, 1, false},
	{"aws:MultiFactorAuthAge", zero, 1, false},
};

// add_context gives f->r the MFA keys of a code just verified (`mfa`),
// then the entries `prep` (but for their MFA key, then), then the
// caller's context without the keys the credentials decide.
static int
add_context(frame *f, const pdp_request *q, bool mfa,
    const pdp_context_entry *prep, uint32_t nprep, pdp_decision *out)
{
	uint32_t n = 0;

	if (q->ncontext > 0 && q->context == NULL)
		return refuse(out, PDP_EINVAL, "context counted but not given");
	for (uint32_t i = 0; mfa && i < 2; i++)
		f->ctx[n++] = mfa_now[i];
	for (uint32_t i = 0; i < nprep && n < PDP_CONTEXT_MAX; i++)
		if (!mfa || strcmp(prep[i].key, mfa_now[0].key) != 0)
			f->ctx[n++] = prep[i];
	for (uint32_t i = 0; i < q->ncontext; i++) {
		const pdp_context_entry *e = &q->context[i];
		if (e->key != NULL && decided(e->key))
			continue;
		if (n == PDP_CONTEXT_MAX)
			return refuse(out, PDP_ETOOBIG, "too many context "
			    "keys with the session's own");
		f->ctx[n++] = *e;
	}
	f->r.context = f->ctx;
	f->r.ncontext = n;
	return PDP_OK;
}

// by_session fills f->r for an ASIA key and its token.
static int
by_session(pdp_creds_cache *c, frame *f, const pdp_creds_caller *who,
    const pdp_request *q, pdp_decision *out)
{
	int64_t now = c->now(c->now_arg);
	centry *e;
	int rv;

	if (who->session_token == NULL)
		return refuse(out, PDP_EINVAL, "temporary credentials (ASIA) "
		    "need their session token");
	if ((rv = lookup(c, who->session_token, now, &e)) != PDP_OK)
		return refuse(out, rv, token_reason(rv));
	const pdp_creds_claims *cl = e->c;
	if (now >= cl->expires)
		return refuse(out, PDP_EEXPIRED, token_reason(PDP_EEXPIRED));
	if (strcmp(cl->access_key_id, who->access_key_id) != 0)
		return refuse(out, PDP_EINVAL, "the session token belongs to "
		    "another access key");
	f->r.principal = cl->arn;
	if (cl->type == PDP_CREDS_FEDERATED_USER)
		f->r.parent = cl->policy_arn;
	f->r.principal_id = e->principal_id;
	f->r.session_bundle = e->session;
	f->r.session_policies = cl->policy_arns;
	f->r.nsession_policies = cl->npolicy_arns;
	if ((rv = add_context(f, q, who->mfa_verified, e->prep, e->nprep,
	    out)) != PDP_OK)
		return rv;
	if (e->mfa_age && !who->mfa_verified) {
		// Seconds since the MFA authentication, as of this request.
		int64_t age = now > cl->mfa_time ? now - cl->mfa_time : 0;
		if (f->r.ncontext == PDP_CONTEXT_MAX)
			return refuse(out, PDP_ETOOBIG, "too many context "
			    "keys with the session's own");
		snprintf(f->age, sizeof(f->age), "%lld", (long long) age);
		f->agev[0] = f->age;
		pdp_context_entry *a = &f->ctx[f->r.ncontext++];
		a->key = "aws:MultiFactorAuthAge";
		a->values = f->agev;
		a->nvalues = 1;
		a->multi = false;
	}
	return PDP_OK;
}

// by_key fills f->r for a long-term AKIA key from the bundle's table.
static int
by_key(const pdp_bundle *b, frame *f, const pdp_creds_caller *who,
    const pdp_request *q, pdp_decision *out)
{
	const char *owner;
	size_t n;
	bool active;

	if (who->session_token != NULL)
		return refuse(out, PDP_EINVAL, "long-term access keys (AKIA) "
		    "have no session token");
	if (b == NULL)
		return refuse(out, PDP_ENOENT, "no bundle loaded");
	if (pdp_bundle_access_key(b, who->access_key_id,
	    strlen(who->access_key_id), &owner, &n, &active) != PDP_OK)
		return refuse(out, PDP_ENOENT, "unknown access key");
	if (!active)
		return refuse(out, PDP_EINACTIVE, "the access key is "
		    "inactive");
	if (n > OWNER_MAX)
		return refuse(out, PDP_ETOOBIG, "principal too long");
	memcpy(f->owner, owner, n);
	f->owner[n] = '\0';
	f->r.principal = f->owner;
	return add_context(f, q, who->mfa_verified, NULL, 0, out);
}

int
pdp_creds_authorize(pdp_creds_cache *c, const pdp_bundle *b,
    const pdp_creds_caller *who, const pdp_request *q, pdp_decision *out,
    pdp_explanation *ex)
{
	frame f;
	int rv;

	memset(out, 0, sizeof(*out));
	out->revision = b ? pdp_bundle_revision(b) : 0;
	if (ex != NULL)
		memset(ex, 0, sizeof(*ex));
	if (c == NULL || who == NULL || who->access_key_id == NULL ||
	    q == NULL)
		return refuse(out, PDP_EINVAL, "request lacks credentials");
	if (q->principal != NULL || q->session_policy != NULL ||
	    q->nsession_policies > 0 || q->session_bundle != NULL ||
	    q->parent != NULL || q->principal_id != NULL)
		return refuse(out, PDP_EINVAL, "a request named by credentials "
		    "names no principal or session policy of its own");
	f.r = *q;
	if (has_prefix(who->access_key_id, "ASIA"))
		rv = by_session(c, &f, who, q, out);
	else if (has_prefix(who->access_key_id, "AKIA"))
		rv = by_key(b, &f, who, q, out);
	else
		rv = refuse(out, PDP_EINVAL, "not an access key id (AKIA... "
		    "or ASIA...)");
	if (rv != PDP_OK)
		return rv;
	return pdp_bundle_authorize(b, &f.r, out, ex);
}
