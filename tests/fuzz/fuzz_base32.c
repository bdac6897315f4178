// fuzz_base32.c - libFuzzer target for the base32 decoder that reads MFA
// seeds (pdp/iam/totp.c). Any input that decodes must encode back to
// text that decodes to the same bytes, and give a code as a TOTP key.

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t raw[256], again[256];
	char text[1024], enc[512];
	size_t n, m;
	uint32_t code;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!iams_base32_decode(text, raw, sizeof(raw), &n))
		return 0;
	if (n > sizeof(raw))
		abort();
	if (n == 0)
		return 0;
	if (iams_base32_encode(raw, n, enc, sizeof(enc)) != (n * 8 + 4) / 5 ||
	    !iams_base32_decode(enc, again, sizeof(again), &m) || m != n ||
	    memcmp(raw, again, n) != 0)
		abort();
	if (!iams_totp(raw, n, 1, 6, &code) || code >= 1000000)
		abort();
	return 0;
}
