/* arena.h -- per-message allocation: everything a parsed message needs is
 * carved from one arena and freed at once with arena_release, so no error
 * path leaks and no per-string free is needed.  Allocation has a ceiling
 * (max) like struct buf, so hostile input cannot grow memory without bound. */
#ifndef ESC_ARENA_H
#define ESC_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk	*head;
	size_t			 used, max;	/* bytes handed out; ceiling */
};

#define ARENA_INIT(max)	{ NULL, 0, (max) }

void	 arena_init(struct arena *, size_t max);	/* cannot fail */
/* NULL when out of memory or past the ceiling. */
void	*arena_alloc(struct arena *, size_t);
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_strdup(struct arena *, const char *);	/* NULL in, NULL out */
void	 arena_release(struct arena *);			/* NULL-safe */

#endif
