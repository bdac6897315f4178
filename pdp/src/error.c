// error.c - names of errors, effects and policy types.

#include "pdp.h"

const char *
pdp_strerror(int err)
{
	switch (err) {
	case PDP_OK: return "success";
	case PDP_ENOMEM: return "out of memory";
	case PDP_EINVAL: return "invalid argument";
	case PDP_EPOLICY: return "invalid policy document";
	case PDP_ETOOBIG: return "limit exceeded";
	case PDP_ECORRUPT: return "corrupt or truncated data";
	case PDP_EVERSION: return "unsupported format version";
	case PDP_EIO: return "input/output error";
	case PDP_ENOENT: return "no such object";
	case PDP_EPLUGIN: return "plugin failure";
	case PDP_EEXPIRED: return "credentials expired";
	case PDP_EUNKNOWNKEY: return "token sealed under an unknown key";
	case PDP_EWRONGKEY: return "token sealed under a different key";
	case PDP_EINACTIVE: return "inactive access key";
	default: return "unknown error";
	}
}

const char *
pdp_effect_name(pdp_effect e)
{
	switch (e) {
	case PDP_ALLOW: return "Allow";
	case PDP_EXPLICIT_DENY: return "ExplicitDeny";
	default: return "ImplicitDeny";
	}
}

const char *
pdp_policy_type_name(pdp_policy_type t)
{
	switch (t) {
	case PDP_POLICY_IDENTITY: return "identity-based";
	case PDP_POLICY_RESOURCE: return "resource-based";
	case PDP_POLICY_TRUST: return "role trust";
	case PDP_POLICY_SCP: return "service control";
	case PDP_POLICY_RCP: return "resource control";
	case PDP_POLICY_BOUNDARY: return "permissions boundary";
	case PDP_POLICY_SESSION: return "session";
	case PDP_POLICY_AWS_MANAGED: return "identity-based";
	default: return "unknown";
	}
}
