/* mailfile.c -- mbox, Maildir and single-message files; see mailfile.h.
 *
 * The mbox splitter is written by hand: libetpan's mailmbox parser needs
 * the whole file mapped and locks it for writing, and it gives up on the
 * broken separators real archives contain.  A line "From " starts a new
 * message when the next line looks like a header field and either a blank
 * line precedes it or it carries a well-formed From_ date; anything else
 * is body text that a sloppy writer forgot to escape. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "connectors/mailfile.h"
#include "intake/date.h"
#include "intake/mime.h"

#define CHUNK		(1024 * 1024)

struct reader {
	int		 fd;
	const char	*path;
	char		*buf;
	size_t		 len, cap;	/* valid bytes, allocated */
	off_t		 base;		/* file offset of buf[0] */
	int		 eof;
	off_t		 reported;	/* file offset last given to progress */
	int		 toobig;	/* reader_fill refused: over the limit */
	char		*unesc;		/* scratch for mboxrd unescaping */
	size_t		 unesc_cap;
};

/* Reads more input, first dropping the consumed bytes before keep. */
static int
reader_fill(struct reader *r, size_t keep, struct err *e)
{
	ssize_t n;

	if (keep > 0) {
		memmove(r->buf, r->buf + keep, r->len - keep);
		r->len -= keep;
		r->base += (off_t)keep;
	}
	if (r->cap - r->len < CHUNK / 2) {
		size_t cap = r->cap ? r->cap * 2 : CHUNK;
		char *p;

		if (cap > MAILFILE_MESSAGE_MAX + CHUNK) {
			r->toobig = 1;
			return err_set(e, ERR_DATA, "'%s': message at byte %lld is larger than %u MB",
			    r->path, (long long)r->base, MAILFILE_MESSAGE_MAX >> 20);
		}
		if ((p = realloc(r->buf, cap + 1)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory reading '%s'", r->path);
		r->buf = p;
		r->cap = cap;
	}
	do
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return err_set(e, ERR_IO, "cannot read '%s' at byte %lld: %s", r->path,
		    (long long)(r->base + (off_t)r->len), strerror(errno));
	if (n == 0)
		r->eof = 1;
	r->len += (size_t)n;
	r->buf[r->len] = '\0';
	return 0;
}

/* The asctime date at the end of a From_ line, "From a@b Thu Nov 19 09:12:00 2026"
 * (some writers add a zone or drop the seconds); -1 when there is none. */
static int
from_line_date(const char *p, size_t len, time_t *out)
{
	char line[256], *sp;

	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, p, len);
	line[len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[len - 1] = '\0';
	if (strncmp(line, "From ", 5) != 0 || (sp = strchr(line + 5, ' ')) == NULL)
		return -1;
	return date_parse(sp + 1, out);
}

/* Letters (want 0: digits) at *q, at least min and at most max; 0 if not. */
static int
run_of(const char **q, const char *end, int letters, size_t min, size_t max)
{
	const char *s = *q;

	while (*q < end && (size_t)(*q - s) < max &&
	    (letters ? ascii_isalpha((unsigned char)**q) : ascii_isdigit((unsigned char)**q)))
		(*q)++;
	return (size_t)(*q - s) >= min;
}

static void
blanks(const char **q, const char *end)
{
	while (*q < end && (**q == ' ' || **q == '\t'))
		(*q)++;
}

/* 1 if a From_ line has the shape "From sender Www Mmm dd hh:mm[:ss] ...
 * yyyy" even when its date is impossible: the "Mon Jan 00 00:00:00 0000"
 * that some archivers and test mboxes write is no line of prose either. */
static int
from_line_shaped(const char *p, size_t len)
{
	const char *q = p + 5, *end = p + len;

	while (q < end && *q != ' ' && *q != '\t')	/* the envelope sender */
		q++;
	blanks(&q, end);
	if (!run_of(&q, end, 1, 3, 3) || q >= end || *q != ' ')
		return 0;
	blanks(&q, end);
	if (!run_of(&q, end, 1, 3, 3) || q >= end || *q != ' ')
		return 0;
	blanks(&q, end);
	if (!run_of(&q, end, 0, 1, 2) || q >= end || *q != ' ')
		return 0;
	blanks(&q, end);
	if (!run_of(&q, end, 0, 1, 2) || q >= end || *q++ != ':' || !run_of(&q, end, 0, 2, 2))
		return 0;
	for (; q < end; q++)
		if (ascii_isdigit((unsigned char)*q) && end - q >= 4 &&
		    ascii_isdigit((unsigned char)q[1]) && ascii_isdigit((unsigned char)q[2]) &&
		    ascii_isdigit((unsigned char)q[3]))
			return 1;
	return 0;
}

/* Is "From " at buf[at] (at a line start) a message separator? *more is
 * set when the answer needs bytes not read yet. */
static int
is_separator(struct reader *r, size_t at, size_t msg_start, int *more)
{
	const char *eol, *next, *end = r->buf + r->len;
	time_t t;
	int blank;

	*more = 0;
	if ((eol = memchr(r->buf + at, '\n', r->len - at)) == NULL ||
	    (next = memchr(eol + 1, '\n', (size_t)(end - eol - 1))) == NULL) {
		if (!r->eof) {
			*more = 1;
			return 0;
		}
		if (eol == NULL)
			return 0;
		next = end;
	}
	if (!mime_field_line(eol + 1, (size_t)(next - (eol + 1))))
		return 0;
	blank = at == msg_start ||
	    (at >= 2 && r->buf[at - 2] == '\n') ||
	    (at >= 3 && r->buf[at - 2] == '\r' && r->buf[at - 3] == '\n');
	return blank || from_line_date(r->buf + at, (size_t)(eol - (r->buf + at)), &t) == 0 ||
	    from_line_shaped(r->buf + at, (size_t)(eol - (r->buf + at)));
}

/* mboxrd: one '>' comes off every ">From ", ">>From "... line.  Returns
 * the message to hand on, raw itself when nothing needed unescaping. */
static const char *
mbox_unescape(struct reader *r, const char *raw, size_t *len, struct err *e)
{
	const char *p = raw, *end = raw + *len, *q;
	size_t o = 0;

	/* One pass to learn whether any line is ">...>From ": most messages
	 * have none, and are handed on without a copy. */
	for (p = raw; (q = memchr(p, '>', (size_t)(end - p))) != NULL; p = q + 1) {
		const char *g = q;

		if (q > raw && q[-1] != '\n')
			continue;
		while (g < end && *g == '>')
			g++;
		if ((size_t)(end - g) >= 5 && memcmp(g, "From ", 5) == 0)
			break;
		q = g - 1;
	}
	if (q == NULL)
		return raw;
	p = raw;
	if (r->unesc_cap < *len + 1) {
		char *n = realloc(r->unesc, *len + 1);

		if (n == NULL) {
			err_set(e, ERR_NOMEM, "out of memory reading '%s'", r->path);
			return NULL;
		}
		r->unesc = n;
		r->unesc_cap = *len + 1;
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) + 1 : (size_t)(end - p);

		for (q = p; q < p + l && *q == '>'; q++)
			;
		if (q > p && (size_t)(p + l - q) >= 5 && memcmp(q, "From ", 5) == 0) {
			p++;
			l--;
		}
		memcpy(r->unesc + o, p, l);
		o += l;
		p += l;
	}
	r->unesc[o] = '\0';
	*len = o;
	return r->unesc;
}

static void
report(struct reader *r, struct mailfile_sink *sink, off_t at)
{
	if (sink->progress != NULL && at > r->reported)
		sink->progress(sink->arg, at - r->reported);
	r->reported = at;
}

/* "path:byte N" into out, cut to size as snprintf would cut it: by hand,
 * since snprintf costs more than a small message's split. */
static void
origin_format(char *out, size_t size, const char *path, long long at)
{
	char num[24], *w = num;
	size_t n = strlen(path), k;

	if (at < 0)
		*w++ = '-';
	w = dec_put(w, at < 0 ? 0 - (unsigned long long)at : (unsigned long long)at);
	if (n > size - 1)
		n = size - 1;
	memcpy(out, path, n);
	k = size - 1 - n < 6 ? size - 1 - n : 6;
	memcpy(out + n, ":byte ", k);
	n += k;
	k = (size_t)(w - num);
	if (k > size - 1 - n)
		k = size - 1 - n;
	memcpy(out + n, num, k);
	out[n + k] = '\0';
}

static int
emit(struct reader *r, struct mailfile_sink *sink, size_t from_at, size_t start,
    size_t end, time_t received, struct err *e)
{
	char origin[600];
	const char *raw;
	size_t len;

	/* The blank line the mbox format puts before the next separator is
	 * not part of the message. */
	if (end > start && r->buf[end - 1] == '\n')
		end--;
	if (end > start && r->buf[end - 1] == '\r')
		end--;
	len = end - start;
	origin_format(origin, sizeof(origin), r->path, (long long)(r->base + (off_t)from_at));
	if ((raw = mbox_unescape(r, r->buf + start, &len, e)) == NULL)
		return -1;
	return sink->mail(sink->arg, raw, len, received, origin, e) == -1 ? -1 : 0;
}

/* memmem(buf + scan, len - scan, "\nFrom ", 6), by memchr for the 'F':
 * capitals are rarer than newlines, and glibc's memmem costs some
 * instructions per byte where memchr costs a fraction of one. */
static char *
find_from(char *buf, size_t scan, size_t len)
{
	char *p = buf + scan + 1, *end = buf + len;

	while (end - p >= 5 && (p = memchr(p, 'F', (size_t)(end - p) - 4)) != NULL) {
		if (p[-1] == '\n' && memcmp(p + 1, "rom ", 4) == 0)
			return p - 1;
		p++;
	}
	return NULL;
}

/* Reads an mbox whose first bytes, already in r, start with "From ". */
static int
mbox_read(struct reader *r, struct mailfile_sink *sink, struct err *e)
{
	size_t from_at = 0, start, scan, keep;
	time_t received;
	char *eol;
	int more, rc, skipping = 0;

	for (;;) {
		/* Here buf[from_at] is a From_ line; find where it ends. */
		while ((eol = memchr(r->buf + from_at, '\n', r->len - from_at)) == NULL && !r->eof) {
			if (reader_fill(r, from_at, e) == -1)
				return -1;
			from_at = 0;
		}
		if (eol == NULL)
			return 0;	/* a final From_ line with nothing after it */
		if (from_line_date(r->buf + from_at, (size_t)(eol - (r->buf + from_at)),
		    &received) == -1) {
			sink->problems++;
			log_warnx("%s:byte %lld: malformed From_ line, message kept "
			    "with the time of import", r->path, (long long)(r->base + (off_t)from_at));
			received = sink->now;
		}
		start = scan = (size_t)(eol - r->buf) + 1;
		for (;;) {
			char *c = find_from(r->buf, scan, r->len);

			if (c != NULL) {
				size_t at = (size_t)(c - r->buf) + 1;

				if (is_separator(r, at, start, &more)) {
					if (!skipping &&
					    emit(r, sink, from_at, start, at, received, e) == -1)
						return -1;
					skipping = 0;
					report(r, sink, r->base + (off_t)at);
					from_at = at;
					break;
				}
				if (!more) {
					scan = at;
					continue;
				}
			} else if (r->eof) {
				if (!skipping &&
				    emit(r, sink, from_at, start, r->len, received, e) == -1)
					return -1;
				report(r, sink, r->base + (off_t)r->len);
				return 0;
			} else if (r->len - scan > 6)
				scan = r->len - 6;	/* "\nFrom" may straddle the chunk edge */
			/* Need more input: keep the message from its From_ line
			 * on -- or, past a message too big to take, only the
			 * few bytes a separator test looks back at, so the
			 * messages after it are still read. */
			keep = skipping ? (scan > 3 ? scan - 3 : 0) : from_at;
			rc = reader_fill(r, keep, e);	/* drops keep bytes even when it fails */
			start = start > keep ? start - keep : 0;
			scan -= keep;
			from_at = from_at > keep ? from_at - keep : 0;
			if (rc == -1) {
				if (!r->toobig)
					return -1;
				sink->problems++;
				sink->too_large++;
				log_warnx("%s:byte %lld: a message larger than %u MB, skipped; "
				    "the messages after it are read", r->path,
				    (long long)(r->base + (off_t)from_at), MAILFILE_MESSAGE_MAX >> 20);
				err_clear(e);
				r->toobig = 0;
				skipping = 1;	/* the next turn reads on, keeping little */
			}
		}
	}
}

static int
reader_open(struct reader *r, const char *path, struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO,
		    "cannot open '%s': %s", path, strerror(errno));
	return 0;
}

static void
reader_close(struct reader *r)
{
	if (r->fd >= 0)
		(void)close(r->fd);	/* read-only: nothing to lose */
	free(r->buf);
	free(r->unesc);
}

/* One file: an mbox if it starts with "From ", else a single message. */
static int
file_read(const char *path, time_t received, struct mailfile_sink *sink, struct err *e)
{
	struct reader r;
	size_t skip = 0;
	const char *eol;
	int ret = 0;

	if (reader_open(&r, path, e) == -1)
		return -1;
	do {
		if (reader_fill(&r, 0, e) == -1) {
			ret = -1;
			goto out;
		}
	} while (!r.eof && r.len < 4096);
	if (r.len >= 3 && memcmp(r.buf, "\xef\xbb\xbf", 3) == 0)
		skip = 3;		/* a byte-order mark from a Windows editor */
	/* Empty and white lines before the mail, as some programs that save
	 * a message leave them (but not the first line's own indent). */
	for (;;) {
		size_t i = skip;

		while (i < r.len && (r.buf[i] == ' ' || r.buf[i] == '\t'))
			i++;
		if (i >= r.len || (r.buf[i] != '\n' && r.buf[i] != '\r'))
			break;
		skip = i + 1;
	}
	if (r.len - skip >= 5 && memcmp(r.buf + skip, "From ", 5) == 0) {
		if (skip > 0 && reader_fill(&r, skip, e) == -1)
			ret = -1;
		else
			ret = mbox_read(&r, sink, e);
		goto out;
	}
	eol = memchr(r.buf + skip, '\n', r.len - skip);
	if (r.len == 0 || !mime_field_line(r.buf + skip,
	    (size_t)((eol != NULL ? eol : r.buf + r.len) - (r.buf + skip)))) {
		ret = err_set(e, ERR_DATA, "'%s': not an mbox or a mail message "
		    "(no 'From ' line or header field at byte %zu)", path, skip);
		goto out;
	}
	while (!r.eof)
		if (reader_fill(&r, 0, e) == -1) {
			ret = -1;
			goto out;
		}
	if (sink->mail(sink->arg, r.buf + skip, r.len - skip, received, path, e) == -1)
		ret = -1;
	if (ret == 0)
		report(&r, sink, (off_t)r.len);
out:
	reader_close(&r);
	return ret;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the visible entries of dir; caller frees each and the array. */
static int
dir_list(const char *dir, char ***out, size_t *count, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t n = 0, cap = 0;

	*out = NULL;
	*count = 0;
	if ((d = opendir(dir)) == NULL)
		return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO,
		    "cannot open directory '%s': %s", dir, strerror(errno));
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	(void)closedir(d);	/* read-only directory stream */
	qsort(v, n, sizeof(*v), name_cmp);
	*out = v;
	*count = n;
	return 0;
nomem:
	(void)closedir(d);
	while (n > 0)
		free(v[--n]);
	free(v);
	return err_set(e, ERR_NOMEM, "out of memory listing '%s'", dir);
}

static void
dir_list_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

static int
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Maildir names start with the delivery time in seconds: "1700000000.M1P2.host". */
static time_t
maildir_time(const char *name, const struct stat *sb)
{
	char *end;
	long long t;

	errno = 0;
	t = strtoll(name, &end, 10);
	if (errno == 0 && end != name && *end == '.' && t > 0)
		return (time_t)t;
	return sb->st_mtime;
}

/* Every regular file in dir, in name order; a Maildir's sub-folder for new
 * and cur mail, or a plain folder of .eml files or mboxes. */
static int
dir_read(const char *dir, int maildir, struct mailfile_sink *sink, struct err *e)
{
	char **names, path[4096];
	size_t n, i;
	struct stat sb;
	int ret = 0;

	if (dir_list(dir, &names, &n, e) == -1)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path) ||
		    stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (file_read(path, maildir ? maildir_time(names[i], &sb) : sb.st_mtime,
		    sink, e) == -1) {
			if (e->code != ERR_DATA && e->code != ERR_NOINPUT) {
				ret = -1;
				break;
			}
			/* One unreadable file does not stop the folder. */
			sink->problems++;
			log_warnx("%s", e->msg);
			err_clear(e);
		}
	}
	dir_list_free(names, n);
	return ret;
}

int
mailfile_read(const char *path, struct mailfile_sink *sink, struct err *e)
{
	char sub[4096];
	struct stat sb;
	int maildir;

	if (stat(path, &sb) == -1)
		return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO,
		    "cannot open '%s': %s", path, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return file_read(path, sink->now, sink, e);
	(void)snprintf(sub, sizeof(sub), "%s/cur", path);
	maildir = is_dir(sub);
	(void)snprintf(sub, sizeof(sub), "%s/new", path);
	maildir |= is_dir(sub);
	if (!maildir)
		return dir_read(path, 0, sink, e);
	/* new/ before cur/: both hold delivered mail, new/ not yet seen. */
	if (is_dir(sub) && dir_read(sub, 1, sink, e) == -1)
		return -1;
	(void)snprintf(sub, sizeof(sub), "%s/cur", path);
	return is_dir(sub) ? dir_read(sub, 1, sink, e) : 0;
}

static off_t
dir_size(const char *dir, int depth)
{
	char **names, path[4096];
	size_t n, i;
	struct stat sb;
	off_t total = 0;

	if (depth > 2 || dir_list(dir, &names, &n, NULL) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path) ||
		    stat(path, &sb) == -1)
			continue;
		if (S_ISREG(sb.st_mode))
			total += sb.st_size;
		else if (S_ISDIR(sb.st_mode) && (strcmp(names[i], "cur") == 0 ||
		    strcmp(names[i], "new") == 0))
			total += dir_size(path, depth + 1);
	}
	dir_list_free(names, n);
	return total;
}

off_t
mailfile_size(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return 0;
	return S_ISDIR(sb.st_mode) ? dir_size(path, 0) : sb.st_size;
}
