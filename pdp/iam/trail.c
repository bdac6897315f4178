// trail.c - the audit trail: one CloudTrail event per call of the IAM,
// STS and CloudTrail APIs (pdp/iam/README.md, "The audit trail"), kept
// in the store, and CloudTrail's LookupEvents over it.

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "iamsi.h"
#include "value.h"

#define TRAIL_KEEP (90 * 86400)   // AWS's event history: 90 days
#define TRAIL_PRUNE_EVERY 3600    // seconds between two prunes
#define LOOKUP_MAX 50             // MaxResults' bound and default

static const char hidden[] = "HIDDEN_DUE_TO_SECURITY_REASONS";

// Request fields that carry a secret: recorded as `hidden`, as AWS
// records passwords.
static const char *const secret_request[] = {
	"Password", "OldPassword", "NewPassword", "AuthenticationCode1",
	"AuthenticationCode2", "TokenCode", NULL,
};

// Response fields that carry a secret: left out (a virtual MFA
// device's seed is in its Base32StringSeed, QRCodePNG and OtpauthURI).
static const char *const secret_response[] = {
	"SecretAccessKey", "SessionToken", "Password", "Base32StringSeed",
	"QRCodePNG", "OtpauthURI", NULL,
};

static bool
listed(const char *const *list, const char *key)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcasecmp(list[i], key) == 0)
			return true;
	return false;
}

// scrub copies a request's or response's JSON with CloudTrail's field
// names (the first letter lower case: "userName") and without secrets.
static json_t *
scrub(const json_t *v, bool request)
{
	if (json_is_array(v)) {
		json_t *a = json_array();
		size_t i;
		const json_t *x;
		json_array_foreach(v, i, x)
			json_array_append_new(a, scrub(x, request));
		return a;
	}
	if (!json_is_object(v))
		return json_deep_copy(v);
	json_t *o = json_object();
	const char *k;
	const json_t *x;
	json_object_foreach((json_t *) v, k, x) {
		char name[128];
		snprintf(name, sizeof(name), "%s", k);
		if (name[0] >= 'A' && name[0] <= 'Z')
			name[0] = (char) (name[0] - 'A' + 'a');
		if (!listed(request ? secret_request : secret_response, k))
			json_object_set_new(o, name, scrub(x, request));
		else if (request)
			json_object_set_new(o, name, json_string(hidden));
	}
	return o;
}

bool
iamsi_trail_read_only(const char *op)
{
	static const char *const verbs[] = {
		"Get", "List", "Lookup", "Simulate", "Decode",
	};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncmp(op, verbs[i], strlen(verbs[i])) == 0)
			return true;
	return false;
}

// uuid writes a random (version 4) UUID.
static void
uuid(char out[37])
{
	unsigned char r[16];

	// A failing RNG is fatal, as for every other id.
	if (RAND_bytes(r, sizeof(r)) != 1)
		abort();
	r[6] = (unsigned char) ((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char) ((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

static const char *
last_part(const char *arn)
{
	const char *p = strrchr(arn, '/');

	return p ? p + 1 : arn;
}

// session_identity is userIdentity of a caller with temporary
// credentials; *username gets LookupEvents' Username.
static json_t *
session_identity(iamsi_ctx *c, const char **username)
{
	const pdp_creds_claims *g = c->session;
	bool root = g->type == PDP_CREDS_SESSION_TOKEN && c->root;
	const char *type = g->type == PDP_CREDS_ASSUMED_ROLE ? "AssumedRole" :
	    g->type == PDP_CREDS_FEDERATED_USER ? "FederatedUser" :
	    root ? "Root" : "IAMUser";
	json_t *u = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type,
	    "principalId", g->user_id, "arn", g->arn, "accountId", c->account,
	    "accessKeyId", g->access_key_id);
	json_t *ctx = json_pack("{s:{s:o, s:s}}", "attributes",
	    "creationDate", iamsi_date(g->issued), "mfaAuthenticated",
	    g->mfa ? "true" : "false");

	*username = root ? "root" : last_part(g->arn);
	if (g->type == PDP_CREDS_SESSION_TOKEN && !root)
		json_object_set_new(u, "userName", json_string(*username));
	if (g->type != PDP_CREDS_SESSION_TOKEN) {
		// The role (or the user who federated) the session came from.
		char issuer_id[160];
		bool role = g->type == PDP_CREDS_ASSUMED_ROLE;
		snprintf(issuer_id, sizeof(issuer_id), "%s", g->user_id);
		char *colon = strchr(issuer_id, ':');
		if (role && colon != NULL)
			*colon = '\0';
		json_t *is = json_pack("{s:s, s:s, s:s, s:s}", "type",
		    role ? "Role" : "IAMUser", "arn", g->policy_arn,
		    "accountId", c->account, "userName",
		    last_part(g->policy_arn));
		// A role's unique id leads a session's aws:userid; a
		// federated user's has the account id there instead, and its
		// issuer's id is the store's (none once the user is gone).
		iams_entity e;
		memset(&e, 0, sizeof(e));
		if (role)
			json_object_set_new(is, "principalId",
			    json_string(issuer_id));
		else if (strstr(g->policy_arn, ":user/") != NULL &&
		    iams_store_entity_get(c->st, c->account, IAMS_USER,
		    last_part(g->policy_arn), &e) == PDP_OK) {
			if (e.uid != NULL)
				json_object_set_new(is, "principalId",
				    json_string(e.uid));
			iams_entity_fini(&e);
		}
		json_object_set_new(ctx, "sessionIssuer", is);
	}
	if (g->source_identity != NULL)
		json_object_set_new(ctx, "sourceIdentity",
		    json_string(g->source_identity));
	json_object_set_new(u, "sessionContext", ctx);
	return u;
}

// identity is the call's userIdentity (inside a transaction: an IAM
// user's unique id is read from the store).
static json_t *
identity(iamsi_ctx *c, const char **username)
{
	json_t *u;

	if (c->session != NULL)
		return session_identity(c, username);
	if (c->root) {
		u = json_pack("{s:s, s:s, s:s, s:s}", "type", "Root",
		    "principalId", c->account, "arn", c->caller, "accountId",
		    c->account);
		*username = "root";
	} else if (c->is_user) {
		iams_entity e;
		memset(&e, 0, sizeof(e));
		// A user who deleted itself has no unique id any more.
		bool found = iams_store_entity_get(c->st, c->account,
		    IAMS_USER, c->user, &e) == PDP_OK;
		u = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "IAMUser",
		    "principalId", found && e.uid ? e.uid : "", "arn",
		    c->caller, "accountId", c->account, "userName", c->user);
		if (found)
			iams_entity_fini(&e);
		*username = c->user;
	} else {
		u = json_pack("{s:s, s:s, s:s}", "type", "Unknown", "arn",
		    c->caller, "accountId", c->account);
		*username = NULL;
	}
	if (c->access_key_id != NULL)
		json_object_set_new(u, "accessKeyId",
		    json_string(c->access_key_id));
	return u;
}

int
iamsi_trail_record(iamsi_ctx *c, const char *op, const char *source,
    bool ok)
{
	const char *username = NULL;
	bool ro = iamsi_trail_read_only(op);
	char id[37];
	int rv;

	if (c->account[0] == '\0')
		return PDP_OK; // no caller to speak of: nothing to record
	uuid(id);
	json_t *u = identity(c, &username);
	const char *akid = json_string_value(json_object_get(u,
	    "accessKeyId"));
	json_t *ev = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s}",
	    "eventVersion", "1.11", "userIdentity", u, "eventTime",
	    iamsi_date(c->now), "eventSource", source, "eventName", op,
	    "awsRegion", IAMSI_REGION);
	if (ev == NULL)
		return PDP_ENOMEM;
	if (!ok) {
		json_object_set_new(ev, "errorCode", json_string(c->err->code));
		json_object_set_new(ev, "errorMessage",
		    json_string(c->err->message));
	}
	json_object_set_new(ev, "requestParameters",
	    json_is_object(c->params) ? scrub(c->params, true) : json_null());
	// As CloudTrail: a read-only call's answer is not recorded, nor a
	// failed call's.
	json_object_set_new(ev, "responseElements", ok && !ro &&
	    json_is_object(c->resp) ? scrub(c->resp, false) : json_null());
	json_object_set_new(ev, "eventID", json_string(id));
	json_object_set_new(ev, "readOnly", json_boolean(ro));
	json_object_set_new(ev, "eventType", json_string("AwsApiCall"));
	json_object_set_new(ev, "managementEvent", json_true());
	json_object_set_new(ev, "recipientAccountId",
	    json_string(c->account));
	json_object_set_new(ev, "eventCategory", json_string("Management"));
	char *text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL) {
		json_decref(ev);
		return PDP_ENOMEM;
	}
	iams_event e = {c->account, c->now, id, op, source, username, akid,
	    ro, text};
	rv = iams_store_event_insert(c->st, &e);
	free(text);
	json_decref(ev);
	// Pruning costs an index seek; once an hour is enough.
	if (rv == PDP_OK && c->now - c->s->trail_pruned >= TRAIL_PRUNE_EVERY) {
		rv = iams_store_event_prune(c->st, c->now - TRAIL_KEEP);
		if (rv == PDP_OK)
			c->s->trail_pruned = c->now;
	}
	return rv;
}

// --- LookupEvents ---------------------------------------------------------------

// The lookup attributes CloudTrail has, and the store's for each (-1:
// one this service does not record).
static const struct {
	const char *key;
	int attr;
} attrs[] = {
	{"EventId", IAMS_EVENT_ID}, {"EventName", IAMS_EVENT_NAME},
	{"ReadOnly", IAMS_EVENT_READ_ONLY}, {"Username", IAMS_EVENT_USERNAME},
	{"EventSource", IAMS_EVENT_SOURCE},
	{"AccessKeyId", IAMS_EVENT_ACCESS_KEY_ID},
	{"ResourceType", -1}, {"ResourceName", -1},
};

// lookup_time reads StartTime or EndTime: Unix seconds, or a date as
// condition operators read one (ISO 8601, "2026-11-28T10:00:00Z", or
// epoch seconds as text). False when present and not a time.
static bool
lookup_time(iamsi_ctx *c, const char *name, int64_t dflt, int64_t *out)
{
	const json_t *v = json_object_get(c->params, name);
	pdpi_date d;

	*out = dflt;
	if (v == NULL)
		return true;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_string(v) && pdpi_parse_date(json_string_value(v),
	    json_string_length(v), &d)) {
		*out = d.sec;
		return true;
	}
	iamsi_fail(c, "ValidationException", "%s must be a timestamp", name);
	return false;
}

// lookup_attr reads LookupAttributes: at most one {AttributeKey,
// AttributeValue}, as CloudTrail allows.
static bool
lookup_attr(iamsi_ctx *c, iams_event_query *q)
{
	const json_t *la = json_object_get(c->params, "LookupAttributes");

	q->attr = IAMS_EVENT_ALL;
	if (la == NULL || (json_is_array(la) && json_array_size(la) == 0))
		return true;
	if (!json_is_array(la) || json_array_size(la) > 1) {
		iamsi_fail(c, "InvalidLookupAttributesException", "Only one "
		    "lookup attribute is allowed");
		return false;
	}
	const json_t *a = json_array_get(la, 0);
	const char *k = json_string_value(json_object_get(a, "AttributeKey"));
	const char *v = json_string_value(json_object_get(a,
	    "AttributeValue"));
	for (size_t i = 0; k != NULL && i < sizeof(attrs) / sizeof(attrs[0]);
	    i++) {
		if (strcmp(attrs[i].key, k) != 0)
			continue;
		if (attrs[i].attr < 0) {
			iamsi_fail(c, "InvalidLookupAttributesException",
			    "%s is not recorded by this service", k);
			return false;
		}
		if (v == NULL || v[0] == '\0' || strlen(v) > 2000 ||
		    (attrs[i].attr == IAMS_EVENT_READ_ONLY &&
		    strcmp(v, "true") != 0 && strcmp(v, "false") != 0)) {
			iamsi_fail(c, "InvalidLookupAttributesException",
			    "AttributeValue of %s is not valid", k);
			return false;
		}
		q->attr = (iams_event_attr) attrs[i].attr;
		q->value = v;
		return true;
	}
	iamsi_fail(c, "InvalidLookupAttributesException", "AttributeKey "
	    "must be one of EventId, EventName, ReadOnly, Username, "
	    "ResourceType, ResourceName, EventSource or AccessKeyId");
	return false;
}

typedef struct page {
	json_t *events;
	uint32_t n, max;
	int64_t last_time, last_seq;
	bool more;
} page;

static int
add_event(void *arg, int64_t seq, int64_t time, const char *record)
{
	page *p = arg;

	if (p->n == p->max) {
		p->more = true;
		return PDP_OK;
	}
	json_t *r = json_loads(record, 0, NULL);
	if (r == NULL)
		return PDP_ECORRUPT;
	json_t *u = json_object_get(r, "userIdentity");
	const char *username = json_string_value(json_object_get(u,
	    "userName"));
	const char *type = json_string_value(json_object_get(u, "type"));
	const char *arn = json_string_value(json_object_get(u, "arn"));
	if (type != NULL && strcmp(type, "Root") == 0)
		username = "root";
	else if (username == NULL && arn != NULL && type != NULL &&
	    strcmp(type, "Unknown") != 0)
		username = last_part(arn);
	json_t *e = json_pack("{s:O, s:O, s:s}", "EventId",
	    json_object_get(r, "eventID"), "EventName",
	    json_object_get(r, "eventName"), "ReadOnly",
	    json_is_true(json_object_get(r, "readOnly")) ? "true" : "false");
	const json_t *akid = json_object_get(u, "accessKeyId");
	if (akid != NULL)
		json_object_set(e, "AccessKeyId", (json_t *) akid);
	json_object_set(e, "EventTime", json_object_get(r, "eventTime"));
	json_object_set(e, "EventSource", json_object_get(r, "eventSource"));
	if (username != NULL)
		json_object_set_new(e, "Username", json_string(username));
	json_object_set_new(e, "Resources", json_array());
	json_object_set_new(e, "CloudTrailEvent", json_string(record));
	json_decref(r);
	json_array_append_new(p->events, e);
	p->n++;
	p->last_time = time;
	p->last_seq = seq;
	return PDP_OK;
}

// LookupEvents: the caller's account's events, newest first.
static int
lookup_events(iamsi_ctx *c)
{
	iams_event_query q;
	int64_t max;
	int rv;

	memset(&q, 0, sizeof(q));
	if (!iamsi_authorize(c, "cloudtrail:LookupEvents", "*", NULL))
		return PDP_EINVAL;
	if (!lookup_attr(c, &q) ||
	    !lookup_time(c, "StartTime", c->now - TRAIL_KEEP, &q.start) ||
	    !lookup_time(c, "EndTime", c->now, &q.end) ||
	    !iamsi_int(c, "MaxResults", LOOKUP_MAX, &max))
		return PDP_EINVAL;
	if (q.start > q.end)
		return iamsi_fail(c, "InvalidTimeRangeException", "StartTime "
		    "must be before EndTime");
	if (max < 1 || max > LOOKUP_MAX)
		return iamsi_fail(c, "InvalidMaxResultsException",
		    "MaxResults must be from 1 to %d", LOOKUP_MAX);
	// NextToken: the time and sequence number of the last event given,
	// 32 hex digits.
	bool bad = false;
	const char *token = iamsi_str(c, "NextToken", &bad);
	q.before_time = INT64_MAX;
	q.before_seq = INT64_MAX;
	if (bad)
		return PDP_EINVAL;
	if (token != NULL) {
		char rest;
		if (strlen(token) != 32 || strspn(token, "0123456789abcdef") !=
		    32 || sscanf(token, "%16" SCNx64 "%16" SCNx64 "%c",
		    (uint64_t *) &q.before_time, (uint64_t *) &q.before_seq,
		    &rest) != 2)
			return iamsi_fail(c, "InvalidNextTokenException",
			    "Invalid NextToken");
	}
	q.account = c->account;
	q.max = (uint32_t) max + 1;
	page p = {json_array(), 0, (uint32_t) max, 0, 0, false};
	rv = iams_store_event_list(c->st, &q, add_event, &p);
	if (rv != PDP_OK) {
		json_decref(p.events);
		return iamsi_store_fail(c, rv, NULL);
	}
	json_object_set_new(c->resp, "Events", p.events);
	if (p.more) {
		char next[33];
		snprintf(next, sizeof(next), "%016" PRIx64 "%016" PRIx64,
		    (uint64_t) p.last_time, (uint64_t) p.last_seq);
		json_object_set_new(c->resp, "NextToken", json_string(next));
	}
	return PDP_OK;
}

const iamsi_op iamsi_ops_trail[] = {
	{"LookupEvents", lookup_events, false},
	{NULL, NULL, false},
};
