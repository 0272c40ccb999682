/* fixture.c -- what the data-file tests share: reading and writing a
 * fixture, and showing where output and expectation part. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fixture.h"

char *
fixture_read(const char *path, size_t *len)
{
	FILE *f;
	char *p = NULL;
	size_t cap = 0, n = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *q;

			cap = cap ? cap * 2 : 8192;
			if ((q = realloc(p, cap)) == NULL) {
				free(p);
				(void)fclose(f);	/* read-only: nothing to lose */
				return NULL;
			}
			p = q;
		}
		r = fread(p + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	(void)fclose(f);		/* read-only: nothing to lose */
	p[n] = '\0';
	*len = n;
	return p;
}

int
fixture_write(const char *path, const char *data, size_t len)
{
	FILE *f;
	int ok;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static void
fixture_show_char(char c)
{
	if (c == '\n')
		fputs("$\n# ", stdout);	/* "$" shows where trailing blanks end */
	else
		putchar(c);
}

/* Prints both texts as TAP comments so a failure shows the difference. */
void
fixture_diff(const char *want, const char *got)
{
	const char *w = want, *g = got;
	int line = 1;

	while (*w != '\0' && *w == *g) {
		if (*w == '\n')
			line++;
		w++;
		g++;
	}
	printf("# first difference at line %d\n", line);
	printf("# --- expected\n# ");
	for (w = want; *w != '\0'; w++)
		fixture_show_char(*w);
	printf("\n# --- got\n# ");
	for (g = got; *g != '\0'; g++)
		fixture_show_char(*g);
	printf("\n");
}

int
fixture_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

