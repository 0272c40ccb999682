/* progress.c -- see progress.h. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cli/progress.h"
#include "common/util.h"

#define PROGRESS_EVERY	0.2	/* seconds between redraws */

void
progress_init(struct progress *p, const char *what, int quiet)
{
	p->what = what;
	p->tty = !quiet && isatty(STDERR_FILENO);
	p->start = time_mono();
	p->last = 0;
}

void
progress_draw(struct progress *p, long count, double done, double total)
{
	double t, el;
	char share[16] = "", left[32] = "";

	if (!p->tty || (t = time_mono()) - p->last < PROGRESS_EVERY)
		return;
	p->last = t;
	el = t - p->start;
	if (total > 0) {
		if (done > total)
			done = total;	/* an estimate the source outgrew */
		(void)snprintf(share, sizeof(share), ", %3.0f%%", 100.0 * done / total);
		/* Not in the first half second: the rate has not settled. */
		if (done > 0 && done < total && el > 0.5)
			(void)snprintf(left, sizeof(left), ", %.0fs left",
			    el * (total - done) / done);
	}
	fprintf(stderr, "\r%s: %ld messages, %.0f/s%s%s\033[K", p->what, count,
	    el > 0 ? (double)count / el : 0.0, share, left);
	fflush(stderr);
}

void
progress_end(struct progress *p)
{
	if (!p->tty || p->last == 0)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->last = 0;
}
