/* fixture.c -- what the data-file tests share: finding tests/data and its
 * NNNN-* cases, reading and writing a fixture, and showing where output
 * and expectation part.  TAP comments only; results are the caller's. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fixture.h"

int
fixture_testdata(char *out)
{
	char from[PATH_MAX];
	const char *env, *top;

	if ((env = getenv("TESTDATA")) == NULL || *env == '\0') {
		/* By hand from the build directory: $top_srcdir, or "." */
		if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
			top = ".";
		(void)snprintf(from, sizeof(from), "%s/tests/data", top);
		env = from;
	}
	if (realpath(env, out) == NULL) {
		printf("# TESTDATA '%s': %s\n", env, strerror(errno));
		return -1;
	}
	return 0;
}

/* 1 when name is NNNN-*SUFFIX, something between the dash and suffix. */
static int
fixture_is_case(const char *name, const char *suffix)
{
	size_t l = strlen(name), s = strlen(suffix);
	int i;

	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	return name[4] == '-' && l > 5 + s && strcmp(name + l - s, suffix) == 0;
}

int
fixture_cases(const char *dir, const char *suffix, int lo, int hi,
    char ***names)
{
	char **v = NULL, **nv;
	size_t count = 0, cap = 0;
	struct dirent *d;
	DIR *dp;
	long num;

	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL) {
		if (!fixture_is_case(d->d_name, suffix))
			continue;
		num = strtol(d->d_name, NULL, 10);
		if (num < lo || num > hi)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[count] = strdup(d->d_name)) == NULL)
			goto fail;
		count++;
	}
	(void)closedir(dp);	/* a directory opened for reading */
	if (count > 0)
		qsort(v, count, sizeof(*v), fixture_name_cmp);
	*names = v;
	return (int)count;
fail:
	fixture_names_free(v, (int)count);
	(void)closedir(dp);	/* a directory opened for reading */
	errno = ENOMEM;
	return -1;
}

void
fixture_names_free(char **names, int count)
{
	int i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

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
	if (len != NULL)
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

void
fixture_show(const char *label, const char *text)
{
	const char *l, *nl;

	printf("# --- %s\n", label);
	for (l = text; *l != '\0'; l = nl + 1) {
		if ((nl = strchr(l, '\n')) == NULL) {
			printf("# %s\n", l);	/* no "$": no newline at the end */
			break;
		}
		/* "$" shows where trailing blanks end */
		printf("# %.*s$\n", (int)(nl - l), l);
	}
}

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
	fixture_show("expected", want);
	fixture_show("got", got);
}

enum fixture_expect
fixture_expect(const char *dir, const char *name, const char *got, size_t len)
{
	char expath[PATH_MAX + 300];
	const char *dot = strrchr(name, '.'), *regen = getenv("REGEN");
	size_t base = dot != NULL ? (size_t)(dot - name) : strlen(name);
	char *want;
	size_t wlen;
	enum fixture_expect r;

	(void)snprintf(expath, sizeof(expath), "%s/%.*s.expect", dir, (int)base,
	    name);
	if ((want = fixture_read(expath, &wlen)) == NULL) {
		if (regen != NULL && strcmp(regen, "1") == 0) {
			if (fixture_write(expath, got, len) == 0) {
				printf("# wrote %s: review it\n", expath);
				return FIXTURE_WRITTEN;
			}
			printf("# cannot write '%s': %s\n", expath, strerror(errno));
		}
		fixture_show("got", got);
		return FIXTURE_MISSING;
	}
	r = wlen == len && memcmp(want, got, len) == 0 ? FIXTURE_SAME :
	    FIXTURE_DIFFERENT;
	if (r == FIXTURE_DIFFERENT)
		fixture_diff(want, got);
	free(want);
	return r;
}

int
fixture_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
