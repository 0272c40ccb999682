/* progress.h -- the one progress line of the commands that can run long
 * (`import`, `poll`'s first sync of a big mailbox), on standard error and
 * only when it is a terminal: "import: 1200 messages, 8000/s, 45%, 3s
 * left", redrawn at most five times a second and erased at the end, so
 * that what stays on the screen is the summary. */
#ifndef ESC_PROGRESS_H
#define ESC_PROGRESS_H

struct progress {
	const char	*what;		/* "import", a channel's name */
	int		 tty;		/* 0: draw nothing */
	double		 start, last;	/* time_mono() */
};

/* On, when standard error is a terminal and quiet is not set. */
void	progress_init(struct progress *, const char *what, int quiet);
/* count messages so far; done of total (bytes, messages; total 0:
 * unknown) for the share and the time left. */
void	progress_draw(struct progress *, long count, double done, double total);
/* Erases the line. */
void	progress_end(struct progress *);

#endif
