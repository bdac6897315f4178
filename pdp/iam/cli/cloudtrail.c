// cloudtrail.c - the cloudtrail command, mirroring `aws cloudtrail` for
// the IAM service's audit trail (pdp/iam/README.md, "The audit trail"):
//
//   cloudtrail --store PATH --as arn:aws:iam::111122223333:root
//       lookup-events [--lookup-attributes
//       AttributeKey=EventName,AttributeValue=CreateUser]
//       [--start-time 2026-11-28T00:00:00Z] [--end-time ...]
//       [--max-results 10] [--next-token TOKEN]
//   cloudtrail --endpoint ipc:///run/pdpd.ipc lookup-events
//
// The callers, --query and --output are the sts command's (svc.h).

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include "svc.h"

static const char *const commands[] = {"LookupEvents", NULL};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cloudtrail --store PATH [CALLER] lookup-events "
	    "[--flag VALUE]...\n"
	    "       cloudtrail --endpoint URL lookup-events [--flag VALUE]...\n"
	    "\n"
	    SVC_CALLERS
	    "Flags: --lookup-attributes AttributeKey=K,AttributeValue=V (K:\n"
	    "EventId, EventName, ReadOnly, Username, EventSource or\n"
	    "AccessKeyId), --start-time and --end-time (ISO 8601 UTC or\n"
	    "Unix seconds), --max-results 1-50, --next-token TOKEN;\n"
	    "--query PATH and --output text as the iam command has them.\n");
}

int
main(int argc, char **argv)
{
	static const svc_cli cloudtrail = {"cloudtrail", "cloudtrail",
	    "a CloudTrail command", commands, usage, NULL, NULL};

	return svc_main(&cloudtrail, argc, argv);
}
