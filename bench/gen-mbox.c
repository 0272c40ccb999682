/*
 * gen-mbox.c -- writes a deterministic, synthetic support-inbox mbox to
 * stdout for bench/intake.
 *
 * Standalone on purpose: C11 and libc only, no project headers, so the
 * benchmark input never depends on the code it measures.  The same -n and
 * -s give the same bytes on every machine: the generator has its own PRNG
 * (splitmix64), uses no floating point, no locale, no time zone database,
 * and never calls the PRNG twice in one expression (argument evaluation
 * order is unspecified in C, so that would differ between compilers).
 *
 * What it writes (fractions of messages, roughly): 1/3 replies with
 * In-Reply-To/References and "Re: " (a few without references, to be
 * joined by the subject fallback), ~5,000 customers, 20% multipart/
 * alternative with HTML, 10% quoted-printable ISO-8859-1, 10% base64
 * UTF-8, 15% RFC 2047 subjects, 5% attachments of 2-40 KB, 2% auto-replies,
 * 1% delivery-status bounces, dates over 30 days from 2026-10-22.  The
 * median message is about 4.5 KB; 50,000 messages make about 265 MB.
 * All names and domains are fictional (example.*).
 *
 * Usage: gen-mbox [-n COUNT] [-s SEED]
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX_USAGE	64
#define EX_OSERR	71
#define EX_IOERR	74

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define PICK(g, a)	((a)[rng_below(&(g)->rng, (uint32_t)NELEM(a))])

#define CUSTOMERS	5000
#define OPEN_THREADS	2048	/* replies go to one of the last N threads */
#define REFS		8	/* References: root + the last REFS-1 ids */
#define IDLEN		128
#define SUBJLEN		400
#define MAXBLOCKS	64
#define TEXTWIDTH	72
#define START_DAY	20748	/* 2026-10-22, days since 1970-01-01 */
#define SPAN		(30L * 86400)
#define SUPPORT		"support@northwind.example.com"

/* ---- PRNG ------------------------------------------------------------ */

struct rng {
	uint64_t	 state;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z;

	z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n); n > 0. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability per/1000. */
static int
rng_permille(struct rng *r, uint32_t per)
{
	return rng_below(r, 1000) < per;
}

/* ---- growing buffer -------------------------------------------------- */

struct buf {
	char	*data;
	size_t	 len, cap;
};

static _Noreturn void
fatal(const char *what)
{
	fprintf(stderr, "gen-mbox: %s\n", what);
	exit(EX_OSERR);
}

static void
buf_reserve(struct buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->len + extra <= b->cap)
		return;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		fatal("out of memory");
	b->data = p;
	b->cap = cap;
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_ch(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
}

static void
buf_uint(struct buf *b, unsigned long v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_reserve(b, (size_t)n);
	while (n > 0)
		b->data[b->len++] = tmp[--n];
}

static void
buf_hex(struct buf *b, uint64_t v, int digits, int upper)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	buf_reserve(b, (size_t)digits);
	while (digits-- > 0)
		b->data[b->len++] = hex[(v >> (4 * digits)) & 0xf];
}

static void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ---- word lists ------------------------------------------------------ */

static const char *const first_names[50] = {
	"Anna", "Ben", "Clara", "David", "Elena", "Felix", "Grace", "Hugo",
	"Ines", "Jonas", "Kara", "Lukas", "Maria", "Noah", "Olivia", "Paul",
	"Quinn", "Rosa", "Samuel", "Tara", "Umar", "Vera", "William", "Xenia",
	"Yusuf", "Zoe", "Amelie", "Bruno", "Chloe", "Dmitri", "Emma", "Fatima",
	"Georg", "Hannah", "Ivan", "Julia", "Kenji", "Lea", "Mateo", "Nina",
	"Oscar", "Petra", "Rafael", "Sofia", "Theo", "Ulla", "Victor", "Wen",
	"Yara", "Zeynep",
};

static const char *const last_names[100] = {
	"Schmidt", "Miller", "Dubois", "Rossi", "Novak", "Tanaka", "Garcia",
	"Jensen", "Kowalski", "Silva", "Meyer", "Brown", "Martin", "Bianchi",
	"Horvat", "Sato", "Lopez", "Hansen", "Nowak", "Costa", "Fischer",
	"Wilson", "Bernard", "Romano", "Dvorak", "Suzuki", "Martinez", "Larsen",
	"Wojcik", "Pereira", "Weber", "Taylor", "Thomas", "Colombo", "Kral",
	"Takahashi", "Sanchez", "Olsen", "Kaminski", "Ferreira", "Wagner",
	"Anderson", "Robert", "Ricci", "Urban", "Watanabe", "Perez", "Nielsen",
	"Lewandowski", "Oliveira", "Becker", "Clarke", "Richard", "Greco",
	"Blazek", "Ito", "Gomez", "Pedersen", "Zielinski", "Rodrigues",
	"Schulz", "Walker", "Petit", "Bruno", "Marek", "Yamamoto", "Diaz",
	"Andersen", "Szymanski", "Almeida", "Hoffmann", "Wright", "Durand",
	"Gallo", "Pokorny", "Nakamura", "Ruiz", "Kristensen", "Wozniak",
	"Carvalho", "Koch", "Hughes", "Leroy", "Conti", "Vesely", "Kobayashi",
	"Alvarez", "Christensen", "Dabrowski", "Gomes", "Richter", "Green",
	"Moreau", "Esposito", "Cerny", "Kato", "Romero", "Madsen", "Kozlowski",
	"Lima",
};

static const char *const domains[] = {
	"example.com", "example.org", "example.net", "mail.example.com",
	"acme.example.com", "globex.example.org", "initech.example.net",
	"umbrella.example.com", "hooli.example.org", "stark.example.net",
	"wayne.example.com", "tyrell.example.org", "cyberdyne.example.net",
	"wonka.example.com", "gringotts.example.org", "aperture.example.net",
	"soylent.example.com", "vandelay.example.org", "pied-piper.example.net",
	"dunder.example.com",
};

static const char *const agents[][2] = {
	{ "Priya Natarajan", "priya" },
	{ "Tom Becker", "tom" },
	{ "Aiko Tanaka", "aiko" },
	{ "Luis Ortega", "luis" },
	{ "Marta Kowalczyk", "marta" },
};

static const char *const products[] = {
	"API", "dashboard", "billing portal", "mobile app", "CLI",
	"object storage", "DNS zone", "load balancer", "backup job",
	"database cluster", "VPN gateway", "SSO login", "webhook", "CDN",
	"Kubernetes cluster", "mail relay", "status page", "team account",
	"log export", "block volume",
};

static const char *const issues[] = {
	"timeout", "500 error", "login failure", "slow response",
	"missing data", "double charge", "wrong VAT rate",
	"expired certificate", "sync error", "quota exceeded",
	"failed payment", "blank page", "permission error", "stuck deployment",
	"DNS propagation delay", "connection reset", "failed restore",
	"invoice mismatch",
};

static const char *const plans[] = {
	"Starter", "Team", "Business", "Enterprise",
};

static const char *const subjects_tech[] = {
	"{I} on {P}", "{P}: {I} since this morning", "Problem with the {P}",
	"Cannot access the {P}", "{P} returns HTTP {E}",
	"How do I configure the {P}?", "{P} very slow today",
	"Migration of {P} to the Frankfurt region",
	"Feature request: export {P} settings", "{P} keeps failing",
	"Question about {P} limits", "Intermittent {I} on {P}",
};

static const char *const subjects_billing[] = {
	"Question about invoice INV-{N}", "VAT missing on invoice INV-{N}",
	"Refund for order {N}", "Payment failed for {T} plan",
	"Change billing address", "Charged twice for invoice INV-{N}",
	"Upgrade to {T} plan", "Credit note for INV-{N}",
};

static const char *const subjects_account[] = {
	"Account locked", "Password reset email not arriving",
	"Add a second admin to our account", "Cancel my subscription",
	"Two-factor device lost", "Transfer account ownership",
};

static const char *const subjects_angry[] = {
	"URGENT: {P} down", "{P} STILL broken", "Unacceptable {I} on {P}",
	"Second request: {I} on {P}", "Production down - {P} {E}",
	"Charged twice AGAIN",
};

static const char *const subjects_praise[] = {
	"Thank you for the quick fix", "Great support on the {P} issue",
	"Kudos to your team", "All working now, thanks",
};

/* Non-ASCII subjects, UTF-8; every one fits ISO-8859-1 too. */
static const char *const subjects_intl[] = {
	"Rechnung f\303\274r M\303\244rz: falsche Mehrwertsteuer",
	"St\303\266rung: Dashboard l\303\244dt nicht",
	"K\303\274ndigung zum Monatsende",
	"Probl\303\250me de facturation, pr\303\251l\303\250vement en double",
	"Acc\303\250s refus\303\251 \303\240 l'API depuis ce matin",
	"Sauvegarde \303\251chou\303\251e cette nuit",
	"Facturaci\303\263n: cobro duplicado en noviembre",
	"\303\234bertragung der Domain dauert zu lange",
	"R\303\251clamation: serveur tr\303\250s lent",
	"Zugang gesperrt, bitte dringend pr\303\274fen",
};

/* Japanese subjects: UTF-8 and the same text in ISO-2022-JP. */
static const char *const subjects_jp[][2] = {
	{ "\350\253\213\346\261\202\346\233\270\343\201\253\343\201\244\343\201"
	  "\204\343\201\246",
	  "\033$B@A5a=q$K$D$$$F\033(B" },
	{ "\343\203\255\343\202\260\343\202\244\343\203\263\343\201\247\343\201"
	  "\215\343\201\276\343\201\233\343\202\223",
	  "\033$B%m%0%$%s$G$-$^$;$s\033(B" },
	{ "\350\207\263\346\200\245\357\274\232API\343\202\250\343\203\251\343"
	  "\203\274",
	  "\033$B;j5^!'\033(BAPI\033$B%(%i!<\033(B" },
	{ "\350\247\243\347\264\204\343\201\256\346\211\213\347\266\232\343\201"
	  "\215\343\201\253\343\201\244\343\201\204\343\201\246",
	  "\033$B2rLs$N<jB3$-$K$D$$$F\033(B" },
	{ "\343\202\265\343\203\274\343\203\220\343\203\274\343\201\214\351\201"
	  "\205\343\201\204\343\201\247\343\201\231",
	  "\033$B%5!<%P!<$,CY$$$G$9\033(B" },
};

static const char *const greetings[] = {
	"Hello,", "Hi,", "Hi support team,", "Dear Northwind Cloud team,",
	"Good morning,", "Hello there,", "Dear Sir or Madam,", "Hi all,",
};

static const char *const greetings_intl[] = {
	"Hallo,", "Bonjour,", "Hola,", "Guten Tag,",
	"Sehr geehrte Damen und Herren,", "Madame, Monsieur,",
};

static const char *const closings[] = {
	"Thanks,", "Best regards,", "Kind regards,", "Cheers,", "Regards,",
	"Thank you,", "Many thanks,", "Best,",
};

static const char *const closings_intl[] = {
	"Mit freundlichen Gr\303\274\303\237en,", "Cordialement,",
	"Saludos cordiales,", "Viele Gr\303\274\303\237e,",
	"Bien \303\240 vous,",
};

static const char *const s_neutral[] = {
	"Since {D} our {P} shows a {I}.",
	"We are seeing a {I} whenever we open the {P}.",
	"I tried to restart the {P} but the {I} is still there.",
	"The {P} has been returning error {E} for about {H} minutes.",
	"Could you please check what is going on with the {P}?",
	"Our account ID is {A}, in case you need it.",
	"It happens for roughly one request in {H}, not for all of them.",
	"We did not change anything on our side before it started.",
	"The request ID shown in the browser was {X}.",
	"From what I can tell, only the {P} in the Frankfurt region is affected.",
	"On our side everything looks normal, the network is fine.",
	"Is there a status page entry for this, or is it just us?",
	"Our monitoring noticed the {I} at {C} UTC.",
	"I have attached nothing yet but can send logs if you want them.",
	"We followed the steps from your documentation twice.",
	"The same setup worked fine until last {D}.",
	"Could you tell me which limits apply to the {T} plan?",
	"Is it possible to move the {P} to another project without downtime?",
	"The error message says: connection to backend failed ({E}).",
	"We use the {P} for our nightly reports, so this is blocking us.",
	"Please let me know if you need any more information.",
	"I already cleared the cache and tried a different browser.",
};

static const char *const s_billing[] = {
	"Invoice INV-{N} shows {M} EUR but we expected {M} EUR.",
	"Could you send the invoice again with our VAT number {V}?",
	"We were charged twice for order {N} on {D}.",
	"Please refund the duplicate payment to the same card.",
	"The reverse charge note is missing on the last invoice.",
	"Our finance team needs the invoices as PDF with the company address.",
	"Why did the monthly amount go up from {M} to {M} EUR?",
	"We would like to switch to yearly billing for the {T} plan.",
};

static const char *const s_negative[] = {
	"This is the {O} time this month and it is unacceptable.",
	"We are very frustrated with the {P}.",
	"I have been waiting for an answer for {H} hours now.",
	"If this is not fixed today we will cancel our contract.",
	"Please escalate this to a manager.",
	"Honestly, this is terrible service.",
	"Our customers are complaining and we are losing money every hour.",
	"Nobody has replied to my last two emails.",
	"I want to speak to your supervisor about this.",
	"This is the worst outage we have had with any provider.",
	"WE NEED THIS FIXED NOW.",
};

static const char *const s_positive[] = {
	"Thanks a lot for the quick help last time.",
	"Your team has been great so far.",
	"I really appreciate the detailed answer.",
	"Everything works perfectly now, thank you!",
	"Great job on the new {P}, it is much faster.",
	"Thank you for the patience with all my questions.",
};

static const char *const s_intl[] = {
	"Gr\303\274\303\237e aus M\303\274nchen.",
	"Merci beaucoup pour votre r\303\251ponse rapide.",
	"Die Rechnung f\303\274r M\303\244rz ist leider falsch.",
	"Nous avons re\303\247u deux pr\303\251l\303\250vements ce matin.",
	"\302\277Podr\303\255an revisar la facturaci\303\263n, por favor\077",
	"Le syst\303\250me est tr\303\250s lent depuis hier.",
	"K\303\266nnten Sie bitte den Zugang pr\303\274fen\077",
	"Wir haben die \303\234berweisung bereits am Dienstag veranlasst.",
	"\303\207a fonctionne de nouveau, merci \303\240 l'\303\251quipe.",
	"Der Fehler tritt nur im B\303\274ro in K\303\266ln auf.",
	"Je reste \303\240 votre disposition pour plus de d\303\251tails.",
	"Vielen Dank f\303\274r die schnelle R\303\274ckmeldung!",
};

static const char *const s_japanese[] = {
	"\343\201\212\344\270\226\350\251\261\343\201\253\343\201\252\343\201"
	    "\243\343\201\246\343\201\212\343\202\212\343\201\276\343\201\231"
	    "\343\200\202",
	"\347\256\241\347\220\206\347\224\273\351\235\242\343\201\253\343\203"
	    "\255\343\202\260\343\202\244\343\203\263\343\201\247\343\201\215"
	    "\343\201\276\343\201\233\343\202\223\343\200\202",
	"\350\207\263\346\200\245\343\201\224\347\242\272\350\252\215\343\201"
	    "\217\343\201\240\343\201\225\343\201\204\343\200\202",
	"\343\202\210\343\202\215\343\201\227\343\201\217\343\201\212\351\241"
	    "\230\343\201\204\343\201\204\343\201\237\343\201\227\343\201\276"
	    "\343\201\231\343\200\202",
};

static const char *const s_agent[] = {
	"Thank you for contacting Northwind Cloud support.",
	"I have forwarded this to our billing team and will update you today.",
	"Could you send us the request ID from the error page?",
	"We have identified the cause and deployed a fix at {C} UTC.",
	"I am sorry for the trouble this has caused.",
	"I have issued a refund of {M} EUR, due within 10 business days.",
	"Please let us know if the problem comes back.",
	"Our engineers are looking into the {P} right now.",
	"The corrected invoice INV-{N} is attached to your account.",
	"You can change this under Settings, then Billing, then Tax details.",
	"I have raised the quota for the {P} on account {A}.",
	"Our status page has the latest updates on the incident.",
};

static const char *const list_items[] = {
	"Open the {P} settings", "Check the API token scope",
	"Rotate the access key", "Retry the request after {H} seconds",
	"Send us the output of the CLI with --debug",
	"Confirm the billing address", "Clear the browser cache",
	"Compare the invoice with the usage report",
};

static const char *const ordinals[] = {
	"second", "third", "fourth", "fifth",
};

static const char *const days[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday", "yesterday", "this morning", "last night",
};

static const char *const wday_names[7] = {
	"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed",	/* 1970-01-01 */
};

static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

/* Time zones writers use: offset in minutes and the comment some add. */
static const struct zone {
	int		 minutes;
	const char	*name;
} zones[] = {
	{ 60, "CET" }, { 60, "CET" }, { 60, "CET" }, { 0, "UTC" },
	{ 0, "GMT" }, { -300, "EST" }, { -480, "PST" }, { 540, "JST" },
	{ 330, "IST" }, { 660, "AEDT" }, { 120, "EET" }, { -180, "BRT" },
};

enum mailer_kind {
	M_THUNDERBIRD, M_OUTLOOK, M_APPLE, M_GMAIL, M_MUTT, M_K9, M_COUNT
};

enum topic {
	T_TECH, T_BILLING, T_ACCOUNT, T_ANGRY, T_PRAISE
};

enum subj_kind {
	S_ASCII, S_UTF8_Q, S_UTF8_B, S_LATIN1_Q, S_JIS_B
};

enum cte {
	CTE_7BIT, CTE_QP_LATIN1, CTE_B64_UTF8, CTE_QP_UTF8, CTE_8BIT_UTF8
};

/* ---- state ----------------------------------------------------------- */

struct thread {
	uint32_t	 customer;
	uint32_t	 count;
	int64_t		 last;		/* time of the latest message */
	int		 topic;
	int		 intl;		/* 1 subject non-ASCII, 2 Japanese */
	int		 refs;
	char		 subject[SUBJLEN];	/* header form, encoded */
	char		 plain[SUBJLEN];	/* UTF-8 form, for quotes */
	char		 id[REFS][IDLEN];	/* root, then the latest */
	char		 last_from[256];	/* "Name <addr>" of the latest */
	char		 last_date[64];
};

enum block_kind {
	B_LINE, B_PARA, B_QUOTE_HDR, B_QUOTE, B_LIST, B_SIG, B_OUTLOOK
};

struct block {
	int		 kind;
	size_t		 off, len;
};

struct gen {
	struct rng	 rng;
	unsigned long	 count, n;
	struct thread	*threads;
	unsigned long	 nthreads;	/* created so far */
	struct buf	 msg;		/* the message being written */
	struct buf	 src;		/* block texts */
	struct buf	 text;		/* rendered plain text */
	struct buf	 html;		/* rendered HTML */
	struct buf	 tmp;
	struct block	 blocks[MAXBLOCKS];
	int		 nblocks;
	int		 with_intl;	/* sentences may use non-ASCII */
	int		 with_jp;	/* ... and Japanese */
};

/* ---- dates ----------------------------------------------------------- */

static void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* RFC 5322 date of t (UTC seconds) as seen in zone z. */
static void
fmt_date(char *out, size_t outlen, int64_t t, const struct zone *z,
    int style)
{
	int64_t local = t + (int64_t)z->minutes * 60;
	long day = (long)(local / 86400), sec = (long)(local % 86400);
	int y, m, d, off = z->minutes < 0 ? -z->minutes : z->minutes;
	char sign = z->minutes < 0 ? '-' : '+';

	civil_from_days(day, &y, &m, &d);
	switch (style) {
	case 1:		/* Outlook, Gmail: two-digit day */
	case 0:
		(void)snprintf(out, outlen, "%s, %02d %s %d %02ld:%02ld:%02ld "
		    "%c%02d%02d", wday_names[day % 7], d, month_names[m - 1],
		    y, sec / 3600, sec / 60 % 60, sec % 60, sign, off / 60,
		    off % 60);
		break;
	case 2:		/* mutt, Postfix: single-digit day, zone comment */
		(void)snprintf(out, outlen, "%s, %d %s %d %02ld:%02ld:%02ld "
		    "%c%02d%02d (%s)", wday_names[day % 7], d,
		    month_names[m - 1], y, sec / 3600, sec / 60 % 60, sec % 60,
		    sign, off / 60, off % 60, z->name);
		break;
	default:	/* Apple Mail, K-9: single-digit day */
		(void)snprintf(out, outlen, "%s, %d %s %d %02ld:%02ld:%02ld "
		    "%c%02d%02d", wday_names[day % 7], d, month_names[m - 1],
		    y, sec / 3600, sec / 60 % 60, sec % 60, sign, off / 60,
		    off % 60);
		break;
	}
}

/* The mbox separator's asctime form, in UTC. */
static void
fmt_ctime(char *out, size_t outlen, int64_t t)
{
	long day = (long)(t / 86400), sec = (long)(t % 86400);
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	(void)snprintf(out, outlen, "%s %s %2d %02ld:%02ld:%02ld %d",
	    wday_names[day % 7], month_names[m - 1], d, sec / 3600,
	    sec / 60 % 60, sec % 60, y);
}

/* ---- encoders -------------------------------------------------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64_encode(struct buf *out, const unsigned char *in, size_t len,
    size_t linelen)
{
	size_t i, col = 0;
	uint32_t v;

	buf_reserve(out, len / 3 * 4 + len / 40 + 8);
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		buf_ch(out, b64chars[(v >> 18) & 63]);
		buf_ch(out, b64chars[(v >> 12) & 63]);
		buf_ch(out, i + 1 < len ? b64chars[(v >> 6) & 63] : '=');
		buf_ch(out, i + 2 < len ? b64chars[v & 63] : '=');
		col += 4;
		if (linelen > 0 && col >= linelen && i + 3 < len) {
			buf_ch(out, '\n');
			col = 0;
		}
	}
	if (linelen > 0)
		buf_ch(out, '\n');
}

/* Quoted-printable (RFC 2045 6.7) of text with '\n' line ends. */
static void
qp_encode(struct buf *out, const unsigned char *in, size_t len)
{
	size_t i, col = 0;
	unsigned char c;
	int literal, eol;

	for (i = 0; i < len; i++) {
		c = in[i];
		if (c == '\n') {
			buf_ch(out, '\n');
			col = 0;
			continue;
		}
		eol = i + 1 == len || in[i + 1] == '\n';
		literal = (c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !eol);
		if (col + (literal ? 1 : 3) > 75) {
			buf_str(out, "=\n");
			col = 0;
		}
		if (literal) {
			buf_ch(out, (char)c);
			col++;
		} else {
			buf_ch(out, '=');
			buf_hex(out, c, 2, 1);
			col += 3;
		}
	}
}

/* UTF-8 to ISO-8859-1; the caller passes text that fits. */
static void
to_latin1(struct buf *out, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 0xc0 && i + 1 < len) {
			buf_ch(out, (char)(((p[i] & 0x03) << 6) |
			    (p[i + 1] & 0x3f)));
			i++;
		} else
			buf_ch(out, (char)p[i]);
	}
}

/*
 * An RFC 2047 header value: encoded-words of at most 75 characters, folded
 * with "\n ", never splitting a UTF-8 sequence.  text is UTF-8, or the
 * ready ISO-2022-JP bytes for S_JIS_B (short enough for one word).
 */
static void
rfc2047_encode(struct buf *out, struct buf *scratch, const char *text,
    int kind)
{
	const unsigned char *p;
	size_t i, len, wordlen, n;
	const char *charset;
	int q = kind == S_UTF8_Q || kind == S_LATIN1_Q;

	scratch->len = 0;
	if (kind == S_LATIN1_Q) {
		to_latin1(scratch, text, strlen(text));
		charset = "iso-8859-1";
	} else {
		buf_str(scratch, text);
		charset = kind == S_JIS_B ? "ISO-2022-JP" : "UTF-8";
	}
	p = (const unsigned char *)scratch->data;
	len = scratch->len;
	for (i = 0; i < len; ) {
		if (i > 0)
			buf_str(out, "\n ");
		buf_str(out, "=?");
		buf_str(out, charset);
		buf_str(out, q ? "?Q?" : "?B?");
		wordlen = 7 + strlen(charset);
		if (q) {
			while (i < len) {
				n = 1;	/* bytes of this character */
				if (kind == S_UTF8_Q && p[i] >= 0xc0)
					n = p[i] >= 0xf0 ? 4 :
					    p[i] >= 0xe0 ? 3 : 2;
				if (wordlen + 3 * n > 75)
					break;
				for (; n > 0 && i < len; n--, i++) {
					if ((p[i] >= 'a' && p[i] <= 'z') ||
					    (p[i] >= 'A' && p[i] <= 'Z') ||
					    (p[i] >= '0' && p[i] <= '9')) {
						buf_ch(out, (char)p[i]);
						wordlen++;
					} else if (p[i] == ' ') {
						buf_ch(out, '_');
						wordlen++;
					} else {
						buf_ch(out, '=');
						buf_hex(out, p[i], 2, 1);
						wordlen += 3;
					}
				}
			}
		} else {
			/* 4 characters per 3 bytes; whole characters */
			size_t take = 0, avail = (75 - wordlen) / 4 * 3;

			while (i + take < len) {
				n = 1;
				if (kind == S_UTF8_B && p[i + take] >= 0xc0)
					n = p[i + take] >= 0xf0 ? 4 :
					    p[i + take] >= 0xe0 ? 3 : 2;
				if (take + n > avail && kind != S_JIS_B)
					break;
				take += n;
			}
			b64_encode(out, p + i, take, 0);
			i += take;
		}
		buf_str(out, "?=");
	}
}

/* ---- text ------------------------------------------------------------ */

static void
money(struct gen *g, struct buf *b)
{
	buf_uint(b, 9 + rng_below(&g->rng, 4000));
	buf_ch(b, '.');
	buf_uint(b, 10 + rng_below(&g->rng, 90));
}

/* Expand {P}roduct, {I}ssue, {N}umber, ... in a template. */
static void
expand(struct gen *g, struct buf *b, const char *tpl)
{
	const char *p;

	for (p = tpl; *p != '\0'; p++) {
		if (p[0] != '{' || p[1] == '\0' || p[2] != '}') {
			buf_ch(b, *p);
			continue;
		}
		switch (p[1]) {
		case 'P': buf_str(b, PICK(g, products)); break;
		case 'I': buf_str(b, PICK(g, issues)); break;
		case 'T': buf_str(b, PICK(g, plans)); break;
		case 'D': buf_str(b, PICK(g, days)); break;
		case 'O': buf_str(b, PICK(g, ordinals)); break;
		case 'N': buf_uint(b, 10000 + rng_below(&g->rng, 90000)); break;
		case 'H': buf_uint(b, 2 + rng_below(&g->rng, 70)); break;
		case 'M': money(g, b); break;
		case 'E':
			buf_uint(b, 500 + rng_below(&g->rng, 5));
			break;
		case 'C':
			buf_uint(b, 10 + rng_below(&g->rng, 14));
			buf_ch(b, ':');
			buf_uint(b, 10 + rng_below(&g->rng, 50));
			break;
		case 'A':
			buf_str(b, "NW-");
			buf_uint(b, 100000 + rng_below(&g->rng, 900000));
			break;
		case 'V':
			buf_str(b, "DE");
			buf_uint(b, 100000000 + rng_below(&g->rng, 800000000));
			break;
		case 'X':
			buf_hex(b, rng_next(&g->rng), 16, 0);
			break;
		default:
			buf_add(b, p, 3);
			break;
		}
		p += 2;
	}
}

static void
block_begin(struct gen *g, int kind)
{
	if (g->nblocks == MAXBLOCKS)
		g->nblocks--;	/* at most ~15 blocks are used; a guard */
	g->blocks[g->nblocks].kind = kind;
	g->blocks[g->nblocks].off = g->src.len;
}

static void
block_end(struct gen *g)
{
	struct block *bl = &g->blocks[g->nblocks];

	bl->len = g->src.len - bl->off;
	g->nblocks++;
}

static void
add_line(struct gen *g, int kind, const char *s)
{
	block_begin(g, kind);
	buf_str(&g->src, s);
	block_end(g);
}

/* One sentence of the customer's voice for topic t. */
static void
sentence(struct gen *g, int topic)
{
	uint32_t r = rng_below(&g->rng, 100);

	if (g->with_jp && r < 8) {
		buf_str(&g->src, PICK(g, s_japanese));
		return;
	}
	if (g->with_intl && r < 15) {
		buf_str(&g->src, PICK(g, s_intl));
		return;
	}
	switch (topic) {
	case T_BILLING:
		expand(g, &g->src, r < 55 ? PICK(g, s_billing) :
		    PICK(g, s_neutral));
		break;
	case T_ANGRY:
		expand(g, &g->src, r < 45 ? PICK(g, s_negative) :
		    PICK(g, s_neutral));
		break;
	case T_PRAISE:
		expand(g, &g->src, r < 60 ? PICK(g, s_positive) :
		    PICK(g, s_neutral));
		break;
	default:
		expand(g, &g->src, r < 4 ? PICK(g, s_negative) :
		    r < 8 ? PICK(g, s_positive) : PICK(g, s_neutral));
		break;
	}
}

static void
paragraph(struct gen *g, int kind, int topic, int agent, uint32_t nmin,
    uint32_t nmax)
{
	uint32_t i, n = nmin + rng_below(&g->rng, nmax - nmin + 1);

	block_begin(g, kind);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_ch(&g->src, ' ');
		if (agent)
			expand(g, &g->src, PICK(g, s_agent));
		else
			sentence(g, topic);
	}
	block_end(g);
}

static void
add_list(struct gen *g)
{
	uint32_t i, n = 2 + rng_below(&g->rng, 3);

	block_begin(g, B_LIST);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_ch(&g->src, '\n');
		expand(g, &g->src, PICK(g, list_items));
	}
	block_end(g);
}

/* Wrap s at TEXTWIDTH after prefix; flowed lines keep a trailing space. */
static void
wrap(struct buf *out, const char *s, size_t len, const char *prefix,
    int flowed)
{
	size_t plen = strlen(prefix), i = 0, start, brk, col;

	while (i < len) {
		start = i;
		brk = 0;
		col = plen;
		while (i < len && (col < TEXTWIDTH || brk == 0)) {
			if (s[i] == ' ')
				brk = i;
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				col++;
			i++;
		}
		if (i < len && brk > start)
			i = brk + 1;	/* break after the space */
		buf_str(out, prefix);
		if (i < len && !flowed)
			buf_add(out, s + start, i - start - 1);
		else
			buf_add(out, s + start, i - start);
		buf_ch(out, '\n');
	}
}

static void
render_text(struct gen *g, int flowed)
{
	struct buf *out = &g->text;
	const char *s;
	size_t i, j, start;
	int k;

	out->len = 0;
	for (k = 0; k < g->nblocks; k++) {
		s = g->src.data + g->blocks[k].off;
		j = g->blocks[k].len;
		switch (g->blocks[k].kind) {
		case B_PARA:
			wrap(out, s, j, "", flowed);
			buf_ch(out, '\n');
			break;
		case B_QUOTE:
			wrap(out, s, j, "> ", flowed);
			buf_str(out, ">\n");
			break;
		case B_LIST:
			for (i = 0, start = 0; i <= j; i++) {
				if (i == j || s[i] == '\n') {
					buf_str(out, "  - ");
					buf_add(out, s + start, i - start);
					buf_ch(out, '\n');
					start = i + 1;
				}
			}
			buf_ch(out, '\n');
			break;
		case B_SIG:
			buf_str(out, "-- \n");
			buf_add(out, s, j);
			buf_str(out, k + 1 < g->nblocks ? "\n\n" : "\n");
			break;
		case B_OUTLOOK:
			buf_str(out, "________________________________\n");
			buf_add(out, s, j);
			buf_str(out, "\n\n");
			break;
		default:	/* B_LINE, B_QUOTE_HDR */
			buf_add(out, s, j);
			buf_str(out, k + 1 < g->nblocks &&
			    g->blocks[k + 1].kind == B_LINE ? "\n" : "\n\n");
			break;
		}
	}
}

static void
html_escape(struct buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': buf_str(out, "&amp;"); break;
		case '<': buf_str(out, "&lt;"); break;
		case '>': buf_str(out, "&gt;"); break;
		case '"': buf_str(out, "&quot;"); break;
		case '\n': buf_str(out, "<br>\n"); break;
		default: buf_ch(out, s[i]); break;
		}
	}
}

/* HTML with the mailer's habits; long lines wrapped by the writer. */
static void
render_html(struct gen *g, int mailer, const char *charset)
{
	struct buf *out = &g->html;
	const char *s;
	size_t i, j, start;
	int k, inquote = 0;

	out->len = 0;
	buf_str(out, "<html>\n<head>\n<meta http-equiv=\"Content-Type\" "
	    "content=\"text/html; charset=");
	buf_str(out, charset);
	buf_str(out, "\">\n");
	if (mailer == M_OUTLOOK)
		buf_str(out, "<style type=\"text/css\" style=\"display:none;\">"
		    " P {margin-top:0;margin-bottom:0;} </style>\n"
		    "<meta name=\"Generator\" content=\"Microsoft Word 15 "
		    "(filtered medium)\">\n<style><!--\n/* Font Definitions */"
		    "\n@font-face\n\t{font-family:\"Cambria Math\";\n\t"
		    "panose-1:2 4 5 3 5 4 6 3 2 4;}\n@font-face\n\t"
		    "{font-family:Calibri;\n\tpanose-1:2 15 5 2 2 2 4 3 2 4;}\n"
		    "/* Style Definitions */\np.MsoNormal, li.MsoNormal, "
		    "div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n\t"
		    "font-family:\"Calibri\",sans-serif;}\na:link, "
		    "span.MsoHyperlink\n\t{mso-style-priority:99;\n\t"
		    "color:#0563C1;\n\ttext-decoration:underline;}\n"
		    "span.EmailStyle17\n\t{mso-style-type:personal-compose;\n\t"
		    "font-family:\"Calibri\",sans-serif;\n\tcolor:windowtext;}\n"
		    ".MsoChpDefault\n\t{mso-style-type:export-only;\n\t"
		    "font-family:\"Calibri\",sans-serif;}\n@page WordSection1\n"
		    "\t{size:612.0pt 792.0pt;\n\tmargin:70.85pt 70.85pt 2.0cm "
		    "70.85pt;}\ndiv.WordSection1\n\t{page:WordSection1;}\n"
		    "--></style>\n");
	buf_str(out, "</head>\n");
	buf_str(out, mailer == M_OUTLOOK ? "<body lang=\"EN-US\" "
	    "link=\"#0563C1\" vlink=\"#954F72\" style=\"word-wrap:break-word\">"
	    "\n<div class=\"WordSection1\">\n" : mailer == M_GMAIL ?
	    "<body>\n<div dir=\"ltr\">\n" : "<body>\n");
	for (k = 0; k < g->nblocks; k++) {
		s = g->src.data + g->blocks[k].off;
		j = g->blocks[k].len;
		if (g->blocks[k].kind == B_QUOTE && !inquote) {
			buf_str(out, "<blockquote type=\"cite\" style=\"margin:0 "
			    "0 0 .8ex;border-left:1px #ccc solid;"
			    "padding-left:1ex\">\n");
			inquote = 1;
		} else if (g->blocks[k].kind != B_QUOTE && inquote) {
			buf_str(out, "</blockquote>\n");
			inquote = 0;
		}
		switch (g->blocks[k].kind) {
		case B_PARA:
		case B_QUOTE:
			buf_str(out, mailer == M_OUTLOOK ?
			    "<p class=\"MsoNormal\">" : "<p>");
			html_escape(out, s, j);
			buf_str(out, "</p>\n");
			break;
		case B_LIST:
			buf_str(out, "<ul>\n");
			for (i = 0, start = 0; i <= j; i++) {
				if (i == j || s[i] == '\n') {
					buf_str(out, "<li>");
					html_escape(out, s + start, i - start);
					buf_str(out, "</li>\n");
					start = i + 1;
				}
			}
			buf_str(out, "</ul>\n");
			break;
		case B_SIG:
			buf_str(out, "<div class=\"moz-signature\">-- <br>\n");
			html_escape(out, s, j);
			buf_str(out, "\n<a href=\"https://www.example.com/\">"
			    "www.example.com</a></div>\n");
			break;
		case B_OUTLOOK:
			buf_str(out, "<div id=\"divRplyFwdMsg\" dir=\"ltr\">"
			    "<hr style=\"display:inline-block;width:98%\" "
			    "tabindex=\"-1\">\n<font face=\"Calibri, sans-serif\" "
			    "style=\"font-size:11pt\" color=\"#000000\">");
			html_escape(out, s, j);
			buf_str(out, "</font>\n<div>&nbsp;</div>\n</div>\n");
			break;
		default:
			buf_str(out, "<div>");
			html_escape(out, s, j);
			buf_str(out, "</div>\n");
			break;
		}
	}
	if (inquote)
		buf_str(out, "</blockquote>\n");
	buf_str(out, mailer == M_OUTLOOK ? "</div>\n</body>\n</html>\n" :
	    mailer == M_GMAIL ? "</div>\n</body>\n</html>\n" :
	    "</body>\n</html>\n");
}

/* HTML source lines can be long; fold them at tags so 7bit stays < 998. */
static void
fold_html(struct buf *out, const char *s, size_t len)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			col = 0;
		else if (col >= 200 && s[i] == ' ') {
			buf_ch(out, '\n');
			col = 0;
			continue;
		} else
			col++;
		buf_ch(out, s[i]);
	}
}

/* ---- headers --------------------------------------------------------- */

static void
random_b64(struct gen *g, struct buf *b, size_t n)
{
	uint64_t v = 0;
	size_t i;

	buf_reserve(b, n);
	for (i = 0; i < n; i++) {
		if (i % 10 == 0)
			v = rng_next(&g->rng);
		b->data[b->len++] = b64chars[v & 63];
		v >>= 6;
	}
}

static void
ip_addr(struct gen *g, struct buf *b)
{
	static const char *const nets[] = {
		"192.0.2.", "198.51.100.", "203.0.113.",
	};

	buf_str(b, PICK(g, nets));
	buf_uint(b, 1 + rng_below(&g->rng, 254));
}

static void
customer_name(uint32_t c, struct buf *b, int with_addr)
{
	const char *first = first_names[c % 50];
	const char *last = last_names[c / 50 % 100];
	const char *p;

	if (!with_addr) {
		buf_str(b, first);
		buf_ch(b, ' ');
		buf_str(b, last);
		return;
	}
	if (c % 7 == 3) {	/* some write "Last, First" quoted */
		buf_ch(b, '"');
		buf_str(b, last);
		buf_str(b, ", ");
		buf_str(b, first);
		buf_ch(b, '"');
	} else {
		buf_str(b, first);
		buf_ch(b, ' ');
		buf_str(b, last);
	}
	buf_str(b, " <");
	for (p = first; *p != '\0'; p++)
		buf_ch(b, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
	buf_ch(b, '.');
	for (p = last; *p != '\0'; p++)
		buf_ch(b, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
	buf_ch(b, '@');
	buf_str(b, domains[(c * 7 + c / 13) % NELEM(domains)]);
	buf_ch(b, '>');
}

/* The bare address inside customer_name()'s angle brackets. */
static void
customer_addr(uint32_t c, char *out, size_t outlen)
{
	struct buf b = { NULL, 0, 0 };
	char *lt, *gt;

	customer_name(c, &b, 1);
	buf_ch(&b, '\0');
	lt = strchr(b.data, '<');
	gt = strchr(b.data, '>');
	if (lt == NULL || gt == NULL || (size_t)(gt - lt) > outlen)
		fatal("customer address too long");
	memcpy(out, lt + 1, (size_t)(gt - lt - 1));
	out[gt - lt - 1] = '\0';
	buf_release(&b);
}

static int
customer_mailer(uint32_t c)
{
	static const int mix[20] = {
		M_THUNDERBIRD, M_THUNDERBIRD, M_THUNDERBIRD, M_THUNDERBIRD,
		M_OUTLOOK, M_OUTLOOK, M_OUTLOOK, M_OUTLOOK, M_OUTLOOK,
		M_OUTLOOK, M_APPLE, M_APPLE, M_APPLE, M_GMAIL, M_GMAIL,
		M_GMAIL, M_GMAIL, M_GMAIL, M_MUTT, M_K9,
	};
	return mix[((uint32_t)(c * 2654435761u) >> 8) % 20];
}

/* A Message-ID in the style of the mailer; unique through idx. */
static void
make_msgid(struct gen *g, char *out, size_t outlen, int mailer,
    const char *domain, unsigned long idx)
{
	struct buf b = { NULL, 0, 0 };
	uint64_t r = rng_next(&g->rng);

	buf_ch(&b, '<');
	switch (mailer) {
	case M_THUNDERBIRD:
	case M_APPLE:
		buf_hex(&b, r >> 32, 8, mailer == M_APPLE);
		buf_ch(&b, '-');
		buf_hex(&b, r >> 16, 4, mailer == M_APPLE);
		buf_ch(&b, '-');
		buf_hex(&b, 0x4000 | (r & 0x0fff), 4, mailer == M_APPLE);
		buf_ch(&b, '-');
		buf_hex(&b, 0x8000 | ((r >> 20) & 0x3fff), 4,
		    mailer == M_APPLE);
		buf_ch(&b, '-');
		buf_hex(&b, idx, 12, mailer == M_APPLE);
		buf_ch(&b, '@');
		buf_str(&b, domain);
		break;
	case M_OUTLOOK:
		buf_str(&b, "DB9PR04MB");
		buf_uint(&b, 8000 + (r & 0x3ff));
		buf_hex(&b, idx, 8, 1);
		buf_hex(&b, r >> 24, 8, 1);
		buf_str(&b, "@DB9PR04MB");
		buf_uint(&b, 8000 + (r & 0x3ff));
		buf_str(&b, ".eurprd04.prod.outlook.example.net");
		break;
	case M_GMAIL:
		buf_str(&b, "CA+");
		random_b64(g, &b, 30);
		buf_hex(&b, idx, 8, 0);
		buf_str(&b, "@mail.example.com");
		break;
	default:
		buf_str(&b, "2026");
		buf_hex(&b, idx, 8, 1);
		buf_str(&b, ".GA");
		buf_uint(&b, (unsigned long)(r % 90000) + 10000);
		buf_ch(&b, '@');
		buf_str(&b, domain);
		break;
	}
	buf_ch(&b, '>');
	if (b.len >= outlen)
		fatal("message-id too long");
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	buf_release(&b);
}

static void
header_received(struct gen *g, struct buf *m, const char *date,
    const char *domain, int submission)
{
	buf_str(m, "Received: from mail-");
	buf_hex(m, rng_below(&g->rng, 0xffff), 4, 0);
	buf_ch(m, '.');
	buf_str(m, domain);
	buf_str(m, " (mail-out.");
	buf_str(m, domain);
	buf_str(m, " [");
	ip_addr(g, m);
	buf_str(m, "])\n\tby mx1.northwind.example.com (Postfix) with ESMTPS "
	    "id 4X");
	random_b64(g, m, 10);
	buf_str(m, "\n\tfor <" SUPPORT ">; ");
	buf_str(m, date);
	buf_ch(m, '\n');
	if (!submission)
		return;
	buf_str(m, "Received: from [10.");
	buf_uint(m, rng_below(&g->rng, 256));
	buf_str(m, ".0.");
	buf_uint(m, 1 + rng_below(&g->rng, 254));
	buf_str(m, "] (unknown [");
	ip_addr(g, m);
	buf_str(m, "])\n\t(Authenticated sender: submission)\n\tby mail-out.");
	buf_str(m, domain);
	buf_str(m, " (Postfix) with ESMTPSA id ");
	random_b64(g, m, 12);
	buf_str(m, "\n\tfor <" SUPPORT ">; ");
	buf_str(m, date);
	buf_ch(m, '\n');
}

static void
header_dkim(struct gen *g, struct buf *m, const char *domain, int64_t t)
{
	size_t i;

	buf_str(m, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=");
	buf_str(m, domain);
	buf_str(m, "; s=s2026;\n\tt=");
	buf_uint(m, (unsigned long)t);
	buf_str(m, "; x=");
	buf_uint(m, (unsigned long)t + 604800);
	buf_str(m, "; h=from:to:subject:date:message-id:mime-version:"
	    "content-type;\n\tbh=");
	random_b64(g, m, 43);
	buf_str(m, "=;\n\tb=");
	for (i = 0; i < 5; i++) {
		random_b64(g, m, 68);
		buf_str(m, "\n\t ");
	}
	random_b64(g, m, 12);
	buf_str(m, "==\n");
	buf_str(m, "Authentication-Results: mx1.northwind.example.com;\n"
	    "\tdkim=pass (2048-bit key) header.d=");
	buf_str(m, domain);
	buf_str(m, " header.s=s2026;\n\tspf=pass smtp.mailfrom=");
	buf_str(m, domain);
	buf_str(m, ";\n\tdmarc=pass (p=none dis=none) header.from=");
	buf_str(m, domain);
	buf_ch(m, '\n');
}

/* Folded base64 lines of a signature value. */
static void
sig_lines(struct gen *g, struct buf *m, int lines)
{
	int i;

	for (i = 0; i < lines; i++) {
		buf_str(m, "\n\t");
		random_b64(g, m, 68);
	}
	buf_str(m, "==\n");
}

static void
header_uuid(struct gen *g, struct buf *m)
{
	uint64_t a = rng_next(&g->rng), b = rng_next(&g->rng);

	buf_hex(m, a >> 32, 8, 0);
	buf_ch(m, '-');
	buf_hex(m, a >> 16, 4, 0);
	buf_ch(m, '-');
	buf_hex(m, a, 4, 0);
	buf_ch(m, '-');
	buf_hex(m, b >> 48, 4, 0);
	buf_ch(m, '-');
	buf_hex(m, b, 12, 0);
}

static void
header_mailer(struct gen *g, struct buf *m, int mailer, const char *subj)
{
	switch (mailer) {
	case M_THUNDERBIRD:
		buf_str(m, "User-Agent: Mozilla Thunderbird\n"
		    "Content-Language: en-US\n");
		break;
	case M_OUTLOOK:
		buf_str(m, "Thread-Topic: ");
		buf_str(m, subj);
		buf_str(m, "\nThread-Index: AQHb");
		random_b64(g, m, 40);
		buf_str(m, "==\nX-MS-Has-Attach:\nX-MS-TNEF-Correlator:\n"
		    "Content-Language: en-US\nX-Mailer: Microsoft Outlook 16.0\n"
		    "ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; "
		    "d=microsoft.example.com; cv=none;\n\tb=");
		random_b64(g, m, 60);
		sig_lines(g, m, 4);
		buf_str(m, "ARC-Message-Signature: i=1; a=rsa-sha256; "
		    "c=relaxed/relaxed; d=microsoft.example.com;\n\t"
		    "s=arcselector10001; h=From:Date:Subject:Message-ID:"
		    "Content-Type:MIME-Version:X-MS-Exchange-AntiSpam-"
		    "MessageData-ChunkCount:X-MS-Exchange-AntiSpam-MessageData-0"
		    ":X-MS-Exchange-AntiSpam-MessageData-1;\n\tbh=");
		random_b64(g, m, 43);
		buf_str(m, "=;\n\tb=");
		random_b64(g, m, 60);
		sig_lines(g, m, 4);
		buf_str(m, "ARC-Authentication-Results: i=1; mx.microsoft.example"
		    ".com 1; spf=pass\n\tsmtp.mailfrom=example.com; dmarc=pass "
		    "action=none header.from=example.com;\n\tdkim=pass "
		    "header.d=example.com; arc=none\n"
		    "X-MS-Exchange-Organization-SCL: 1\n"
		    "X-MS-Office365-Filtering-Correlation-Id: ");
		header_uuid(g, m);
		buf_str(m, "\nX-MS-Exchange-SenderADCheck: 1\n"
		    "X-MS-Exchange-AntiSpam-Relay: 0\nX-Microsoft-Antispam: "
		    "BCL:0;ARA:13230040|1800799024|366016|376014|38070700018;\n"
		    "X-Microsoft-Antispam-Message-Info:\n\t");
		random_b64(g, m, 70);
		sig_lines(g, m, 3);
		buf_str(m, "X-MS-Exchange-CrossTenant-Network-Message-Id: ");
		header_uuid(g, m);
		buf_str(m, "\nX-MS-Exchange-CrossTenant-AuthAs: Internal\n"
		    "X-MS-Exchange-CrossTenant-AuthSource: DB9PR04MB8421."
		    "eurprd04.prod.outlook.example.net\n"
		    "X-MS-Exchange-CrossTenant-originalarrivaltime: 19 Nov 2026 "
		    "09:12:00.0000 (UTC)\nX-MS-Exchange-CrossTenant-"
		    "fromentityheader: Hosted\nX-MS-Exchange-CrossTenant-id: ");
		header_uuid(g, m);
		buf_str(m, "\nX-MS-Exchange-Transport-CrossTenantHeadersStamped: "
		    "DB9PR04MB8421\n");
		break;
	case M_APPLE:
		buf_str(m, "X-Mailer: Apple Mail (2.3826.200.121)\n");
		break;
	case M_GMAIL:
		buf_str(m, "X-Google-DKIM-Signature: v=1; a=rsa-sha256; "
		    "c=relaxed/relaxed;\n\td=1e100.example.net; s=20230601; "
		    "t=1795000000; x=1795604800;\n\th=to:subject:message-id:"
		    "date:from:mime-version:x-gm-message-state\n\t :from:to:cc:"
		    "subject:date:message-id:reply-to;\n\tbh=");
		random_b64(g, m, 43);
		buf_str(m, "=;\n\tb=");
		random_b64(g, m, 60);
		sig_lines(g, m, 5);
		buf_str(m, "X-Gm-Message-State: AOJu0Y");
		random_b64(g, m, 50);
		buf_str(m, "\nX-Google-Smtp-Source: AGHT+I");
		random_b64(g, m, 60);
		buf_str(m, "\nX-Received: by 2002:a05:6402:3591:b0:5c9:5a96:2b0b "
		    "with SMTP id\n\t");
		random_b64(g, m, 40);
		buf_str(m, "; Thu, 19 Nov 2026 01:12:00 -0800 (PST)\n");
		break;
	case M_MUTT:
		buf_str(m, "User-Agent: Mutt/2.2.13 (2024-03-09)\n");
		break;
	default:
		buf_str(m, "User-Agent: K-9 Mail for Android\n");
		break;
	}
}

/* ---- message assembly ------------------------------------------------ */

static const char *
cte_name(int cte)
{
	switch (cte) {
	case CTE_QP_LATIN1:
	case CTE_QP_UTF8:
		return "quoted-printable";
	case CTE_B64_UTF8:
		return "base64";
	case CTE_8BIT_UTF8:
		return "8bit";
	default:
		return "7bit";
	}
}

static const char *
cte_charset(int cte, int html)
{
	switch (cte) {
	case CTE_QP_LATIN1:
		return html ? "iso-8859-1" : "ISO-8859-1";
	case CTE_7BIT:
		return html ? "US-ASCII" : "us-ascii";
	default:
		return html ? "utf-8" : "UTF-8";
	}
}

/* Append body (UTF-8) in the transfer encoding cte. */
static void
encode_body(struct gen *g, struct buf *m, const struct buf *body, int cte)
{
	switch (cte) {
	case CTE_QP_LATIN1:
		g->tmp.len = 0;
		to_latin1(&g->tmp, body->data, body->len);
		qp_encode(m, (const unsigned char *)g->tmp.data, g->tmp.len);
		break;
	case CTE_QP_UTF8:
		qp_encode(m, (const unsigned char *)body->data, body->len);
		break;
	case CTE_B64_UTF8:
		b64_encode(m, (const unsigned char *)body->data, body->len, 76);
		break;
	default:
		buf_add(m, body->data, body->len);
		break;
	}
}

static void
boundary(struct gen *g, char *out, size_t outlen, int mailer)
{
	uint64_t r = rng_next(&g->rng);

	switch (mailer) {
	case M_OUTLOOK:
		(void)snprintf(out, outlen, "_000_DB9PR04MB%016llX_",
		    (unsigned long long)r);
		break;
	case M_APPLE:
		(void)snprintf(out, outlen, "Apple-Mail=_%08llX-%04llX-%04llX",
		    (unsigned long long)(r >> 32),
		    (unsigned long long)(r >> 16 & 0xffff),
		    (unsigned long long)(r & 0xffff));
		break;
	case M_GMAIL:
		(void)snprintf(out, outlen, "00000000000%015llx",
		    (unsigned long long)(r >> 4));
		break;
	default:
		(void)snprintf(out, outlen, "------------%024llu",
		    (unsigned long long)r);
		break;
	}
}

static void
part_text(struct gen *g, struct buf *m, int cte, int flowed)
{
	buf_str(m, "Content-Type: text/plain; charset=");
	buf_str(m, cte_charset(cte, 0));
	if (flowed)
		buf_str(m, "; format=flowed");
	buf_str(m, "\nContent-Transfer-Encoding: ");
	buf_str(m, cte_name(cte));
	buf_str(m, "\n\n");
	encode_body(g, m, &g->text, cte);
}

static void
part_html(struct gen *g, struct buf *m, int cte, int mailer)
{
	render_html(g, mailer, cte_charset(cte, 1));
	buf_str(m, "Content-Type: text/html; charset=");
	buf_str(m, cte_charset(cte, 1));
	buf_str(m, "\nContent-Transfer-Encoding: ");
	buf_str(m, cte_name(cte));
	buf_str(m, "\n\n");
	if (cte == CTE_7BIT || cte == CTE_8BIT_UTF8) {
		fold_html(m, g->html.data, g->html.len);
	} else
		encode_body(g, m, &g->html, cte);
}

static void
part_attachment(struct gen *g, struct buf *m)
{
	static const char *const names[][2] = {
		{ "invoice.pdf", "application/pdf" },
		{ "screenshot.png", "image/png" },
		{ "error-log.txt", "text/plain" },
		{ "report.pdf", "application/pdf" },
		{ "IMG_4821.jpg", "image/jpeg" },
	};
	uint32_t which = rng_below(&g->rng, (uint32_t)NELEM(names));
	uint32_t band = rng_below(&g->rng, 20);
	size_t size, i;
	uint64_t v = 0;

	/* 2-4 KB (40%), 4-8, 8-16, 16-32 or 32-40 KB (5%) */
	band = band < 8 ? 0 : band < 14 ? 1 : band < 17 ? 2 : band < 19 ? 3 : 4;
	size = (size_t)2048 << band;
	size += rng_below(&g->rng, band == 4 ? 8192 : (uint32_t)size);
	g->tmp.len = 0;
	buf_reserve(&g->tmp, size);
	if (which == 0 || which == 3)
		buf_str(&g->tmp, "%PDF-1.7\n%\342\343\317\323\n");
	else if (which == 1)
		buf_add(&g->tmp, "\211PNG\r\n\032\n", 8);
	else if (which == 4)
		buf_add(&g->tmp, "\377\330\377\340\0\020JFIF", 10);
	for (i = g->tmp.len; i < size; i++) {
		if (i % 8 == 0 || i == g->tmp.len)
			v = rng_next(&g->rng);
		g->tmp.data[i] = which == 2 ? (char)('a' + (v & 15)) :
		    (char)(v & 0xff);
		if (which == 2 && v % 61 == 0)
			g->tmp.data[i] = '\n';
		v >>= 8;
	}
	g->tmp.len = size;
	buf_str(m, "Content-Type: ");
	buf_str(m, names[which][1]);
	buf_str(m, "; name=\"");
	buf_str(m, names[which][0]);
	buf_str(m, "\"\nContent-Disposition: attachment; filename=\"");
	buf_str(m, names[which][0]);
	buf_str(m, "\"; size=");
	buf_uint(m, (unsigned long)size);
	buf_str(m, "\nContent-Transfer-Encoding: base64\n\n");
	b64_encode(m, (const unsigned char *)g->tmp.data, g->tmp.len, 76);
}

/* Choose a body transfer encoding: 10% QP latin-1, 10% base64 UTF-8. */
static int
pick_cte(struct gen *g)
{
	uint32_t r = rng_below(&g->rng, 100);

	if (r < 10)
		return CTE_QP_LATIN1;
	if (r < 20)
		return CTE_B64_UTF8;
	if (r < 32)
		return CTE_QP_UTF8;
	if (r < 40)
		return CTE_8BIT_UTF8;
	return CTE_7BIT;
}

/* The body blocks of a customer or agent message. */
static void
compose(struct gen *g, struct thread *th, int agent, uint32_t ag,
    int reply, int mailer, int cte)
{
	uint32_t i, paras;
	int topic = th->topic;
	char line[200];

	g->src.len = 0;
	g->nblocks = 0;
	g->with_intl = cte != CTE_7BIT;
	g->with_jp = g->with_intl && cte != CTE_QP_LATIN1 &&
	    rng_permille(&g->rng, 250);
	if (agent) {
		(void)snprintf(line, sizeof(line), "Hello %s,",
		    first_names[th->customer % 50]);
		add_line(g, B_LINE, line);
	} else if (g->with_intl && rng_permille(&g->rng, 300))
		add_line(g, B_LINE, PICK(g, greetings_intl));
	else
		add_line(g, B_LINE, PICK(g, greetings));
	paras = 3 + rng_below(&g->rng, 4);
	for (i = 0; i < paras; i++) {
		paragraph(g, B_PARA, topic, agent, 3, 6);
		if (i == 0 && rng_permille(&g->rng, 120))
			add_list(g);
	}
	if (agent) {
		add_line(g, B_LINE, "Best regards,");
		block_begin(g, B_SIG);
		buf_str(&g->src, agents[ag][0]);
		buf_str(&g->src, "\nNorthwind Cloud Support\n"
		    "https://support.northwind.example.com");
		block_end(g);
	} else {
		if (g->with_intl && rng_permille(&g->rng, 400))
			add_line(g, B_LINE, PICK(g, closings_intl));
		else
			add_line(g, B_LINE, PICK(g, closings));
		block_begin(g, B_LINE);
		customer_name(th->customer, &g->src, 0);
		block_end(g);
		if (mailer == M_THUNDERBIRD || mailer == M_MUTT) {
			block_begin(g, B_SIG);
			customer_name(th->customer, &g->src, 0);
			buf_str(&g->src, "\n");
			buf_str(&g->src, domains[(th->customer * 7 +
			    th->customer / 13) % NELEM(domains)]);
			buf_str(&g->src, " | +1 555 01");	/* fictional */
			buf_uint(&g->src, 10 + th->customer % 90);
			block_end(g);
		}
	}
	if (!reply)
		return;
	/* quote the previous message below, as mailers do */
	if (mailer == M_OUTLOOK) {
		block_begin(g, B_OUTLOOK);
		buf_str(&g->src, "From: ");
		buf_str(&g->src, th->last_from);
		buf_str(&g->src, "\nSent: ");
		buf_str(&g->src, th->last_date);
		buf_str(&g->src, "\nTo: " SUPPORT "\nSubject: ");
		buf_str(&g->src, th->plain);
		block_end(g);
		paragraph(g, B_PARA, topic, !agent, 2, 5);
		paragraph(g, B_PARA, topic, !agent, 2, 5);
	} else {
		block_begin(g, B_QUOTE_HDR);
		buf_str(&g->src, "On ");
		buf_str(&g->src, th->last_date);
		buf_str(&g->src, ", ");
		buf_str(&g->src, th->last_from);
		buf_str(&g->src, " wrote:");
		block_end(g);
		paragraph(g, B_QUOTE, topic, !agent, 2, 5);
		paragraph(g, B_QUOTE, topic, !agent, 2, 5);
	}
}

/* Write the structure (single, alternative, mixed) and the body. */
static void
write_body(struct gen *g, struct buf *m, int mailer, int cte, int alt,
    int attach)
{
	char outer[80], inner[80];
	int flowed = !alt && !attach && (mailer == M_THUNDERBIRD ||
	    mailer == M_APPLE) && cte == CTE_7BIT;

	render_text(g, flowed);
	if (!alt && !attach) {
		part_text(g, m, cte, flowed);
		return;
	}
	boundary(g, outer, sizeof(outer), mailer);
	if (attach) {
		buf_str(m, "Content-Type: multipart/mixed;\n boundary=\"");
		buf_str(m, outer);
		buf_str(m, "\"\n\nThis is a multi-part message in MIME format."
		    "\n--");
		buf_str(m, outer);
		buf_ch(m, '\n');
	}
	if (alt) {
		boundary(g, inner, sizeof(inner), mailer);
		buf_str(m, "Content-Type: multipart/alternative;\n boundary=\"");
		buf_str(m, inner);
		buf_str(m, "\"\n\n");
		if (!attach)
			buf_str(m, "This is a multi-part message in MIME "
			    "format.\n");
		buf_str(m, "--");
		buf_str(m, inner);
		buf_ch(m, '\n');
		part_text(g, m, cte, 0);
		buf_str(m, "\n--");
		buf_str(m, inner);
		buf_ch(m, '\n');
		part_html(g, m, cte, mailer);
		buf_str(m, "\n--");
		buf_str(m, inner);
		buf_str(m, "--\n");
	} else
		part_text(g, m, cte, 0);
	if (attach) {
		buf_str(m, "\n--");
		buf_str(m, outer);
		buf_ch(m, '\n');
		part_attachment(g, m);
		buf_str(m, "\n--");
		buf_str(m, outer);
		buf_str(m, "--\n");
	}
}

static void
pick_zone_date(char *out, size_t outlen, int64_t t, int mailer,
    uint32_t customer, int agent)
{
	const struct zone *z = agent ? &zones[0] :
	    &zones[(uint32_t)(customer * 40503u) % NELEM(zones)];
	int style = mailer == M_MUTT ? 2 : mailer == M_APPLE ||
	    mailer == M_K9 ? 3 : 0;

	fmt_date(out, outlen, t, z, style);
}

/* Start a thread with a fresh subject; returns its slot. */
static struct thread *
thread_new(struct gen *g, uint32_t customer)
{
	struct thread *th = &g->threads[g->nthreads % OPEN_THREADS];
	uint32_t r = rng_below(&g->rng, 100);
	const char *tpl;
	struct buf b = { NULL, 0, 0 };
	struct buf scratch = { NULL, 0, 0 };
	uint32_t kind;

	g->nthreads++;
	memset(th, 0, sizeof(*th));
	th->customer = customer;
	th->topic = r < 45 ? T_TECH : r < 70 ? T_BILLING : r < 80 ?
	    T_ACCOUNT : r < 93 ? T_ANGRY : T_PRAISE;
	if (rng_permille(&g->rng, 150)) {
		/* RFC 2047: Q and B, UTF-8, latin-1 and ISO-2022-JP */
		kind = rng_below(&g->rng, 10);
		if (kind < 2) {
			const char *const *jp = PICK(g, subjects_jp);

			buf_str(&b, jp[0]);
			rfc2047_encode(&scratch, &g->tmp, kind == 0 ? jp[1] :
			    jp[0], kind == 0 ? S_JIS_B : S_UTF8_B);
			th->intl = 2;
		} else {
			const char *s = PICK(g, subjects_intl);

			buf_str(&b, s);
			rfc2047_encode(&scratch, &g->tmp, s, kind < 6 ?
			    S_UTF8_Q : kind < 8 ? S_LATIN1_Q : S_UTF8_B);
			th->intl = 1;
		}
	} else {
		switch (th->topic) {
		case T_BILLING: tpl = PICK(g, subjects_billing); break;
		case T_ACCOUNT: tpl = PICK(g, subjects_account); break;
		case T_ANGRY: tpl = PICK(g, subjects_angry); break;
		case T_PRAISE: tpl = PICK(g, subjects_praise); break;
		default: tpl = PICK(g, subjects_tech); break;
		}
		expand(g, &b, tpl);
		buf_add(&scratch, b.data, b.len);
	}
	if (b.len >= SUBJLEN || scratch.len >= SUBJLEN)
		fatal("subject too long");
	memcpy(th->plain, b.data, b.len);
	memcpy(th->subject, scratch.data, scratch.len);
	buf_release(&b);
	buf_release(&scratch);
	return th;
}

static void
thread_add_id(struct thread *th, const char *id)
{
	if (th->refs < REFS) {
		(void)snprintf(th->id[th->refs++], IDLEN, "%s", id);
		return;
	}
	memmove(th->id[1], th->id[2], (size_t)(REFS - 2) * IDLEN);
	(void)snprintf(th->id[REFS - 1], IDLEN, "%s", id);
}

static void
header_refs(struct buf *m, const struct thread *th)
{
	int i;

	buf_str(m, "In-Reply-To: ");
	buf_str(m, th->id[th->refs - 1]);
	buf_str(m, "\nReferences:");
	for (i = 0; i < th->refs; i++) {
		buf_str(m, i == 0 ? " " : "\n ");
		buf_str(m, th->id[i]);
	}
	buf_ch(m, '\n');
}

/* The mbox separator line, written before the headers. */
static void
from_line(struct buf *m, const char *addr, int64_t t)
{
	char when[40];

	fmt_ctime(when, sizeof(when), t);
	buf_str(m, "From ");
	buf_str(m, addr);
	buf_ch(m, ' ');
	buf_str(m, when);
	buf_ch(m, '\n');
}

static void
msg_bounce(struct gen *g, struct thread *th, int64_t t)
{
	struct buf *m = &g->msg;
	char date[64], addr[160], bnd[80], id[IDLEN];
	const struct zone *utc = &zones[3];
	int gmail = rng_permille(&g->rng, 300);
	const char *mta = gmail ? "mx.example.com" : "mx2.example.net";

	customer_addr(th->customer, addr, sizeof(addr));
	fmt_date(date, sizeof(date), t, utc, 2);
	boundary(g, bnd, sizeof(bnd), M_MUTT);
	(void)snprintf(id, sizeof(id), "<2026%08lX.%u@%s>", g->n,
	    rng_below(&g->rng, 99999), mta);
	from_line(m, "MAILER-DAEMON", t);
	buf_str(m, "Return-Path: <>\n");
	header_received(g, m, date, "example.net", 0);
	buf_str(m, "Date: ");
	buf_str(m, date);
	buf_str(m, gmail ? "\nFrom: Mail Delivery Subsystem <mailer-daemon@"
	    "mx.example.com>\nSubject: Delivery Status Notification (Failure)"
	    : "\nFrom: MAILER-DAEMON@mx2.example.net (Mail Delivery System)\n"
	    "Subject: Undelivered Mail Returned to Sender");
	buf_str(m, "\nTo: " SUPPORT "\nAuto-Submitted: auto-replied\n"
	    "Message-Id: ");
	buf_str(m, id);
	buf_str(m, "\nMIME-Version: 1.0\nContent-Type: multipart/report; "
	    "report-type=delivery-status;\n\tboundary=\"");
	buf_str(m, bnd);
	buf_str(m, "\"\n\nThis is a MIME-encapsulated message.\n\n--");
	buf_str(m, bnd);
	buf_str(m, "\nContent-Description: Notification\nContent-Type: "
	    "text/plain; charset=us-ascii\n\nThis is the mail system at host ");
	buf_str(m, mta);
	buf_str(m, ".\n\nI'm sorry to have to inform you that your message "
	    "could not\nbe delivered to one or more recipients. It's attached "
	    "below.\n\nFor further assistance, please send mail to "
	    "postmaster.\n\nIf you do so, please include this problem report."
	    " You can\ndelete your own text from the attached returned "
	    "message.\n\n                   The mail system\n\n<");
	buf_str(m, addr);
	buf_str(m, ">: host mx.example.org[");
	ip_addr(g, m);
	buf_str(m, "] said: 550\n    5.1.1 <");
	buf_str(m, addr);
	buf_str(m, ">: Recipient address rejected: User unknown in\n"
	    "    virtual mailbox table (in reply to RCPT TO command)\n\n--");
	buf_str(m, bnd);
	buf_str(m, "\nContent-Description: Delivery report\nContent-Type: "
	    "message/delivery-status\n\nReporting-MTA: dns; ");
	buf_str(m, mta);
	buf_str(m, "\nX-Postfix-Queue-ID: 4X");
	random_b64(g, m, 10);
	buf_str(m, "\nX-Postfix-Sender: rfc822; " SUPPORT "\nArrival-Date: ");
	buf_str(m, date);
	buf_str(m, "\n\nFinal-Recipient: rfc822; ");
	buf_str(m, addr);
	buf_str(m, "\nOriginal-Recipient: rfc822;");
	buf_str(m, addr);
	buf_str(m, "\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; "
	    "mx.example.org\nDiagnostic-Code: smtp; 550 5.1.1 <");
	buf_str(m, addr);
	buf_str(m, ">: Recipient\n    address rejected: User unknown in "
	    "virtual mailbox table\n\n--");
	buf_str(m, bnd);
	buf_str(m, "\nContent-Description: Undelivered Message Headers\n"
	    "Content-Type: text/rfc822-headers\n\nFrom: Priya (Northwind "
	    "Support) <priya@northwind.example.com>\nTo: ");
	buf_str(m, addr);
	buf_str(m, "\nSubject: Re: ");
	buf_str(m, th->subject);
	buf_str(m, "\nDate: ");
	buf_str(m, th->last_date);
	buf_str(m, "\nMessage-ID: <");
	buf_hex(m, rng_next(&g->rng), 16, 0);
	buf_str(m, "@northwind.example.com>\n");
	header_refs(m, th);
	buf_str(m, "MIME-Version: 1.0\nContent-Type: text/plain; "
	    "charset=UTF-8\n\n--");
	buf_str(m, bnd);
	buf_str(m, "--\n");
}

static void
msg_autoreply(struct gen *g, struct thread *th, int64_t t)
{
	struct buf *m = &g->msg;
	char date[64], addr[160], id[IDLEN];
	int mailer = customer_mailer(th->customer);
	const char *domain;
	uint32_t style = rng_below(&g->rng, 4);

	customer_addr(th->customer, addr, sizeof(addr));
	domain = strchr(addr, '@') + 1;
	pick_zone_date(date, sizeof(date), t, mailer, th->customer, 0);
	make_msgid(g, id, sizeof(id), mailer, domain, g->n);
	from_line(m, addr, t);
	buf_str(m, "Return-Path: <");
	buf_str(m, addr);
	buf_str(m, ">\n");
	header_received(g, m, date, domain, 1);
	buf_str(m, "From: ");
	customer_name(th->customer, m, 1);
	buf_str(m, "\nTo: Priya (Northwind Support) <priya@northwind.example"
	    ".com>\nSubject: ");
	buf_str(m, style == 0 ? "Automatic reply: " : style == 1 ?
	    "Out of Office: " : style == 2 ? "Abwesenheitsnotiz: " :
	    "Auto: ");
	buf_str(m, th->subject);
	buf_str(m, "\nDate: ");
	buf_str(m, date);
	buf_str(m, "\nMessage-ID: ");
	buf_str(m, id);
	buf_ch(m, '\n');
	header_refs(m, th);
	switch (style) {
	case 0:
		buf_str(m, "Auto-Submitted: auto-replied\n"
		    "X-Auto-Response-Suppress: All\n"
		    "X-MS-Exchange-Inbox-Rules-Loop: ");
		buf_str(m, addr);
		buf_ch(m, '\n');
		break;
	case 1:
		buf_str(m, "Auto-Submitted: auto-replied (vacation)\n"
		    "Precedence: bulk\n");
		break;
	case 2:
		buf_str(m, "X-Autoreply: yes\nX-Autorespond: yes\n"
		    "Precedence: auto_reply\n");
		break;
	default:
		buf_str(m, "Auto-Submitted: auto-generated\n"
		    "X-Autoreply: yes\n");
		break;
	}
	buf_str(m, "MIME-Version: 1.0\nContent-Type: text/plain; "
	    "charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n"
	    "Thank you for your message. I am out of the office until "
	    "Monday\n30 November with limited access to email. For urgent "
	    "matters please\ncontact our operations desk at ops@");
	buf_str(m, domain);
	buf_str(m, ".\n\nBest regards,\n");
	customer_name(th->customer, m, 0);
	buf_ch(m, '\n');
	th->last = t;
}

/* A new thread, or a reply in one, from a customer or an agent. */
static void
msg_mail(struct gen *g, struct thread *th, int reply, int agent,
    int norefs, int64_t t)
{
	struct buf *m = &g->msg;
	char date[64], addr[160], id[IDLEN], who[80];
	uint32_t ag = rng_below(&g->rng, (uint32_t)NELEM(agents));
	int mailer, cte, alt, attach;
	const char *domain;
	struct buf tmp = { NULL, 0, 0 };

	customer_addr(th->customer, addr, sizeof(addr));
	mailer = agent ? (ag % 2 ? M_THUNDERBIRD : M_OUTLOOK) :
	    customer_mailer(th->customer);
	domain = agent ? "northwind.example.com" : strchr(addr, '@') + 1;
	cte = pick_cte(g);
	/* the quoted subject must fit the body's charset */
	if (reply && ((th->intl && cte == CTE_7BIT) ||
	    (th->intl == 2 && cte == CTE_QP_LATIN1)))
		cte = CTE_QP_UTF8;
	alt = rng_permille(&g->rng, 200);
	attach = rng_permille(&g->rng, 50);
	pick_zone_date(date, sizeof(date), t, mailer, th->customer, agent);
	make_msgid(g, id, sizeof(id), mailer, domain, g->n);

	customer_name(th->customer, &tmp, 0);
	buf_ch(&tmp, '\0');
	(void)snprintf(who, sizeof(who), "%s", tmp.data);
	buf_release(&tmp);
	compose(g, th, agent, ag, reply, mailer, cte);

	if (agent) {
		char from[80];

		(void)snprintf(from, sizeof(from), "%s@northwind.example.com",
		    agents[ag][1]);
		from_line(m, from, t);
		buf_str(m, "Return-Path: <");
		buf_str(m, from);
		buf_str(m, ">\nReceived: from smtp.northwind.example.com "
		    "(smtp.northwind.example.com [192.0.2.25])\n\tby "
		    "mx1.northwind.example.com (Postfix) with ESMTPS id 4X");
		random_b64(g, m, 10);
		buf_str(m, ";\n\t");
		buf_str(m, date);
		buf_str(m, "\nFrom: ");
		if (ag == 0)
			buf_str(m, "\"Priya (Northwind Support)\"");
		else {
			buf_str(m, agents[ag][0]);
			buf_str(m, " (Northwind Support)");
		}
		buf_str(m, " <");
		buf_str(m, from);
		buf_str(m, ">\nTo: ");
		customer_name(th->customer, m, 1);
		buf_str(m, "\nCc: Northwind Support <" SUPPORT ">\n");
	} else {
		from_line(m, addr, t);
		buf_str(m, "Return-Path: <");
		buf_str(m, addr);
		buf_str(m, ">\nDelivered-To: " SUPPORT "\n");
		header_received(g, m, date, domain, 1);
		if (mailer != M_MUTT)
			header_dkim(g, m, domain, t);
		buf_str(m, "From: ");
		customer_name(th->customer, m, 1);
		buf_str(m, "\nTo: ");
		buf_str(m, mailer == M_OUTLOOK ? "\"support@northwind.example."
		    "com\" <" SUPPORT ">" : "Northwind Cloud Support <"
		    SUPPORT ">");
		buf_ch(m, '\n');
	}
	buf_str(m, "Subject: ");
	if (reply)
		buf_str(m, mailer == M_OUTLOOK && !agent ? "RE: " : "Re: ");
	buf_str(m, th->subject);
	buf_str(m, "\nDate: ");
	buf_str(m, date);
	buf_str(m, "\nMessage-ID: ");
	buf_str(m, id);
	buf_ch(m, '\n');
	if (reply && !norefs)
		header_refs(m, th);
	header_mailer(g, m, mailer, th->subject);
	buf_str(m, mailer == M_APPLE ? "Mime-Version: 1.0 (Mac OS X Mail "
	    "16.0 \\(3826.200.121\\))\n" : "MIME-Version: 1.0\n");
	write_body(g, m, mailer, cte, alt, attach);

	/* what the next reply will quote */
	thread_add_id(th, id);
	th->count++;
	th->last = t;
	(void)snprintf(th->last_date, sizeof(th->last_date), "%s", date);
	if (agent)
		(void)snprintf(th->last_from, sizeof(th->last_from),
		    "%s (Northwind Support) <%s@northwind.example.com>",
		    agents[ag][0], agents[ag][1]);
	else
		(void)snprintf(th->last_from, sizeof(th->last_from),
		    "%s <%s>", who, addr);
}

/* Write m to stdout, escaping body lines that start with "From ". */
static void
emit(const struct buf *m)
{
	const char *p = m->data, *end = m->data + m->len, *nl;

	/* the separator line itself is not escaped */
	nl = memchr(p, '\n', (size_t)(end - p));
	while (nl != NULL && nl + 1 < end) {
		if (end - nl > 5 && memcmp(nl + 1, "From ", 5) == 0) {
			if (fwrite(p, 1, (size_t)(nl + 1 - p), stdout) !=
			    (size_t)(nl + 1 - p) || fputc('>', stdout) == EOF)
				return;	/* ferror() is checked at the end */
			p = nl + 1;
		}
		nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
	}
	if (fwrite(p, 1, (size_t)(end - p), stdout) != (size_t)(end - p))
		return;
	(void)fputc('\n', stdout);	/* the blank line between messages */
}

static uint32_t
pick_customer(struct gen *g)
{
	/* a tenth of the customers write half of the new threads */
	if (rng_permille(&g->rng, 500))
		return rng_below(&g->rng, CUSTOMERS / 10);
	return rng_below(&g->rng, CUSTOMERS);
}

static void
generate(struct gen *g)
{
	struct thread *th;
	int64_t start = (int64_t)START_DAY * 86400, t, lo;
	uint32_t r, open;
	int agent;

	for (g->n = 0; g->n < g->count; g->n++) {
		g->msg.len = 0;
		t = start + (int64_t)g->n * SPAN / (int64_t)g->count +
		    rng_below(&g->rng, 900);
		r = rng_below(&g->rng, 1000);
		open = g->nthreads < OPEN_THREADS ? (uint32_t)g->nthreads :
		    OPEN_THREADS;
		if (open < 5 || r >= 360) {
			th = thread_new(g, pick_customer(g));
			msg_mail(g, th, 0, 0, 0, t);
			emit(&g->msg);
			continue;
		}
		th = &g->threads[(g->nthreads - 1 -
		    rng_below(&g->rng, open)) % OPEN_THREADS];
		lo = th->last + 60 + rng_below(&g->rng, 3600);
		if (t < lo)
			t = lo;
		if (r < 10)
			msg_bounce(g, th, t);
		else if (r < 30)
			msg_autoreply(g, th, t);
		else {
			agent = r < 130;
			/* a few replies carry no references at all */
			msg_mail(g, th, 1, agent, !agent && r > 330 &&
			    t - th->last < 6 * 86400, t);
		}
		emit(&g->msg);
	}
}

static int
parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: gen-mbox [-n COUNT] [-s SEED]\n");
	exit(EX_USAGE);
}

int
main(int argc, char *argv[])
{
	static char obuf[1 << 20];
	struct gen g;
	unsigned long long count = 50000, seed = 1;
	const char *val = NULL;
	int i, opt;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || (argv[i][1] != 'n' &&
		    argv[i][1] != 's'))
			usage();
		opt = argv[i][1];
		if (argv[i][2] != '\0')
			val = argv[i] + 2;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			usage();
		if (opt == 'n' && parse_num(val, 100000000, &count) == -1)
			usage();
		if (opt == 's' && parse_num(val, UINT64_MAX, &seed) == -1)
			usage();
	}
	memset(&g, 0, sizeof(g));
	g.rng.state = seed;
	g.count = (unsigned long)count;
	if ((g.threads = calloc(OPEN_THREADS, sizeof(*g.threads))) == NULL)
		fatal("out of memory");
	if (setvbuf(stdout, obuf, _IOFBF, sizeof(obuf)) != 0)
		fatal("cannot buffer standard output");
	generate(&g);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "gen-mbox: write error: %s\n", strerror(errno));
		return EX_IOERR;
	}
	free(g.threads);
	buf_release(&g.msg);
	buf_release(&g.src);
	buf_release(&g.text);
	buf_release(&g.html);
	buf_release(&g.tmp);
	return 0;
}
