/* xmlerr.c -- libxml2's error channel, process-wide; see xmlerr.h.  The
 * collector of the parse under way is the only state, static here, as
 * libxml2's own handlers are. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "common/log.h"
#include "intake/xmlerr.h"

#if LIBXML_VERSION >= 21200
#define XMLERR_CONST	const	/* libxml2 2.12 made the error const */
#else
#define XMLERR_CONST
#endif

static struct xmlerr	*xmlerr_now;	/* the parse under way, or NULL */
static unsigned		 xmlerr_loose;	/* messages said outside a parse */
static int		 xmlerr_ready;

static void
xmlerr_loose_line(const char *domain, const char *msg)
{
	char esc[200];

	if (xmlerr_loose++ >= XMLERR_LOOSE_MAX)
		return;
	log_debug("event=libxml2 domain=%s message=\"%s\"%s", domain,
	    log_escape(msg, esc, sizeof(esc)),
	    xmlerr_loose == XMLERR_LOOSE_MAX ? " note=\"no more of these are logged\"" : "");
}

static void
xmlerr_structured(void *data, XMLERR_CONST xmlError *xe)
{
	struct xmlerr *c = xmlerr_now;

	(void)data;		/* the collector is ours, not libxml2's context */
	if (xe == NULL)
		return;
	if (c == NULL) {
		xmlerr_loose_line(xe->domain == XML_FROM_I18N ? "encoding" : "parser",
		    xe->message != NULL ? xe->message : "");
		return;
	}
	c->count++;
	if (xe->domain == XML_FROM_I18N)
		c->encoding = 1;
	/* The first fatal error, else the first error; warnings are none:
	 * where the input went wrong, not the parser's later confusion. */
	if (xe->level < XML_ERR_ERROR ||
	    (c->level != 0 && (c->level == XML_ERR_FATAL || xe->level != XML_ERR_FATAL)))
		return;
	c->level = xe->level;
	c->line = xe->line;
	(void)snprintf(c->msg, sizeof(c->msg), "%s",
	    xe->message != NULL ? xe->message : "unreadable");
	c->msg[strcspn(c->msg, "\n")] = '\0';
}

/* What does not come as a structured error (xmlGenericError called
 * directly) arrives in pieces of a printf; each piece is counted, none
 * kept but in the debug log. */
static void
xmlerr_generic(void *data, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	(void)data;
	if (xmlerr_now != NULL) {
		xmlerr_now->count++;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);	/* cut: it is for debugging */
	va_end(ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (msg[0] != '\0')
		xmlerr_loose_line("generic", msg);
}

void
xmlerr_begin(struct xmlerr *c, xmlParserCtxt *ctxt)
{
	if (!xmlerr_ready) {
		xmlSetGenericErrorFunc(NULL, xmlerr_generic);
		xmlSetStructuredErrorFunc(NULL, xmlerr_structured);
		xmlerr_ready = 1;
	}
	memset(c, 0, sizeof(*c));
	c->prev = xmlerr_now;
	xmlerr_now = c;
	/* Newer libxml2 versions give a context's errors to its own handler
	 * before the global one, and honour NOERROR only there. */
	if (ctxt != NULL && ctxt->sax != NULL && ctxt->sax->initialized == XML_SAX2_MAGIC)
		ctxt->sax->serror = xmlerr_structured;
}

void
xmlerr_end(struct xmlerr *c)
{
	if (xmlerr_now == c)
		xmlerr_now = c->prev;
}
