// request.h - an authorization request as the evaluator sees it.
//
// Built by the caller (iamc eval, the library's request API, pdpd) from
// borrowed strings; the evaluator only reads it. Building one allocates
// nothing: every array comes from the caller.

#ifndef PDP_REQUEST_H
#define PDP_REQUEST_H

#include <string.h>

#include "pdpb.h"
#include "program.h"

// Who signed the request.
enum pdpi_who_kind {
	PDPI_WHO_ROOT = 0,         // arn:aws:iam::A:root
	PDPI_WHO_USER = 1,         // arn:aws:iam::A:user/path/name
	PDPI_WHO_ROLE_SESSION = 2, // arn:aws:sts::A:assumed-role/R/S
	PDPI_WHO_FEDUSER = 3,      // arn:aws:sts::A:federated-user/N
	PDPI_WHO_SERVICE = 4,      // "lambda.amazonaws.com"
	PDPI_WHO_ANONYMOUS = 5,    // "anonymous" or "*"
	PDPI_WHO_OTHER = 6,        // another ARN: no IAM identity semantics
};

typedef struct pdpi_who {
	uint8_t kind;        // enum pdpi_who_kind
	bool service_linked; // role path /aws-service-role/ or AWSServiceRoleFor*
	bool canonical;      // a user arn:aws:iam::ACCOUNT:user/NAME (path
	                     // "/", partition aws)
	pdpi_str arn;        // as given ("" for anonymous)
	pdpi_str partition;  // "aws"
	pdpi_str account;    // 12 digits ("" for service, anonymous)
	pdpi_str name;       // user, role, federated user or service name
	pdpi_str path;       // user path, "/..."; "" when unknown
	pdpi_str session;    // role session name
	pdpi_str role_arn;   // sessions: arn:aws:iam::A:role/R (no path),
	                     // the role's own ARN once authorize.c found it
	pdpi_str user_id;    // unique id of the user or role, when known
	                     // (with a pdpi_lazy: pdpi_req_userid)
	pdpi_str parent;     // federated users: the name of the user who
	                     // called GetFederationToken ("" unknown)
} pdpi_who;

// pdpi_who_parse classifies `principal` (an ARN, a service principal
// name or "anonymous") into *who. A role session's role_arn is built into
// buf (cap bytes), unless buf is NULL (authorize.c takes the role's own
// ARN from its record instead).
// Returns false when the text is no principal at all (empty, bad ARN).
bool pdpi_who_parse(pdpi_who *who, const char *principal, size_t n,
    char *buf, size_t cap);

// One context key with its values. Keys are matched case-insensitively.
typedef struct pdpi_ckey {
	pdpi_str key;          // as given (any case)
	bool multi;            // given as a list (a multivalued key)
	uint32_t nvals;
	const pdpi_str *vals;  // nvals strings
} pdpi_ckey;

// The keys a bundle interns to slots (bundle.c builds the table at load):
// every key a condition or a policy variable names, folded, up to
// PDPI_KEY_SLOTS of them; keys past that are searched for instead.
#define PDPI_KEY_SLOTS 1024

typedef struct pdpi_keytab {
	uint32_t n;            // slots
	const pdpi_str *key;   // the folded key of each slot
	const uint64_t *hash;  // its pdpi_key_hash
	uint64_t lens[2];      // bit n: a key of n bytes (n < 128) has a
	                       // slot; longer keys are always looked up
	uint32_t mask;         // index size - 1 (the size a power of two)
	const uint32_t *index; // slot + 1 from hash & mask on, probed
	                       // linearly; 0 ends a probe
} pdpi_keytab;

// pdpi_key_hash hashes a context key so that keys equal ignoring case
// (pdpi_eq_fold) hash alike: folding only ever adds 0x20 to a byte, so
// the hash sees every byte with that bit set. It reads the length and the
// first and last eight bytes: cheap, and a collision only costs a
// comparison.
static inline uint64_t
pdpi_key_hash(const char *p, size_t n)
{
	uint64_t a = 0, z = 0;

	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&z, p + n - 8, 8);
	} else {
		for (size_t i = 0; i < n; i++)
			a |= (uint64_t) (unsigned char) p[i] << (8 * i);
	}
	a |= 0x2020202020202020ull;
	z |= 0x2020202020202020ull;
	uint64_t h = (a ^ (uint64_t) n * 0x9e3779b97f4a7c15ull) *
	    0xbf58476d1ce4e5b9ull;
	return pdpb_fmix64(h ^ z * 0x94d049bb133111ebull);
}

// pdpi_keytab_find returns the slot of `key` (any case), or PDPI_NO_SLOT.
uint32_t pdpi_keytab_find(const pdpi_keytab *t, const char *key, size_t n);

// pdpi_key_class says where a folded key may come from besides the
// request's context (enum pdpi_key_class).
uint8_t pdpi_key_class(pdpi_str key);

#define PDPI_TAGS_MAX 64     // principal tags that become context keys
#define PDPI_TAGKEY_MAX 160  // "aws:PrincipalTag/" + a 128-byte tag key
#define PDPI_PTAG "aws:PrincipalTag/"
#define PDPI_PTAG_LEN 17

// The context keys AWS derives from the principal (aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid,
// aws:PrincipalIsAWSService, aws:PrincipalServiceName).
#define PDPI_DERIVED_MAX 8

// What a decision learns about its context only when a condition first
// asks (pdpi_req_key): the request's keys mapped to slots, the values of
// the entries read, the keys derived from the principal and its tags.
// Lives on the decision's stack; pdpi_req points at it.
typedef struct pdpi_lazy {
	const pdpi_keytab *keys;
	// The request's entries (r->ctx), filled from `raw` (the caller's,
	// checked already) when first needed, unless raw is NULL: the keys
	// when the context is mapped, each entry's values when it is read.
	const pdp_context_entry *raw;
	pdpi_ckey *ctx;
	pdpi_str *vals;          // room for the values of ctx
	uint32_t nvals;          // used
	bool mapped;
	uint16_t pos[PDPI_KEY_SLOTS]; // what each slot holds (request.c)
	bool derived;            // derived[] is built
	uint32_t nderived;
	pdpi_ckey dkeys[PDPI_DERIVED_MAX];
	pdpi_str dvals[PDPI_DERIVED_MAX];
	char dbuf[256];
	const pdpb_prinfo *info; // the principal's (NULL: none), in the
	const pdpb_tag *tags;    // bundle, with its tags and strings
	const char *strings;
	bool uid;                // who.user_id is known
	pdpi_str user_id;
	char uidbuf[256];
	pdpi_ckey tkeys[PDPI_TAGS_MAX]; // tag i as a key, once asked for
	pdpi_str tvals[PDPI_TAGS_MAX];
} pdpi_lazy;

typedef struct pdpi_req {
	pdpi_who who;
	pdpi_str action;      // as given ("s3:GetObject")
	pdpi_str svc;         // folded service prefix ("s3")
	pdpi_str aname;       // folded action name ("getobject")
	pdpi_str folded;      // the whole folded action ("s3:getobject")
	pdpi_str resource;    // ARN or "*"
	bool res_arn;         // resource split into rseg/rrest
	pdpi_str rseg[5];     // "arn", partition, service, region, account
	pdpi_str rrest;       // resource part
	pdpi_str resource_account; // account owning the resource ("" unknown)
	uint64_t ahash;       // pdpi_hash of folded
	uint32_t nctx;
	const pdpi_ckey *ctx;
	// Keys the request implies without carrying them: the principal's
	// tags and the keys AWS derives from the principal. Consulted only
	// when ctx lacks the key, so a key the caller gives wins. With `lz`
	// they are found lazily instead (pdpi_req_key); without it, ctx and
	// implied are complete.
	uint32_t nimplied;
	const pdpi_ckey *implied;
	pdpi_lazy *lz;
} pdpi_req;

// pdpi_ctx_find returns the context entry for a key, or NULL: the
// request's own, else an implied one. Case-insensitive; when two entries
// fold alike the first wins. Needs ctx and implied complete (no lz).
const pdpi_ckey *pdpi_ctx_find(const pdpi_req *r, pdpi_str folded_key);

// pdpi_req_userid returns the principal's aws:userid: its unique id
// (AIDA...), or role-id:session-name for a role session; "" unknown.
pdpi_str pdpi_req_userid(const pdpi_req *r);

// What pdpi_lazy.pos says of a slot: nothing yet; the first entry of its
// hash (index + 1), not compared yet; or its answer: an entry of the
// context, a derived key, a tag, or none.
#define PDPI_POS_KIND 0xe000u
#define PDPI_POS_INDEX 0x1fffu
#define PDPI_POS_HASH 0x2000u
#define PDPI_POS_CTX 0x4000u
#define PDPI_POS_DERIVED 0x6000u
#define PDPI_POS_TAG 0x8000u
#define PDPI_POS_NONE 0xa000u

const pdpi_ckey *pdpi_req_key_slow(const pdpi_req *r, pdpi_str folded_key,
    pdpi_keyref ref);

// pdpi_pos_answer reads a slot's answer (pos `p`) into *c; false when
// it has none yet.
static inline bool
pdpi_pos_answer(const pdpi_lazy *lz, uint32_t p, const pdpi_ckey **c)
{
	uint32_t i = p & PDPI_POS_INDEX;

	switch (p & PDPI_POS_KIND) {
	case PDPI_POS_CTX:
		*c = &lz->ctx[i];
		return true;
	case PDPI_POS_DERIVED:
		*c = &lz->dkeys[i];
		return true;
	case PDPI_POS_TAG:
		*c = &lz->tkeys[i];
		return true;
	case PDPI_POS_NONE:
		*c = NULL;
		return true;
	default:
		return false;
	}
}

// pdpi_req_key is pdpi_ctx_find for a key a program names (`ref` set by
// the loader): the same answer, found through r->lz when there is one,
// and read from its slot once found.
static inline const pdpi_ckey *
pdpi_req_key(const pdpi_req *r, pdpi_str folded_key, pdpi_keyref ref)
{
	const pdpi_lazy *lz = r->lz;
	const pdpi_ckey *c;

	if (lz != NULL && lz->mapped && ref.slot < lz->keys->n &&
	    pdpi_pos_answer(lz, lz->pos[ref.slot], &c))
		return c;
	return pdpi_req_key_slow(r, folded_key, ref);
}

// pdpi_req_is_trust_action reports whether the request is authorized by a
// role's trust policy: sts:AssumeRole*, sts:TagSession or
// sts:SetSourceIdentity on an IAM role ARN. Call after the action and
// resource are set.
bool pdpi_req_is_trust_action(const pdpi_req *r);

// pdpi_arn_split splits an ARN on its first five colons. Returns false
// when `s` has fewer than five colons or does not start with "arn:".
bool pdpi_arn_split(const char *s, size_t n, pdpi_str seg[5],
    pdpi_str *rest);

// pdpi_req_set_action splits `action` ("svc:Name") into r->svc and
// r->aname, folded to lower case into buf (at least n bytes). An action
// without a colon gets an empty service and never matches a pattern
// other than "*". Returns false when buf is too small.
bool pdpi_req_set_action(pdpi_req *r, const char *action, size_t n,
    char *buf, size_t cap);

// pdpi_req_set_resource sets r->resource and splits it when it is an
// ARN. resource_account ("" or NULL: derive) is the account that owns the
// resource: by default the ARN's account field, else the principal's.
// Call after r->who is set.
void pdpi_req_set_resource(pdpi_req *r, const char *resource, size_t n,
    const char *resource_account);

// pdpi_req_derive writes up to PDPI_DERIVED_MAX derived keys for `who`
// into out (each with one value taken from vals[i]), building values in
// buf (cap bytes, 256 is enough for any principal of 2048 bytes or less).
// They belong in pdpi_req.implied, where a key the request gives wins.
// Returns the number written.
uint32_t pdpi_req_derive(const pdpi_who *who, pdpi_ckey *out,
    pdpi_str *vals, char *buf, size_t cap);

#endif // PDP_REQUEST_H
