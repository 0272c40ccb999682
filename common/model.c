/* model.c -- names of the model's enums and the ticket's lifetime. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/model.h"

static const char *status_names[] = { "new", "open", "pending", "resolved", "closed" };
static const char *priority_names[] = { "low", "normal", "high", "urgent" };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
name_lookup(const char **names, size_t count, const char *s)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
status_name(int s)
{
	return s >= 0 && (size_t)s < NELEM(status_names) ? status_names[s] : "unknown";
}

int
status_from_name(const char *s)
{
	return name_lookup(status_names, NELEM(status_names), s);
}

const char *
priority_name(int p)
{
	return p >= 0 && (size_t)p < NELEM(priority_names) ? priority_names[p] : "unknown";
}

int
priority_from_name(const char *s)
{
	return name_lookup(priority_names, NELEM(priority_names), s);
}

const char *
direction_name(int d)
{
	return d == DIR_OUT ? "out" : "in";
}

void
ticket_init(struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->priority = PRIO_NORMAL;
	t->tier = 1;
}

void
ticket_release(struct ticket *t)
{
	if (t == NULL)
		return;
	free(t->department);
	free(t->owner);
	free(t->channel);
	free(t->customer);
	free(t->customer_name);
	free(t->subject);
	free(t->subject_key);
	free(t->tags);
	ticket_init(t);
}

int
ticket_tags_have(const char *tags, const char *tag)
{
	size_t n = strlen(tag), len;

	while (tags != NULL && *tags != '\0') {
		len = strcspn(tags, ",");
		if (len == n && strncmp(tags, tag, n) == 0)
			return 1;
		tags += len;
		tags += *tags == ',';
	}
	return 0;
}
