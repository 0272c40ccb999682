/* trim.c -- the part of a message body the customer wrote now.
 *
 * Sentiment scoring must not count the quoted history (our own polite
 * replies, the customer's earlier anger) or a "Thanks," sign-off, so this
 * cuts them away line by line: quoted "> " lines, the "On ... wrote:" line
 * that introduces them, everything from a forwarded or original-message
 * separator, an Outlook header block or a "-- " signature on, and at the
 * very end a mobile footer and a short closing block.  It only guesses
 * from the text; html.c marks HTML quotes with "> " so they look the same.
 *
 * One pass classifies the lines, then a few passes over the line table
 * decide what to keep; every look-ahead is bounded, so the cost is linear.
 * The result is allocated in the caller's arena. */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "intake/trim.h"

#define TRIM_HEADER_SPAN	4	/* "Sent:" within this many lines of "From:" */
#define TRIM_ATTRIBUTION_MAX	400	/* an "On ... wrote:" line is no longer */
#define TRIM_FOOTER_MAX		60	/* "Sent from my iPhone" lines are short */
#define TRIM_CLOSING_LINES	4	/* closing word plus name, title, company */
#define TRIM_NAME_MAX		50	/* a line of a closing block */

enum trim_kind {
	TRIM_TEXT,
	TRIM_BLANK,
	TRIM_QUOTE
};

struct trim_line {
	const char	*s;
	size_t		 len;		/* without the newline and a trailing CR */
	unsigned char	 kind;
	unsigned char	 keep;
};

/* Inner words of "-----Original Message-----" style separator lines, in
 * the languages of the mailers our customers use. */
static const char *const trim_separators[] = {
	"original message", "ursprüngliche nachricht", "forwarded message",
	"weitergeleitete nachricht", "message d'origine", "message original",
	"message transféré", "mensaje original", "mensaje reenviado",
	"messaggio originale", "messaggio inoltrato", "oorspronkelijk bericht",
	"doorgestuurd bericht", "ursprungligt meddelande",
	"vidarebefordrat meddelande", "original meddelelse",
	"videresendt meddelelse", "opprinnelig melding", "videresendt melding",
	"mensagem original", "mensagem encaminhada", "wiadomość oryginalna",
	"przekazana wiadomość", "alkuperäinen viesti", "välitetty viesti",
	"исходное сообщение", "пересылаемое сообщение",
};

/* Apple Mail's forward lines, without the colon. */
static const char *const trim_forward_lines[] = {
	"begin forwarded message", "anfang der weitergeleiteten nachricht",
	"début du message réexpédié", "inicio del mensaje reenviado",
	"inizio messaggio inoltrato", "begin doorgestuurd bericht",
	"início da mensagem reencaminhada", "vidarebefordrat mejl",
};

/* Outlook header block: a "From:" label, then a date label close below. */
static const char *const trim_from_labels[] = {
	"from", "von", "de", "van", "da", "från", "fra", "od", "lähettäjä",
	"от", "expéditeur", "remetente",
};

static const char *const trim_date_labels[] = {
	"sent", "date", "gesendet", "datum", "envoyé", "enviado", "enviado el",
	"enviado em", "enviada em", "fecha", "inviato", "data", "verzonden",
	"skickat", "sendt", "wysłano", "lähetetty", "päivämäärä", "отправлено",
	"дата",
};

/* The verb of an attribution line, matched as a whole word anywhere in
 * it: German, Swedish and Dutch put it before the name. */
static const char *const trim_wrote[] = {
	"wrote", "writes", "schrieb", "a écrit", "escribió", "ha scritto",
	"scrisse", "schreef", "skrev", "escreveu", "napisał", "napisała",
	"kirjoitti", "написал", "написала", "пишет",
};

/* How attribution lines start, for telling a wrapped one's first half. */
static const char *const trim_openers[] = {
	"on ", "am ", "le ", "el ", "il ", "op ", "den ", "em ", "w dniu ",
	"dnia ", "dne ",
};

static const char *const trim_footers[] = {
	"sent from my ", "sent from mail for ", "sent from outlook",
	"sent from yahoo mail", "sent from samsung", "sent via ",
	"get outlook for ", "envoyé de mon ", "envoyé depuis mon ",
	"enviado desde mi ", "enviado do meu ", "enviado de meu ",
	"inviato da ", "skickat från min ", "sendt fra min ",
	"verzonden vanaf mijn ", "verzonden met mijn ", "verstuurd vanaf mijn ",
	"wysłane z mojego ", "отправлено с ",
};

static const char *const trim_closings[] = {
	"thanks", "thank you", "thanks again", "thanks in advance",
	"many thanks", "thx", "regards", "best regards", "kind regards",
	"warm regards", "best wishes", "best", "cheers", "sincerely",
	"yours sincerely", "yours", "mit freundlichen grüßen",
	"mit freundlichen grüssen", "freundliche grüße", "viele grüße",
	"beste grüße", "liebe grüße", "grüße", "gruß", "mfg", "lg", "danke",
	"vielen dank", "cordialement", "bien cordialement", "merci",
	"bien à vous", "saludos", "un saludo", "saludos cordiales", "atentamente",
	"gracias", "cordiali saluti", "saluti", "grazie", "med vänliga hälsningar",
	"vänliga hälsningar", "hälsningar", "mvh", "med venlig hilsen",
	"venlig hilsen", "med vennlig hilsen", "met vriendelijke groet",
	"vriendelijke groet", "groeten", "atenciosamente", "obrigado", "obrigada",
	"pozdrawiam", "ystävällisin terveisin", "terveisin", "с уважением",
	"спасибо",
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static int
trim_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Length of a blank character at p (space, tab, U+00A0, U+202F), or 0. */
static size_t
trim_blank(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;

	if (p >= end)
		return 0;
	if (*u == ' ' || *u == '\t' || *u == '\f' || *u == '\v')
		return 1;
	if (end - p >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	if (end - p >= 3 && u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0xaf)
		return 3;
	return 0;
}

/* trim_strip for a line with a blank at an end, or empty. */
static void
trim_strip_slow(const struct trim_line *l, const char **s, size_t *len)
{
	const char *p = l->s, *end = l->s + l->len, *q;
	size_t n;

	while ((n = trim_blank(p, end)) > 0)
		p += n;
	/* Blanks are ASCII or end in a byte of 0x80-0xbf, so step back one
	 * whole character at a time by trying each length. */
	for (;;) {
		q = end;
		if (end - p >= 1 && trim_blank(end - 1, end) == 1)
			q = end - 1;
		else if (end - p >= 2 && trim_blank(end - 2, end) == 2)
			q = end - 2;
		else if (end - p >= 3 && trim_blank(end - 3, end) == 3)
			q = end - 3;
		if (q == end)
			break;
		end = q;
	}
	*s = p;
	*len = (size_t)(end - p);
}

/* The line without surrounding blanks, in *s and *len. */
static inline void
trim_strip(const struct trim_line *l, const char **s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)l->s;

	/* Most lines have no blank at either end, and that shows in their
	 * first and last bytes: a blank starts with one of ' ', \t, \f, \v,
	 * 0xc2, 0xe2 and ends with one of ' ', \t, \f, \v, 0xa0, 0xaf.  The
	 * test runs on every line several times over, so it is inline. */
	if (l->len > 0 && u[0] > ' ' && u[0] != 0xc2 && u[0] != 0xe2 &&
	    u[l->len - 1] > ' ' && u[l->len - 1] != 0xa0 && u[l->len - 1] != 0xaf) {
		*s = l->s;
		*len = l->len;
		return;
	}
	trim_strip_slow(l, s, len);
}

/* Whether s starts with word, ASCII letters compared without case (the
 * tables are lowercase; non-ASCII letters must match exactly). */
static int
trim_prefix(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; word[i] != '\0'; i++)
		if (i >= len || trim_lower((unsigned char)s[i]) != (unsigned char)word[i])
			return 0;
	return 1;
}

static int
trim_is_letter(int c)
{
	/* Any byte of a multibyte character counts: Ł, é, я are letters. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Whether word occurs in s as a whole word. */
static int
trim_has_word(const char *s, size_t len, const char *word)
{
	size_t wlen = strlen(word), i;

	if (wlen > len)
		return 0;
	for (i = 0; i + wlen <= len; i++) {
		if (trim_lower((unsigned char)s[i]) != (unsigned char)word[0])
			continue;
		if (i > 0 && trim_is_letter((unsigned char)s[i - 1]))
			continue;
		if (!trim_prefix(s + i, len - i, word))
			continue;
		if (i + wlen < len && trim_is_letter((unsigned char)s[i + wlen]))
			continue;
		return 1;
	}
	return 0;
}

/* "label:" at the start of the line, with blanks allowed before the colon
 * (French writes "De :"); a leading "*" from bold Outlook text is skipped. */
static int
trim_label(const struct trim_line *l, const char *const *labels, size_t count)
{
	const char *s, *p, *end;
	size_t len, i, n;

	/* Most lines have no colon at all: no label then, and no need to
	 * try each language's. */
	if (memchr(l->s, ':', l->len) == NULL)
		return 0;
	trim_strip(l, &s, &len);
	end = s + len;
	if (s < end && *s == '*')
		s++;
	for (i = 0; i < count; i++) {
		if (!trim_prefix(s, (size_t)(end - s), labels[i]))
			continue;
		p = s + strlen(labels[i]);
		if (p < end && *p == '*')
			p++;
		while ((n = trim_blank(p, end)) > 0)
			p += n;
		if (p < end && *p == ':')
			return 1;
	}
	return 0;
}

static int
trim_is_quote(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < len && s[i] == '>';
}

static int
trim_is_blank(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	size_t n;

	while ((n = trim_blank(p, end)) > 0)
		p += n;
	return p == end;
}

/* "-- " alone on its line starts a signature (RFC 3676 4.3); "--" too,
 * since many clients strip the trailing space. */
static int
trim_is_sigsep(const struct trim_line *l)
{
	return (l->len == 3 && memcmp(l->s, "-- ", 3) == 0) ||
	    (l->len == 2 && memcmp(l->s, "--", 2) == 0);
}

/* A line made of one character repeated, "____" or "-----", as Outlook
 * draws above its header block in plain text. */
static int
trim_is_rule(const struct trim_line *l)
{
	const char *s;
	size_t len, i;

	trim_strip(l, &s, &len);
	if (len < 8 || (s[0] != '_' && s[0] != '-'))
		return 0;
	for (i = 1; i < len; i++)
		if (s[i] != s[0])
			return 0;
	return 1;
}

static int
trim_is_separator(const struct trim_line *l)
{
	const char *s, *end;
	size_t len, i;

	trim_strip(l, &s, &len);
	end = s + len;
	if (len >= 4 && (s[0] == '-' || s[0] == '_') && s[1] == s[0]) {
		while (s < end && (*s == '-' || *s == '_' || *s == ' '))
			s++;
		while (end > s && (end[-1] == '-' || end[-1] == '_' || end[-1] == ' '))
			end--;
		for (i = 0; i < NITEMS(trim_separators); i++)
			if ((size_t)(end - s) == strlen(trim_separators[i]) &&
			    trim_prefix(s, (size_t)(end - s), trim_separators[i]))
				return 1;
		return 0;
	}
	if (len == 0 || end[-1] != ':')
		return 0;
	end--;
	while (end > s && trim_blank(end - 1, end) == 1)
		end--;
	if (end - s >= 2 && trim_blank(end - 2, end) == 2)
		end -= 2;		/* "réexpédié :" with a no-break space */
	for (i = 0; i < NITEMS(trim_forward_lines); i++)
		if ((size_t)(end - s) == strlen(trim_forward_lines[i]) &&
		    trim_prefix(s, (size_t)(end - s), trim_forward_lines[i]))
			return 1;
	return 0;
}

/* Outlook's "From: / Sent: / To: / Subject:" block starting at line i. */
static int
trim_is_header(const struct trim_line *lines, size_t n, size_t i)
{
	size_t j;

	if (!trim_label(&lines[i], trim_from_labels, NITEMS(trim_from_labels)))
		return 0;
	for (j = i + 1; j < n && j <= i + TRIM_HEADER_SPAN; j++)
		if (lines[j].kind == TRIM_TEXT &&
		    trim_label(&lines[j], trim_date_labels, NITEMS(trim_date_labels)))
			return 1;
	return 0;
}

static int
trim_has_wrote(const struct trim_line *l)
{
	size_t i;

	for (i = 0; i < NITEMS(trim_wrote); i++)
		if (trim_has_word(l->s, l->len, trim_wrote[i]))
			return 1;
	return 0;
}

static int
trim_starts_opener(const struct trim_line *l)
{
	const char *s;
	size_t len, i;

	trim_strip(l, &s, &len);
	for (i = 0; i < NITEMS(trim_openers); i++)
		if (trim_prefix(s, len, trim_openers[i]))
			return 1;
	return 0;
}

/* Whether line l looks like the second half of a wrapped attribution:
 * it starts with the verb, or with the address the line broke before. */
static int
trim_starts_tail(const struct trim_line *l)
{
	const char *s;
	size_t len, i, w;

	trim_strip(l, &s, &len);
	if (len > 0 && (s[0] == '<' || s[0] == '('))
		return 1;
	for (w = 0; w < len && s[w] != ' '; w++)
		if (s[w] == '@')
			return 1;
	for (i = 0; i < NITEMS(trim_wrote); i++)
		if (trim_prefix(s, len, trim_wrote[i]))
			return 1;
	return 0;
}

static int
trim_ends_colon(const struct trim_line *l)
{
	const char *s;
	size_t len;

	trim_strip(l, &s, &len);
	return len > 0 && s[len - 1] == ':';
}

/* ">:", the end of an address that Gmail wrapped onto a line of its own;
 * it looks like a quote line, and is dropped as one. */
static int
trim_is_angle_colon(const struct trim_line *l)
{
	const char *s;
	size_t len;

	trim_strip(l, &s, &len);
	return len == 2 && s[0] == '>' && s[1] == ':';
}

static int
trim_has_date_or_address(const struct trim_line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if ((l->s[i] >= '0' && l->s[i] <= '9') || l->s[i] == '@')
			return 1;
	return 0;
}

/* Drops "On <date>, <name> wrote:" at line i (and its first half on line
 * i - 1 when it wrapped) if a quote or the end follows it. */
static void
trim_attribution(struct trim_line *lines, size_t n, size_t cut, size_t i)
{
	struct trim_line *l = &lines[i], *prev = i > 0 ? &lines[i - 1] : NULL;
	size_t next;
	int quoted;

	if (prev != NULL && (prev->kind != TRIM_TEXT || !prev->keep))
		prev = NULL;
	for (next = i + 1; next < cut && lines[next].kind == TRIM_BLANK; next++)
		;
	quoted = next < cut && lines[next].kind == TRIM_QUOTE;
	if (!quoted && next < cut && next < n)
		return;		/* the customer's own text goes on */
	if (trim_has_wrote(l) && l->len <= TRIM_ATTRIBUTION_MAX) {
		if (!quoted && !trim_has_date_or_address(l) &&
		    (prev == NULL || !trim_has_date_or_address(prev)))
			return;
		l->keep = 0;
		if (prev != NULL && prev->len <= TRIM_ATTRIBUTION_MAX &&
		    !trim_starts_opener(l) &&
		    (trim_starts_opener(prev) || trim_starts_tail(l)))
			prev->keep = 0;
		return;
	}
	if (prev != NULL && prev->len + l->len <= TRIM_ATTRIBUTION_MAX &&
	    trim_starts_opener(prev) && trim_has_wrote(prev)) {
		prev->keep = 0;		/* "... skrev Bob <" + "bob@example.com>:" */
		l->keep = 0;
	}
}

static int
trim_is_footer(const struct trim_line *l)
{
	const char *s;
	size_t len, i;

	trim_strip(l, &s, &len);
	if (len > TRIM_FOOTER_MAX || memchr(s, '?', len) != NULL)
		return 0;
	for (i = 0; i < NITEMS(trim_footers); i++)
		if (trim_prefix(s, len, trim_footers[i]))
			return 1;
	/* German puts the verb last: "Von meinem iPhone gesendet". */
	return trim_prefix(s, len, "von meinem ") && len >= 8 &&
	    trim_prefix(s + len - 8, 8, "gesendet");
}

/* "Thanks," or "Mit freundlichen Grüßen" alone on its line. */
static int
trim_is_closing(const struct trim_line *l)
{
	const char *s, *p, *end;
	size_t len, i;
	int c0;

	trim_strip(l, &s, &len);
	end = s + len;
	if (len == 0)
		return 0;
	c0 = trim_lower((unsigned char)s[0]);
	for (i = 0; i < NITEMS(trim_closings); i++) {
		/* the first byte rules out nearly all of the table */
		if ((unsigned char)trim_closings[i][0] != c0 || !trim_prefix(s, len, trim_closings[i]))
			continue;
		for (p = s + strlen(trim_closings[i]); p < end; p++)
			if (strchr(" ,.!-~", *p) == NULL)
				break;
		if (p == end)
			return 1;
	}
	return 0;
}

/* A line that can follow a closing: a name, a title, a phone number. */
static int
trim_is_name(const struct trim_line *l)
{
	const char *s;
	size_t len, i, words = 1;

	trim_strip(l, &s, &len);
	if (len > TRIM_NAME_MAX || memchr(s, '?', len) != NULL ||
	    memchr(s, '!', len) != NULL || s[len - 1] == ':')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == ' ')
			words++;
	return s[len - 1] != '.' || words <= 3;	/* "Acme Inc." but not a sentence */
}

/* The last kept non-blank line before end, or n; stops at a dropped
 * non-blank line when stop_at_dropped is set. */
static size_t
trim_prev_kept(const struct trim_line *lines, size_t n, size_t end, int stop_at_dropped)
{
	while (end > 0) {
		end--;
		if (lines[end].kind == TRIM_BLANK)
			continue;
		if (lines[end].keep)
			return end;
		if (stop_at_dropped)
			return n;
	}
	return n;
}

/* At the very end: mobile footers, then a closing block of at most
 * TRIM_CLOSING_LINES short lines, never everything that is left. */
static void
trim_tail(struct trim_line *lines, size_t n)
{
	size_t last, c[TRIM_CLOSING_LINES], count = 0, k, j;

	while ((last = trim_prev_kept(lines, n, n, 0)) < n && trim_is_footer(&lines[last]))
		lines[last].keep = 0;
	if (last == n)
		return;
	for (k = last; k < n && count < TRIM_CLOSING_LINES; k = trim_prev_kept(lines, n, k, 1))
		c[count++] = k;
	for (k = count; k-- > 0;) {
		if (!trim_is_closing(&lines[c[k]]))
			continue;
		for (j = 0; j < k && trim_is_name(&lines[c[j]]); j++)
			;
		if (j < k)
			continue;
		if (trim_prev_kept(lines, n, c[k], 0) == n)
			return;		/* "Thanks!" is all they wrote: keep it */
		for (j = 0; j <= k; j++)
			lines[c[j]].keep = 0;
		return;
	}
}

char *
trim_for_scoring(struct arena *a, const char *text)
{
	struct trim_line *lines;
	const char *p, *nl;
	size_t len = strlen(text), n = 1, i, cut, j;
	char *out, *o;
	int gap = 0;

	for (p = text; (p = memchr(p, '\n', (size_t)(text + len - p))) != NULL; p++)
		n++;
	if (n > ((size_t)-1) / sizeof(*lines) ||
	    (lines = arena_alloc(a, n * sizeof(*lines))) == NULL)
		return NULL;
	for (i = 0, p = text; i < n; i++) {
		if ((nl = memchr(p, '\n', (size_t)(text + len - p))) == NULL)
			nl = text + len;
		lines[i].s = p;
		lines[i].len = (size_t)(nl - p);
		if (lines[i].len > 0 && p[lines[i].len - 1] == '\r')
			lines[i].len--;
		if (trim_is_blank(lines[i].s, lines[i].len))
			lines[i].kind = TRIM_BLANK;
		else if (trim_is_quote(lines[i].s, lines[i].len))
			lines[i].kind = TRIM_QUOTE;
		else
			lines[i].kind = TRIM_TEXT;
		p = nl + 1;
	}

	/* Everything from the first separator, header block or signature on
	 * is history or boilerplate. */
	for (cut = 0; cut < n; cut++) {
		if (lines[cut].kind != TRIM_TEXT)
			continue;
		if (trim_is_sigsep(&lines[cut]) || trim_is_separator(&lines[cut]))
			break;
		if (trim_is_header(lines, n, cut)) {
			for (j = cut; j > 0 && lines[j - 1].kind == TRIM_BLANK; j--)
				;
			if (j > 0 && trim_is_rule(&lines[j - 1]))
				cut = j - 1;
			break;
		}
	}
	for (i = 0; i < n; i++)
		lines[i].keep = i < cut && lines[i].kind != TRIM_QUOTE;
	for (i = 0; i < cut; i++) {
		if (lines[i].kind != TRIM_TEXT)
			continue;
		if (trim_ends_colon(&lines[i]))
			trim_attribution(lines, n, cut, i);
		else if (i + 1 < cut && trim_is_angle_colon(&lines[i + 1]) &&
		    trim_has_wrote(&lines[i]) && trim_starts_opener(&lines[i]))
			lines[i].keep = 0;	/* "... skrev Bob <bob@example.com" + ">:" */
	}
	trim_tail(lines, n);

	/* Kept lines, with one blank line wherever blank or dropped lines
	 * stood between two of them. */
	if ((out = arena_alloc(a, len + 2)) == NULL)	/* a newline may be added after the last line */
		return NULL;
	o = out;
	for (i = 0; i < n; i++) {
		if (!lines[i].keep || lines[i].kind == TRIM_BLANK) {
			gap = o > out;
			continue;
		}
		if (gap)
			*o++ = '\n';
		gap = 0;
		memcpy(o, lines[i].s, lines[i].len);
		o += lines[i].len;
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}
