// pdpclient.h - a small synchronous client of pdpd (proto/README.md), for
// tests, pdpbench and programs that embed a client.
//
// A client is one nng REQ socket dialed to one URL. Calls are
// synchronous and serve one thread at a time: open one client per thread
// (or drive contexts yourself with the codec in wire.h, as pdpbench
// does). Every reply is decoded into a pdpw_reply whose strings live
// until the client's next call.

#ifndef PDPCLIENT_H
#define PDPCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

typedef struct pdpc_client pdpc_client;

// pdpc_open creates a client of the server at `url` (ipc:// or tcp://).
// The dial proceeds in the background, so the server may start later;
// each call waits at most `timeout_ms` (0: 5000) for its reply. Returns
// PDPW_OK, or PDPW_ETRANSPORT / PDPW_ENOMEM with `err` set.
int pdpc_open(const char *url, int timeout_ms, pdpc_client **out,
    char *err, size_t errlen);

// pdpc_close closes the client. close(NULL) is a no-op.
void pdpc_close(pdpc_client *c);

// Each call below sends one request and decodes the reply into *out.
// Returns PDPW_OK when a reply arrived and decoded: the server's own
// status is then out->status (for a batch, each result's status too).
// Otherwise returns PDPW_ETRANSPORT (no reply: down, timeout) or a
// decode status, and *out says the same (status set, decision a deny);
// pdpc_errmsg has the detail. Never reads an error as an Allow.
int pdpc_authorize(pdpc_client *c, const pdpw_authz *r, pdpw_reply *out);
int pdpc_explain(pdpc_client *c, const pdpw_authz *r, pdpw_reply *out);
int pdpc_batch(pdpc_client *c, const pdpw_authz *v, uint32_t n,
    pdpw_reply *out);
int pdpc_health(pdpc_client *c, pdpw_reply *out);
int pdpc_stats(pdpc_client *c, pdpw_reply *out);
int pdpc_reload(pdpc_client *c, pdpw_reply *out);

// pdpc_iam sends an IAM API call (op iam). The caller signs it first
// (iams_sign in pdp/iam/iams_auth.h, or the algorithm of proto/README.md)
// over request id `id`, which this call then sends. With status OK the
// call ran: out->iam holds AWS's response (JSON text) or AWS's error.
int pdpc_iam(pdpc_client *c, uint64_t id, const pdpw_iam *r,
    pdpw_reply *out);

// pdpc_call sends `len` raw bytes as a request (tests send malformed
// ones this way) and decodes the reply as above.
int pdpc_call(pdpc_client *c, const void *msg, size_t len, pdpw_reply *out);

// pdpc_errmsg returns the last call's error text ("" after success).
// Valid until the next call.
const char *pdpc_errmsg(const pdpc_client *c);

#endif // PDPCLIENT_H
