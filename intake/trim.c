/* trim.c -- the part of a message body the customer wrote now.
 *
 * Sentiment scoring must not count the quoted history (our own polite
 * replies, the customer's earlier anger) or a "Thanks," sign-off, so this
 * cuts them away line by line: quoted "> " lines, the "On ... wrote:" line
 * that introduces them (wrapped over up to three lines, or without a
 * verb), everything from a forwarded or original-message separator, an
 * Outlook header block, a "-- " signature or an attribution that unquoted
 * history follows on, at the very end a mobile footer and a short
 * closing block, and at the very start a salutation alone on its line
 * ("Good morning," "Dear Sir or Madam,"): formulas that score positive.  A customer who forwards a message with nothing of
 * their own above it but "FYI" has the forwarded text scored instead.
 * It only guesses from the text, and where unsure keeps it: a lost line
 * of the customer's is worse than a kept line of ours.
 * html.c marks HTML quotes with "> " so they look the same.
 *
 * One pass classifies the lines, then a few passes over the line table
 * decide what to keep; every look-ahead is bounded, so the cost is linear.
 * The result is allocated in the caller's arena. */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "intake/trim.h"

#define TRIM_HEADER_SPAN	4	/* "Sent:" within this many lines of "From:" */
#define TRIM_ATTRIBUTION_MAX	400	/* an "On ... wrote:" line is no longer */
#define TRIM_WRAP_LINES		4	/* pieces of an attribution wrapped with blanks */
#define TRIM_FOOTER_MAX		80	/* "Sent from my iPhone" lines are short, */
#define TRIM_FOOTER_WORDS	8	/* "Get Outlook for iOS<https://...>" too */
#define TRIM_CLOSING_LINES	4	/* closing word plus name, title, company */
#define TRIM_NAME_MAX		50	/* a line of a closing block */
#define TRIM_SIG_LINES		15	/* a "--" signature, disclaimer and all */
#define TRIM_FORWARD_DEPTH	4	/* forwards of forwards looked into */
#define TRIM_STACK_LINES	128	/* most texts are no longer; see trim_split */
#define TRIM_FAR		USHRT_MAX	/* lead: blanks not counted */

/* What trim_split saw at a line's ends, blanks aside, so the tests
 * that look there need not strip it again; a line without the mark a test
 * needs is no match for it. */
#define TRIM_COLON		0x01	/* ends with ':' or '：' */
#define TRIM_ANGLE		0x02	/* is ">:" */
#define TRIM_DASH		0x04	/* starts with '-' or '_' */
#define TRIM_FROM		0x08	/* starts (past a '*') as a From label */

enum trim_kind {
	TRIM_TEXT,
	TRIM_BLANK,
	TRIM_QUOTE
};

/* The table is part of the arena's budget; on LP64 the counts and marks
 * sit in what was padding, so it needs no more than before they came and
 * no text that fitted then fails now. */
struct trim_line {
	const char	*s;
	size_t		 len;		/* without the newline and a trailing CR */
	unsigned short	 lead, trail;	/* blank bytes at each end; TRIM_FAR in
					 * lead: too many, strip again */
	unsigned char	 kind;
	unsigned char	 keep;
	unsigned char	 marks;		/* TRIM_COLON, ... */
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
	/* Danish, Czech, Hungarian, and the "Reply Message" kind that
	 * mailgun/talon's tests list */
	"oprindelig meddelelse", "oprindelig besked", "videresendt besked",
	"reply message", "antwort nachricht", "původní zpráva",
	"eredeti üzenet", "továbbított üzenet",
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
	"от", "expéditeur", "remetente", "feladó", "від", "kimden",
	"发件人", "寄件者", "差出人", "보낸 사람",
};

static const char *const trim_date_labels[] = {
	"sent", "date", "gesendet", "datum", "envoyé", "enviado", "enviado el",
	"enviado em", "enviada em", "fecha", "inviato", "data", "verzonden",
	"skickat", "sendt", "wysłano", "lähetetty", "päivämäärä", "отправлено",
	"дата", "envoyé le", "dato", "message du", "odesláno", "elküldve",
	"tarih", "надіслано", "发送时间", "日期", "寄件日期", "送信日時",
	"보낸 날짜",
};

/* The verb of an attribution line, matched as a whole word anywhere in
 * it: German, Swedish and Dutch put it before the name. */
static const char *const trim_wrote[] = {
	"wrote", "writes", "schrieb", "a écrit", "escribió", "ha scritto",
	"scrisse", "schreef", "skrev", "escreveu", "napisał", "napisała",
	"kirjoitti", "написал", "написала", "пишет", "написав", "geschreven",
	"írta", "napsal", "napsala", "a scris", "đã viết", "yazdı", "έγραψε",
	/* Chinese and Japanese, written on to the name or the time:
	 * "于2024年4月15日 09:12写道：", "Taroさんは書きました:" */
	"写道", "寫道", "書きました", "작성",
};

/* How attribution lines start, for telling a wrapped one's first half. */
static const char *const trim_openers[] = {
	"on ", "am ", "le ", "el ", "il ", "op ", "den ", "em ", "w dniu ",
	"dnia ", "dne ", "på ", "in data ", "vào ",
};

static const char *const trim_footers[] = {
	"sent from my ", "sent from mail for ", "sent from outlook",
	"sent from yahoo mail", "sent from samsung", "sent via ",
	"get outlook for ", "envoyé de mon ", "envoyé depuis mon ",
	"enviado desde mi ", "enviado do meu ", "enviado de meu ",
	"inviato da ", "skickat från min ", "sendt fra min ",
	"verzonden vanaf mijn ", "verzonden met mijn ", "verstuurd vanaf mijn ",
	"wysłane z mojego ", "отправлено с ",
	/* Outlook and webmail apps in other languages; the French and
	 * German Outlook ones as crisp-oss/email-reply-parser's fixtures
	 * have them */
	"envoyé à partir de outlook", "envoyé à partir de mon ",
	"obtenir outlook pour ", "télécharger outlook pour ",
	"gesendet von meinem ", "gesendet von outlook", "gesendet mit der ",
	"holen sie sich outlook für ", "obtener outlook para ",
	"descargar outlook para ", "enviado desde outlook", "enviado desde yahoo",
	"scarica outlook per ", "sent from aol ",
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

/* How a mail's salutation line starts: "Hi John,", "Good morning,",
 * "Sehr geehrte Damen und Herren,", "Buenos días equipo,".  A formula,
 * not a feeling: "Good morning" and "Dear" score positive, and would
 * soften a complaint below them ("Good morning, ... I can't log in"). */
static const char *const trim_salutations[] = {
	"hi", "hello", "hey", "dear", "good morning", "good afternoon",
	"good evening", "greetings", "hallo", "guten tag", "guten morgen",
	"guten abend", "sehr geehrte", "sehr geehrter", "sehr geehrtes",
	"liebe", "lieber", "liebes", "moin", "servus", "bonjour", "bonsoir",
	"salut", "cher", "chère", "chers", "chères", "madame", "monsieur",
	"hola", "buenos días", "buenos dias", "buenas tardes", "buenas noches",
	"estimado", "estimada", "estimados", "estimadas", "buongiorno",
	"buonasera", "ciao", "gentile", "gentili", "egregio", "goedemorgen",
	"goedemiddag", "goedenavond", "geachte", "beste", "hoi", "olá", "ola",
	"bom dia", "boa tarde", "boa noite", "prezado", "prezada", "caro",
	"cara", "hej", "hei",
};

/* What a customer writes above a forward that says only "look at this". */
static const char *const trim_pointers[] = {
	"fyi", "fyi:", "fw", "fw:", "fwd", "fwd:", "see below", "see below:",
	"please see below", "please see below:", "see attached",
	"please see attached", "see the email below", "please see the email below",
	"see the mail below", "please see the mail below", "look at this",
	"please look at this", "please have a look", "forwarding this",
	"zur info", "zur kenntnis", "siehe unten", "bitte siehe unten",
	"pour info", "pour information", "voir ci-dessous", "para tu información",
	"ver abajo", "ver más abajo", "per conoscenza", "vedi sotto", "ter info",
	"zie hieronder", "för kännedom", "se nedan", "veja abaixo",
	"para conhecimento", "til orientering", "se nedenfor", "do wiadomości",
	"для информации", "请看", "请查收", "転送します", "参考",
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A word table's entries grouped by their first byte, built on first use
 * (the tables are constant, so is what is built; the process is single-
 * threaded, as for sentiment.c's filters): a line is tried only against
 * the words that start as it does, mostly none, not every language's.
 * The words are lowercase, none empty, and matched without ASCII case,
 * so a line's first byte is looked up lowercased.
 */
#define TRIM_INDEX_MAX	64	/* entries of the longest table */

struct trim_index {
	const char *const	*words;
	size_t			 count;
	int			 ready;
	unsigned char		 start[257];	/* words[order[start[c]]] up to
						 * words[order[start[c + 1] - 1]]
						 * start with byte c */
	unsigned char		 order[TRIM_INDEX_MAX];
};

#define TRIM_INDEX(t)	{ (t), NITEMS(t), 0, { 0 }, { 0 } }

_Static_assert(NITEMS(trim_closings) <= TRIM_INDEX_MAX, "TRIM_INDEX_MAX");
_Static_assert(NITEMS(trim_pointers) <= TRIM_INDEX_MAX, "TRIM_INDEX_MAX");
_Static_assert(NITEMS(trim_salutations) <= TRIM_INDEX_MAX, "TRIM_INDEX_MAX");
_Static_assert(NITEMS(trim_date_labels) <= TRIM_INDEX_MAX, "TRIM_INDEX_MAX");
_Static_assert(NITEMS(trim_from_labels) <= TRIM_INDEX_MAX, "TRIM_INDEX_MAX");
_Static_assert(NITEMS(trim_footers) <= TRIM_INDEX_MAX, "TRIM_INDEX_MAX");
_Static_assert(NITEMS(trim_wrote) <= TRIM_INDEX_MAX, "TRIM_INDEX_MAX");

static struct trim_index trim_from_index = TRIM_INDEX(trim_from_labels);
static struct trim_index trim_date_index = TRIM_INDEX(trim_date_labels);
static struct trim_index trim_footer_index = TRIM_INDEX(trim_footers);
static struct trim_index trim_closing_index = TRIM_INDEX(trim_closings);
static struct trim_index trim_pointer_index = TRIM_INDEX(trim_pointers);
static struct trim_index trim_salutation_index = TRIM_INDEX(trim_salutations);
static struct trim_index trim_wrote_index = TRIM_INDEX(trim_wrote);

static void
trim_index_build(struct trim_index *x)
{
	unsigned char next[256];
	size_t i, c;

	memset(x->start, 0, sizeof(x->start));
	for (i = 0; i < x->count; i++)
		x->start[(unsigned char)x->words[i][0] + 1]++;
	for (c = 1; c <= 256; c++)
		x->start[c] += x->start[c - 1];
	memcpy(next, x->start, sizeof(next));
	for (i = 0; i < x->count; i++)
		x->order[next[(unsigned char)x->words[i][0]]++] = (unsigned char)i;
	x->ready = 1;
}

static inline const struct trim_index *
trim_index_get(struct trim_index *x)
{
	if (!x->ready)
		trim_index_build(x);
	return x;
}

static int
trim_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Length of the colon that [s, s + len) ends with: ':', or U+FF1A, the
 * full-width colon of Chinese and Japanese labels ("发件人："); 0 if none. */
static size_t
trim_colon_len(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 1 && u[len - 1] == ':')
		return 1;
	if (len >= 3 && u[len - 3] == 0xef && u[len - 2] == 0xbc && u[len - 1] == 0x9a)
		return 3;
	return 0;
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

/* The line [line, line + linelen) without surrounding blanks, in *s and
 * *len. */
static void
trim_strip_slow(const char *line, size_t linelen, const char **s, size_t *len)
{
	const char *p = line, *end = line + linelen, *q;
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

/* The line without surrounding blanks, in *s and *len, from the counts
 * trim_split left: the tests ask for it several times a line. */
static inline void
trim_strip(const struct trim_line *l, const char **s, size_t *len)
{
	if (l->lead == TRIM_FAR) {
		trim_strip_slow(l->s, l->len, s, len);
		return;
	}
	*s = l->s + l->lead;
	*len = l->len - l->lead - l->trail;
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

/* Whether c leads a character of the CJK blocks (U+3000 to U+9FFF),
 * whose words are written without blanks between them. */
static int
trim_is_cjk_lead(int c)
{
	return c >= 0xe3 && c <= 0xe9;
}

/* Whether one of the words of a table occurs in s as a whole word (any
 * CJK word counts, with no blank around it); each word start is tried
 * only against the words that begin with its byte. */
static int
trim_has_word(const char *s, size_t len, struct trim_index *words)
{
	const struct trim_index *x = trim_index_get(words);
	const char *w;
	size_t i, k, wlen;
	int c;

	for (i = 0; i < len; i++) {
		c = trim_lower((unsigned char)s[i]);
		if (i > 0 && trim_is_letter((unsigned char)s[i - 1]) &&
		    !trim_is_cjk_lead(c))
			continue;
		for (k = x->start[c]; k < x->start[c + 1]; k++) {
			w = x->words[x->order[k]];
			wlen = strlen(w);
			if (trim_prefix(s + i, len - i, w) && (i + wlen == len ||
			    trim_is_cjk_lead(c) ||
			    !trim_is_letter((unsigned char)s[i + wlen])))
				return 1;
		}
	}
	return 0;
}

/* "label:" at the start of the line, with blanks allowed before the colon
 * (French writes "De :"); a leading "*" from bold Outlook text is skipped. */
static int
trim_label(const struct trim_line *l, struct trim_index *labels)
{
	const struct trim_index *x = trim_index_get(labels);
	const char *s, *p, *end, *w;
	size_t len, k, n;
	int c;

	/* A line with no colon at all has no label, in no language; only
	 * the labels that start with a CJK character take the full-width
	 * colon that 0xef leads. */
	trim_strip(l, &s, &len);
	if (memchr(l->s, ':', l->len) == NULL && (len == 0 ||
	    (unsigned char)s[0] < 0x80 || memchr(s, 0xef, len) == NULL))
		return 0;
	end = s + len;
	if (s < end && *s == '*')
		s++;
	if (s == end)
		return 0;
	c = trim_lower((unsigned char)*s);
	for (k = x->start[c]; k < x->start[c + 1]; k++) {
		w = x->words[x->order[k]];
		if (!trim_prefix(s, (size_t)(end - s), w))
			continue;
		p = s + strlen(w);
		if (p < end && *p == '*')
			p++;
		while ((n = trim_blank(p, end)) > 0)
			p += n;
		if (p < end && (*p == ':' || (end - p >= 3 && trim_colon_len(p, 3) == 3)))
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

/* "-- " alone on its line starts a signature (RFC 3676 4.3); "--" too,
 * since many clients strip the trailing space. */
static int
trim_is_sigsep(const struct trim_line *l)
{
	return (l->len == 3 && memcmp(l->s, "-- ", 3) == 0) ||
	    (l->len == 2 && memcmp(l->s, "--", 2) == 0);
}

/* A line made of one character repeated, "____" or "-----", as Outlook
 * draws above its header block in plain text, or "====" as French
 * webmails do; only asked of the line above a header block. */
static int
trim_is_rule(const struct trim_line *l)
{
	const char *s;
	size_t len, i;

	trim_strip(l, &s, &len);
	if (len < 4 || (s[0] != '_' && s[0] != '-' && s[0] != '='))
		return 0;
	for (i = 1; i < len; i++)
		if (s[i] != s[0])
			return 0;
	return 1;
}

/* Whether [s, s + len) ends with an attribution verb as a whole word. */
static int
trim_ends_wrote(const char *s, size_t len)
{
	size_t i, wlen;

	for (i = 0; i < NITEMS(trim_wrote); i++) {
		wlen = strlen(trim_wrote[i]);
		if (wlen <= len && trim_prefix(s + len - wlen, wlen, trim_wrote[i]) &&
		    (wlen == len || !trim_is_letter((unsigned char)s[len - wlen - 1])))
			return 1;
	}
	return 0;
}

/* What trim_is_separator finds: a line above a whole message, forwarded
 * or original, or a dashed attribution above a reply's quote. */
#define TRIM_SEP_MESSAGE	1
#define TRIM_SEP_REPLY		2

static int
trim_is_separator(const struct trim_line *l)
{
	const char *s, *end, *inner;
	size_t len, i;

	if (!(l->marks & (TRIM_DASH | TRIM_COLON)))
		return 0;
	trim_strip(l, &s, &len);
	end = s + len;
	if (len >= 4 && (s[0] == '-' || s[0] == '_') && s[1] == s[0]) {
		for (inner = s; inner < end && (*inner == '-' || *inner == '_' ||
		    *inner == ' '); inner++)
			;
		while (end > inner && (end[-1] == '-' || end[-1] == '_' || end[-1] == ' '))
			end--;
		for (i = 0; i < NITEMS(trim_separators); i++)
			if ((size_t)(end - inner) == strlen(trim_separators[i]) &&
			    trim_prefix(inner, (size_t)(end - inner), trim_separators[i]))
				return TRIM_SEP_MESSAGE;
		/* "---- On <date>, <name> wrote ----" (Zoho, Android mail);
		 * three dashes at least, so "-- as he wrote --" is text */
		if (end > inner && end[-1] == ':')
			end--;
		return s[2] == s[0] && trim_ends_wrote(inner, (size_t)(end - inner)) ?
		    TRIM_SEP_REPLY : 0;
	}
	if ((i = trim_colon_len(s, len)) == 0)
		return 0;
	end -= i;
	while (end > s && trim_blank(end - 1, end) == 1)
		end--;
	if (end - s >= 2 && trim_blank(end - 2, end) == 2)
		end -= 2;		/* "réexpédié :" with a no-break space */
	for (i = 0; i < NITEMS(trim_forward_lines); i++)
		if ((size_t)(end - s) == strlen(trim_forward_lines[i]) &&
		    trim_prefix(s, (size_t)(end - s), trim_forward_lines[i]))
			return TRIM_SEP_MESSAGE;
	return 0;
}

/* The first line of an Outlook "From: / Sent: / To: / Subject:" block
 * whose sender is on line i, or n if there is none.  Most mailers put the
 * date label below the sender; a few webmails put it above ("Date:",
 * "Message du :"), in the same run of non-blank lines. */
static size_t
trim_header_start(const struct trim_line *lines, size_t n, size_t i)
{
	size_t j, start = n;

	if (!(lines[i].marks & TRIM_FROM) ||
	    !trim_label(&lines[i], &trim_from_index))
		return n;
	for (j = i + 1; j < n && j <= i + TRIM_HEADER_SPAN; j++)
		if (lines[j].kind == TRIM_TEXT &&
		    trim_label(&lines[j], &trim_date_index))
			return i;
	for (j = i; j > 0 && j + TRIM_HEADER_SPAN > i &&
	    lines[j - 1].kind == TRIM_TEXT; j--)
		if (trim_label(&lines[j - 1], &trim_date_index))
			start = j - 1;
	return start;
}

static int
trim_has_wrote(const struct trim_line *l)
{
	return trim_has_word(l->s, l->len, &trim_wrote_index);
}

/* Whether s starts with an attribution opener, "On ", "Le ", "Am "... */
static int
trim_is_opener(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NITEMS(trim_openers); i++)
		if (trim_prefix(s, len, trim_openers[i]))
			return 1;
	return 0;
}

static int
trim_starts_opener(const struct trim_line *l)
{
	const char *s;
	size_t len;

	trim_strip(l, &s, &len);
	return trim_is_opener(s, len);
}

/* Whether a capitalised opener starts inside line l, after a blank or a
 * dash and some letters: "Fixed, thanks On Wed, ... wrote:" is the
 * customer's text with the attribution run on, and the line is kept
 * whole; Zimbra's "- On ... wrote:" is not. */
static int
trim_opener_inside(const struct trim_line *l)
{
	size_t i;
	int text = 0;

	for (i = 1; i < l->len; i++) {
		text = text || trim_is_letter((unsigned char)l->s[i - 1]);
		if (text && (l->s[i - 1] == ' ' || l->s[i - 1] == '-') &&
		    l->s[i] >= 'A' && l->s[i] <= 'Z' &&
		    trim_is_opener(l->s + i, l->len - i))
			return 1;
	}
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
	return (l->marks & TRIM_COLON) != 0;
}

/* ">:", the end of an address that Gmail wrapped onto a line of its own;
 * it looks like a quote line, and is dropped as one. */
static int
trim_is_angle_colon(const struct trim_line *l)
{
	return (l->marks & TRIM_ANGLE) != 0;
}

/* What trim_facts finds in a line that may be part of an attribution. */
#define TRIM_F_DIGIT	0x01
#define TRIM_F_AT	0x02		/* an address */
#define TRIM_F_TIME	0x04		/* "13:09", "17.50" */
#define TRIM_F_YEAR	0x08		/* 19NN or 20NN, digits alone */

static int
trim_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static unsigned
trim_facts(const struct trim_line *l)
{
	const char *s = l->s;
	size_t len = l->len, i;
	unsigned f = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '@')
			f |= TRIM_F_AT;
		if (!trim_is_digit((unsigned char)s[i]))
			continue;
		f |= TRIM_F_DIGIT;
		if (i + 3 < len && (s[i + 1] == ':' || s[i + 1] == '.') &&
		    trim_is_digit((unsigned char)s[i + 2]) &&
		    trim_is_digit((unsigned char)s[i + 3]))
			f |= TRIM_F_TIME;
		if (i + 3 < len && (i == 0 || !trim_is_digit((unsigned char)s[i - 1])) &&
		    ((s[i] == '1' && s[i + 1] == '9') || (s[i] == '2' && s[i + 1] == '0')) &&
		    trim_is_digit((unsigned char)s[i + 2]) &&
		    trim_is_digit((unsigned char)s[i + 3]) &&
		    (i + 4 == len || !trim_is_digit((unsigned char)s[i + 4])))
			f |= TRIM_F_YEAR;
	}
	return f;
}

/* Whether line l ends in "<address>:", as verbless attributions do
 * ("2017-11-24 16:32 GMT+01:00 Bob <bob@example.com>:"). */
static int
trim_ends_address(const struct trim_line *l)
{
	const char *s;
	size_t len, c;

	trim_strip(l, &s, &len);
	c = trim_colon_len(s, len);
	return c > 0 && len >= c + 2 && s[len - c - 1] == '>' &&
	    memchr(s, '@', len) != NULL;
}

/* Whether line l can be the first half of a wrapped attribution: kept
 * text, not too long, and not the end of a sentence. */
static int
trim_is_half(const struct trim_line *l)
{
	const char *s;
	size_t len;

	if (l->kind != TRIM_TEXT || !l->keep || l->len > TRIM_ATTRIBUTION_MAX)
		return 0;
	trim_strip(l, &s, &len);
	return len > 0 && strchr(".!?", s[len - 1]) == NULL;
}

/*
 * Line i ends in ':'.  If it ends an attribution -- "On <date>, <name>
 * wrote:", wrapped over up to three lines by Gmail and Apple Mail, or
 * without a verb, "<date> <time>, <name> <address>:", as Gmail writes it
 * in some languages -- this drops it when a quote or the end follows.
 * Returns the line to cut from when unquoted text follows instead: some
 * mailers put the old message below without quoting it.  Customers who
 * quote without '>' write so too, so that needs an attribution with a
 * time and an address or a year.  Otherwise returns cut.
 */
static size_t
trim_attribution(struct trim_line *lines, size_t n, size_t cut, size_t i)
{
	struct trim_line *l = &lines[i];
	size_t first = i, next, k;
	unsigned facts = 0;
	int verb = 0, quoted, opens;

	if (l->len > TRIM_ATTRIBUTION_MAX)
		return cut;
	opens = trim_starts_opener(l);
	if (!opens && i > 0 && trim_is_half(&lines[i - 1])) {
		if (i > 1 && trim_is_half(&lines[i - 2]) &&
		    trim_starts_opener(&lines[i - 2]) &&
		    !trim_starts_opener(&lines[i - 1]) &&
		    (trim_starts_tail(&lines[i - 1]) ||
		    (trim_facts(&lines[i - 1]) & TRIM_F_TIME)))
			first = i - 2;	/* "On <date>," + "<address>" + "wrote:" */
		else if (trim_starts_opener(&lines[i - 1]) || trim_starts_tail(l))
			first = i - 1;
	}
	for (k = first; k <= i; k++)
		facts |= trim_facts(&lines[k]);
	for (next = i + 1; next < cut && lines[next].kind == TRIM_BLANK; next++)
		;
	quoted = next < cut && lines[next].kind == TRIM_QUOTE;
	/* Most lines ending in ':' go on with the customer's text, and
	 * most of those have no time in them: look no further. */
	if (!quoted && next < cut && next < n &&
	    (!(facts & TRIM_F_TIME) || !(facts & (TRIM_F_AT | TRIM_F_YEAR))))
		return cut;
	if (!quoted && !(facts & (TRIM_F_DIGIT | TRIM_F_AT)))
		return cut;
	for (k = first; k <= i && !verb; k++)
		verb = trim_has_wrote(&lines[k]);
	if (!verb && !(trim_ends_address(l) && (facts & TRIM_F_TIME)))
		return cut;
	if (first == i && !opens && trim_opener_inside(l))
		return cut;
	if (!quoted && next < cut && next < n)
		return first;
	for (k = first; k <= i; k++)
		lines[k].keep = 0;
	return cut;
}

/* "On <date> <time>, <name> <address> wrote" without its colon: only
 * with an opener, a time and an address, since "... as Anna wrote" ends
 * many a sentence. */
static int
trim_bare_wrote(const struct trim_line *l)
{
	const char *s;
	size_t len;
	unsigned facts;

	trim_strip(l, &s, &len);
	if (len < 6 || trim_lower((unsigned char)s[len - 1]) != 'e' ||
	    !trim_prefix(s + len - 6, 6, " wrote") || !trim_is_opener(s, len))
		return 0;
	facts = trim_facts(l);
	return (facts & TRIM_F_TIME) && (facts & TRIM_F_AT);
}

/*
 * Quote line i ends in ':'.  When it is only the verb ("> wrote:"), the
 * rest of the attribution stands unquoted above it, split over a few
 * lines with blank ones between, as Polymail and some webmails wrap it:
 * "On <date> <name>", "<", "mailto:<address>".  Drops those lines when
 * the first of them opens with "On" and a date.  Returns the line to cut
 * from when unquoted text follows and the pieces have a time and an
 * address or a year, as trim_attribution does; otherwise cut.
 */
static size_t
trim_quoted_verb(struct trim_line *lines, size_t cut, size_t i)
{
	const char *s;
	size_t len, j, k, next, parts = 0, total = 0;
	unsigned facts = 0;
	int found = 0;

	trim_strip(&lines[i], &s, &len);
	while (len > 0 && (*s == '>' || *s == ' ')) {
		s++;
		len--;
	}
	len -= trim_colon_len(s, len);
	if (len == 0 || !trim_ends_wrote(s, len) || memchr(s, ' ', len) != NULL)
		return cut;
	for (j = i; j > 0 && parts < TRIM_WRAP_LINES; j--) {
		if (lines[j - 1].kind == TRIM_BLANK)
			continue;
		if (lines[j - 1].kind != TRIM_TEXT || !lines[j - 1].keep ||
		    (total += lines[j - 1].len) > TRIM_ATTRIBUTION_MAX)
			return cut;
		parts++;
		facts |= trim_facts(&lines[j - 1]);
		if ((found = trim_starts_opener(&lines[j - 1]) &&
		    (facts & TRIM_F_DIGIT)))
			break;
	}
	if (!found)
		return cut;
	for (k = j - 1; k < i; k++)
		lines[k].keep = 0;
	for (next = i + 1; next < cut && lines[next].kind == TRIM_BLANK; next++)
		;
	if (next < cut && lines[next].kind == TRIM_TEXT &&
	    (facts & TRIM_F_TIME) && (facts & (TRIM_F_AT | TRIM_F_YEAR)))
		return j - 1;
	return cut;
}

static int
trim_is_footer(const struct trim_line *l)
{
	const struct trim_index *x = trim_index_get(&trim_footer_index);
	const char *s;
	size_t len, k, words;
	int c;

	trim_strip(l, &s, &len);
	if (len > TRIM_FOOTER_MAX || memchr(s, '?', len) != NULL)
		return 0;
	c = len > 0 ? trim_lower((unsigned char)s[0]) : 0;
	for (k = x->start[c]; k < x->start[c + 1]; k++)
		if (trim_prefix(s, len, x->words[x->order[k]]))
			break;
	/* German puts the verb last: "Von meinem iPhone gesendet". */
	if (k == x->start[c + 1] && !(trim_prefix(s, len, "von meinem ") &&
	    len >= 8 && trim_prefix(s + len - 8, 8, "gesendet")))
		return 0;
	/* "Sent from my desk, it is easier than my phone." is a sentence */
	for (k = 0, words = 1; k < len; k++)
		if (s[k] == ' ' && ++words > TRIM_FOOTER_WORDS)
			return 0;
	return 1;
}

/* One of the phrases of a table alone on its line, "Thanks," or "Mit
 * freundlichen Grüßen" of trim_closings, "FYI:" of trim_pointers. */
static int
trim_is_phrase(const struct trim_line *l, struct trim_index *phrases)
{
	const struct trim_index *x = trim_index_get(phrases);
	const char *s, *p, *end, *w;
	size_t len, k;
	int c;

	trim_strip(l, &s, &len);
	end = s + len;
	if (len == 0)
		return 0;
	c = trim_lower((unsigned char)s[0]);
	for (k = x->start[c]; k < x->start[c + 1]; k++) {
		w = x->words[x->order[k]];
		if (!trim_prefix(s, len, w))
			continue;
		for (p = s + strlen(w); p < end; p++)
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

/* Whether line l ends a sentence: more than three words and a full
 * stop, "!" or "?" at the end ("Acme Inc." does not). */
static int
trim_is_sentence(const struct trim_line *l)
{
	const char *s;
	size_t len;

	trim_strip(l, &s, &len);
	return len > 0 && strchr(".!?", s[len - 1]) != NULL && !trim_is_name(l);
}

/*
 * Line i is a signature separator, "-- " or "--".  Below the customer's
 * own words (text says so) it starts a signature when a name comes next
 * or what follows is short enough to be one: at most TRIM_SIG_LINES lines
 * before the end or the quoted history; RFC 3676's "-- " needs no more
 * than the text above.  With nothing above, the lines below are the
 * message unless they are a few lines with no sentence among them ("Jane
 * Doe", a title, a link): Majordomo's answers and a customer who opens
 * with "--" have their words there.
 */
static int
trim_sig_cuts(const struct trim_line *lines, size_t n, size_t i, int text)
{
	size_t j, count = 0;
	int named = 0, sentences = 0;

	if (text && lines[i].len == 3)
		return 1;
	for (j = i + 1; j < n && count <= TRIM_SIG_LINES; j++) {
		if (lines[j].kind == TRIM_QUOTE || (lines[j].kind == TRIM_TEXT &&
		    trim_is_separator(&lines[j])))
			break;
		if (lines[j].kind != TRIM_TEXT)
			continue;
		if (count++ == 0)
			named = trim_is_name(&lines[j]);
		if (!text)
			sentences += trim_is_sentence(&lines[j]);
	}
	if (text)
		return named || count <= TRIM_SIG_LINES;
	/* a "--" and at once quotes: the commands Majordomo answers */
	return count <= TRIM_CLOSING_LINES && sentences == 0 && (count > 0 || j == n);
}

/* Words that may follow a salutation besides capitalised names and
 * titles: "Hi there,", "Dear Sir or Madam,", "Hallo zusammen,". */
static const char *const trim_salutation_words[] = {
	"there", "all", "team", "everyone", "everybody", "folks", "guys",
	"support", "or", "and", "zusammen", "und", "et", "y", "e", "en", "equipo",
	"équipe", "sir", "madam", "mr", "mrs", "ms", "dr",
};

/* Whether line l is a salutation alone: an opener of trim_salutations,
 * then at most TRIM_SALUTATION_WORDS names, titles or words of
 * trim_salutation_words, then ",", ":", "!" or nothing.  Commas between
 * ("Bonjour Madame, Monsieur,") only when the line ends in one, so that
 * "Hello, my order never arrived!" is text. */
#define TRIM_SALUTATION_WORDS	4
#define TRIM_SALUTATION_MAX	80	/* bytes of a salutation line */

static int
trim_is_salutation(const struct trim_line *l)
{
	const struct trim_index *x = trim_index_get(&trim_salutation_index);
	const char *s, *p, *end, *w, *dot;
	size_t len, k, i, wl = 0;
	int c, words = 0, commas = 0, found = 0;

	trim_strip(l, &s, &len);
	if (len == 0 || len > TRIM_SALUTATION_MAX)
		return 0;
	end = s + len;
	c = trim_lower((unsigned char)s[0]);
	for (k = x->start[c]; k < x->start[c + 1] && !found; k++) {
		w = x->words[x->order[k]];
		wl = strlen(w);
		/* the whole opener, not "Hint:" for "hi" */
		found = trim_prefix(s, len, w) && (wl == len || strchr(" ,:!", s[wl]) != NULL);
	}
	if (!found)
		return 0;
	for (p = s + wl; p < end;) {
		if (*p == ' ' || *p == ',') {
			commas += *p == ',';
			p++;
			continue;
		}
		if ((*p == ':' || *p == '!') && p + 1 == end)
			break;
		for (w = p; p < end && *p != ' ' && *p != ',' && !(p + 1 == end &&
		    (*p == ':' || *p == '!')); p++)
			;
		/* A full stop only ends a short title, "Mr." or "Dr.":
		 * "Hi John. I am writing..." is a sentence. */
		dot = memchr(w, '.', (size_t)(p - w));
		if (dot != NULL && (dot != p - 1 || p - w > 4))
			return 0;
		if (++words > TRIM_SALUTATION_WORDS)
			return 0;
		if (*w >= 'A' && *w <= 'Z')
			continue;	/* a name or a title */
		if ((unsigned char)*w >= 0xc0)
			continue;	/* "Émilie", "Ørjan", and the lower case of other scripts */
		for (i = 0; i < NITEMS(trim_salutation_words); i++)
			if ((size_t)(p - w) == strlen(trim_salutation_words[i]) &&
			    trim_prefix(w, (size_t)(p - w), trim_salutation_words[i]))
				break;
		if (i == NITEMS(trim_salutation_words))
			return 0;
	}
	return commas == 0 || s[len - 1] == ',';
}

/* At the very start: a salutation line alone above the customer's words,
 * never the only thing they wrote ("Good morning!" to a social account). */
static void
trim_head(struct trim_line *lines, size_t n)
{
	size_t i, j;

	for (i = 0; i < n && (lines[i].kind == TRIM_BLANK || !lines[i].keep); i++)
		;
	if (i == n || lines[i].kind != TRIM_TEXT || !trim_is_salutation(&lines[i]))
		return;
	for (j = i + 1; j < n; j++)
		if (lines[j].keep && lines[j].kind == TRIM_TEXT)
			break;
	if (j < n)
		lines[i].keep = 0;
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
		if (!trim_is_phrase(&lines[c[k]], &trim_closing_index))
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

/*
 * Splits [p, end) into lines[], at most max of them, and classifies each
 * line: its length without a CR, the blanks at its ends, its kind, its
 * marks, and keep as if nothing were cut (from is trim_from_labels's
 * index).  Returns how many, with *rest at the first line left over, or
 * NULL if none is.  One function, so the per-line work is not a call.
 */
static size_t
trim_split(struct trim_line *lines, size_t max, const char *p, const char *end,
    const char **rest, const struct trim_index *from)
{
	struct trim_line *l;
	const unsigned char *u;
	const char *nl, *s;
	size_t i, len, slen, lead;
	int c;

	for (i = 0; i < max; i++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		l = &lines[i];
		u = (const unsigned char *)p;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		l->s = p;
		l->len = len;
		/* Most lines have no blank at either end, and that shows in
		 * their first and last bytes: a blank starts with one of ' ',
		 * \t, \f, \v, 0xc2, 0xe2 and ends with one of ' ', \t, \f, \v,
		 * 0xa0, 0xaf.  Such a line is not blank, and a quote if it
		 * starts with '>'. */
		if (len > 0 && u[0] > ' ' && u[0] != 0xc2 && u[0] != 0xe2 &&
		    u[len - 1] > ' ' && u[len - 1] != 0xa0 && u[len - 1] != 0xaf) {
			s = p;
			slen = len;
			l->lead = l->trail = 0;
			l->kind = u[0] == '>' ? TRIM_QUOTE : TRIM_TEXT;
		} else {
			trim_strip_slow(p, len, &s, &slen);
			lead = (size_t)(s - p);
			if (lead < TRIM_FAR && len - lead - slen <= USHRT_MAX) {
				l->lead = (unsigned short)lead;
				l->trail = (unsigned short)(len - lead - slen);
			} else {
				l->lead = TRIM_FAR;
				l->trail = 0;
			}
			/* blanks all the way means stripping from the front
			 * alone left nothing */
			if (slen == 0)
				l->kind = TRIM_BLANK;
			else if (trim_is_quote(p, len))
				l->kind = TRIM_QUOTE;
			else
				l->kind = TRIM_TEXT;
		}
		l->keep = l->kind != TRIM_QUOTE;
		l->marks = 0;
		if (slen > 0) {
			u = (const unsigned char *)s;
			if (u[slen - 1] == ':')
				l->marks |= slen == 2 && u[0] == '>' ?
				    TRIM_COLON | TRIM_ANGLE : TRIM_COLON;
			else if (u[slen - 1] == 0x9a && trim_colon_len(s, slen) == 3)
				l->marks |= TRIM_COLON;
			if (u[0] == '-' || u[0] == '_')
				l->marks |= TRIM_DASH;
			c = u[0] != '*' ? u[0] : slen > 1 ? u[1] : 0;
			c = trim_lower(c);
			if (from->start[c] != from->start[c + 1])
				l->marks |= TRIM_FROM;
		}
		if (nl == end) {
			*rest = NULL;
			return i + 1;
		}
		p = nl + 1;
	}
	*rest = p;
	return max;
}

/* The first line of the forwarded message's own text below a separator
 * or a header block at line i: past the separator, blank lines and the
 * run of header lines ("From:", "Date:", "Subject:"...) when a sender or
 * a date is among its first lines (Thunderbird starts with "Subject:"). */
static size_t
trim_forward_body(const struct trim_line *lines, size_t n, size_t i)
{
	size_t j;

	if (trim_is_separator(&lines[i]) || trim_is_rule(&lines[i]))
		i++;
	while (i < n && lines[i].kind == TRIM_BLANK)
		i++;
	for (j = i; j < n && j <= i + TRIM_HEADER_SPAN && lines[j].kind != TRIM_BLANK; j++)
		if (trim_label(&lines[j], &trim_from_index) ||
		    trim_label(&lines[j], &trim_date_index)) {
			while (i < n && lines[i].kind != TRIM_BLANK)
				i++;
			break;
		}
	return i;
}

/* Whether the kept lines of lines[0, n) say something of their own:
 * anything but "FYI", "see below", a closing and a name under it. */
static int
trim_says_more(const struct trim_line *lines, size_t n)
{
	size_t i;
	int closed = 0;

	for (i = 0; i < n; i++) {
		if (!lines[i].keep || lines[i].kind != TRIM_TEXT)
			continue;
		/* longer than a name: the phrases are all shorter still */
		if (lines[i].len > TRIM_NAME_MAX && lines[i].lead != TRIM_FAR)
			return 1;
		if (trim_is_phrase(&lines[i], &trim_closing_index))
			closed = 1;
		else if (!(closed && trim_is_name(&lines[i])) &&
		    !trim_is_phrase(&lines[i], &trim_pointer_index))
			return 1;
	}
	return 0;
}

/*
 * Decides which of lines[0, n) to keep (keep as trim_split left it).
 * Returns where the text of a forwarded or original message starts when
 * everything from a separator or a header block on is cut, n otherwise.
 */
static size_t
trim_decide(struct trim_line *lines, size_t n)
{
	size_t i, cut, j, start, sepcut, body = n;
	int said = 0, sep;

	/* Everything from the first separator, header block or signature on
	 * is history or boilerplate. */
	for (cut = 0; cut < n; cut++) {
		if (lines[cut].kind != TRIM_TEXT)
			continue;
		if (trim_is_sigsep(&lines[cut])) {
			if (trim_sig_cuts(lines, n, cut, said))
				break;
			continue;
		}
		if ((sep = trim_is_separator(&lines[cut])) != 0) {
			if (sep == TRIM_SEP_MESSAGE)
				body = cut;
			break;
		}
		said = 1;
		if ((j = trim_header_start(lines, n, cut)) < n) {
			body = cut = j;
			for (; j > 0 && lines[j - 1].kind == TRIM_BLANK; j--)
				;
			if (j > 0 && trim_is_rule(&lines[j - 1]))
				cut = j - 1;
			break;
		}
	}
	if (body < n)
		body = trim_forward_body(lines, n, body);
	sepcut = cut;
	for (i = cut; i < n; i++)
		lines[i].keep = 0;
	/* An attribution that unquoted history follows moves the cut up to
	 * it, and so ends the loop. */
	for (i = 0; i < cut; i++) {
		if (lines[i].kind == TRIM_QUOTE && (lines[i].marks & TRIM_COLON) &&
		    (start = trim_quoted_verb(lines, cut, i)) < cut) {
			for (j = start; j < cut; j++)
				lines[j].keep = 0;
			cut = start;
		}
		if (lines[i].kind != TRIM_TEXT)
			continue;
		if (trim_ends_colon(&lines[i]) || trim_bare_wrote(&lines[i])) {
			start = trim_attribution(lines, n, cut, i);
			for (j = start; j < cut; j++)
				lines[j].keep = 0;
			cut = start;
		} else if (i + 1 < cut && trim_is_angle_colon(&lines[i + 1]) &&
		    trim_has_wrote(&lines[i]) && (trim_starts_opener(&lines[i]) ||
		    (trim_facts(&lines[i]) & TRIM_F_TIME)))
			lines[i].keep = 0;	/* "... skrev Bob <bob@example.com" + ">:" */
	}
	trim_head(lines, n);	/* first: "Hi Anna," + "Thanks!" is thanks */
	trim_tail(lines, n);
	return cut == sepcut ? body : n;
}

char *
trim_for_scoring(struct arena *a, const char *text, int forwards)
{
	struct trim_line stack[TRIM_STACK_LINES], *lines;
	const struct trim_index *from;
	const char *p, *end, *rest;
	size_t len = strlen(text), n, k, i, j, depth;
	char *out, *o;
	int gap = 0;

	/* The table goes in the arena, sized to the text; most texts fit
	 * the stack first and so are scanned once, not counted, then split.
	 * A longer one has the lines after those counted. */
	end = text + len;
	from = trim_index_get(&trim_from_index);
	n = k = trim_split(stack, TRIM_STACK_LINES, text, end, &rest, from);
	if (rest != NULL)
		for (p = rest, n++; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			n++;
	if (n > ((size_t)-1) / sizeof(*lines) ||
	    (lines = arena_alloc(a, n * sizeof(*lines))) == NULL)
		return NULL;
	memcpy(lines, stack, k * sizeof(*lines));
	if (rest != NULL)
		(void)trim_split(lines + k, n - k, rest, end, &rest, from);	/* exactly n - k */

	/* A customer who forwards a message with no words of their own means
	 * "look at this": what they forward is what counts then. */
	for (depth = 0, i = 0; depth <= TRIM_FORWARD_DEPTH; depth++) {
		j = i + trim_decide(lines + i, n - i);
		if (!forwards || j == n || trim_says_more(lines + i, j - i))
			break;
		for (i = j; j < n; j++)
			lines[j].keep = lines[j].kind != TRIM_QUOTE;
	}

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
		/* Kept lines that follow each other in text, newline and all,
		 * stand there as they will in the output: one copy for all. */
		for (j = i; j + 1 < n && lines[j + 1].keep &&
		    lines[j + 1].kind != TRIM_BLANK &&
		    lines[j].s + lines[j].len + 1 == lines[j + 1].s; j++)
			;
		memcpy(o, lines[i].s, (size_t)(lines[j].s + lines[j].len - lines[i].s));
		o += lines[j].s + lines[j].len - lines[i].s;
		*o++ = '\n';
		i = j;
	}
	*o = '\0';
	return out;
}
