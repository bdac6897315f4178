// echo.c - `pdpbench echo`: the bare nng echo server that `pdpbench load`
// measures pdpd against. Same structure as pdpd (one REP socket, N
// contexts, each an aio-driven receive/send state machine, the received
// message sent back as the reply) without decoding or deciding, so the
// ratio between the two is what pdpd adds to the transport.
//
//   pdpbench echo --listen URL [--listen URL ...] [--workers N]

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include "pdpbench.h"

typedef struct echo_worker {
	nng_aio *aio;
	nng_ctx ctx;
	bool sending;
} echo_worker;

static void
echo_cb(void *arg)
{
	echo_worker *w = arg;
	int rv = nng_aio_result(w->aio);

	if (w->sending) {
		if (rv != 0)
			nng_msg_free(nng_aio_get_msg(w->aio));
		w->sending = false;
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	if (rv != 0) {
		if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
			return;
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	// The request is the reply: nng_aio_get_msg left it on the aio.
	w->sending = true;
	nng_ctx_send(w->ctx, w->aio);
}

static void
echo_usage(FILE *f)
{
	fprintf(f, "usage: pdpbench echo --listen URL [--listen URL ...] "
	    "[--workers N]\n"
	    "Runs a bare nng REP echo server (N contexts, default: cores)\n"
	    "until SIGTERM or SIGINT.\n");
}

int
pdpbench_echo(int argc, char **argv)
{
	const char *urls[16];
	int nurls = 0, workers = (int) sysconf(_SC_NPROCESSORS_ONLN), rv;
	nng_socket sock;
	echo_worker *w;
	sigset_t set;
	int sig;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			echo_usage(stdout);
			return 0;
		}
		if (i + 1 < argc && strcmp(argv[i], "--listen") == 0 &&
		    nurls < 16)
			urls[nurls++] = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--workers") == 0)
			workers = atoi(argv[++i]);
		else {
			echo_usage(stderr);
			return 2;
		}
	}
	if (nurls == 0 || workers < 1) {
		echo_usage(stderr);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	w = calloc((size_t) workers, sizeof(*w));
	if (w == NULL || (rv = nng_rep0_open(&sock)) != 0) {
		fprintf(stderr, "pdpbench echo: cannot open a socket\n");
		free(w);
		return 1;
	}
	nng_socket_set_size(sock, NNG_OPT_RECVMAXSZ, 2u << 20);
	for (int i = 0; i < workers; i++)
		if (nng_aio_alloc(&w[i].aio, echo_cb, &w[i]) != 0 ||
		    nng_ctx_open(&w[i].ctx, sock) != 0) {
			fprintf(stderr, "pdpbench echo: out of memory\n");
			return 1;
		}
	for (int i = 0; i < nurls; i++)
		if ((rv = nng_listen(sock, urls[i], NULL, 0)) != 0) {
			fprintf(stderr, "pdpbench echo: %s: %s\n", urls[i],
			    nng_strerror(rv));
			return 1;
		}
	for (int i = 0; i < workers; i++)
		nng_ctx_recv(w[i].ctx, w[i].aio);
	while (sigwait(&set, &sig) != 0)
		;
	// nng 1.5's safe order: stop the aios, close, then free.
	for (int i = 0; i < workers; i++)
		nng_aio_stop(w[i].aio);
	for (int i = 0; i < workers; i++)
		nng_ctx_close(w[i].ctx);
	nng_close(sock);
	for (int i = 0; i < workers; i++)
		nng_aio_free(w[i].aio);
	free(w);
	return 0;
}
