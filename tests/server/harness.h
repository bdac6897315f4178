// harness.h - what the server tests share: test bundles built with the
// compiler's builder, and a pdpd process started on a temporary ipc://
// address, waited for, signalled and reaped.

#ifndef TESTS_SERVER_HARNESS_H
#define TESTS_SERVER_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pdpclient.h"

#define TH_PDPD PDP_BINARY_DIR "/pdp/server/pdpd"
#define TH_EXAMPLE_CLIENT PDP_BINARY_DIR "/tests/example_client"

#define TH_ACCOUNT "111122223333"
#define TH_ALICE "arn:aws:iam::111122223333:user/alice"
#define TH_BOB "arn:aws:iam::111122223333:user/bob"

// The test bundle. alice: AliceS3 allows s3:GetObject on reports/* (Sid
// ReadReports), denies s3:DeleteObject everywhere (Sid NoDelete), allows
// s3:PutObject when aws:RequestTag/team is "red" (Sid TaggedPut).
// Variant 1 adds a policy allowing s3:ListBucket. bob has no policy.
// th_bundle_bytes returns malloc'd bytes; th_bundle_write writes them
// to `path` through a rename, as a deployment would. 0 or -1.
int th_bundle_bytes(int variant, uint64_t revision, void **data, size_t *len);
int th_bundle_write(const char *path, int variant, uint64_t revision);

// th_write_file writes bytes to path through a temporary and a rename.
int th_write_file(const char *path, const void *data, size_t len);

typedef struct th_server {
	pid_t pid;
	char dir[128];    // temporary directory
	char url[192];    // ipc://dir/pdpd.ipc
	char bundle[192]; // dir/bundle.pdpb
	char store[192];  // with th_use_store: dir/iam.db, served instead
	char log[192];    // dir/pdpd.log (its stderr)
	int health_calls; // requests th_start sent (each may have arrived)
} th_server;

// th_setup makes the temporary directory and writes bundle variant 0,
// revision 1, unless `bundle` is false.
void th_setup(th_server *s, bool bundle);

// th_use_store makes th_start serve the IAM store dir/iam.db (pdpd
// --store) instead of the bundle; the test creates the store.
void th_use_store(th_server *s);

// th_start runs pdpd on s->bundle (or s->store) and s->url with `args` (NULL-ended, may
// be NULL) added, and waits until it answers health. Returns 0, or -1
// when it did not come up (its log is then printed).
int th_start(th_server *s, const char *const *args);

// th_stop sends `sig` and waits: the exit status, or -1 when killed by a
// signal or still running after 10 s (then killed).
int th_stop(th_server *s, int sig);

// th_log returns pdpd's log so far (malloc'd, NUL-terminated).
char *th_log(const th_server *s);

// th_client opens a client to s (timeout in ms). Fails the test if not.
pdpc_client *th_client(const th_server *s, int timeout_ms);

// th_cleanup removes the temporary directory.
void th_cleanup(th_server *s);

// th_authz fills a request.
pdpw_authz th_authz(const char *principal, const char *action,
    const char *resource);

#endif // TESTS_SERVER_HARNESS_H
