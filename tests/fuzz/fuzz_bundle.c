// fuzz_bundle.c - libFuzzer target for the bundle loader (pdp/src/bundle.c).
//
// Feeds the input bytes to pdpi_bundle_load with checksum verification
// off, so mutations reach the structure checks instead of stopping at the
// checksum. A bundle that loads is then decided against with a handful of
// requests, with and without explanations: the loader's promise is that a
// bundle passing its checks needs no further bounds checks, so ASan and
// UBSan turn any broken promise into a crash. Seeds are small valid
// bundles in tests/fuzz/seeds/bundle/ (written by tests/pdp/bundle_test.c
// with PDP_WRITE_SEEDS set).

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_or_die(int ok)
{
	if (!ok)
		abort();
}

static const char *const v_true[] = {"true"};
static const char *const v_ip[] = {"10.1.2.3"};
static const char *const v_keys[] = {"team", "env"};
static const pdp_context_entry ctx[] = {
	{"aws:SecureTransport", v_true, 1, false},
	{"aws:SourceIp", v_ip, 1, false},
	{"aws:TagKeys", v_keys, 2, true},
};

#define Q(p, a, r, ra, n, sp) {.principal = p, .action = a, .resource = r, \
	.resource_account = ra, .context = ctx, .ncontext = n, \
	.session_policy = sp}

static const pdp_request reqs[] = {
	Q("arn:aws:iam::111111111111:user/eng/alice", "s3:GetObject",
	    "arn:aws:s3:::corp/home/alice/x", "111111111111", 3, NULL),
	Q("arn:aws:iam::111111111111:user/bob", "ec2:RunInstances", NULL,
	    NULL, 3, NULL),
	Q("arn:aws:sts::111111111111:assumed-role/Deployer/s1",
	    "sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:jobs",
	    NULL, 2, "arn:aws:iam::111111111111:policy/SessionReadOnly"),
	Q("arn:aws:iam::111111111111:user/eng/alice", "sts:AssumeRole",
	    "arn:aws:iam::111111111111:role/Deployer", NULL, 0, NULL),
	Q("arn:aws:sts::222222222222:assumed-role/auditor/a1", "kms:Decrypt",
	    "arn:aws:kms:us-east-1:111111111111:key/k1", NULL, 1, NULL),
	Q("arn:aws:iam::111111111111:root", "s3:PutObject",
	    "arn:aws:s3:::corp/locked/x", NULL, 0, NULL),
	Q("anonymous", "s3:GetObject", "arn:aws:s3:::corp/public/x", NULL, 0,
	    NULL),
	Q("arn:aws:sts::111111111111:federated-user/carol", "s3:GetObject",
	    "arn:aws:s3:::corp/public/x", NULL, 3, "sp0"),
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// The loader takes ownership of a malloc'd copy (freed on failure
	// too); malloc's alignment satisfies every record's.
	void *copy = malloc(size ? size : 1);
	pdp_bundle *b = NULL;
	char err[256];

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	err[0] = '\0';
	int rv = pdpi_bundle_load(copy, size, false, false, &b, err,
	    sizeof(err));
	if (rv != PDP_OK) {
		check_or_die(b == NULL);
		check_or_die(rv == PDP_ECORRUPT || rv == PDP_EVERSION ||
		    rv == PDP_ENOMEM);
		check_or_die(err[0] != '\0');
		return 0;
	}
	check_or_die(b != NULL);
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		pdp_decision d;
		pdp_explanation ex;
		pdp_bundle_authorize(b, &reqs[i], &d, (i & 1) ? &ex : NULL);
		check_or_die(d.effect == PDP_ALLOW ||
		    d.effect == PDP_IMPLICIT_DENY ||
		    d.effect == PDP_EXPLICIT_DENY);
		check_or_die(d.reason != NULL);
		check_or_die(d.err != PDP_OK || d.revision == b->revision);
		if (i & 1) {
			// Explanation strings point into the bundle.
			size_t sum = 0;
			for (uint32_t k = 0; k < ex.nmatched &&
			    k < PDP_EXPLAIN_MAX; k++)
				for (uint32_t j = 0;
				    j < ex.matched[k].policy_len; j++)
					sum += (unsigned char)
					    ex.matched[k].policy[j];
			for (uint32_t k = 0; k < ex.nmissing &&
			    k < PDP_EXPLAIN_MAX; k++)
				sum += ex.missing_len[k];
			check_or_die(sum < SIZE_MAX);
		}
	}
	pdp_bundle_close(b);
	return 0;
}
