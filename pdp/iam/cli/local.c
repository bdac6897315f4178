// local.c - the in-process transport of the iam command: the service on
// a store file, with its store key in PATH.key (iams_keyfile_load). The
// caller is whoever --as names: holding the store file is holding root.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "iams_auth.h"
#include "transport.h"

static int
local_call(void *arg, const char *caller, const char *op,
    const json_t *params, json_t **resp, iams_error *err)
{
	return iams_call(arg, caller, op, params, resp, err);
}

static void
local_close(void *arg)
{
	iams_service_close(arg);
}

static const char *aws_managed;

void
iam_local_aws_managed(const char *path)
{
	aws_managed = path;
}

int
iam_local_open(const char *path, bool create, iam_transport *t, char *err,
    size_t errlen)
{
	uint8_t key[IAMS_KEY_LEN];
	iams_options opt = {.store_key = key, .aws_managed = aws_managed};
	iams_service *s;
	int rv;

	if (!create && access(path, F_OK) != 0) {
		snprintf(err, errlen, "%s: no store (iam init creates one)",
		    path);
		return PDP_ENOENT;
	}
	if ((rv = iams_keyfile_load(path, create, key, err, errlen)) !=
	    PDP_OK)
		return rv;
	rv = iams_service_open(path, &opt, &s, err, errlen);
	OPENSSL_cleanse(key, sizeof(key));
	if (rv != PDP_OK)
		return rv;
	memset(t, 0, sizeof(*t));
	t->arg = s;
	t->call = local_call;
	t->close = local_close;
	t->service = s;
	return PDP_OK;
}
