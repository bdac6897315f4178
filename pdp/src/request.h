// request.h - an authorization request as the evaluator sees it.
//
// Built by the caller (iamc eval, the library's request API, pdpd) from
// borrowed strings; the evaluator only reads it. Building one allocates
// nothing: every array comes from the caller.

#ifndef PDP_REQUEST_H
#define PDP_REQUEST_H

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
	pdpi_str arn;        // as given ("" for anonymous)
	pdpi_str partition;  // "aws"
	pdpi_str account;    // 12 digits ("" for service, anonymous)
	pdpi_str name;       // user, role, federated user or service name
	pdpi_str path;       // user path, "/..."; "" when unknown
	pdpi_str session;    // role session name
	pdpi_str role_arn;   // sessions: arn:aws:iam::A:role/R (no path),
	                     // the role's own ARN once authorize.c found it
	pdpi_str user_id;    // unique id of the user or role, when known
	pdpi_str parent;     // federated users: the name of the user who
	                     // called GetFederationToken ("" unknown)
} pdpi_who;

// pdpi_who_parse classifies `principal` (an ARN, a service principal
// name or "anonymous") into *who. role_arn is built into buf (cap bytes).
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
	uint32_t nctx;
	const pdpi_ckey *ctx;
	// Keys the request implies without carrying them: the principal's
	// tags and the keys AWS derives from the principal. Consulted only
	// when ctx lacks the key, so a key the caller gives wins.
	uint32_t nimplied;
	const pdpi_ckey *implied;
} pdpi_req;

// pdpi_ctx_find returns the context entry for a key, or NULL: the
// request's own, else an implied one. Case-insensitive; when two entries
// fold alike the first wins.
const pdpi_ckey *pdpi_ctx_find(const pdpi_req *r, pdpi_str folded_key);

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

// The context keys AWS derives from the principal (aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid,
// aws:PrincipalIsAWSService, aws:PrincipalServiceName).
#define PDPI_DERIVED_MAX 8

// pdpi_req_derive writes up to PDPI_DERIVED_MAX derived keys for `who`
// into out (each with one value taken from vals[i]), building values in
// buf (cap bytes, 256 is enough for any principal of 2048 bytes or less).
// They belong in pdpi_req.implied, where a key the request gives wins.
// Returns the number written.
uint32_t pdpi_req_derive(const pdpi_who *who, pdpi_ckey *out,
    pdpi_str *vals, char *buf, size_t cap);

#endif // PDP_REQUEST_H
