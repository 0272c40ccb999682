/* t-thread.c -- threading's string rules: subject keys and [#N] tags.
 * The lookups against the store are covered end to end in t-import.sh. */
#include "config.h"

#include <string.h>

#include "intake/thread.h"
#include "tests/tap.h"

int
main(void)
{
	static const struct { const char *in, *key; int replyish; } keys[] = {
		{ "Cannot log in", "cannot log in", 0 },
		{ "Re: Cannot log in", "cannot log in", 1 },
		{ "RE: RE: Re: Cannot  log   in ", "cannot log in", 1 },
		{ "Fwd: Cannot log in", "cannot log in", 1 },
		{ "AW: WG: Cannot log in", "cannot log in", 1 },
		{ "SV: Cannot log in", "cannot log in", 1 },
		{ "Antw: Cannot log in", "cannot log in", 1 },
		{ "Re[2]: Cannot log in", "cannot log in", 1 },
		{ "Re : Cannot log in", "cannot log in", 1 },
		{ "[Support] Re: Cannot log in", "cannot log in", 1 },
		{ "Re: [#42] SLA breached - Cannot log in", "sla breached - cannot log in", 1 },
		{ "Cannot log in [#42]", "cannot log in", 0 },
		{ "Réponse: café", "réponse: café", 0 },
		{ "Regarding the invoice", "regarding the invoice", 0 },
		{ "", "", 0 },
	};
	static const struct { const char *in; long long n; } tags[] = {
		{ "[#1234] hello", 1234 }, { "Re: x [#7]", 7 }, { "[#] x", 0 }, { "[#12a]", 0 },
		{ "no tag", 0 }, { "[#0]", 0 }, { "[# 5] [#6]", 6 },
	};
	char out[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		thread_subject_key(keys[i].in, out, sizeof(out), &r);
		if (!tap_selected(3100))
			break;
		tap_ok(strcmp(out, keys[i].key) == 0 && r == keys[i].replyish,
		    "3100 subject key of '%s'", keys[i].in);
		if (strcmp(out, keys[i].key) != 0)
			printf("# got '%s' want '%s'\n", out, keys[i].key);
	}
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]) && tap_selected(3101); i++)
		tap_ok(thread_subject_tag(tags[i].in) == tags[i].n, "3101 tag in '%s'", tags[i].in);
	return tap_done();
}
