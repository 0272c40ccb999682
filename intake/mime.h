/* mime.h -- raw RFC 5322 / MIME bytes to a normalized message, with
 * libetpan doing the parsing and decoding.
 *
 * Fills headers (RFC 2047 decoded), the text (text/plain preferred in
 * multipart/alternative, else HTML made readable by html.c), attachments by
 * name, type and size, the date (date.c; arrival time when missing), loop
 * safety (auto_reason), a synthetic Message-ID when none is given, and the
 * scoring text (trim.c).  Whatever cannot be decoded becomes a warning on
 * the message, never a failure: broken mail is still mail and is kept. */
#ifndef ESC_MIME_H
#define ESC_MIME_H

#include <stddef.h>
#include <time.h>

struct message;
struct err;

/* Limits that keep hostile mail from growing memory. */
#define MIME_DEPTH_MAX		32		/* deeper parts are skipped, with a warning */
#define MIME_TEXT_MAX		(4u * 1024 * 1024)	/* body text kept per message */

/* m must be fresh from message_init; raw is borrowed (m->raw points at it)
 * and must outlive m.  Returns 0, or -1 with ERR_DATA when the bytes are not
 * mail at all (no header field before the body), naming the byte offset. */
int	mime_parse(struct message *m, const char *raw, size_t len, time_t received,
	    struct err *e);
/* 1 if the line s (len bytes, no newline needed) starts with a header
 * field name and its colon, as mime_parse reads a header: for the mbox
 * and file readers, which must agree with it on what is mail. */
int	mime_field_line(const char *s, size_t len);

#endif
