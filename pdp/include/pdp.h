// pdp.h - the public interface of libpdp, iampdp's policy decision point.
//
// libpdp decides AWS IAM authorization requests against compiled policy
// programs. A decision is Allow, ExplicitDeny or ImplicitDeny; it is never
// an error. Anything that goes wrong on the way decides Deny and says why.

#ifndef PDP_H
#define PDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Errors. One enum for the whole project; 0 is success.
typedef enum pdp_err {
	PDP_OK = 0,
	PDP_ENOMEM = 1,   // out of memory
	PDP_EINVAL = 2,   // invalid argument or request
	PDP_EPOLICY = 3,  // invalid policy document
	PDP_ETOOBIG = 4,  // a fixed limit was exceeded
	PDP_ECORRUPT = 5, // corrupt or truncated data
	PDP_EVERSION = 6, // unsupported format version
	PDP_EIO = 7,      // system I/O error
	PDP_ENOENT = 8,   // no such object
	PDP_EPLUGIN = 9,  // a plugin failed
} pdp_err;

// pdp_strerror returns a static, human-readable text for `err`.
const char *pdp_strerror(int err);

// Decisions. The zero value is an implicit deny, so a decision that was
// never written denies.
typedef enum pdp_effect {
	PDP_IMPLICIT_DENY = 0,
	PDP_ALLOW = 1,
	PDP_EXPLICIT_DENY = 2,
} pdp_effect;

// pdp_effect_name returns "Allow", "ExplicitDeny" or "ImplicitDeny".
const char *pdp_effect_name(pdp_effect e);

// Kinds of policy, which decide validation rules and evaluation role.
typedef enum pdp_policy_type {
	PDP_POLICY_IDENTITY = 0, // user, group or role policy (inline or managed)
	PDP_POLICY_RESOURCE = 1, // resource-based policy (bucket, key, queue ...)
	PDP_POLICY_TRUST = 2,    // role trust policy
	PDP_POLICY_SCP = 3,      // service control policy
	PDP_POLICY_RCP = 4,      // resource control policy
	PDP_POLICY_BOUNDARY = 5, // permissions boundary
	PDP_POLICY_SESSION = 6,  // session policy
	PDP_POLICY_AWS_MANAGED = 7, // an AWS managed identity policy (no size quota)
} pdp_policy_type;

// pdp_policy_type_name returns the AWS wording of a policy type, as used
// in access-denied messages ("identity-based", "service control", ...).
const char *pdp_policy_type_name(pdp_policy_type t);

#ifdef __cplusplus
}
#endif

#endif // PDP_H
