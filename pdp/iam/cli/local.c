// local.c - the in-process transport of the iam command: the service on
// a store file, with its store key in PATH.key (32 random bytes, mode
// 0600, created on first use).

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

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

// load_key reads the store key, or makes one when `create`.
static int
load_key(const char *path, bool create, uint8_t key[IAMS_KEY_LEN],
    char *err, size_t errlen)
{
	char kp[4096];
	int fd;

	snprintf(kp, sizeof(kp), "%s.key", path);
	fd = open(kp, O_RDONLY);
	if (fd < 0 && errno == ENOENT && create) {
		fd = open(kp, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || RAND_bytes(key, IAMS_KEY_LEN) != 1 ||
		    write(fd, key, IAMS_KEY_LEN) != IAMS_KEY_LEN ||
		    fsync(fd) != 0) {
			snprintf(err, errlen, "%s: cannot create: %s", kp,
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			return PDP_EIO;
		}
		close(fd);
		return PDP_OK;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", kp, strerror(errno));
		return PDP_EIO;
	}
	ssize_t n = read(fd, key, IAMS_KEY_LEN);
	close(fd);
	if (n != IAMS_KEY_LEN) {
		snprintf(err, errlen, "%s: not a store key", kp);
		return PDP_ECORRUPT;
	}
	return PDP_OK;
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
	if ((rv = load_key(path, create, key, err, errlen)) != PDP_OK)
		return rv;
	rv = iams_service_open(path, &opt, &s, err, errlen);
	memset(key, 0, sizeof(key));
	if (rv != PDP_OK)
		return rv;
	t->arg = s;
	t->call = local_call;
	t->close = local_close;
	return PDP_OK;
}

iams_service *
iam_local_service(iam_transport *t)
{
	return t->arg;
}
