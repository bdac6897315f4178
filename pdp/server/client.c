// client.c - the synchronous pdpd client (pdpclient.h): one REQ socket,
// the shared wire codec, one request at a time.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "pdpclient.h"

struct pdpc_client {
	nng_socket sock;
	pdpw_decoder dec;
	pdpw_encoder enc;
	uint64_t next_id;
	char err[256];
};

// Replies can be much larger than requests (a batch's results); the
// client trusts its server more than the server trusts its clients.
#define CLIENT_MAX_MSG (64u << 20)

int
pdpc_open(const char *url, int timeout_ms, pdpc_client **out, char *err,
    size_t errlen)
{
	pdpc_client *c = calloc(1, sizeof(*c));
	pdpw_limits lim;
	int rv;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return PDPW_ENOMEM;
	}
	pdpw_limits_default(&lim);
	lim.max_msg = CLIENT_MAX_MSG;
	lim.max_batch = 100000;
	lim.max_str = CLIENT_MAX_MSG;
	lim.max_depth = 32;
	if (pdpw_decoder_init(&c->dec, &lim, 64u << 10) != PDPW_OK) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return PDPW_ENOMEM;
	}
	pdpw_encoder_init(&c->enc);
	c->next_id = 1;
	if (timeout_ms <= 0)
		timeout_ms = 5000;
	if ((rv = nng_req0_open(&c->sock)) != 0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO,
	    timeout_ms)) != 0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO,
	    timeout_ms)) != 0 ||
	    (rv = nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ,
	    CLIENT_MAX_MSG)) != 0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_RECONNMINT, 10)) != 0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_RECONNMAXT, 200)) != 0 ||
	    (rv = nng_dial(c->sock, url, NULL, NNG_FLAG_NONBLOCK)) != 0) {
		snprintf(err, errlen, "%s: %s", url, nng_strerror(rv));
		nng_close(c->sock);
		pdpw_decoder_fini(&c->dec);
		pdpw_encoder_fini(&c->enc);
		free(c);
		return PDPW_ETRANSPORT;
	}
	*out = c;
	return PDPW_OK;
}

void
pdpc_close(pdpc_client *c)
{
	if (c == NULL)
		return;
	nng_close(c->sock);
	pdpw_decoder_fini(&c->dec);
	pdpw_encoder_fini(&c->enc);
	free(c);
}

const char *
pdpc_errmsg(const pdpc_client *c)
{
	return c->err;
}

// failed makes *out read as "could not decide" with status rv.
static int
failed(pdpc_client *c, pdpw_reply *out, int rv, const char *what)
{
	memset(out, 0, sizeof(*out));
	out->status = rv;
	out->result.status = rv;
	out->result.decision = PDPW_IMPLICIT_DENY;
	out->error = c->err;
	if (what != c->err)
		snprintf(c->err, sizeof(c->err), "%s", what);
	return rv;
}

int
pdpc_call(pdpc_client *c, const void *msg, size_t len, pdpw_reply *out)
{
	void *buf = NULL;
	size_t n = 0;
	const char *why = NULL;
	int rv;

	c->err[0] = '\0';
	if ((rv = nng_send(c->sock, (void *) msg, len, 0)) != 0) {
		snprintf(c->err, sizeof(c->err), "send: %s", nng_strerror(rv));
		return failed(c, out, PDPW_ETRANSPORT, c->err);
	}
	if ((rv = nng_recv(c->sock, &buf, &n, NNG_FLAG_ALLOC)) != 0) {
		snprintf(c->err, sizeof(c->err), "receive: %s",
		    nng_strerror(rv));
		return failed(c, out, PDPW_ETRANSPORT, c->err);
	}
	// Strings are copied into the decoder's zone: the buffer can go.
	rv = pdpw_decode_reply(&c->dec, buf, n, out, &why);
	nng_free(buf, n);
	if (rv != PDPW_OK) {
		snprintf(c->err, sizeof(c->err), "bad reply: %s", why);
		return failed(c, out, rv, c->err);
	}
	return PDPW_OK;
}

static int
send_encoded(pdpc_client *c, int rv, pdpw_reply *out)
{
	if (rv != PDPW_OK)
		return failed(c, out, rv, "out of memory");
	return pdpc_call(c, c->enc.p, c->enc.n, out);
}

int
pdpc_authorize(pdpc_client *c, const pdpw_authz *r, pdpw_reply *out)
{
	return send_encoded(c, pdpw_encode_authz_req(&c->enc, c->next_id++,
	    PDPW_OP_AUTHORIZE, r), out);
}

int
pdpc_explain(pdpc_client *c, const pdpw_authz *r, pdpw_reply *out)
{
	return send_encoded(c, pdpw_encode_authz_req(&c->enc, c->next_id++,
	    PDPW_OP_EXPLAIN, r), out);
}

int
pdpc_batch(pdpc_client *c, const pdpw_authz *v, uint32_t n, pdpw_reply *out)
{
	return send_encoded(c, pdpw_encode_batch_req(&c->enc, c->next_id++, v,
	    n), out);
}

int
pdpc_health(pdpc_client *c, pdpw_reply *out)
{
	return send_encoded(c, pdpw_encode_simple_req(&c->enc, c->next_id++,
	    PDPW_OP_HEALTH), out);
}

int
pdpc_stats(pdpc_client *c, pdpw_reply *out)
{
	return send_encoded(c, pdpw_encode_simple_req(&c->enc, c->next_id++,
	    PDPW_OP_STATS), out);
}

int
pdpc_reload(pdpc_client *c, pdpw_reply *out)
{
	return send_encoded(c, pdpw_encode_simple_req(&c->enc, c->next_id++,
	    PDPW_OP_RELOAD), out);
}

int
pdpc_iam(pdpc_client *c, uint64_t id, const pdpw_iam *r, pdpw_reply *out)
{
	return send_encoded(c, pdpw_encode_iam_req(&c->enc, id, r), out);
}
