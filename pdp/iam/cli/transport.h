// transport.h - how the iam command reaches the IAM service: in-process
// on a store file today; pdpd's nng socket later, behind the same call.

#ifndef IAM_TRANSPORT_H
#define IAM_TRANSPORT_H

#include "iams.h"

typedef struct iam_transport {
	void *arg;
	// call runs one operation; as iams_call.
	int (*call)(void *arg, const char *caller, const char *op,
	    const json_t *params, json_t **resp, iams_error *err);
	void (*close)(void *arg);
} iam_transport;

// iam_local_open opens the store at `path` in-process (its key file is
// PATH.key, created with `create`).
int iam_local_open(const char *path, bool create, iam_transport *t,
    char *err, size_t errlen);

// iam_local_aws_managed sets the AWS managed policies file the next
// iam_local_open loads into a store that has none (iams_options).
void iam_local_aws_managed(const char *path);

// iam_local_service returns the service behind a local transport.
iams_service *iam_local_service(iam_transport *t);

// iam_bench_live runs `iam bench-live`; returns the exit status.
int iam_bench_live(int argc, char **argv);

#endif // IAM_TRANSPORT_H
