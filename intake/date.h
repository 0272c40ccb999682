/* date.h -- RFC 5322 dates, including the obsolete forms of section 4.3
 * (two- and three-digit years, named and military zones, comments,
 * missing seconds or weekday) and the common malformed ones seen in real
 * mail (ISO 8601, extra spaces, "GMT+0100").  Written by hand because
 * libetpan's strict parser rejects most of those. */
#ifndef ESC_DATE_H
#define ESC_DATE_H

#include <time.h>

/* Returns 0 and the time in *out (UTC), or -1 if s holds no date. */
int	date_parse(const char *s, time_t *out);

#endif
