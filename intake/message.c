/* message.c -- lifetime of the normalized message; see message.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/model.h"
#include "intake/message.h"

#define WARNINGS_MAX	(16 * 1024)	/* a few hundred lines say enough */

void
message_init(struct message *m)
{
	memset(m, 0, sizeof(*m));
	arena_init(&m->arena, MESSAGE_ARENA_MAX);
	buf_init(&m->warnings, WARNINGS_MAX);
	m->message_id = "";
	m->from_name = m->from_addr = m->to = m->cc = m->subject = "";
	m->text = m->text_scored = "";
	m->direction = DIR_IN;
	m->reach = -1;
}

void
message_release(struct message *m)
{
	if (m == NULL)
		return;
	arena_release(&m->arena);
	buf_release(&m->warnings);
	message_init(m);
}

void
message_warn(struct message *m, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);	/* a cut warning still warns */
	va_end(ap);
	m->warnings_count++;
	if (m->warnings.len > 0)
		(void)buf_addch(&m->warnings, '\n', NULL);
	(void)buf_addstr(&m->warnings, line, NULL);	/* past the ceiling: counted only */
}
