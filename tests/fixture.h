/* fixture.h -- helpers of the data-file tests (t-html, t-trim). */
#ifndef ESC_FIXTURE_H
#define ESC_FIXTURE_H

#include <stddef.h>

/* The whole file, NUL-terminated (caller frees), or NULL. */
char	*fixture_read(const char *path, size_t *len /* OUT */);
/* 0, or -1 when the file cannot be written. */
int	 fixture_write(const char *path, const char *data, size_t len);
/* Prints, as TAP comments, the first line where got parts from want. */
void	 fixture_diff(const char *want, const char *got);
/* qsort comparator for an array of char * names. */
int	 fixture_name_cmp(const void *a, const void *b);

#endif
