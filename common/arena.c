/* arena.c -- bump allocator in chunks; see arena.h. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

#define ARENA_CHUNK	(64 * 1024)

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 len, cap;
	max_align_t		 data[];
};

void
arena_init(struct arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max;
}

void *
arena_alloc(struct arena *a, size_t len)
{
	struct arena_chunk *c = a->head;
	size_t align = sizeof(max_align_t), cap;
	void *p;

	len = (len + align - 1) & ~(align - 1);
	if (len == 0)
		len = align;
	if (len > a->max || a->used > a->max - len)
		return NULL;
	if (c == NULL || c->cap - c->len < len) {
		cap = len > ARENA_CHUNK ? len : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->len = 0;
		c->cap = cap;
		/* A big one-off block goes behind the head so the head's free
		 * space stays usable for the small strings that follow. */
		if (a->head != NULL && cap > ARENA_CHUNK) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c->data + c->len;
	c->len += len;
	a->used += len;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	if ((p = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = 0;
}
