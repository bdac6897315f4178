// condkey.c - the catalogue of AWS global condition keys (aws:...), used
// only for warnings: unknown global keys and set operators on keys that
// are known to be single-valued.

#include <string.h>

#include "iamci.h"

// Folded names. Tag keys take any suffix after the slash.
static const char *const single_keys[] = {
	"aws:currenttime", "aws:epochtime", "aws:sourceip",
	"aws:vpcsourceip", "aws:sourcevpc", "aws:sourcevpce",
	"aws:sourcevpcarn", "aws:securetransport",
	"aws:multifactorauthpresent", "aws:multifactorauthage",
	"aws:tokenissuetime", "aws:principalarn", "aws:principalaccount",
	"aws:principaltype", "aws:userid", "aws:username",
	"aws:principalorgid", "aws:principalorgmasteraccountid",
	"aws:principalisawsservice", "aws:principalservicename",
	"aws:requestedregion", "aws:resourceaccount", "aws:resourceorgid",
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid",
	"aws:sourceidentity", "aws:federatedprovider", "aws:viaawsservice",
	"aws:calledviafirst", "aws:calledvialast", "aws:useragent",
	"aws:referer", "aws:ec2instancesourcevpc",
	"aws:ec2instancesourceprivateipv4", "aws:assumedroot",
	"aws:vpceaccount", "aws:vpceorgid", "aws:ismcpserviceaction",
	"aws:sourceowner",
};

static const char *const multi_keys[] = {
	"aws:tagkeys", "aws:calledvia", "aws:principalorgpaths",
	"aws:resourceorgpaths", "aws:sourceorgpaths",
	"aws:principalservicenameslist", "aws:vpceorgpaths",
};

static const char *const single_prefixes[] = {
	"aws:principaltag/", "aws:requesttag/", "aws:resourcetag/",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
in(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return true;
	}
	return false;
}

enum iamci_key_class
iamci_key_class(const char *folded, size_t n)
{
	if (n < 4 || memcmp(folded, "aws:", 4) != 0)
		return IAMCI_KEY_OTHER;
	if (in(single_keys, NELEM(single_keys), folded, n))
		return IAMCI_KEY_SINGLE;
	if (in(multi_keys, NELEM(multi_keys), folded, n))
		return IAMCI_KEY_MULTI;
	for (size_t i = 0; i < NELEM(single_prefixes); i++) {
		size_t k = strlen(single_prefixes[i]);
		if (n > k && memcmp(folded, single_prefixes[i], k) == 0)
			return IAMCI_KEY_SINGLE;
	}
	return IAMCI_KEY_UNKNOWN;
}
