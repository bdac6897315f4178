// totp.h - one-time passwords for MFA devices: HOTP (RFC 4226) with
// HMAC-SHA-1, TOTP (RFC 6238) on top of it, and the base32 text (RFC
// 4648) that carries seeds. Pure functions: no store, no clock, no
// allocation; the caller passes the time and keeps the seed.
//
//   uint8_t key[64];
//   size_t n;
//   iams_base32_decode("GEZDGNBVGY3TQOJQ", key, sizeof(key), &n);
//   uint32_t code;
//   iams_totp(key, n, iams_totp_step(time(NULL)), 6, &code);
//   char text[9];
//   iams_otp_format(code, 6, text);         // "123456"

#ifndef IAMS_TOTP_H
#define IAMS_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IAMS_TOTP_PERIOD 30 // seconds per step (RFC 6238's X)
#define IAMS_TOTP_DIGITS 6  // what AWS's devices show

// iams_hotp sets *code to HOTP(key, counter) (RFC 4226 section 5.3):
// HMAC-SHA-1 of the 8-byte big-endian counter, dynamic truncation, then
// modulo 10^digits. `digits` is 6 to 8. False when `digits` is out of
// range or OpenSSL fails (*code untouched).
bool iams_hotp(const uint8_t *key, size_t keylen, uint64_t counter,
    int digits, uint32_t *code);

// iams_totp_step returns RFC 6238's T for Unix time `t` (T0 = 0, X = 30
// s): floor(t / 30), so that a time before 1970 gives a negative step.
int64_t iams_totp_step(int64_t t);

// iams_totp is HOTP with the step as counter (RFC 6238 section 4). A
// negative step has no code: false.
bool iams_totp(const uint8_t *key, size_t keylen, int64_t step,
    int digits, uint32_t *code);

// iams_otp_format writes `code` as `digits` decimal digits, zero-padded
// ("007081"), into out (at least digits + 1 bytes).
void iams_otp_format(uint32_t code, int digits, char *out);

// iams_base32_encode writes `n` bytes as RFC 4648 base32 (upper case, no
// '=' padding) and a NUL into out, which holds outlen bytes. Returns the
// number of characters, or 0 when out is too small (n 0 also gives 0).
size_t iams_base32_encode(const uint8_t *in, size_t n, char *out,
    size_t outlen);

// iams_base32_decode reads base32 text as people and tokens' seed files
// write it: either case, with or without '=' padding, spaces and '-'
// between groups ignored. Sets *n to the bytes written to out (outlen
// bytes). False, with out's contents unspecified, on a character outside
// the alphabet, a '=' followed by a symbol, a length no encoder makes
// (1, 3 or 6 symbols in the last group), or more bytes than outlen.
bool iams_base32_decode(const char *in, uint8_t *out, size_t outlen,
    size_t *n);

#endif // IAMS_TOTP_H
