// keyring.c - the keys that seal session tokens, and the keyring file
// (proto/keyring.md) that carries them to a pdpd that has no IAM store.

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "creds.h"

#define FILE_MAX (64 * 1024) // bytes of a keyring file
#define KEY_B64 44           // base64 characters of a 32-byte key

int
pdpci_errf(int rv, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rv;
}

int
pdp_creds_keyring_alloc(pdp_creds_keyring **out)
{
	pdp_creds_keyring *kr = calloc(1, sizeof(*kr));

	if (kr == NULL)
		return PDP_ENOMEM;
	*out = kr;
	return PDP_OK;
}

void
pdp_creds_keyring_free(pdp_creds_keyring *kr)
{
	if (kr == NULL)
		return;
	OPENSSL_cleanse(kr, sizeof(*kr));
	free(kr);
}

// The key check value tells "sealed under another key with this id" from
// "tampered with": four bytes of an HMAC of a fixed text under the key,
// which says nothing useful about the key itself.
static bool
key_check_value(const uint8_t key[PDP_CREDS_KEY_BYTES],
    uint8_t kcv[PDPCI_KCV_LEN])
{
	static const char text[] = "pdp_creds key check value";
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (HMAC(EVP_sha256(), key, PDP_CREDS_KEY_BYTES,
	    (const uint8_t *) text, sizeof(text) - 1, mac, &n) == NULL ||
	    n < PDPCI_KCV_LEN)
		return false;
	memcpy(kcv, mac, PDPCI_KCV_LEN);
	return true;
}

const pdpci_key *
pdpci_keyring_find(const pdp_creds_keyring *kr, uint32_t id)
{
	for (uint32_t i = 0; i < kr->n; i++)
		if (kr->keys[i].id == id)
			return &kr->keys[i];
	return NULL;
}

int
pdp_creds_keyring_add(pdp_creds_keyring *kr, uint32_t id,
    const uint8_t key[PDP_CREDS_KEY_BYTES])
{
	uint32_t i;

	if (id == 0 || pdpci_keyring_find(kr, id) != NULL)
		return PDP_EINVAL;
	if (kr->n == PDP_CREDS_KEYS_MAX)
		return PDP_ETOOBIG;
	pdpci_key k;
	k.id = id;
	memcpy(k.key, key, PDP_CREDS_KEY_BYTES);
	if (!key_check_value(k.key, k.kcv)) {
		OPENSSL_cleanse(&k, sizeof(k));
		return PDP_EIO;
	}
	// Kept sorted by id: the last key seals.
	for (i = kr->n; i > 0 && kr->keys[i - 1].id > id; i--)
		kr->keys[i] = kr->keys[i - 1];
	kr->keys[i] = k;
	kr->n++;
	OPENSSL_cleanse(&k, sizeof(k));
	return PDP_OK;
}

int
pdp_creds_keyring_generate(pdp_creds_keyring *kr, uint32_t *id)
{
	uint8_t key[PDP_CREDS_KEY_BYTES];
	uint32_t next = kr->n ? kr->keys[kr->n - 1].id + 1 : 1;
	int rv;

	if (next == 0 || kr->n == PDP_CREDS_KEYS_MAX)
		return PDP_ETOOBIG;
	if (RAND_bytes(key, sizeof(key)) != 1)
		return PDP_EIO;
	rv = pdp_creds_keyring_add(kr, next, key);
	OPENSSL_cleanse(key, sizeof(key));
	if (rv == PDP_OK && id != NULL)
		*id = next;
	return rv;
}

int
pdp_creds_keyring_remove(pdp_creds_keyring *kr, uint32_t id)
{
	for (uint32_t i = 0; i < kr->n; i++) {
		if (kr->keys[i].id != id)
			continue;
		memmove(&kr->keys[i], &kr->keys[i + 1],
		    (kr->n - i - 1) * sizeof(kr->keys[0]));
		kr->n--;
		OPENSSL_cleanse(&kr->keys[kr->n], sizeof(kr->keys[0]));
		return PDP_OK;
	}
	return PDP_ENOENT;
}

uint32_t
pdp_creds_keyring_count(const pdp_creds_keyring *kr)
{
	return kr->n;
}

uint32_t
pdp_creds_keyring_signer(const pdp_creds_keyring *kr)
{
	return kr->n ? kr->keys[kr->n - 1].id : 0;
}

uint32_t
pdp_creds_keyring_id(const pdp_creds_keyring *kr, uint32_t i)
{
	return i < kr->n ? kr->keys[i].id : 0;
}

// read_private reads a file that only its owner may read or write.
static int
read_private(const char *path, char *buf, size_t cap, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return pdpci_errf(PDP_EIO, err, errlen, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return pdpci_errf(PDP_EIO, err, errlen,
		    "%s: not a regular file", path);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return pdpci_errf(PDP_EINVAL, err, errlen, "%s: mode %03o: a "
		    "keyring must be readable by its owner only (chmod 600)",
		    path, (unsigned) (st.st_mode & 0777));
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return pdpci_errf(PDP_EIO, err, errlen, "%s: %s", path,
			    strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t) r;
		if (n == cap) {
			close(fd);
			return pdpci_errf(PDP_ECORRUPT, err, errlen,
			    "%s: larger than %d bytes", path, FILE_MAX);
		}
	}
	close(fd);
	*len = n;
	return PDP_OK;
}

// decode_key reads exactly the canonical base64 of a 32-byte key.
static bool
decode_key(const char *s, size_t n, uint8_t key[PDP_CREDS_KEY_BYTES])
{
	unsigned char raw[36], again[KEY_B64 + 1];

	if (n != KEY_B64 || EVP_DecodeBlock(raw, (const unsigned char *) s,
	    KEY_B64) != 33 || s[KEY_B64 - 1] != '=' || s[KEY_B64 - 2] == '=')
		return false;
	memcpy(key, raw, PDP_CREDS_KEY_BYTES);
	bool ok = EVP_EncodeBlock(again, key, PDP_CREDS_KEY_BYTES) == KEY_B64 &&
	    memcmp(again, s, KEY_B64) == 0;
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(again, sizeof(again));
	return ok;
}

// parse_line reads one line of a keyring file into kr; *version is set by
// the header line, which must come first.
static int
parse_line(pdp_creds_keyring *kr, char *line, unsigned lineno, int *version,
    char *err, size_t errlen)
{
	char *save = NULL;
	char *w0 = strtok_r(line, " \t\r", &save);

	if (w0 == NULL || w0[0] == '#')
		return PDP_OK;
	char *w1 = strtok_r(NULL, " \t\r", &save);
	char *w2 = strtok_r(NULL, " \t\r", &save);
	char *w3 = strtok_r(NULL, " \t\r", &save);
	if (*version == 0) {
		if (strcmp(w0, "pdp-keyring") != 0 || w1 == NULL || w2 != NULL)
			return pdpci_errf(PDP_ECORRUPT, err, errlen, "line %u: "
			    "expected \"pdp-keyring 1\"", lineno);
		if (strcmp(w1, "1") != 0)
			return pdpci_errf(PDP_EVERSION, err, errlen, "line %u: "
			    "unknown keyring version %.16s", lineno, w1);
		*version = 1;
		return PDP_OK;
	}
	if (strcmp(w0, "key") != 0 || w1 == NULL || w2 == NULL || w3 != NULL)
		return pdpci_errf(PDP_ECORRUPT, err, errlen, "line %u: expected "
		    "\"key ID BASE64\"", lineno);
	char *end = NULL;
	errno = 0;
	unsigned long id = strtoul(w1, &end, 10);
	if (w1[0] < '1' || w1[0] > '9' || *end != '\0' || errno != 0 ||
	    id > UINT32_MAX)
		return pdpci_errf(PDP_ECORRUPT, err, errlen, "line %u: key id "
		    "must be a number from 1 to 4294967295", lineno);
	uint8_t key[PDP_CREDS_KEY_BYTES];
	if (!decode_key(w2, strlen(w2), key))
		return pdpci_errf(PDP_ECORRUPT, err, errlen, "line %u: key %lu "
		    "is not the base64 of 32 bytes", lineno, id);
	int rv = pdp_creds_keyring_add(kr, (uint32_t) id, key);
	OPENSSL_cleanse(key, sizeof(key));
	if (rv == PDP_EINVAL)
		return pdpci_errf(PDP_ECORRUPT, err, errlen, "line %u: key id "
		    "%lu appears twice", lineno, id);
	if (rv == PDP_ETOOBIG)
		return pdpci_errf(rv, err, errlen, "line %u: more than %d "
		    "keys", lineno, PDP_CREDS_KEYS_MAX);
	return rv == PDP_OK ? PDP_OK : pdpci_errf(rv, err, errlen,
	    "line %u: %s", lineno, pdp_strerror(rv));
}

int
pdp_creds_keyring_load(const char *path, pdp_creds_keyring **out, char *err,
    size_t errlen)
{
	pdp_creds_keyring *kr = NULL;
	char *buf = malloc(FILE_MAX + 1);
	size_t len = 0;
	int rv, version = 0;
	unsigned lineno = 0;

	if (buf == NULL || pdp_creds_keyring_alloc(&kr) != PDP_OK) {
		free(buf);
		return pdpci_errf(PDP_ENOMEM, err, errlen, "out of memory");
	}
	rv = read_private(path, buf, FILE_MAX, &len, err, errlen);
	buf[len] = '\0';
	for (char *line = buf; rv == PDP_OK && line < buf + len;) {
		char *nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		if (strlen(line) != (size_t) ((nl ? nl : buf + len) - line))
			rv = pdpci_errf(PDP_ECORRUPT, err, errlen,
			    "line %u: a NUL byte", lineno);
		else
			rv = parse_line(kr, line, lineno, &version, err,
			    errlen);
		line = nl ? nl + 1 : buf + len;
	}
	if (rv == PDP_OK && version == 0)
		rv = pdpci_errf(PDP_ECORRUPT, err, errlen,
		    "no \"pdp-keyring 1\" line");
	else if (rv == PDP_OK && kr->n == 0)
		rv = pdpci_errf(PDP_ECORRUPT, err, errlen, "no key");
	OPENSSL_cleanse(buf, FILE_MAX + 1);
	free(buf);
	if (rv != PDP_OK) {
		pdp_creds_keyring_free(kr);
		return rv;
	}
	*out = kr;
	return PDP_OK;
}

static bool
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t) w;
	}
	return true;
}

// format_keyring writes the file's text into buf (cap bytes); returns
// its length.
static size_t
format_keyring(const pdp_creds_keyring *kr, char *buf, size_t cap)
{
	size_t n = (size_t) snprintf(buf, cap, "# pdp keyring: the newest key "
	    "(highest id) seals session tokens, every key opens them.\n"
	    "# Keep this file mode 0600. proto/keyring.md.\npdp-keyring 1\n");

	for (uint32_t i = 0; i < kr->n && n < cap; i++) {
		unsigned char b64[KEY_B64 + 1];
		EVP_EncodeBlock(b64, kr->keys[i].key, PDP_CREDS_KEY_BYTES);
		n += (size_t) snprintf(buf + n, cap - n, "key %u %s\n",
		    (unsigned) kr->keys[i].id, (const char *) b64);
		OPENSSL_cleanse(b64, sizeof(b64));
	}
	return n;
}

int
pdp_creds_keyring_save(const pdp_creds_keyring *kr, const char *path,
    char *err, size_t errlen)
{
	size_t plen = strlen(path), cap = 256 + (size_t) kr->n * 64;
	char *tmp = malloc(plen + 16), *text = malloc(cap);
	int fd = -1, rv = PDP_OK;

	if (tmp == NULL || text == NULL) {
		free(tmp);
		free(text);
		return pdpci_errf(PDP_ENOMEM, err, errlen, "out of memory");
	}
	size_t n = format_keyring(kr, text, cap);
	snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
	// mkstemp creates the file with mode 0600.
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0600) != 0 ||
	    !write_all(fd, text, n) || fsync(fd) != 0) {
		rv = pdpci_errf(PDP_EIO, err, errlen, "%s: %s", tmp,
		    strerror(errno));
	}
	if (fd >= 0 && close(fd) != 0 && rv == PDP_OK)
		rv = pdpci_errf(PDP_EIO, err, errlen, "%s: %s", tmp,
		    strerror(errno));
	if (rv == PDP_OK && rename(tmp, path) != 0)
		rv = pdpci_errf(PDP_EIO, err, errlen, "%s: %s", path,
		    strerror(errno));
	if (rv != PDP_OK && fd >= 0)
		unlink(tmp);
	OPENSSL_cleanse(text, cap);
	free(text);
	free(tmp);
	return rv;
}
