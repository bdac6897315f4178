// totp.c - HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1 from
// OpenSSL, and base32 (RFC 4648), for the IAM service's MFA devices
// (ops_mfa.c). Codes are computed, never stored; seeds are the caller's.

#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "totp.h"

static const uint32_t pow10[] = {1000000, 10000000, 100000000};

bool
iams_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits,
    uint32_t *code)
{
	uint8_t msg[8], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (digits < 6 || digits > 8 || keylen == 0 || keylen > INT_MAX)
		return false;
	for (int i = 7; i >= 0; i--) {
		msg[i] = (uint8_t) (counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int) keylen, msg, sizeof(msg), md,
	    &mdlen) == NULL || mdlen != 20)
		return false;
	// Dynamic truncation: the low nibble of the last byte picks four
	// bytes; the top bit is dropped so signed and unsigned readers agree.
	unsigned off = md[19] & 0x0f;
	uint32_t bin = (uint32_t) (md[off] & 0x7f) << 24 |
	    (uint32_t) md[off + 1] << 16 | (uint32_t) md[off + 2] << 8 |
	    (uint32_t) md[off + 3];
	*code = bin % pow10[digits - 6];
	OPENSSL_cleanse(md, sizeof(md));
	return true;
}

int64_t
iams_totp_step(int64_t t)
{
	// C division truncates toward zero; RFC 6238 floors.
	return t >= 0 ? t / IAMS_TOTP_PERIOD :
	    -((-t + IAMS_TOTP_PERIOD - 1) / IAMS_TOTP_PERIOD);
}

bool
iams_totp(const uint8_t *key, size_t keylen, int64_t step, int digits,
    uint32_t *code)
{
	if (step < 0)
		return false;
	return iams_hotp(key, keylen, (uint64_t) step, digits, code);
}

void
iams_otp_format(uint32_t code, int digits, char *out)
{
	snprintf(out, (size_t) digits + 1, "%0*u", digits, (unsigned) code);
}

// --- base32 ---------------------------------------------------------------------

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t
iams_base32_encode(const uint8_t *in, size_t n, char *out, size_t outlen)
{
	size_t len = (n * 8 + 4) / 5, k = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (n == 0 || outlen < len + 1) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[k++] = alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[k++] = alphabet[(acc << (5 - bits)) & 31];
	out[k] = '\0';
	return k;
}

// symbol returns the value of base32 character ch, -1 for a separator
// to skip, -2 for padding, -3 for anything else.
static int
symbol(char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch = (char) (ch - 'a' + 'A');
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= '2' && ch <= '7')
		return ch - '2' + 26;
	if (ch == ' ' || ch == '-' || ch == '\t' || ch == '\n' || ch == '\r')
		return -1;
	return ch == '=' ? -2 : -3;
}

bool
iams_base32_decode(const char *in, uint8_t *out, size_t outlen, size_t *n)
{
	size_t k = 0, symbols = 0;
	uint32_t acc = 0;
	int bits = 0;
	bool padded = false;

	for (; *in; in++) {
		int v = symbol(*in);
		if (v == -1)
			continue;
		if (v == -2) {
			padded = true;
			continue;
		}
		if (v < 0 || padded)
			return false;
		symbols++;
		acc = (acc << 5 | (uint32_t) v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (k == outlen)
				return false;
			out[k++] = (uint8_t) (acc >> bits);
		}
	}
	// A last group of 1, 3 or 6 symbols cannot come from whole bytes.
	switch (symbols % 8) {
	case 1:
	case 3:
	case 6:
		return false;
	default:
		break;
	}
	*n = k;
	return true;
}
