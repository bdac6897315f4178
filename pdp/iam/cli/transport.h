// transport.h - how the iam command reaches the IAM service: in-process
// on a store file (local.c), or through pdpd's nng socket with requests
// signed by an access key (remote.c), behind the same call.

#ifndef IAM_TRANSPORT_H
#define IAM_TRANSPORT_H

#include "iams.h"

typedef struct iam_transport {
	void *arg;
	// call runs one operation; as iams_call. Over a socket the caller
	// is the owner of the access key and `caller` is not read; a
	// failure to reach the service is an error whose code is the wire
	// status ("ETRANSPORT") and whose HTTP status is 0.
	int (*call)(void *arg, const char *caller, const char *op,
	    const json_t *params, json_t **resp, iams_error *err);
	void (*close)(void *arg);
	iams_service *service; // the service in-process; NULL over a socket
} iam_transport;

// iam_local_open opens the store at `path` in-process (its key file is
// PATH.key, created with `create`).
int iam_local_open(const char *path, bool create, iam_transport *t,
    char *err, size_t errlen);

// iam_remote_open prepares calls to the pdpd at `url` (ipc:// or
// tcp://), signed with the credentials of the environment, as the aws
// CLI takes them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, with
// session credentials, AWS_SESSION_TOKEN. The secret is kept in memory
// only, wiped on close, and never printed.
int iam_remote_open(const char *url, iam_transport *t, char *err,
    size_t errlen);

// iam_remote_service makes a remote transport's calls go to `service`
// ("iam" by default, "sts"); `service` must outlive the transport.
void iam_remote_service(iam_transport *t, const char *service);
// iam_local_aws_managed sets the AWS managed policies file the next
// iam_local_open loads into a store that has none (iams_options).
void iam_local_aws_managed(const char *path);

// iam_bench_live runs `iam bench-live`; returns the exit status.
int iam_bench_live(int argc, char **argv);

#endif // IAM_TRANSPORT_H
