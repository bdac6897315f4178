// keyfile.c - the store key on disk: STORE.key next to the store, 32
// random bytes readable by the store's owner only. The store keeps
// access-key secrets sealed under it; whoever can read both files can
// unseal them, so the key file gets mode 0600 from its creation on.

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "iams_auth.h"

// create_key makes the file with O_EXCL, so two processes creating a
// store at once cannot end up with different keys.
static int
create_key(const char *kp, uint8_t key[IAMS_KEY_LEN], char *err,
    size_t errlen)
{
	int fd = open(kp, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0 || RAND_bytes(key, IAMS_KEY_LEN) != 1 ||
	    write(fd, key, IAMS_KEY_LEN) != IAMS_KEY_LEN || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: cannot create: %s", kp,
		    strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(kp);
		}
		memset(key, 0, IAMS_KEY_LEN);
		return PDP_EIO;
	}
	close(fd);
	return PDP_OK;
}

int
iams_keyfile_load(const char *store_path, bool create,
    uint8_t key[IAMS_KEY_LEN], char *err, size_t errlen)
{
	char kp[4096];
	int fd;

	if (snprintf(kp, sizeof(kp), "%s.key", store_path) >= (int) sizeof(kp)) {
		snprintf(err, errlen, "%s: path too long", store_path);
		return PDP_EIO;
	}
	fd = open(kp, O_RDONLY);
	if (fd < 0 && errno == ENOENT && create)
		return create_key(kp, key, err, errlen);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", kp, strerror(errno));
		return PDP_EIO;
	}
	ssize_t n = read(fd, key, IAMS_KEY_LEN);
	close(fd);
	if (n != IAMS_KEY_LEN) {
		memset(key, 0, IAMS_KEY_LEN);
		snprintf(err, errlen, "%s: not a store key", kp);
		return PDP_ECORRUPT;
	}
	return PDP_OK;
}

const char *
iams_aws_managed_default(void)
{
	if (access(IAM_AWS_MANAGED_INSTALLED, R_OK) == 0)
		return IAM_AWS_MANAGED_INSTALLED;
	if (access(IAM_AWS_MANAGED_SOURCE, R_OK) == 0)
		return IAM_AWS_MANAGED_SOURCE;
	return NULL;
}
