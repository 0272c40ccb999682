/* mailfile.h -- mail from files, the offline edge used by `import`:
 * mbox files (mboxo and mboxrd, LF or CRLF), Maildirs (new/ then cur/,
 * each sorted), single RFC 5322 files (.eml), and plain directories of
 * those.  Reads in bounded chunks, so memory follows the largest message,
 * not the file. */
#ifndef ESC_MAILFILE_H
#define ESC_MAILFILE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct err;

/* Largest single message accepted; a bigger one is reported and skipped. */
#define MAILFILE_MESSAGE_MAX	(256u * 1024 * 1024)

struct mailfile_sink {
	/* One message; origin names it ("support.mbox:byte 1234").  Returns 0
	 * to go on, 1 when the message was refused but reading goes on, -1 to
	 * stop with e filled. */
	int	(*mail)(void *arg, const char *raw, size_t len, time_t received,
		    const char *origin, struct err *e);
	/* More bytes consumed since the last call (optional). */
	void	(*progress)(void *arg, off_t more);
	void	*arg;
	time_t	 now;		/* arrival time when the file tells none */
	long	 problems;	/* OUT: malformed separators, unreadable files,
				 * and the messages counted in too_large */
	long	 too_large;	/* OUT: messages skipped, over MAILFILE_MESSAGE_MAX */
};

/* Reads path (file or directory).  Returns 0, or -1 with e filled when the
 * path cannot be read, is not mail at all, or the sink stopped. */
int	mailfile_read(const char *path, struct mailfile_sink *sink, struct err *e);
/* Total bytes of mail under path, for progress and rate; 0 if unknown. */
off_t	mailfile_size(const char *path);

#endif
