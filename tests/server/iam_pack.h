// iam_pack.h - raw iam messages, for the tests that send what a
// well-behaved client never would (a field twice, a wrong type, an
// oversized string).

#ifndef TESTS_SERVER_IAM_PACK_H
#define TESTS_SERVER_IAM_PACK_H

#include <stdint.h>
#include <string.h>

#include <msgpack.h>

static inline void
th_pack_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str_with_body(pk, s, strlen(s));
}

// th_pack_iam_head starts a map of `nmore` fields beyond its first four:
// v 1, op "iam", service "iam" and `action`.
static inline void
th_pack_iam_head(msgpack_packer *pk, const char *action, uint32_t nmore)
{
	msgpack_pack_map(pk, 4 + nmore);
	th_pack_str(pk, "v");
	msgpack_pack_uint32(pk, 1);
	th_pack_str(pk, "op");
	th_pack_str(pk, "iam");
	th_pack_str(pk, "service");
	th_pack_str(pk, "iam");
	th_pack_str(pk, "action");
	th_pack_str(pk, action);
}

#endif // TESTS_SERVER_IAM_PACK_H
