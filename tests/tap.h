/* tap.h -- the few lines of TAP our C tests print; automake's tap-driver
 * counts them.  tap_selected() honours `make check T="2042 4107"`. */
#ifndef ESC_TAP_H
#define ESC_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed;

/* 1 when case number n was asked for in $T, or when $T is empty. */
static inline int
tap_selected(int n)
{
	const char *t = getenv("T");
	char num[16];
	const char *p;
	size_t l;

	if (t == NULL || *t == '\0')
		return 1;
	(void)snprintf(num, sizeof(num), "%d", n);
	l = strlen(num);
	for (p = t; (p = strstr(p, num)) != NULL; p += l)
		if ((p == t || p[-1] == ' ' || p[-1] == ',') &&
		    (p[l] == '\0' || p[l] == ' ' || p[l] == ','))
			return 1;
	return 0;
}

static inline void
tap_ok(int ok, const char *fmt, const char *name)
{
	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", tap_count);
	printf(fmt, name);
	putchar('\n');
	fflush(stdout);
}

static inline void
tap_skip(const char *why)
{
	tap_count++;
	printf("ok %d # SKIP %s\n", tap_count, why);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return 0;	/* failures are reported through TAP, not the exit code */
}

#define CHECK(cond, name) tap_ok((cond) ? 1 : 0, "%s", (name))

#endif
