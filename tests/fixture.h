/* fixture.h -- what the data-file tests share: finding tests/data, listing
 * its NNNN-* cases, reading and writing files, and checking output against
 * a NNNN-*.expect file.  The functions print TAP comments only: tap.h's
 * counter is static, one per program file, so the one helper that reports
 * a result, fixture_check, is inline here and counts in its caller's. */
#ifndef ESC_FIXTURE_H
#define ESC_FIXTURE_H

#include <stddef.h>

#include "tests/tap.h"

enum fixture_expect {
	FIXTURE_SAME,		/* output equals the .expect file */
	FIXTURE_DIFFERENT,	/* it does not; the difference is printed */
	FIXTURE_MISSING,	/* no .expect file; the output is printed */
	FIXTURE_WRITTEN		/* none, and REGEN=1 wrote it from the output */
};

/* tests/data as an absolute path in out (PATH_MAX bytes): $TESTDATA, else
 * $top_srcdir/tests/data, else ./tests/data.  0, or -1 with a comment. */
int	 fixture_testdata(char *out /* OUT */);
/* The names of the files NNNN-*SUFFIX in dir with lo <= NNNN <= hi,
 * sorted: their count, or -1 with errno set.  fixture_names_free frees. */
int	 fixture_cases(const char *dir, const char *suffix, int lo, int hi,
	    char ***names /* OUT */);
void	 fixture_names_free(char **names, int count);
/* The whole file, NUL-terminated (caller frees), or NULL; len may be NULL. */
char	*fixture_read(const char *path, size_t *len /* OUT */);
/* 0, or -1 when the file cannot be written. */
int	 fixture_write(const char *path, const char *data, size_t len);
/* Prints text as TAP comments under "--- label", "$" at each line end. */
void	 fixture_show(const char *label, const char *text);
/* Prints, as TAP comments, the first line where got parts from want, then
 * both texts. */
void	 fixture_diff(const char *want, const char *got);
/* Compares got[0..len), NUL-terminated, with dir/NAME.expect, NAME being
 * name without its last suffix; REGEN=1 writes a missing one. */
enum fixture_expect fixture_expect(const char *dir, const char *name,
	    const char *got, size_t len);
/* qsort comparator for an array of char * names. */
int	 fixture_name_cmp(const void *a, const void *b);

/* fixture_expect as one TAP result named name.  A .expect just written is
 * a skip, not a pass: nobody has read it yet. */
static inline void
fixture_check(const char *dir, const char *name, const char *got, size_t len)
{
	enum fixture_expect r = fixture_expect(dir, name, got, len);

	if (r == FIXTURE_WRITTEN)
		tap_skip(name);
	else if (r == FIXTURE_MISSING)
		tap_ok(0, "%s: no .expect (REGEN=1 writes one)", name);
	else
		tap_ok(r == FIXTURE_SAME, "%s", name);
}

#endif
