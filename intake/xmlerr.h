/* xmlerr.h -- what libxml2 says, kept off stderr.
 *
 * libxml2 prints to stderr whatever it cannot hand to a parser context:
 * charset conversion failures ("encoding error : input conversion
 * failed"), I/O errors, and on some versions a context's errors too.  That
 * garbles `import`'s progress line and the daemon's log.  The first
 * xmlerr_begin installs process-wide handlers (libxml2 keeps them per
 * thread; escalator parses in one); from then on every message goes to
 * the collector of the parse under way, and one said outside any parse
 * to the log at debug level, the first XMLERR_LOOSE_MAX of them only.
 * The caller decides what matters: a feed notes and logs the first error,
 * the HTML converter, whose input is UTF-8 already, drops tag soup noise. */
#ifndef ESC_XMLERR_H
#define ESC_XMLERR_H

#include <libxml/parser.h>

#define XMLERR_LOOSE_MAX	20

/* What libxml2 said during one parse. */
struct xmlerr {
	int		 level;		/* of msg: 0 none yet, else an xmlErrorLevel */
	int		 line;		/* of msg; 0 when libxml2 named none */
	int		 encoding;	/* a charset conversion failed: bytes its charset forbids */
	unsigned	 count;		/* errors and warnings said */
	char		 msg[200];	/* the first fatal error, else the first error */
	struct xmlerr	*prev;		/* the collector before begin, restored by end */
};

/* Collects into c (zeroed here) until xmlerr_end; ctxt, when not NULL,
 * reports its own errors there too (its structured handler is set).
 * Collectors nest. */
void	xmlerr_begin(struct xmlerr *c, xmlParserCtxt *ctxt);
void	xmlerr_end(struct xmlerr *c);

#endif
