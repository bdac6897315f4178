// bundle_test.c - opening bundles (pdp/src/bundle.c): a realistic bundle
// opens and decides; every corrupt, truncated or foreign one is refused
// with the right error and a message naming the problem, and never
// crashes the loader (R-BUNDLE-001 .. R-BUNDLE-037, proto/bundle.md).

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "check_main.h"
#include "bundle.h"
#include "fixture.h"
#include "iamc_bundle.h"
#include "pdpb.h"
#include "program.h"
#include "scan.h"

static void *g_data; // the fixture bundle, built once per test case
static size_t g_len;

static void
build_fixture(void)
{
	char err[256] = "";

	if (fx_bundle(0, 42, &g_data, &g_len, err, sizeof(err)) != PDP_OK) {
		fprintf(stderr, "fixture: %s\n", err);
		abort();
	}
}

static void
free_fixture(void)
{
	free(g_data);
	g_data = NULL;
}

static char *
copy(void)
{
	char *b = malloc(g_len);
	ck_assert_ptr_nonnull(b);
	memcpy(b, g_data, g_len);
	return b;
}

// reseal recomputes the checksum as the writer does: xxh3-64 of the
// whole file with the checksum field zeroed. Corruption behind a valid
// checksum must be caught by the structure checks.
static void
reseal(char *b, size_t len)
{
	uint64_t sum = 0;

	if (len < sizeof(pdpb_header))
		return;
	memcpy(b + offsetof(pdpb_header, checksum), &sum, 8);
	sum = XXH3_64bits(b, len);
	memcpy(b + offsetof(pdpb_header, checksum), &sum, 8);
}

static pdpb_header *
hdr(char *b)
{
	return (pdpb_header *) b;
}

static pdpb_section *
dir(char *b)
{
	return (pdpb_section *) (b + ((pdpb_header *) g_data)->directory);
}

static pdpb_section *
section(char *b, uint32_t id)
{
	pdpb_section *d = dir(b);
	for (uint32_t i = 0; i < hdr((char *) g_data)->nsections; i++)
		if (d[i].id == id)
			return &d[i];
	ck_abort_msg("fixture lacks section %u", id);
	return NULL;
}

// rec returns record i of section id (in the bundle's own layout).
static void *
rec(char *b, uint32_t id, size_t size, uint32_t i)
{
	pdpb_section *s = section(b, id);
	ck_assert_msg(i < s->count, "section %u has %u records, wanted %u",
	    id, s->count, i);
	ck_assert_uint_eq(s->size, (size_t) s->count * size);
	return b + s->offset + (size_t) i * size;
}

// try_open opens len bytes of b in memory; on success it closes the
// bundle again. err gets the loader's message.
static int
try_open(const char *b, size_t len, char *err, size_t errlen)
{
	pdp_bundle *bd = NULL;
	int rv;

	err[0] = '\0';
	rv = pdp_bundle_open_mem(b, len, &bd, err, errlen);
	if (rv == PDP_OK) {
		ck_assert_ptr_nonnull(bd);
		pdp_bundle_close(bd);
	}
	return rv;
}

#define expect_reject(b, len, code, text, what) \
	do { \
		char err_[256]; \
		int rv_ = try_open((b), (len), err_, sizeof(err_)); \
		ck_assert_msg(rv_ == (code) && strstr(err_, (text)) != NULL, \
		    "%s: got %d \"%s\", want %d with \"%s\"", (what), rv_, \
		    err_, (code), (text)); \
	} while (0)

START_TEST(test_bundle_fixture_opens_and_decides)
{
	pdp_bundle *b = NULL;
	char err[256] = "";

	ck_assert_int_eq(pdp_bundle_open_mem(g_data, g_len, &b, err,
	    sizeof(err)), PDP_OK);
	ck_assert_uint_eq(pdp_bundle_revision(b), 42);
	ck_assert_uint_eq(pdp_bundle_principals(b), 6);
	ck_assert_uint_eq(fx_check_all(b, 0), 0);
	// References are counted: the bundle outlives one close.
	pdp_bundle_hold(b);
	pdp_bundle_close(b);
	ck_assert_uint_eq(fx_check_all(b, 0), 0);
	pdp_bundle_close(b);
	pdp_bundle_close(NULL);

	// The variant decides differently, under its own revision.
	void *alt;
	size_t alen;
	ck_assert_int_eq(fx_bundle(1, 43, &alt, &alen, err, sizeof(err)),
	    PDP_OK);
	ck_assert_int_eq(pdp_bundle_open_mem(alt, alen, &b, err, sizeof(err)),
	    PDP_OK);
	free(alt);
	ck_assert_uint_eq(pdp_bundle_revision(b), 43);
	ck_assert_uint_eq(fx_check_all(b, 1), 0);
	pdp_bundle_close(b);
}
END_TEST

// A bundle of PDPI_AHEAD_BYTES or more reads batches ahead, and decides
// them as one call each does.
START_TEST(test_bundle_large_bundle_reads_ahead)
{
	pdp_bundle *b = NULL;
	char err[256] = "";
	void *data;
	size_t len;

	ck_assert_int_eq(fx_bundle(2, 44, &data, &len, err, sizeof(err)),
	    PDP_OK);
	ck_assert_int_eq(pdp_bundle_open_mem(data, len, &b, err, sizeof(err)),
	    PDP_OK);
	free(data);
	ck_assert_uint_ge(len, PDPI_AHEAD_BYTES);
	ck_assert(b->ahead);
	ck_assert_uint_eq(fx_check_all(b, 0), 0);
	ck_assert(b->ahead);
	pdp_bundle_close(b);
}
END_TEST

// pdp_bundle_authorize_many with nothing to decide, no bundle, no
// requests or nowhere to answer: every answer a refusal, never a crash.
START_TEST(test_bundle_authorize_many_edges)
{
	pdp_bundle *b = NULL;
	char err[256] = "";
	pdp_decision d[3];
	pdp_request q[3];

	ck_assert_int_eq(pdp_bundle_open_mem(g_data, g_len, &b, err,
	    sizeof(err)), PDP_OK);
	// A small bundle is decided one by one; a large one reads ahead.
	ck_assert(!b->ahead);
	ck_assert_int_eq(pdp_bundle_authorize_many(b, NULL, 0, NULL), PDP_OK);
	ck_assert_int_eq(pdp_bundle_authorize_many(b, q, 3, NULL), PDP_EINVAL);
	for (int ahead = 0; ahead < 2; ahead++) {
		b->ahead = ahead;
		memset(d, 0xff, sizeof(d));
		ck_assert_int_eq(pdp_bundle_authorize_many(b, NULL, 3, d),
		    PDP_EINVAL);
		for (int i = 0; i < 3; i++) {
			ck_assert_int_eq(d[i].err, PDP_EINVAL);
			ck_assert_int_eq(d[i].effect, PDP_IMPLICIT_DENY);
			ck_assert_uint_eq(d[i].revision, 42);
		}
		// The first error is returned; each answer has its own.
		q[0] = fx_cases[0].req;
		memset(&q[1], 0, sizeof(q[1])); // no principal, no action
		q[2] = fx_cases[0].req;
		q[2].principal = "arn:aws:iam::" FX_MEMBER ":user/nobody";
		ck_assert_int_eq(pdp_bundle_authorize_many(b, q, 3, d),
		    PDP_EINVAL);
		ck_assert_int_eq(d[0].err, fx_cases[0].want_err);
		ck_assert_int_eq(d[0].effect, fx_cases[0].want);
		ck_assert_int_eq(d[1].err, PDP_EINVAL);
		ck_assert_int_eq(d[2].err, PDP_ENOENT);
		ck_assert_int_eq(d[2].effect, PDP_IMPLICIT_DENY);
		ck_assert_str_eq(d[2].reason, "unknown principal");
	}
	pdp_bundle_close(b);
	memset(d, 0xff, sizeof(d));
	ck_assert_int_eq(pdp_bundle_authorize_many(NULL, q, 2, d), PDP_ENOENT);
	ck_assert_int_eq(d[0].err, PDP_ENOENT);
	ck_assert_int_eq(d[1].err, PDP_ENOENT);
	ck_assert_int_eq(d[1].effect, PDP_IMPLICIT_DENY);
}
END_TEST

START_TEST(test_bundle_file_opens_mapped_and_decides)
{
	char path[] = "/tmp/pdp-bundle-test-XXXXXX";
	int fd = mkstemp(path);
	pdp_bundle *b = NULL;
	char err[512];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, g_data, g_len), (ssize_t) g_len);
	close(fd);
	ck_assert_int_eq(pdp_bundle_open(path, &b, err, sizeof(err)), PDP_OK);
	ck_assert_uint_eq(fx_check_all(b, 0), 0);
	pdp_bundle_close(b);

	// A truncated file is refused, and the message names the file.
	ck_assert_int_eq(truncate(path, (off_t) g_len - 8), 0);
	b = NULL;
	ck_assert_int_eq(pdp_bundle_open(path, &b, err, sizeof(err)),
	    PDP_ECORRUPT);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err, path) != NULL && strstr(err, "truncated"),
	    "%s", err);
	unlink(path);
}
END_TEST

START_TEST(test_bundle_open_missing_file_is_enoent)
{
	pdp_bundle *b = NULL;
	char err[256] = "";

	ck_assert_int_eq(pdp_bundle_open("/nonexistent/dir/x.pdpb", &b, err,
	    sizeof(err)), PDP_ENOENT);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err, "/nonexistent/dir/x.pdpb") != NULL, "%s",
	    err);
}
END_TEST

START_TEST(test_bundle_open_directory_is_refused)
{
	pdp_bundle *b = NULL;
	char err[256] = "";
	int rv = pdp_bundle_open("/tmp", &b, err, sizeof(err));

	ck_assert_msg(rv == PDP_EIO || rv == PDP_ECORRUPT, "rv %d: %s", rv,
	    err);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err, "/tmp") != NULL, "%s", err);
}
END_TEST

START_TEST(test_bundle_open_empty_file_is_truncated)
{
	char path[] = "/tmp/pdp-bundle-empty-XXXXXX";
	int fd = mkstemp(path);
	pdp_bundle *b = NULL;
	char err[512] = "";

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(pdp_bundle_open(path, &b, err, sizeof(err)),
	    PDP_ECORRUPT);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err, "truncated") != NULL, "%s", err);
	unlink(path);
	ck_assert_int_eq(pdp_bundle_open_mem("", 0, &b, err, sizeof(err)),
	    PDP_ECORRUPT);
	// A NULL or empty error buffer is allowed.
	ck_assert_int_eq(pdp_bundle_open_mem("", 0, &b, NULL, 0),
	    PDP_ECORRUPT);
}
END_TEST

// --- Header fields (R-BUNDLE-001 .. R-BUNDLE-007) ---------------------------

START_TEST(test_bundle_bad_magic_is_corrupt_r001)
{
	char *b = copy();
	b[0] ^= 0x20;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "bad magic", "magic[0]");
	memcpy(b, g_data, 8);
	b[7] = 'X'; // the terminating NUL is part of the magic
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "bad magic", "magic[7]");
	free(b);
}
END_TEST

START_TEST(test_bundle_foreign_byte_order_is_version_error_r002)
{
	char *b = copy();
	hdr(b)->endian = 0x04030201u;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_EVERSION, "byte order", "endian");
	hdr(b)->endian = 0;
	expect_reject(b, g_len, PDP_EVERSION, "byte order", "endian 0");
	free(b);
}
END_TEST

START_TEST(test_bundle_unknown_version_is_version_error_r003)
{
	char *b = copy();
	uint32_t v[] = {0, PDPB_VERSION - 1, PDPB_VERSION + 1,
	    PDPB_VERSION + 100, 0xffffffffu};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hdr(b)->version = v[i];
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_EVERSION, "format version",
		    "version");
	}
	free(b);
}
END_TEST

START_TEST(test_bundle_size_field_mismatch_is_corrupt_r004)
{
	char *b = copy();
	uint64_t v[] = {0, g_len - 1, g_len + 1, g_len * 2, UINT64_MAX};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hdr(b)->size = v[i];
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "header says", "size");
	}
	free(b);
	// Trailing bytes after a valid bundle are refused too.
	b = malloc(g_len + 8);
	ck_assert_ptr_nonnull(b);
	memcpy(b, g_data, g_len);
	memset(b + g_len, 0, 8);
	expect_reject(b, g_len + 8, PDP_ECORRUPT, "padded", "padding");
	free(b);
}
END_TEST

START_TEST(test_bundle_checksum_mismatch_is_corrupt_r005)
{
	char *b = copy();
	hdr(b)->checksum ^= 1;
	expect_reject(b, g_len, PDP_ECORRUPT, "checksum", "checksum field");
	hdr(b)->checksum = 0;
	expect_reject(b, g_len, PDP_ECORRUPT, "checksum", "zero checksum");
	free(b);
	// The revision and creation time are covered too.
	b = copy();
	hdr(b)->revision++;
	expect_reject(b, g_len, PDP_ECORRUPT, "checksum", "revision");
	free(b);
	b = copy();
	hdr(b)->created ^= 0x100;
	expect_reject(b, g_len, PDP_ECORRUPT, "checksum", "created");
	free(b);
}
END_TEST

START_TEST(test_bundle_unknown_flags_are_version_error_r006)
{
	char *b = copy();
	hdr(b)->flags = 1;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_EVERSION, "unknown header flags",
	    "flags");
	hdr(b)->flags = 0x80000000u;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_EVERSION, "unknown header flags",
	    "flags high");
	hdr(b)->flags = 0;
	hdr(b)->reserved = 7;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_EVERSION, "unknown header flags",
	    "reserved");
	free(b);
}
END_TEST

START_TEST(test_bundle_directory_out_of_bounds_is_corrupt_r007)
{
	char *b = copy();
	uint32_t good = hdr(b)->directory;
	uint32_t offs[] = {good + 4, (uint32_t) g_len,
	    (uint32_t) g_len + 8, (uint32_t) g_len - 8, 0xfffffff8u};

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		hdr(b)->directory = offs[i];
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "directory",
		    "directory offset");
	}
	hdr(b)->directory = good;
	uint32_t ns[] = {0x10000000u, 0xffffffffu,
	    (uint32_t) (g_len / sizeof(pdpb_section)) + 1};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		hdr(b)->nsections = ns[i];
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "directory",
		    "nsections");
	}
	free(b);
}
END_TEST

START_TEST(test_bundle_too_few_sections_names_the_missing_one)
{
	char *b = copy();
	hdr(b)->nsections = 0;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "section strings is missing",
	    "nsections 0");
	hdr(b)->nsections = PDPB_SEC_MAX - 1;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT,
	    "section access keys is missing", "nsections - 1");
	free(b);
}
END_TEST

// --- The section directory (R-BUNDLE-008 .. R-BUNDLE-010) -------------------

START_TEST(test_bundle_unknown_or_duplicate_section_id_r008)
{
	char *b = copy();
	uint32_t ids[] = {0, PDPB_SEC_MAX + 1, 0xffffffffu};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		dir(b)[3].id = ids[i];
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_EVERSION, "unknown section id",
		    "section id");
	}
	dir(b)[3].id = dir(b)[2].id;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "appears twice", "duplicate");
	free(b);
}
END_TEST

START_TEST(test_bundle_section_out_of_bounds_r009)
{
	for (uint32_t i = 0; i < PDPB_SEC_MAX; i++) {
		char *b = copy();
		pdpb_section *s = &dir(b)[i];
		pdpb_section keep = *s;
		s->offset += 4; // misaligned
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "out of bounds",
		    "misaligned section");
		*s = keep;
		s->offset = (uint32_t) g_len + 8;
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "out of bounds",
		    "section past the end");
		*s = keep;
		s->size = (uint32_t) g_len - s->offset + 1;
		reseal(b, g_len);
		ck_assert_int_ne(try_open(b, g_len, (char[256]) {0}, 256),
		    PDP_OK);
		s->size = 0xffffffffu;
		reseal(b, g_len);
		ck_assert_int_ne(try_open(b, g_len, (char[256]) {0}, 256),
		    PDP_OK);
		free(b);
	}
}
END_TEST

START_TEST(test_bundle_section_count_must_fill_size_r010)
{
	for (uint32_t i = 0; i < PDPB_SEC_MAX; i++) {
		char *b = copy();
		pdpb_section *s = &dir(b)[i];
		s->count += 1;
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "do not fill",
		    "count + 1");
		s->count = 0xffffffffu;
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "do not fill",
		    "count max");
		free(b);
	}
}
END_TEST

// --- Truncation and bit flips -----------------------------------------------

START_TEST(test_bundle_truncated_anywhere_is_refused)
{
	char *b = copy();
	size_t *cuts = malloc((g_len + 3 * PDPB_SEC_MAX + 8) * sizeof(*cuts));
	size_t n = 0;

	ck_assert_ptr_nonnull(cuts);
	// Every byte of the first 256, every section boundary (start, end,
	// middle), and a sample of the rest.
	for (size_t i = 0; i < 256 && i < g_len; i++)
		cuts[n++] = i;
	for (uint32_t i = 0; i < PDPB_SEC_MAX; i++) {
		pdpb_section *s = &dir(b)[i];
		cuts[n++] = s->offset;
		cuts[n++] = s->offset + s->size / 2;
		if (s->offset + s->size < g_len)
			cuts[n++] = s->offset + s->size;
	}
	for (size_t i = 256; i < g_len; i += 61)
		cuts[n++] = i;
	cuts[n++] = g_len - 1;
	for (size_t i = 0; i < n; i++) {
		size_t len = cuts[i];
		char what[64];
		snprintf(what, sizeof(what), "truncated at %zu", len);
		// As cut: the header's size (or the header itself) says so.
		expect_reject(b, len, PDP_ECORRUPT, "truncated", what);
		// With the size and checksum fixed up, the structure checks
		// must still find that sections run past the end.
		char *t = malloc(len ? len : 1);
		ck_assert_ptr_nonnull(t);
		memcpy(t, g_data, len);
		if (len >= sizeof(pdpb_header)) {
			hdr(t)->size = len;
			reseal(t, len);
		}
		char err[256];
		int rv = try_open(t, len, err, sizeof(err));
		ck_assert_msg(rv == PDP_ECORRUPT && err[0] != '\0',
		    "%s with the header fixed: got %d \"%s\"", what, rv, err);
		free(t);
	}
	free(cuts);
	free(b);
}
END_TEST

START_TEST(test_bundle_flipped_bytes_fail_the_checksum)
{
	size_t tried = 0;

	for (size_t off = 0; off < g_len; off += 7) {
		char *b = copy();
		char err[256], what[64];
		b[off] ^= 0x41;
		snprintf(what, sizeof(what), "byte %zu flipped", off);
		int rv = try_open(b, g_len, err, sizeof(err));
		if (off >= sizeof(pdpb_header))
			ck_assert_msg(rv == PDP_ECORRUPT &&
			    strstr(err, "checksum") != NULL,
			    "%s: got %d \"%s\"", what, rv, err);
		else
			// In the header an earlier check may fire first.
			ck_assert_msg(rv == PDP_ECORRUPT || rv == PDP_EVERSION,
			    "%s: got %d \"%s\"", what, rv, err);
		free(b);
		tried++;
	}
	ck_assert_uint_gt(tried, g_len / 8);
}
END_TEST

// --- Structure behind a valid checksum (R-BUNDLE-020 .. R-BUNDLE-037) -------

// One field write: width bytes of val at byte off of record `i` of
// section `sec` (records of `size` bytes).
typedef struct smut {
	const char *rule;
	uint32_t sec;
	size_t size;
	uint32_t i;
	size_t off;
	int width;
	uint64_t val;
	const char *msg;
} smut;

#define BIG 0xfffffff0u
#define M(rule, sec, type, i, field, val, msg) \
	{rule, sec, sizeof(type), i, offsetof(type, field), \
	    (int) sizeof(((type *) 0)->field), val, msg}

static const smut muts[] = {
	M("R-BUNDLE-020", PDPB_SEC_POLICIES, pdpb_policy, 0, name.off, BIG,
	    "policy 0 is corrupt"),
	M("R-BUNDLE-020", PDPB_SEC_POLICIES, pdpb_policy, 0, name.len, BIG,
	    "policy 0 is corrupt"),
	M("R-BUNDLE-020", PDPB_SEC_POLICIES, pdpb_policy, 0, type,
	    PDP_POLICY_AWS_MANAGED + 1, "policy 0 is corrupt"),
	M("R-BUNDLE-020", PDPB_SEC_POLICIES, pdpb_policy, 1, vars, 2,
	    "policy 1 is corrupt"),
	M("R-BUNDLE-020", PDPB_SEC_POLICIES, pdpb_policy, 0, stmts, BIG,
	    "policy 0 is corrupt"),
	M("R-BUNDLE-020", PDPB_SEC_POLICIES, pdpb_policy, 0, nstmts, BIG,
	    "policy 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, effect, 0,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, effect, 3,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, flags, 32,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, sid.off, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, actions, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, nactions, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, resources, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, nresources, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, principals, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, nprincipals, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, conds, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-021", PDPB_SEC_STMTS, pdpb_stmt, 0, nconds, BIG,
	    "statement 0 is corrupt"),
	M("R-BUNDLE-022", PDPB_SEC_ACTIONS, pdpb_action, 0, kind,
	    PDPI_ACT_NONE + 1, "action 0 is corrupt"),
	M("R-BUNDLE-022", PDPB_SEC_ACTIONS, pdpb_action, 0, svc.off, BIG,
	    "action 0 is corrupt"),
	M("R-BUNDLE-022", PDPB_SEC_ACTIONS, pdpb_action, 0, name.len, BIG,
	    "action 0 is corrupt"),
	M("R-BUNDLE-022", PDPB_SEC_ACTIONS, pdpb_action, 0, text.off, BIG,
	    "action 0 is corrupt"),
	M("R-BUNDLE-023", PDPB_SEC_RESOURCES, pdpb_resource, 0, kind,
	    PDPI_RES_NONE + 1, "resource 0 is corrupt"),
	M("R-BUNDLE-023", PDPB_SEC_RESOURCES, pdpb_resource, 0, seg[2].off,
	    BIG, "resource 0 is corrupt"),
	M("R-BUNDLE-023", PDPB_SEC_RESOURCES, pdpb_resource, 0, seg[4].len,
	    BIG, "resource 0 is corrupt"),
	M("R-BUNDLE-023", PDPB_SEC_RESOURCES, pdpb_resource, 0, rest.parts,
	    BIG, "resource 0 is corrupt"),
	M("R-BUNDLE-023", PDPB_SEC_RESOURCES, pdpb_resource, 0, rest.nparts,
	    BIG, "resource 0 is corrupt"),
	M("R-BUNDLE-023", PDPB_SEC_RESOURCES, pdpb_resource, 0, rest.text.off,
	    BIG, "resource 0 is corrupt"),
	M("R-BUNDLE-023", PDPB_SEC_RESOURCES, pdpb_resource, 0, text.len,
	    BIG, "resource 0 is corrupt"),
	M("R-BUNDLE-024", PDPB_SEC_PRINS, pdpb_prin, 0, kind,
	    PDPI_PRIN_OTHER + 1, "principal element 0 is corrupt"),
	M("R-BUNDLE-024", PDPB_SEC_PRINS, pdpb_prin, 0, account.off, BIG,
	    "principal element 0 is corrupt"),
	M("R-BUNDLE-024", PDPB_SEC_PRINS, pdpb_prin, 0, session.len, BIG,
	    "principal element 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, op, PDPI_COP_NULL + 1,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, set, PDPI_SET_ALL + 1,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, negated, 2,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, if_exists, 2,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, key.off, BIG,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, opname.len, BIG,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, values, BIG,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-025", PDPB_SEC_CONDS, pdpb_cond, 0, nvalues, BIG,
	    "condition 0 is corrupt"),
	M("R-BUNDLE-026", PDPB_SEC_CVALUES, pdpb_cvalue, 0, ok, 2,
	    "condition value 0 is corrupt"),
	M("R-BUNDLE-026", PDPB_SEC_CVALUES, pdpb_cvalue, 0, t.text.off, BIG,
	    "condition value 0 is corrupt"),
	M("R-BUNDLE-026", PDPB_SEC_CVALUES, pdpb_cvalue, 0, t.nparts, BIG,
	    "condition value 0 is corrupt"),
	M("R-BUNDLE-023/026", PDPB_SEC_PARTS, pdpb_part, 0, kind,
	    PDPI_PART_ESC + 1, "is corrupt"),
	M("R-BUNDLE-023/026", PDPB_SEC_PARTS, pdpb_part, 0, has_default, 2,
	    "is corrupt"),
	M("R-BUNDLE-023/026", PDPB_SEC_PARTS, pdpb_part, 0, s.off, BIG,
	    "is corrupt"),
	M("R-BUNDLE-023/026", PDPB_SEC_PARTS, pdpb_part, 0, dflt.len, BIG,
	    "is corrupt"),
	M("R-BUNDLE-030", PDPB_SEC_SETS, pdpb_set, 0, first, BIG,
	    "set 0 is corrupt"),
	M("R-BUNDLE-030", PDPB_SEC_SETS, pdpb_set, 0, n, BIG,
	    "set 0 is corrupt"),
	M("R-BUNDLE-033", PDPB_SEC_ACCOUNTS, pdpb_account, 0, id.off, BIG,
	    "account 0 is corrupt"),
	M("R-BUNDLE-033", PDPB_SEC_ACCOUNTS, pdpb_account, 1, scp, BIG,
	    "account 1 is corrupt"),
	M("R-BUNDLE-033", PDPB_SEC_ACCOUNTS, pdpb_account, 1, nrcp, BIG,
	    "account 1 is corrupt"),
	M("R-BUNDLE-034", PDPB_SEC_TAGS, pdpb_tag, 0, key.off, BIG,
	    "principal slot"),
	M("R-BUNDLE-034", PDPB_SEC_TAGS, pdpb_tag, 1, value.len, BIG,
	    "principal slot"),
};

static void
poke(char *at, int width, uint64_t val)
{
	switch (width) {
	case 1: {
		uint8_t v = (uint8_t) val;
		memcpy(at, &v, 1);
		break;
	}
	case 4: {
		uint32_t v = (uint32_t) val;
		memcpy(at, &v, 4);
		break;
	}
	default:
		memcpy(at, &val, 8);
		break;
	}
}

START_TEST(test_bundle_corrupt_records_fail_structure_checks)
{
	for (size_t k = 0; k < sizeof(muts) / sizeof(muts[0]); k++) {
		const smut *m = &muts[k];
		char *b = copy();
		char what[128];
		poke((char *) rec(b, m->sec, m->size, m->i) + m->off,
		    m->width, m->val);
		reseal(b, g_len);
		snprintf(what, sizeof(what), "%s: mutation %zu (section %u "
		    "record %u byte %zu = %llu)", m->rule, k, m->sec, m->i,
		    m->off, (unsigned long long) m->val);
		expect_reject(b, g_len, PDP_ECORRUPT, m->msg, what);
		free(b);
	}
}
END_TEST

// find_cond returns the index of the first condition with operator op.
static uint32_t
find_cond(char *b, uint8_t op)
{
	pdpb_section *s = section(b, PDPB_SEC_CONDS);
	for (uint32_t i = 0; i < s->count; i++) {
		pdpb_cond *c = rec(b, PDPB_SEC_CONDS, sizeof(*c), i);
		if (c->op == op && c->nvalues > 0)
			return c->values;
	}
	ck_abort_msg("the fixture has no condition with operator %u", op);
	return 0;
}

START_TEST(test_bundle_typed_condition_values_are_checked_r026)
{
	struct {
		uint8_t op;
		size_t off;
		int width;
		uint64_t val;
	} t[] = {
		{PDPI_COP_IP, offsetof(pdpb_cvalue, v.ip.family), 1, 5},
		{PDPI_COP_IP, offsetof(pdpb_cvalue, v.ip.bits), 1, 129},
		{PDPI_COP_BOOL, offsetof(pdpb_cvalue, v.b), 4, 2},
		{PDPI_COP_NULL, offsetof(pdpb_cvalue, v.b), 4, 7},
		{PDPI_COP_DATE_GT, offsetof(pdpb_cvalue, v.date.nsec), 4,
		    (uint32_t) -1},
		{PDPI_COP_DATE_GT, offsetof(pdpb_cvalue, v.date.nsec), 4,
		    1000000000},
		{PDPI_COP_BINARY, offsetof(pdpb_cvalue, v.bin.off), 4, BIG},
		{PDPI_COP_BINARY, offsetof(pdpb_cvalue, v.bin.len), 4, BIG},
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		char *b = copy();
		char what[64];
		if (t[k].op == PDPI_COP_NULL) {
			// The fixture has no Null condition: make one.
			uint32_t v = find_cond(b, PDPI_COP_BOOL);
			pdpb_section *s = section(b, PDPB_SEC_CONDS);
			for (uint32_t i = 0; i < s->count; i++) {
				pdpb_cond *c = rec(b, PDPB_SEC_CONDS,
				    sizeof(*c), i);
				if (c->values == v && c->nvalues > 0)
					c->op = PDPI_COP_NULL;
			}
		}
		uint32_t v = find_cond(b, t[k].op);
		char *at = rec(b, PDPB_SEC_CVALUES, sizeof(pdpb_cvalue), v);
		poke(at + t[k].off, t[k].width, t[k].val);
		reseal(b, g_len);
		snprintf(what, sizeof(what), "typed value %zu (op %u)", k,
		    t[k].op);
		expect_reject(b, g_len, PDP_ECORRUPT, "condition value", what);
		free(b);
	}
	// An IP value that did not parse (ok = 0) may hold anything.
	char *b = copy();
	uint32_t v = find_cond(b, PDPI_COP_IP);
	pdpb_cvalue *cv = rec(b, PDPB_SEC_CVALUES, sizeof(*cv), v);
	cv->ok = 0;
	cv->v.ip.family = 9;
	reseal(b, g_len);
	ck_assert_int_eq(try_open(b, g_len, (char[256]) {0}, 256), PDP_OK);
	free(b);
}
END_TEST

// first_set_with_table returns a set that has a decision table.
static pdpb_set *
first_set_with_table(char *b)
{
	pdpb_section *s = section(b, PDPB_SEC_SETS);
	for (uint32_t i = 0; i < s->count; i++) {
		pdpb_set *x = rec(b, PDPB_SEC_SETS, sizeof(*x), i);
		if (x->table != PDPB_NONE)
			return x;
	}
	ck_abort_msg("no set with a table");
	return NULL;
}

static uint32_t *
table_words(char *b, pdpb_set *set)
{
	return (uint32_t *) (b + section(b, PDPB_SEC_TABLES)->offset +
	    set->table);
}

START_TEST(test_bundle_corrupt_tables_are_refused_r031)
{
	// Header words of the table block (pdp/src/table.h), each set to
	// a value the check must refuse.
	struct {
		int word;
		uint32_t val;
	} w[] = {
		{0, 0x12345678u}, // magic
		{1, 0},           // size
		{1, BIG},
		{2, 3},           // nslots not a power of two
		{2, 1u << 30},    // slots past the block
		{3, BIG},         // slots offset
		{3, 2},           // misaligned
		{4, 5},           // service slots not a power of two
		{5, BIG},
		{6, BIG},         // global list offset
		{7, BIG},         // global list length
		{8, BIG},         // candidates
		{9, BIG},
	};
	for (size_t k = 0; k < sizeof(w) / sizeof(w[0]); k++) {
		char *b = copy();
		char what[64];
		table_words(b, first_set_with_table(b))[w[k].word] = w[k].val;
		reseal(b, g_len);
		snprintf(what, sizeof(what), "table word %d = %u", w[k].word,
		    w[k].val);
		expect_reject(b, g_len, PDP_ECORRUPT, "decision table", what);
		free(b);
	}
	// The set's reference to its table.
	for (int k = 0; k < 4; k++) {
		char *b = copy();
		pdpb_set *s = first_set_with_table(b);
		if (k == 0)
			s->table += 4; // misaligned
		else if (k == 1)
			s->table = BIG;
		else if (k == 2)
			s->table_size += 8;
		else
			s->table_size = 4;
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "decision table",
		    "set's table reference");
		free(b);
	}
}
END_TEST

// slot_at returns slot i of the exact slots of table w.
static uint32_t *
slot_at(uint32_t *w, uint32_t i)
{
	return &w[w[3] / 4 + i * PDPI_TABLE_SLOT_WORDS];
}

START_TEST(test_bundle_table_slots_and_lists_are_checked_r031)
{
	char *b = copy();
	uint32_t *w = table_words(b, first_set_with_table(b));
	uint32_t nslots = w[2], used = UINT32_MAX;

	for (uint32_t i = 0; i < nslots && used == UINT32_MAX; i++) {
		uint32_t *slot = slot_at(w, i);
		if (slot[1] != 0 && w[slot[1] / 4 + 1] > 0)
			used = i; // its Deny list is not empty
	}
	ck_assert_msg(used != UINT32_MAX, "the table has no used slot");
	free(b);

	// Slot word 1: the entry's offset. Entry words: 0 key length,
	// 1 Deny list length, 2 Allow list length; then the key and the
	// Deny list's first pair: policy index, statement index.
	for (int k = 0; k < 8; k++) {
		b = copy();
		w = table_words(b, first_set_with_table(b));
		uint32_t *slot = slot_at(w, used);
		uint32_t *e = &w[slot[1] / 4];
		uint32_t *list = e + PDPI_TABLE_ENTRY_WORDS + (e[0] + 3) / 4;
		switch (k) {
		case 0: slot[1] = BIG; break;
		case 1: slot[1] |= 2; break; // misaligned entry
		case 2: slot[1] = w[1] - 4; break; // entry past the block
		case 3: e[0] = BIG; break; // key past the block
		case 4: e[0] = 0; break;   // no key
		case 5: e[1] = BIG; break; // list past the block
		case 6: list[0] = 1000; break; // no such policy
		default: list[1] = 100000; break; // no such statement
		}
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "decision table",
		    "table slot");
		free(b);
	}
	// A table with no empty slot would make lookups probe forever.
	b = copy();
	w = table_words(b, first_set_with_table(b));
	uint32_t entry = slot_at(w, used)[1];
	for (uint32_t i = 0; i < nslots; i++) {
		uint32_t *slot = slot_at(w, i);
		if (slot[1] == 0)
			slot[1] = entry;
	}
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "decision table", "full table");
	free(b);
}
END_TEST

// A list entry of a decision table and the statement it names.
typedef struct site {
	uint32_t *entry;      // the table entry whose list it is in
	uint32_t *e;          // the entry
	uint32_t width;       // 2 or 3 (service slots)
	bool deny;            // in the slot's Deny list
	const pdpb_stmt *st;  // its statement
} site;

// find_site returns the first entry of any table for which want() holds.
static bool
find_site(char *b, bool (*want)(const site *), site *out)
{
	pdpb_section *ss = section(b, PDPB_SEC_SETS);
	const uint32_t *setidx = rec(b, PDPB_SEC_SETIDX, 4, 0);
	const pdpb_policy *pol = rec(b, PDPB_SEC_POLICIES,
	    sizeof(pdpb_policy), 0);
	const pdpb_stmt *st = rec(b, PDPB_SEC_STMTS, sizeof(pdpb_stmt), 0);

	for (uint32_t i = 0; i < ss->count; i++) {
		pdpb_set *set = rec(b, PDPB_SEC_SETS, sizeof(*set), i);
		if (set->table == PDPB_NONE)
			continue;
		uint32_t *w = table_words(b, set);
		for (int svc = 0; svc < 2; svc++) {
			uint32_t n = w[2 + 2 * svc], off = w[3 + 2 * svc];
			for (uint32_t j = 0; j < n; j++) {
				uint32_t *slot = &w[off / 4 +
				    j * PDPI_TABLE_SLOT_WORDS];
				uint32_t *ent = &w[slot[1] / 4];
				uint32_t *list = ent + PDPI_TABLE_ENTRY_WORDS +
				    (ent[0] + 3) / 4;
				for (int d = 0; d < 2 && slot[1] != 0; d++) {
					for (uint32_t k = 0; k < ent[1 + d];
					    k++) {
						site x;
						x.entry = ent;
						x.width = svc ? 3 : 2;
						x.e = list + (d ? ent[1] *
						    x.width : 0) + k * x.width;
						x.deny = d == 0;
						const pdpb_policy *p = &pol[setidx[
						    set->first + x.e[0]]];
						x.st = &st[p->stmts + (x.e[1] &
						    PDPI_CAND_INDEX)];
						if (want(&x)) {
							*out = x;
							return true;
						}
					}
				}
			}
		}
	}
	return false;
}

static bool
want_pair(const site *x)
{
	return x->width == 2;
}

static bool
want_conditional(const site *x)
{
	return x->st->nconds > 0 && !(x->e[1] & PDPI_CAND_ALWAYS);
}

static bool
want_pattern(const site *x)
{
	return x->width == 3 && x->e[2] != PDPI_CAND_NOACT;
}

static bool
want_allow_list(const site *x)
{
	return x->entry[2] > 0;
}

START_TEST(test_bundle_unreferenced_parts_are_checked_r027)
{
	// A template part no template names is checked too: the loader
	// reads the key of every variable part (found by fuzzing).
	char *b = copy();
	pdpb_section *rs = section(b, PDPB_SEC_RESOURCES);
	pdpb_resource *r = NULL;
	for (uint32_t i = 0; i < rs->count && r == NULL; i++) {
		pdpb_resource *x = rec(b, PDPB_SEC_RESOURCES, sizeof(*x), i);
		if (x->rest.nparts > 0)
			r = x;
	}
	ck_assert_msg(r != NULL, "the fixture has no resource variable");
	r->rest.nparts--;
	pdpb_part *p = rec(b, PDPB_SEC_PARTS, sizeof(*p),
	    r->rest.parts + r->rest.nparts);
	p->s.off = BIG;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "template part",
	    "unreferenced part");
	free(b);
}
END_TEST

START_TEST(test_bundle_table_entries_are_checked_r031)
{
	// Each corruption of a list entry the table check must refuse:
	// a flag that does not hold, an action that is not there, a
	// statement in the list of the other effect.
	static bool (*const want[])(const site *) = {
		want_pair, want_conditional, want_pattern, want_pattern,
		want_allow_list,
	};
	static const char *const what[] = {
		"NotAction flag in a pair list", "always on a conditional "
		"statement", "action index past the statement's",
		"NotAction flag on a positive pattern",
		"an Allow counted in the Deny list",
	};
	int done = 0;

	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		char *b = copy();
		site x;
		if (!find_site(b, want[k], &x)) {
			free(b);
			continue;
		}
		switch (k) {
		case 0: x.e[1] |= PDPI_CAND_NOT; break;
		case 1: x.e[1] |= PDPI_CAND_ALWAYS | PDPI_CAND_KNOWN; break;
		case 2: x.e[2] = x.st->nactions; break;
		case 3: x.e[1] ^= PDPI_CAND_NOT; break;
		default:
			x.entry[1]++;
			x.entry[2]--;
			break;
		}
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "decision table",
		    what[k]);
		free(b);
		done++;
	}
	// The fixture has pairs, conditional statements and patterns: the
	// first four always run.
	ck_assert_int_ge(done, 4);
}
END_TEST

// first_used returns the first occupied slot of a hash-table section
// whose key length sits at byte lenoff of each record.
static uint32_t
first_used(char *b, uint32_t sec, size_t size, size_t lenoff)
{
	pdpb_section *s = section(b, sec);
	for (uint32_t i = 0; i < s->count; i++) {
		uint32_t len;
		memcpy(&len, b + s->offset + (size_t) i * size + lenoff, 4);
		if (len != 0)
			return i;
	}
	ck_abort_msg("section %u has no used slot", sec);
	return 0;
}

START_TEST(test_bundle_corrupt_index_records_are_refused_r030_r036)
{
	char *b = copy();
	uint32_t npol = section(b, PDPB_SEC_POLICIES)->count;
	uint32_t nsets = section(b, PDPB_SEC_SETS)->count;
	uint32_t nacc = section(b, PDPB_SEC_ACCOUNTS)->count;
	free(b);

	// R-BUNDLE-030: set members name policies.
	b = copy();
	*(uint32_t *) rec(b, PDPB_SEC_SETIDX, 4, 0) = npol;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "set member 0 names no policy",
	    "set member");
	free(b);

	// R-BUNDLE-032: organization levels name sets.
	b = copy();
	*(uint32_t *) rec(b, PDPB_SEC_LEVELS, 4, 0) = nsets;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "organization level 0",
	    "level");
	free(b);

	// R-BUNDLE-033: accounts are sorted (lookups bisect).
	b = copy();
	pdpb_account *a0 = rec(b, PDPB_SEC_ACCOUNTS, sizeof(*a0), 0);
	pdpb_account *a1 = rec(b, PDPB_SEC_ACCOUNTS, sizeof(*a1), 1);
	pdpb_account t = *a0;
	*a0 = *a1;
	*a1 = t;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "not sorted", "accounts");
	a1->id = a0->id; // duplicates are not sorted either
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "not sorted", "accounts");
	free(b);

	// R-BUNDLE-034: principal slots and their info.
	for (int k = 0; k < 17; k++) {
		b = copy();
		uint32_t i = first_used(b, PDPB_SEC_PRINCIPALS,
		    sizeof(pdpb_principal), offsetof(pdpb_principal, kind));
		pdpb_principal *p = rec(b, PDPB_SEC_PRINCIPALS, sizeof(*p), i);
		pdpb_prinfo *x = rec(b, PDPB_SEC_PRINFO, sizeof(*x), i);
		switch (k) {
		case 0: p->hash ^= 1; break;
		case 1: p->kind = 0; break; // empty, but not zeroed
		case 2: p->kind = PDPB_FEDUSER + 1; break;
		case 3: p->flags = 4; break;
		case 4: p->account = nacc; break;
		case 5: p->identity = nsets; break;
		case 6: p->boundary = nsets; p->flags |= 1; break;
		case 7: p->flags ^= PDPB_HAS_BOUNDARY; break;
		case 8: x->tags = BIG; x->ntags = 1; break;
		case 9: p->name_len = (uint16_t) (p->arn.len + 1); break;
		case 10: p->arn.len = BIG; break;
		case 11: x->unique_id.off = BIG; break;
		// The hash is that of the kind, account and name: a record
		// whose name or account changed would be hidden.
		case 12: p->name_len = p->name_len ? p->name_len - 1 : 1; break;
		case 13: p->account = (p->account + 1) % nacc; break;
		case 14: p->kind = p->kind == PDPB_USER ? PDPB_ROLE : PDPB_USER;
			break;
		// The name the slot holds is the ARN's, zero-padded.
		case 15: p->name[0] ^= 1; break;
		default: p->name[PDPB_NAME_INLINE - 1] ^= 'x'; break;
		}
		if (k == 13 && nacc < 2) {
			free(b);
			continue;
		}
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "principal slot",
		    "principal slot");
		free(b);
	}
	// Only a user whose ARN is arn:aws:iam::ACCOUNT:user/NAME may be
	// marked canonical (its name then stands for its ARN).
	for (int kind = PDPB_USER; kind <= PDPB_ROLE; kind++) {
		b = copy();
		pdpb_section *ps = section(b, PDPB_SEC_PRINCIPALS);
		pdpb_principal *p = NULL;
		for (uint32_t i = 0; i < ps->count && p == NULL; i++) {
			pdpb_principal *q = rec(b, PDPB_SEC_PRINCIPALS,
			    sizeof(*q), i);
			if (q->kind == kind && !(q->flags & PDPB_CANONICAL))
				p = q;
		}
		ck_assert_msg(p != NULL, "no non-canonical principal of kind "
		    "%d", kind);
		p->flags |= PDPB_CANONICAL;
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "principal slot",
		    "canonical flag");
		free(b);
	}
	// The info table has a record per principal slot.
	b = copy();
	pdpb_section *xs = section(b, PDPB_SEC_PRINFO);
	xs->count--;
	xs->size -= sizeof(pdpb_prinfo);
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "principal info has",
	    "principal info");
	free(b);

	// R-BUNDLE-035: resource policy slots.
	for (int k = 0; k < 3; k++) {
		b = copy();
		uint32_t i = first_used(b, PDPB_SEC_RPOLICIES,
		    sizeof(pdpb_rpolicy), offsetof(pdpb_rpolicy, arn.len));
		pdpb_rpolicy *r = rec(b, PDPB_SEC_RPOLICIES, sizeof(*r), i);
		if (k == 0)
			r->hash ^= 1ull << 40;
		else if (k == 1)
			r->policy = npol;
		else
			r->arn.off = BIG;
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "resource policy slot",
		    "resource policy slot");
		free(b);
	}

	// R-BUNDLE-036: named policy slots.
	for (int k = 0; k < 3; k++) {
		b = copy();
		uint32_t i = first_used(b, PDPB_SEC_NAMED, sizeof(pdpb_named),
		    offsetof(pdpb_named, name.len));
		pdpb_named *m = rec(b, PDPB_SEC_NAMED, sizeof(*m), i);
		if (k == 0)
			m->hash ^= 2;
		else if (k == 1)
			m->set = nsets;
		else
			m->name.len = BIG;
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "named policy slot",
		    "named policy slot");
		free(b);
	}

	// R-BUNDLE-037: access key slots.
	for (int k = 0; k < 5; k++) {
		b = copy();
		uint32_t i = first_used(b, PDPB_SEC_ACCESS_KEYS,
		    sizeof(pdpb_access_key), offsetof(pdpb_access_key, id.len));
		pdpb_access_key *a = rec(b, PDPB_SEC_ACCESS_KEYS, sizeof(*a),
		    i);
		switch (k) {
		case 0: a->hash ^= 4; break;
		case 1: a->status = 0; break;
		case 2: a->status = PDPB_KEY_INACTIVE + 1; break;
		case 3: a->principal.len = 0; break;
		default: a->principal.off = BIG; break;
		}
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "access key slot",
		    "access key slot");
		free(b);
	}
}
END_TEST

START_TEST(test_bundle_access_keys_are_found_by_id)
{
	pdp_bundle *b = NULL;
	const char *owner = NULL;
	size_t n = 0;
	bool active = false;
	char err[256];

	ck_assert_int_eq(pdp_bundle_open_mem(g_data, g_len, &b, err,
	    sizeof(err)), PDP_OK);
	ck_assert_int_eq(pdp_bundle_access_key(b, FX_ALICE_KEY,
	    strlen(FX_ALICE_KEY), &owner, &n, &active), PDP_OK);
	ck_assert_uint_eq(n, strlen("arn:aws:iam::111111111111:user/eng/alice"));
	ck_assert(memcmp(owner, "arn:aws:iam::111111111111:user/eng/alice",
	    n) == 0);
	ck_assert(active);
	ck_assert_int_eq(pdp_bundle_access_key(b, FX_BOB_KEY,
	    strlen(FX_BOB_KEY), &owner, &n, &active), PDP_OK);
	ck_assert(!active);
	// Unknown ids, a prefix of a known id, and the empty id.
	ck_assert_int_eq(pdp_bundle_access_key(b, "AKIAUNKNOWN000000001", 20,
	    &owner, &n, &active), PDP_ENOENT);
	ck_assert_int_eq(pdp_bundle_access_key(b, FX_ALICE_KEY, 10, &owner,
	    &n, &active), PDP_ENOENT);
	ck_assert_int_eq(pdp_bundle_access_key(b, "", 0, &owner, &n, &active),
	    PDP_ENOENT);
	pdp_bundle_close(b);
}
END_TEST

// shrink makes a hash-table section hold `n` records (moving occupied
// slot `from` to slot 0 first), keeping the directory consistent.
static void
shrink(char *b, uint32_t sec, size_t size, uint32_t n, uint32_t from)
{
	pdpb_section *s = section(b, sec);
	memmove(b + s->offset, b + s->offset + (size_t) from * size, size);
	s->count = n;
	s->size = (uint32_t) (n * size);
}

START_TEST(test_bundle_hash_tables_must_be_powers_of_two_with_room)
{
	struct {
		uint32_t sec;
		size_t size, lenoff;
		const char *name;
	} t[] = {
		{PDPB_SEC_PRINCIPALS, sizeof(pdpb_principal),
		    offsetof(pdpb_principal, kind), "principal table"},
		{PDPB_SEC_RPOLICIES, sizeof(pdpb_rpolicy),
		    offsetof(pdpb_rpolicy, arn.len), "resource policy table"},
		{PDPB_SEC_NAMED, sizeof(pdpb_named),
		    offsetof(pdpb_named, name.len), "named policy table"},
		{PDPB_SEC_ACCESS_KEYS, sizeof(pdpb_access_key),
		    offsetof(pdpb_access_key, id.len), "access key table"},
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		char *b = copy();
		uint32_t used = first_used(b, t[k].sec, t[k].size,
		    t[k].lenoff);
		if (section(b, t[k].sec)->count > 3) {
			shrink(b, t[k].sec, t[k].size, 3, used);
			reseal(b, g_len);
			expect_reject(b, g_len, PDP_ECORRUPT,
			    "not a power of two", t[k].name);
		}
		shrink(b, t[k].sec, t[k].size, 0, 0);
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "not a power of two",
		    t[k].name);
		free(b);
		// One slot, occupied: probing would never stop.
		b = copy();
		shrink(b, t[k].sec, t[k].size, 1, used);
		if (t[k].sec == PDPB_SEC_PRINCIPALS)
			shrink(b, PDPB_SEC_PRINFO, sizeof(pdpb_prinfo), 1,
			    used);
		reseal(b, g_len);
		expect_reject(b, g_len, PDP_ECORRUPT, "is full", t[k].name);
		free(b);
	}
}
END_TEST

START_TEST(test_bundle_shrunk_string_section_is_refused)
{
	char *b = copy();
	pdpb_section *s = section(b, PDPB_SEC_STRINGS);

	s->size = s->count = 1;
	reseal(b, g_len);
	expect_reject(b, g_len, PDP_ECORRUPT, "corrupt", "strings");
	free(b);
}
END_TEST

// --- Random structural corruption ------------------------------------------

static uint64_t
rnd(uint64_t *s)
{
	// splitmix64: deterministic, seeded per test.
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

START_TEST(test_bundle_random_sealed_corruption_never_crashes)
{
	uint64_t seed = 20240501;
	size_t loaded = 0, refused = 0, n = 6000;
	uint32_t hsize = (uint32_t) sizeof(pdpb_header);

	for (size_t it = 0; it < n; it++) {
		char *b = copy();
		// 1-4 writes of small or boundary values, anywhere after the
		// header, then a valid checksum.
		int nw = 1 + (int) (rnd(&seed) % 4);
		for (int k = 0; k < nw; k++) {
			size_t off = hsize + rnd(&seed) % (g_len - hsize - 4);
			off &= ~(size_t) 3;
			static const uint32_t vals[] = {0, 1, 2, 3, 7, 8, 31,
			    32, 255, 0x7fffffffu, 0x80000000u, 0xfffffffeu,
			    0xffffffffu};
			uint32_t v = (rnd(&seed) & 1) ?
			    vals[rnd(&seed) % (sizeof(vals) / 4)] :
			    (uint32_t) rnd(&seed);
			memcpy(b + off, &v, 4);
		}
		reseal(b, g_len);
		pdp_bundle *bd = NULL;
		char err[256];
		int rv = pdp_bundle_open_mem(b, g_len, &bd, err, sizeof(err));
		if (rv == PDP_OK) {
			// Whatever it decides, deciding must be safe.
			pdp_explanation ex;
			for (size_t i = 0; i < fx_ncases; i++) {
				pdp_decision d;
				pdp_bundle_authorize(bd, &fx_cases[i].req, &d,
				    (i & 1) ? &ex : NULL);
				ck_assert(d.effect == PDP_ALLOW ||
				    d.effect == PDP_IMPLICIT_DENY ||
				    d.effect == PDP_EXPLICIT_DENY);
			}
			pdp_bundle_close(bd);
			loaded++;
		} else {
			ck_assert_msg(rv == PDP_ECORRUPT || rv == PDP_EVERSION,
			    "rv %d: %s", rv, err);
			ck_assert_msg(err[0] != '\0', "no message for %d", rv);
			refused++;
		}
		free(b);
	}
	printf("random sealed corruption: %zu refused, %zu loaded (and "
	    "decided safely) of %zu\n", refused, loaded, n);
	// Most random writes into records must be caught.
	ck_assert_uint_gt(refused, n / 4);
}
END_TEST

// The loader's own entry point with checksum checks off (the fuzz
// target's path) takes ownership on failure as on success.
START_TEST(test_bundle_load_without_checksum_owns_the_buffer)
{
	char *b = copy();
	pdp_bundle *bd = NULL;
	char err[256];

	hdr(b)->checksum ^= 0xff;
	ck_assert_int_eq(pdpi_bundle_load(b, g_len, false, false, &bd, err,
	    sizeof(err)), PDP_OK);
	ck_assert_uint_eq(fx_check_all(bd, 0), 0);
	pdp_bundle_close(bd);
	b = copy();
	hdr(b)->version = 99;
	ck_assert_int_eq(pdpi_bundle_load(b, g_len, false, false, &bd, err,
	    sizeof(err)), PDP_EVERSION);
	// No free here: the loader freed b (ASan reports a leak if not).
}
END_TEST

// --- Fuzz seeds -------------------------------------------------------------

// small_bundle builds one of the small bundles that seed the loader's fuzz
// target (tests/fuzz/seeds/bundle/): libFuzzer mutates inputs of at most
// -max_len bytes (8192 in scripts/test.sh), so the seeds stay below that.
static void
small_bundle(int kind, void **data, size_t *len)
{
	iamc_builder *b;
	iamc_diags d;
	const pdpi_policy *id = NULL, *rp = NULL, *scp = NULL, *rcp = NULL;
	uint32_t s_id = PDPB_NONE, s_scp, s_rcp, lv[1], lv2[1];
	static const char *const pols[] = {
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":[\"s3:Get*\",\"sqs:SendMessage\"],\"Resource\":"
	    "\"arn:aws:s3:::corp/home/${aws:username}/*\",\"Condition\":"
	    "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"},"
	    "\"ForAnyValue:StringLike\":{\"aws:TagKeys\":\"te*\"}}},"
	    "{\"Effect\":\"Deny\",\"NotAction\":\"s3:*\",\"NotResource\":"
	    "\"arn:aws:s3:::corp\",\"Condition\":{\"DateLessThan\":"
	    "{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"},"
	    "\"NumericLessThanIfExists\":{\"s3:max-keys\":\"10\"},"
	    "\"Bool\":{\"aws:SecureTransport\":\"true\"},"
	    "\"BinaryEquals\":{\"k\":\"QUJD\"},\"Null\":{\"x\":\"true\"}}}]}",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Principal\":{\"AWS\":[\"111111111111\",\"arn:aws:iam::"
	    "222222222222:role/auditor\"]},\"Action\":\"s3:GetObject\","
	    "\"Resource\":\"arn:aws:s3:::corp/public/*\"},{\"Effect\":"
	    "\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111111111111:"
	    "root\"},\"Action\":\"s3:Delete*\",\"Resource\":\"*\","
	    "\"Condition\":{\"ArnNotLike\":{\"aws:SourceArn\":"
	    "\"arn:aws:sqs:*:111111111111:*\"}}}]}",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":\"*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\","
	    "\"Action\":\"ec2:Terminate*\",\"Resource\":\"*\"}]}",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
	};

	ck_assert_int_eq(iamc_builder_open(&b), PDP_OK);
	iamc_arena *arena = iamc_builder_arena(b);
	iamc_diags_init(&d);
	if (kind >= 1) {
		ck_assert_int_eq(iamc_policy_compile_text(arena,
		    pols[0], strlen(pols[0]), PDP_POLICY_IDENTITY, "Id", &id,
		    &d), PDP_OK);
		ck_assert_int_eq(iamc_builder_set(b, &id, 1, true, &s_id),
		    PDP_OK);
	}
	if (kind >= 2) {
		ck_assert_int_eq(iamc_policy_compile_text(arena,
		    pols[1], strlen(pols[1]), PDP_POLICY_RESOURCE, "corp", &rp,
		    &d), PDP_OK);
		ck_assert_int_eq(iamc_policy_compile_text(arena,
		    pols[2], strlen(pols[2]), PDP_POLICY_SCP, "Scp", &scp,
		    &d), PDP_OK);
		ck_assert_int_eq(iamc_policy_compile_text(arena,
		    pols[3], strlen(pols[3]), PDP_POLICY_RCP, "Rcp", &rcp,
		    &d), PDP_OK);
		ck_assert_int_eq(iamc_builder_set(b, &scp, 1, true, &s_scp),
		    PDP_OK);
		ck_assert_int_eq(iamc_builder_set(b, &rcp, 1, false, &s_rcp),
		    PDP_OK);
		ck_assert_int_eq(iamc_builder_resource_policy(b,
		    "arn:aws:s3:::corp", rp), PDP_OK);
		ck_assert_int_eq(iamc_builder_named(b, "sp0", s_id), PDP_OK);
	}
	iamc_diags_fini(&d);
	lv[0] = kind >= 2 ? s_scp : 0;
	lv2[0] = kind >= 2 ? s_rcp : 0;
	ck_assert_int_eq(iamc_builder_account(b, FX_MEMBER, lv,
	    kind >= 2, lv2, kind >= 2), PDP_OK);
	static const char *const tk[] = {"team"}, *const tv[] = {"red"};
	iamc_principal_spec p;
	memset(&p, 0, sizeof(p));
	p.account = FX_MEMBER;
	p.boundary = PDPB_NONE;
	p.kind = PDPB_USER;
	p.name = "alice";
	p.path = "/eng/";
	p.identity = s_id;
	p.ntags = 1;
	p.tag_keys = tk;
	p.tag_values = tv;
	ck_assert_int_eq(iamc_builder_principal(b, &p), PDP_OK);
	if (kind >= 2) {
		p.kind = PDPB_ROLE;
		p.name = "Deployer";
		p.path = NULL;
		p.boundary = s_id;
		p.unique_id = "AROADEPLOYER00000001";
		ck_assert_int_eq(iamc_builder_principal(b, &p), PDP_OK);
		p.kind = PDPB_FEDUSER;
		p.name = "carol";
		p.boundary = PDPB_NONE;
		ck_assert_int_eq(iamc_builder_principal(b, &p), PDP_OK);
	}
	if (kind >= 1) {
		ck_assert_int_eq(iamc_builder_access_key(b, "AKIASMALL00000000001",
		    "arn:aws:iam::" FX_MEMBER ":user/eng/alice", true), PDP_OK);
		ck_assert_int_eq(iamc_builder_access_key(b, "AKIASMALL00000000002",
		    "arn:aws:iam::" FX_MEMBER ":root", false), PDP_OK);
	}
	ck_assert_int_eq(iamc_builder_write(b, 1 + (uint64_t) kind, data, len),
	    PDP_OK);
	iamc_builder_close(b);
}

START_TEST(test_bundle_fuzz_seeds_are_small_valid_bundles)
{
	const char *dir = getenv("PDP_WRITE_SEEDS");

	for (int kind = 0; kind < 3; kind++) {
		void *data;
		size_t len;
		pdp_bundle *b = NULL;
		char err[256];
		small_bundle(kind, &data, &len);
		ck_assert_msg(len <= 8192, "seed %d has %zu bytes", kind, len);
		ck_assert_int_eq(pdp_bundle_open_mem(data, len, &b, err,
		    sizeof(err)), PDP_OK);
		ck_assert_uint_eq(pdp_bundle_revision(b), 1 + (uint64_t) kind);
		pdp_bundle_close(b);
		if (dir != NULL) {
			char path[1024];
			snprintf(path, sizeof(path), "%s/small-%d.bundle", dir,
			    kind);
			FILE *f = fopen(path, "wb");
			ck_assert_msg(f != NULL, "%s", path);
			ck_assert_uint_eq(fwrite(data, 1, len, f), len);
			fclose(f);
			printf("wrote %s (%zu bytes)\n", path, len);
		}
		free(data);
	}
}
END_TEST

// decide_one decides one request of a single context key against b and
// checks that the explanation's decision agrees.
static pdp_effect
decide_one(const pdp_bundle *b, const char *key, const char *val)
{
	const char *const vals[] = {val};
	pdp_context_entry ctx = {key, vals, 1, false};
	pdp_request q;
	pdp_decision d, dx;
	pdp_explanation ex;

	memset(&q, 0, sizeof(q));
	q.principal = "arn:aws:iam::" FX_MEMBER ":user/many";
	q.action = "s3:GetObject";
	q.resource = "arn:aws:s3:::bucket/key";
	q.context = &ctx;
	q.ncontext = key != NULL;
	ck_assert_int_eq(pdp_bundle_authorize(b, &q, &d, NULL), PDP_OK);
	ck_assert_int_eq(pdp_bundle_authorize(b, &q, &dx, &ex), PDP_OK);
	ck_assert_int_eq(d.effect, dx.effect);
	return d.effect;
}

START_TEST(test_bundle_keys_past_the_slots_decide_alike)
{
	// 1,100 statements, each allowing on its own condition key: more
	// keys than a bundle interns (PDPI_KEY_SLOTS) and more conditions
	// than a decision keeps answers for (PDPI_MEMO_MAX). Keys past the
	// slots are searched for; they must decide alike.
	enum { N = 1100 };
	size_t cap = (size_t) N * 128 + 64, n = 0;
	char *json = malloc(cap);
	iamc_builder *bld;
	iamc_diags d;
	const pdpi_policy *p;
	uint32_t set;
	void *data;
	size_t len;
	pdp_bundle *b;
	char err[256];

	ck_assert_ptr_nonnull(json);
	n += (size_t) snprintf(json + n, cap - n,
	    "{\"Version\":\"2012-10-17\",\"Statement\":[");
	for (int i = 0; i < N; i++)
		n += (size_t) snprintf(json + n, cap - n, "%s{\"Effect\":"
		    "\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\","
		    "\"Condition\":{\"StringEquals\":{\"corp:k%d\":\"v\"}}}",
		    i ? "," : "", i);
	n += (size_t) snprintf(json + n, cap - n, "]}");
	ck_assert_int_eq(iamc_builder_open(&bld), PDP_OK);
	iamc_diags_init(&d);
	ck_assert_int_eq(iamc_policy_compile_text(iamc_builder_arena(bld),
	    json, n, PDP_POLICY_AWS_MANAGED, "Many", &p, &d), PDP_OK);
	iamc_diags_fini(&d);
	ck_assert_int_eq(iamc_builder_set(bld, &p, 1, true, &set), PDP_OK);
	ck_assert_int_eq(iamc_builder_account(bld, FX_MEMBER, NULL, 0, NULL,
	    0), PDP_OK);
	iamc_principal_spec ps = {.kind = PDPB_USER, .account = FX_MEMBER,
	    .name = "many", .identity = set, .boundary = PDPB_NONE};
	ck_assert_int_eq(iamc_builder_principal(bld, &ps), PDP_OK);
	ck_assert_int_eq(iamc_builder_write(bld, 1, &data, &len), PDP_OK);
	iamc_builder_close(bld);
	free(json);
	ck_assert_int_eq(pdp_bundle_open_mem(data, len, &b, err, sizeof(err)),
	    PDP_OK);
	free(data);
	ck_assert_uint_eq(b->keys.n, PDPI_KEY_SLOTS);
	ck_assert_uint_eq(b->nmemo, PDPI_MEMO_MAX);

	const int probe[] = {0, 7, 1023, 1024, 1050, N - 1};
	for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		char key[32];
		snprintf(key, sizeof(key), "CORP:K%d", probe[i]);
		ck_assert_msg(decide_one(b, key, "v") == PDP_ALLOW, "%s", key);
		ck_assert_msg(decide_one(b, key, "w") == PDP_IMPLICIT_DENY,
		    "%s", key);
	}
	ck_assert_int_eq(decide_one(b, "corp:k1100", "v"), PDP_IMPLICIT_DENY);
	ck_assert_int_eq(decide_one(b, NULL, NULL), PDP_IMPLICIT_DENY);
	pdp_bundle_close(b);
}
END_TEST

static Suite *
bundle_suite(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("open");

	tcase_add_unchecked_fixture(tc, build_fixture, free_fixture);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bundle_fixture_opens_and_decides);
	tcase_add_test(tc, test_bundle_access_keys_are_found_by_id);
	tcase_add_test(tc, test_bundle_file_opens_mapped_and_decides);
	tcase_add_test(tc, test_bundle_open_missing_file_is_enoent);
	tcase_add_test(tc, test_bundle_open_directory_is_refused);
	tcase_add_test(tc, test_bundle_open_empty_file_is_truncated);
	tcase_add_test(tc, test_bundle_bad_magic_is_corrupt_r001);
	tcase_add_test(tc,
	    test_bundle_foreign_byte_order_is_version_error_r002);
	tcase_add_test(tc, test_bundle_unknown_version_is_version_error_r003);
	tcase_add_test(tc, test_bundle_size_field_mismatch_is_corrupt_r004);
	tcase_add_test(tc, test_bundle_checksum_mismatch_is_corrupt_r005);
	tcase_add_test(tc, test_bundle_unknown_flags_are_version_error_r006);
	tcase_add_test(tc,
	    test_bundle_directory_out_of_bounds_is_corrupt_r007);
	tcase_add_test(tc, test_bundle_too_few_sections_names_the_missing_one);
	tcase_add_test(tc, test_bundle_unknown_or_duplicate_section_id_r008);
	tcase_add_test(tc, test_bundle_section_out_of_bounds_r009);
	tcase_add_test(tc, test_bundle_section_count_must_fill_size_r010);
	tcase_add_test(tc, test_bundle_truncated_anywhere_is_refused);
	tcase_add_test(tc, test_bundle_flipped_bytes_fail_the_checksum);
	tcase_add_test(tc, test_bundle_corrupt_records_fail_structure_checks);
	tcase_add_test(tc,
	    test_bundle_typed_condition_values_are_checked_r026);
	tcase_add_test(tc, test_bundle_corrupt_tables_are_refused_r031);
	tcase_add_test(tc, test_bundle_table_slots_and_lists_are_checked_r031);
	tcase_add_test(tc, test_bundle_table_entries_are_checked_r031);
	tcase_add_test(tc, test_bundle_unreferenced_parts_are_checked_r027);
	tcase_add_test(tc, test_bundle_keys_past_the_slots_decide_alike);
	tcase_add_test(tc,
	    test_bundle_corrupt_index_records_are_refused_r030_r036);
	tcase_add_test(tc,
	    test_bundle_hash_tables_must_be_powers_of_two_with_room);
	tcase_add_test(tc, test_bundle_shrunk_string_section_is_refused);
	tcase_add_test(tc, test_bundle_random_sealed_corruption_never_crashes);
	tcase_add_test(tc, test_bundle_load_without_checksum_owns_the_buffer);
	tcase_add_test(tc, test_bundle_fuzz_seeds_are_small_valid_bundles);
	tcase_add_test(tc, test_bundle_authorize_many_edges);
	tcase_add_test(tc, test_bundle_large_bundle_reads_ahead);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(bundle_suite());
}
