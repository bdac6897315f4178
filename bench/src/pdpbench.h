// pdpbench.h - the subcommands of pdpbench, one per file.

#ifndef PDPBENCH_H
#define PDPBENCH_H

// pdpbench_micro measures the in-process decision path (micro.c).
int pdpbench_micro(int argc, char **argv);

// pdpbench_load drives a pdpd server over nng (load.c).
int pdpbench_load(int argc, char **argv);

// The request `pdpbench load` and `pdpbench wire` send by default: the
// example bundle's auditor reading a prod report (Allow).
#define PDPBENCH_PRINCIPAL "arn:aws:iam::111111111111:user/audit/auditor"
#define PDPBENCH_ACTION "s3:GetObject"
#define PDPBENCH_RESOURCE "arn:aws:s3:::acme-prod-data/q1.csv"

// pdpbench_wire times what pdpd does per decision of a batch, in process:
// decode, decide, encode, and a client's decode of the reply (wire.c).
int pdpbench_wire(int argc, char **argv);

// pdpbench_memory prints this machine's latency of a dependent load for
// working sets of 1 to 64 MiB (memory.c): what a cache miss costs here.
int pdpbench_memory(int argc, char **argv);

// pdpbench_echo runs the bare nng echo server that load compares against
// (echo.c).
int pdpbench_echo(int argc, char **argv);

// pdpbench_plugins measures what Lua plugins add to a decision: a custom
// condition key and a tag rule, against the same decisions without
// plugins (plugins.c; `pdpbench micro --workload plugins` runs it).
int pdpbench_plugins(int argc, char **argv);

// pdpbench_creds measures what naming the caller by credentials (an
// access key and session token, through the credentials cache) adds to
// a decision by ARN (creds.c; `pdpbench micro --workload creds`).
int pdpbench_creds(int argc, char **argv);

#endif // PDPBENCH_H
