// pdpbench.c - the pdpbench command: one subcommand per file (pdpbench.h).
//
//   pdpbench micro ...   the in-process decision path (micro.c)
//   pdpbench load ...    a pdpd server over nng (load.c)
//   pdpbench echo ...    the bare nng echo server load compares with
//   pdpbench wire ...    pdpd's work per decision, in process (wire.c)
//   pdpbench memory      this machine's cache and memory latency (memory.c)

#include <stdio.h>
#include <string.h>

#include "pdpbench.h"

// As in pdpd (pdp/server/main.c): jemalloc zeroes the large messages nng
// receives with memset, not by handing pages back to the kernel, whose
// TLB flushes cost `load` two thirds of its throughput with 36 KB
// batches.
const char *malloc_conf = "thp:always";

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pdpbench micro|load|echo|wire|memory [options]\n"
	    "       pdpbench SUBCOMMAND --help\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	// Each subcommand sees its own name as argv[0].
	if (strcmp(argv[1], "micro") == 0)
		return pdpbench_micro(argc - 1, argv + 1);
	if (strcmp(argv[1], "load") == 0)
		return pdpbench_load(argc - 1, argv + 1);
	if (strcmp(argv[1], "echo") == 0)
		return pdpbench_echo(argc - 1, argv + 1);
	if (strcmp(argv[1], "wire") == 0)
		return pdpbench_wire(argc - 1, argv + 1);
	if (strcmp(argv[1], "memory") == 0)
		return pdpbench_memory(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
