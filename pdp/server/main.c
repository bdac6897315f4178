// main.c - the pdpd command: configuration, signals, and the server's
// life from start to drain.
//
// Signals are blocked in every thread (nng's included, which inherit the
// mask) and taken synchronously here with sigwait, so that handling them
// is ordinary code: SIGHUP asks for a reload, SIGTERM and SIGINT drain
// the requests in flight and exit 0.

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "pdpd.h"

// jemalloc reads its options from this symbol (then from MALLOC_CONF).
// nng zero-allocates every message it receives, and jemalloc zeroes a
// recycled large block (16 KiB and up: an authorize_batch of 40 requests
// or more) by handing its pages back to the kernel, which flushes the
// TLB of every CPU running a pdpd thread. With "thp:always" it zeroes
// with memset instead. On a 36 KB batch of 100 requests pdpd decided 3x
// more a second (bench/README.md, "pdpd over nng").
const char *malloc_conf = "thp:always";

// teardown_watchdog exits the process, as a drained server would, when
// closing nng's sockets has not returned within TEARDOWN_MS.
#define TEARDOWN_MS 3000

static void *
teardown_watchdog(void *arg)
{
	(void) arg;
	nng_msleep(TEARDOWN_MS);
	PDPD_LOG(PDPD_LOG_WARN, "teardown_timeout",
	    PDPD_U("after_ms", TEARDOWN_MS));
	PDPD_LOG(PDPD_LOG_INFO, "stopped", PDPD_U("exit", 0));
	_exit(0);
	return NULL;
}

int
main(int argc, char **argv)
{
	pdpd_config cfg;
	pdpd_server *srv = NULL;
	char err[1024];
	sigset_t set;
	int sig, rv;

	pdpd_config_init(&cfg);
	rv = pdpd_config_load(&cfg, argc, argv, err, sizeof(err));
	if (rv != 0) {
		pdpd_config_fini(&cfg);
		if (rv > 0)
			return 0;
		fprintf(stderr, "pdpd: %s\n", err);
		return 2;
	}
	pdpd_log_level(cfg.log_level);

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	// A reply to a client that has gone must not kill the server.
	signal(SIGPIPE, SIG_IGN);

	if (pdpd_server_open(&cfg, &srv, err, sizeof(err)) != 0) {
		PDPD_LOG(PDPD_LOG_ERROR, "start_failed", PDPD_S("error", err));
		pdpd_server_close(srv);
		pdpd_config_fini(&cfg);
		return 1;
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			PDPD_LOG(PDPD_LOG_INFO, "reload_requested",
			    PDPD_S("by", "SIGHUP"));
			pdpd_server_reload(srv);
			continue;
		}
		PDPD_LOG(PDPD_LOG_INFO, "stopping",
		    PDPD_S("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
		break;
	}
	pdpd_server_drain(srv);
	// Every request taken has been answered: what is left is teardown.
	// nng 1.5's nng_close can hang on an ipc socket whose clients are
	// still connected (seen about once in six drains under load), so a
	// watchdog ends the process if teardown outlives its bound.
	pthread_t wd;
	if (pthread_create(&wd, NULL, teardown_watchdog, NULL) == 0)
		pthread_detach(wd);
	pdpd_server_close(srv);
	PDPD_LOG(PDPD_LOG_INFO, "stopped", PDPD_U("exit", 0));
	pdpd_config_fini(&cfg);
	return 0;
}
