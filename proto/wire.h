// wire.h - the pdpd wire protocol (proto/README.md): msgpack messages over
// nng REQ/REP, their limits, and the codec shared by the server and its
// clients.
//
// The codec depends on libc and msgpack-c only. Decoding runs
// msgpack_unpack into a zone the decoder keeps and clears per message, so
// a message that fits the zone's first chunk costs no heap allocation.
// Every string a decoded message yields is a NUL-terminated copy in that
// zone: the message buffer may be reused as soon as decoding returns.

#ifndef PDPW_WIRE_H
#define PDPW_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define PDPW_VERSION 1u // R-WIRE-001: every message carries "v"

// Operations (R-WIRE-010).
typedef enum pdpw_op {
	PDPW_OP_NONE = 0,
	PDPW_OP_AUTHORIZE = 1,
	PDPW_OP_BATCH = 2, // "authorize_batch"
	PDPW_OP_EXPLAIN = 3,
	PDPW_OP_HEALTH = 4,
	PDPW_OP_STATS = 5,
	PDPW_OP_RELOAD = 6,
	PDPW_OP_IAM = 7, // an IAM (or STS) API call, signed
} pdpw_op;

// Reply statuses. 1 to 15 are libpdp's pdp_err codes with the same
// numbers (the server checks this at compile time); 16 and up belong to
// the wire. A status other than PDPW_OK means "could not decide"; it is
// kept apart from the decision, which is then a deny (R-WIRE-020).
typedef enum pdpw_status {
	PDPW_OK = 0,
	PDPW_ENOMEM = 1,
	PDPW_EINVAL = 2,    // a field is missing, or invalid for libpdp
	PDPW_EPOLICY = 3,
	PDPW_ETOOBIG = 4,   // a limit was exceeded (size, depth, string...)
	PDPW_ECORRUPT = 5,  // a bundle offered on reload is corrupt
	PDPW_EVERSION = 6,  // unknown protocol (or bundle) version
	PDPW_EIO = 7,
	PDPW_ENOENT = 8,    // unknown principal, no bundle
	PDPW_EPLUGIN = 9,
	PDPW_EEXPIRED = 10,    // the session token has expired
	PDPW_EUNKNOWNKEY = 11, // a token sealed under a key pdpd lacks
	PDPW_EWRONGKEY = 12,   // a token sealed under another key of that id
	PDPW_EINACTIVE = 13,   // an inactive access key
	PDPW_EMALFORMED = 16, // not one well-formed msgpack map
	PDPW_ETYPE = 17,      // a field has the wrong type
	PDPW_EOP = 18,        // unknown or missing op
	PDPW_EEMPTY = 19,     // authorize_batch with no request
	PDPW_EDENIED = 20,    // the operation is disabled on this server
	PDPW_EINTERNAL = 21,  // the server failed (never an Allow)
	PDPW_ETRANSPORT = 22, // client side: nng failed or timed out
	PDPW_STATUS_MAX = 23,
} pdpw_status;

// Decisions; the numbers match libpdp's pdp_effect.
typedef enum pdpw_decision {
	PDPW_IMPLICIT_DENY = 0,
	PDPW_ALLOW = 1,
	PDPW_EXPLICIT_DENY = 2,
} pdpw_decision;

// pdpw_status_name returns the wire name of a status ("OK", "ENOENT"...)
// or "E?" for a number outside the table. Static text.
const char *pdpw_status_name(int status);

// pdpw_status_parse maps a status name back to its number; -1 if unknown.
int pdpw_status_parse(const char *name, size_t len);

// pdpw_op_name returns the wire name of an op, NULL for PDPW_OP_NONE.
const char *pdpw_op_name(pdpw_op op);

// pdpw_decision_name returns "Allow", "ExplicitDeny" or "ImplicitDeny".
const char *pdpw_decision_name(int d);

// Limits a decoder enforces (R-WIRE-002 .. R-WIRE-006).
typedef struct pdpw_limits {
	size_t max_msg;       // bytes of one message
	uint32_t max_depth;   // nesting of arrays and maps; the top map is 1
	uint32_t max_str;     // bytes of one string
	uint32_t max_batch;   // requests in one authorize_batch
	uint32_t max_context; // context keys of one request
	uint32_t max_values;  // values of one context key
} pdpw_limits;

#define PDPW_DEFAULT_MAX_MSG (1u << 20)
#define PDPW_DEFAULT_MAX_DEPTH 8u
#define PDPW_DEFAULT_MAX_STR 4096u
#define PDPW_DEFAULT_MAX_BATCH 1000u
#define PDPW_DEFAULT_MAX_CONTEXT 128u
#define PDPW_DEFAULT_MAX_VALUES 256u

// pdpw_limits_default fills *l with the defaults above.
void pdpw_limits_default(pdpw_limits *l);

// --- Messages ---------------------------------------------------------------

// One context key and its values (mirrors pdp_context_entry). A key whose
// value was a msgpack array is multivalued (`multi`).
typedef struct pdpw_ctx {
	const char *key;
	const char *const *values;
	uint32_t nvalues;
	bool multi;
} pdpw_ctx;

// One authorization request. NULL optional strings are absent. After
// decoding, `status` is PDPW_OK, or why this one request cannot be
// decided (a batch item with a wrong field) with `error` saying so.
typedef struct pdpw_authz {
	int status;
	const char *error;
	const char *principal;        // NULL when akid names the caller
	const char *action;
	const char *resource;         // NULL: "*"
	const char *resource_account; // NULL: from the resource ARN
	const char *session_policy;   // NULL: none
	const pdpw_ctx *context;
	uint32_t ncontext;
	const char *akid;             // access key id (AKIA..., ASIA...)
	const char *token;            // the session token of an ASIA key
} pdpw_authz;

// An IAM API call (op "iam"): AWS's service, operation and request
// fields, signed with an access key (proto/README.md, "Signing"). The
// decoder checks types and presence of service, action and params; the
// credential fields may be absent (NULL, timestamp 0), which the server
// answers with AWS's authentication errors.
typedef struct pdpw_iam {
	const char *service;       // "iam" (or "sts")
	const char *action;        // AWS's operation name, "CreateUser"
	const char *params;        // the request fields: JSON text, as signed
	size_t params_len;
	const char *access_key_id;
	const char *session_token; // NULL: none (a long-term key)
	uint64_t timestamp;        // Unix seconds when signed
	const char *signature;     // 64 hex digits
} pdpw_iam;

// A decoded request. `items` holds one request for authorize and
// explain, `nitems` of them for authorize_batch, none otherwise; `iam`
// is set for op iam only.
typedef struct pdpw_request {
	uint32_t version;
	uint64_t id;
	pdpw_op op;
	const pdpw_authz *items;
	uint32_t nitems;
	const pdpw_iam *iam;
} pdpw_request;

// The outcome of one decision, as replies carry it. `reason` (static or
// borrowed text, may be NULL) says why a deny or an error happened.
typedef struct pdpw_result {
	int status;
	int decision; // pdpw_decision
	const char *reason;
} pdpw_result;

// pdpw_result_of fills *r from a decision's error, effect and reason
// (libpdp's error and effect numbers are the wire's): any error is an
// ImplicitDeny, never an Allow (R-WIRE-021), and an Allow carries no
// reason.
static inline void
pdpw_result_of(pdpw_result *r, int err, int effect, const char *reason)
{
	r->status = err;
	r->decision = err == PDPW_OK ? effect : PDPW_IMPLICIT_DENY;
	r->reason = r->decision == PDPW_ALLOW ? NULL : reason;
}

#define PDPW_EXPLAIN_MAX 32

typedef struct pdpw_match {
	const char *policy; // not NUL-terminated in the server: use the lens
	uint32_t policy_len;
	const char *sid;
	uint32_t sid_len;
	uint32_t statement; // index in the policy's Statement list
	int effect;         // PDPW_ALLOW or PDPW_EXPLICIT_DENY
} pdpw_match;

// What decided, as AWS's policy simulator says it.
typedef struct pdpw_explain {
	uint32_t nmatched;
	bool matched_truncated;
	pdpw_match matched[PDPW_EXPLAIN_MAX];
	uint32_t nmissing;
	bool missing_truncated;
	const char *missing[PDPW_EXPLAIN_MAX];
	uint32_t missing_len[PDPW_EXPLAIN_MAX];
	const char *deny_type; // "identity-based" ...; NULL unless a deny
} pdpw_explain;

typedef struct pdpw_health {
	bool serving;       // a bundle is loaded
	uint64_t uptime_ms;
	uint32_t workers;
} pdpw_health;

#define PDPW_LATENCY_QUANTILES 4 // p50, p90, p99, p999

typedef struct pdpw_stats {
	uint64_t uptime_ms;
	uint32_t workers;
	uint64_t requests;     // messages answered
	uint64_t decisions[3]; // by pdpw_decision
	uint64_t errors[PDPW_STATUS_MAX]; // replies and batch items, by status
	uint64_t latency_count;
	uint64_t latency_ns[PDPW_LATENCY_QUANTILES]; // p50 p90 p99 p999
	uint64_t latency_max_ns;
	uint64_t reloads;
	uint64_t reload_failures;
	bool dlog_enabled;
	uint64_t dlog_written;
	uint64_t dlog_dropped; // the queue was full
	uint64_t dlog_sampled_out;
	bool plugins_enabled;
	uint64_t plugin_calls;    // Lua calls: keys and checks
	uint64_t plugin_errors;   // calls that raised an error
	uint64_t plugin_timeouts; // calls stopped by the instruction budget
	uint64_t plugin_memory;   // calls stopped by the memory cap
	uint64_t plugin_denials;  // requests a plugin rule refused
} pdpw_stats;

// The outcome of an IAM call that ran (status OK): AWS's response or
// AWS's error. Exactly one of `result` and `aws_code` is set.
typedef struct pdpw_iam_result {
	const char *result;      // AWS's response, JSON text
	size_t result_len;
	const char *aws_code;    // "NoSuchEntity"
	const char *aws_message;
	uint32_t http_status;    // 200 with a result, AWS's status otherwise
} pdpw_iam_result;

// A decoded reply (client side). Strings live in the decoder's zone
// until the next decode.
typedef struct pdpw_reply {
	uint32_t version;
	uint64_t id;
	pdpw_op op;
	int status;
	const char *error;  // NULL when status is PDPW_OK
	uint64_t revision;  // the bundle that decided; 0 when none
	pdpw_result result; // authorize, explain
	const pdpw_result *results; // authorize_batch
	uint32_t nresults;
	pdpw_explain explain;
	pdpw_health health;
	pdpw_stats stats;
	pdpw_iam_result iam;
} pdpw_reply;

// --- Decoding ---------------------------------------------------------------

typedef struct pdpw_decoder {
	msgpack_zone zone;
	pdpw_limits lim;
	pdpw_authz *items; // max_batch slots, allocated once
	pdpw_result *results;
	pdpw_iam iam;
} pdpw_decoder;

#define PDPW_DEFAULT_ZONE_CHUNK (256u << 10)

// pdpw_decoder_init prepares a decoder with limits `lim` (NULL: the
// defaults) whose zone allocates chunks of `chunk` bytes (0: the
// default); a message needing more than one chunk allocates. Returns
// PDPW_OK or PDPW_ENOMEM. Not thread-safe: one decoder per thread.
int pdpw_decoder_init(pdpw_decoder *d, const pdpw_limits *lim, size_t chunk);

// pdpw_decoder_fini frees what the decoder holds.
void pdpw_decoder_fini(pdpw_decoder *d);

// pdpw_decode_request decodes the request in `len` bytes of `buf` into
// *out, invalidating whatever the previous decode returned. Returns
// PDPW_OK, or the status the reply must carry with *why (static text)
// saying why; even then out->id, out->version and out->op hold what could
// be read. Items of a batch that are unusable do not fail the message:
// their own status says why.
int pdpw_decode_request(pdpw_decoder *d, const void *buf, size_t len,
    pdpw_request *out, const char **why);

// pdpw_decode_reply decodes a reply (clients). Same contract.
int pdpw_decode_reply(pdpw_decoder *d, const void *buf, size_t len,
    pdpw_reply *out, const char **why);

// pdpw_check checks that `len` bytes are exactly one msgpack value within
// the limits: size, depth, string length, and no container claiming more
// elements than bytes remain (so unpacking cannot be made to allocate
// more than a small multiple of the message). The values of the top
// map's "params" and "session_token" keys (op iam: policy documents,
// tokens) are held to the message size only (R-WIRE-004). Returns PDPW_OK,
// PDPW_EMALFORMED or PDPW_ETOOBIG, with *why set on failure.
int pdpw_check(const pdpw_limits *lim, const void *buf, size_t len,
    const char **why);

// --- Encoding ---------------------------------------------------------------

// An encoder packs into a buffer it keeps and reuses: after the first
// messages it allocates only for a reply larger than any before.
typedef struct pdpw_encoder {
	msgpack_packer pk;
	char *p;
	size_t n, cap;
	bool failed; // out of memory while packing
} pdpw_encoder;

// pdpw_encoder_init prepares an empty encoder; fini frees its buffer.
void pdpw_encoder_init(pdpw_encoder *e);
void pdpw_encoder_fini(pdpw_encoder *e);

// pdpw_encoder_reset empties the buffer, keeping its memory.
void pdpw_encoder_reset(pdpw_encoder *e);

// Every pdpw_encode_* below resets the encoder, packs one message and
// returns PDPW_OK or PDPW_ENOMEM; the bytes are e->p, e->n.

// Requests.
int pdpw_encode_authz_req(pdpw_encoder *e, uint64_t id, pdpw_op op,
    const pdpw_authz *r);
int pdpw_encode_batch_req(pdpw_encoder *e, uint64_t id, const pdpw_authz *v,
    uint32_t n);
int pdpw_encode_simple_req(pdpw_encoder *e, uint64_t id, pdpw_op op);
// pdpw_encode_iam_req packs an iam request; `id` must be the id the
// signature covers.
int pdpw_encode_iam_req(pdpw_encoder *e, uint64_t id, const pdpw_iam *r);

// Replies. `op` may be PDPW_OP_NONE when the request's op is unknown.
int pdpw_encode_error(pdpw_encoder *e, uint64_t id, pdpw_op op, int status,
    const char *error, uint64_t revision);
int pdpw_encode_result(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_result *r);
int pdpw_encode_batch(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_result *r, uint32_t n);
int pdpw_encode_explain(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_result *r, const pdpw_explain *x);
int pdpw_encode_health(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_health *h);
int pdpw_encode_stats(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_stats *s);
// pdpw_encode_iam packs the reply of an IAM call that ran (status OK):
// `revision` is the bundle live once the call returned.
int pdpw_encode_iam(pdpw_encoder *e, uint64_t id, uint64_t revision,
    const pdpw_iam_result *r);

#endif // PDPW_WIRE_H
