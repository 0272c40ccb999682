/* conf.h -- the configuration: what escalator.conf says, as plain data.
 *
 * conf_load reads a file and the files it includes, and checks all that
 * can be checked without the network: syntax, durations, names, references
 * between tiers, departments and calendars, time zones, secret files.
 * Every error and warning goes to `diag` as `file:line:col: message`, the
 * source line and a caret; the load fails when there was any error, so one
 * run reports every mistake.  The grammar is documented atop conf.c.
 *
 * A loaded struct conf is immutable and owns every string and array in it;
 * conf_free releases it all at once.  A reload (SIGHUP) builds a new one
 * and swaps; a bad reload keeps the old.  Pointers into a conf (the lookups
 * below, tier->calendar) are borrowed until conf_free.
 *
 * Rules are kept as source text with positions, checked for their outline
 * here and compiled by rules/parse.c during the load, its errors reported
 * with ours; conf->compiled is the result. */
#ifndef ESC_CONF_H
#define ESC_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct err;
struct rules;

#ifdef SYSCONFDIR
/* Makefile.am defines SYSCONFDIR as the directory, e.g. "/etc". */
#define CONF_PATH_DEFAULT	SYSCONFDIR "/escalator/escalator.conf"
#endif

/* A place in the configuration; file is owned by the conf (conf->files). */
struct conf_pos {
	const char	*file;
	int		 line, col;	/* 1-based; col counts UTF-8 characters */
};

struct conf_date {
	int		 year, month, day;	/* year 0: no date */
};

/* One `hours` line: the days it applies to and one stretch of time. */
struct conf_hours {
	unsigned	 days;		/* bit n: struct tm's tm_wday n (0 sunday) */
	int		 start, end;	/* minutes after midnight, start < end <= 1440 */
};

struct conf_calendar {
	char			*name;
	struct conf_pos		 pos;
	char			*timezone;	/* "Europe/Berlin", checked under TZDIR */
	struct conf_hours	*hours;
	size_t			 hours_count;
	struct conf_date	*holidays;	/* whole days off, in file order */
	size_t			 holidays_count;
};

/* SLA metrics, each with a target per priority (enum priority, model.h). */
enum conf_sla {
	CONF_SLA_FIRST_RESPONSE = 0,
	CONF_SLA_NEXT_RESPONSE,
	CONF_SLA_RESOLUTION,
	CONF_SLA_COUNT
};
#define CONF_PRIORITIES		4	/* PRIO_LOW .. PRIO_URGENT */

struct conf_tier {
	int			 number;	/* 0 to 4 */
	struct conf_pos		 pos;
	char			*owner;		/* address, required */
	char			*name;		/* "T2 specialists"; NULL: none */
	/* Seconds, by metric then priority; 0: no target.  A plain
	 * `first-response 1h` fills every priority, `first-response urgent
	 * 15m` overrides one. */
	long			 target[CONF_SLA_COUNT][CONF_PRIORITIES];
	long			 pickup;	/* seconds; 0: none */
	char			*calendar_name;	/* NULL: round the clock */
	struct conf_pos		 calendar_pos;
	const struct conf_calendar *calendar;	/* resolved calendar_name */
};

struct conf_department {
	char			*name;
	struct conf_pos		 pos;
	char			*head;		/* address, required; Cc on breaches */
	char			*owner;		/* NULL: the tier owner */
	int			 entry_tier;	/* -1: unset (tier 1) */
	struct conf_pos		 entry_tier_pos;
};

enum conf_channel_kind {
	CONF_IMAP = 0,
	CONF_MASTODON,
	CONF_BLUESKY,
	CONF_FEED,
	CONF_MBOX
};

/* One `help` line of an autoreply block: the link goes into the
 * acknowledgement when one of the keywords is a word or phrase of the
 * customer's subject or text (rules/autoreply.c). */
struct conf_help {
	struct conf_pos		 pos;
	char			**keywords;	/* as written, at least one */
	size_t			 keywords_count;
	char			*url;		/* http:// or https://, no blanks */
};

/* A channel's tier 0 acknowledgement (`autoreply { ... }`); imap and
 * mbox channels only: social channels never get automatic public replies. */
struct conf_autoreply {
	struct conf_pos		 pos;		/* of the keyword 'autoreply' */
	char			*from;		/* "Name <addr>" or "addr"; NULL in the
						 * file: the smtp statement's, filled
						 * at load */
	char			*subject;	/* NULL: "Re: " and the customer's */
	char			*text;		/* the body: `text`, or `text-file`'s
						 * contents read at load */
	char			*text_file;	/* NULL: the text was inline */
	char			*help_intro;	/* line before the links */
	long			 max_age;	/* seconds; older mail gets none */
	int			 response_time;	/* 1 (default): state the tier's first-
						 * response target; 0: the text does */
	struct conf_help	*help;		/* in file order */
	size_t			 help_count;
	const char		*account;	/* the channel's user when it is an
						 * address (ours: never answered);
						 * NULL if not */
};

enum conf_tls {
	CONF_TLS_NONE = 0,
	CONF_TLS_STARTTLS,
	CONF_TLS_IMPLICIT
};

struct conf_channel {
	char			*name;
	struct conf_pos		 pos;
	int			 kind;		/* enum conf_channel_kind */
	int			 public;	/* 1, 0, or -1: decided per message */
	char			*department;	/* NULL: none */
	struct conf_pos		 department_pos;
	int			 tier;		/* entry tier; -1: unset */
	struct conf_pos		 tier_pos;
	long			 poll;		/* seconds between polls; 0 for mbox */
	/* Lowercased agent addresses ("a@example.com") and domains
	 * ("example.com"); see intake_is_agent. */
	char			**agents;
	size_t			 agents_count;

	/* imap */
	char			*url;		/* also feed */
	char			*user;
	char			*password_file;	/* secret files: paths as opened, */
	char			*oauth_token_file; /* relative ones joined to the */
	char			*sent;		/* including file's directory */
	char			*done;		/* folder for finished threads */
	struct conf_date	 since;		/* older mail is ignored */
	int			 tls;		/* enum conf_tls; default from the URL */
	int			 tls_verify;	/* 1 (default) or 0 */
	char			*ca_file;
	/* mastodon */
	char			*instance;
	char			*token_file;
	/* bluesky */
	char			*handle;
	char			*app_password_file;
	char			*service;	/* the PDS; NULL: https://bsky.social */
	/* mastodon, bluesky: sources beyond the account's own notifications */
	char			**hashtags;	/* mastodon tag timelines, no '#' */
	size_t			 hashtags_count;
	char			**searches;	/* search terms */
	size_t			 searches_count;
	/* mbox */
	char			*path;
	/* imap, mbox: the acknowledgement of new tickets; NULL: off */
	struct conf_autoreply	*autoreply;
};

struct conf_smtp {
	struct conf_pos		 pos;
	char			*url;		/* smtp:// or smtps:// */
	char			*user;		/* NULL: no authentication */
	char			*password_file;
	char			*from;		/* "Name <addr>" or "addr"; NULL: default */
	int			 tls_verify;	/* 1 (default) or 0 */
	char			*ca_file;
	int			 tls;		/* enum conf_tls: from the URL unless
						 * `tls none` */
};

struct conf_digest {
	struct conf_pos		 pos;
	int			 weekly;	/* 0: daily */
	int			 wday;		/* weekly: tm_wday, default 1 (monday) */
	int			 minute;	/* minutes after midnight, local time */
	char			**to;
	size_t			 to_count;
};

/* One line of an authority block: `tier K up-to AMOUNT CUR`, or the
 * last, `tier K any`. */
struct conf_authority_tier {
	int			 tier;
	int64_t			 limit;		/* hundredths of the currency's unit
						 * (rules/amount.h), inclusive;
						 * -1: any amount */
	struct conf_pos		 pos;		/* of the tier number */
};

/* `authority NAME { ... }`: who may decide how much, for the action
 * route-by-authority.  Checked at load: tiers and limits increase, one
 * currency, the last line is `any`, every tier is defined. */
struct conf_authority {
	char				*name;
	struct conf_pos			 pos;		/* of the keyword */
	int				 currency;	/* rules/amount.h index */
	struct conf_authority_tier	*tiers;		/* in file order */
	size_t				 tiers_count;
};

/* A rule as written.  when and then hold the condition and the actions as
 * source text, trimmed, with comments blanked to spaces so that every
 * character keeps its place: the text's first character is at when_pos,
 * and a character after the k-th newline of the text is on line
 * when_pos.line + k, at the column it has on its own line. */
struct conf_rule {
	char			*name;
	struct conf_pos		 pos;		/* of the keyword 'rule' */
	char			*when;
	struct conf_pos		 when_pos;
	char			*then;
	struct conf_pos		 then_pos;
};

struct conf {
	char			*path;		/* the file given to conf_load */
	char			**files;	/* path and every included file */
	size_t			 files_count;
	int			 warnings;	/* how many were printed */

	char			*database;	/* NULL: the built-in default */
	struct conf_smtp	*smtp;		/* NULL: no outbound mail */
	int			 warn_at;	/* percent of a target; default 80 */

	struct conf_calendar	*calendars;
	size_t			 calendars_count;
	struct conf_tier	*tiers;		/* in file order, numbers unique */
	size_t			 tiers_count;
	struct conf_department	*departments;
	size_t			 departments_count;
	struct conf_channel	*channels;
	size_t			 channels_count;
	struct conf_digest	*digests;
	size_t			 digests_count;
	struct conf_authority	*authorities;	/* names unique */
	size_t			 authorities_count;
	struct conf_rule	*rules;		/* in file order: they run in it */
	size_t			 rules_count;
	/* The rules compiled (rules/rules.h) at load; owned, freed by
	 * conf_free; never NULL in a loaded conf, empty without rules. */
	struct rules		*compiled;
};

/* conf_load_mem flags. */
#define CONF_NO_FILES	0x1	/* no include, no secret or time zone checks
				 * (fuzzing: touch nothing outside buf) */

/* Loads the configuration at path into *out (caller frees with conf_free).
 * Errors and warnings are printed to diag (NULL: not printed).  Returns 0,
 * or -1 with *out NULL and e set: ERR_CONFIG "3 errors in 'path'", or
 * "cannot open 'path': ..." (that one is not printed to diag). */
int	conf_load(const char *path, struct conf **out /* OUT */, FILE *diag,
	    struct err *e);
/* The same over a buffer that need not be NUL-terminated; name is used in
 * messages and to resolve relative paths. */
int	conf_load_mem(const char *name, const char *buf, size_t len, int flags,
	    struct conf **out /* OUT */, FILE *diag, struct err *e);
void	conf_free(struct conf *);	/* NULL-safe */

/* Lookups; NULL when there is no such definition. */
const struct conf_channel	*conf_channel_find(const struct conf *, const char *name);
const struct conf_tier		*conf_tier_find(const struct conf *, int number);
const struct conf_department	*conf_department_find(const struct conf *, const char *name);
const struct conf_calendar	*conf_calendar_find(const struct conf *, const char *name);
const struct conf_authority	*conf_authority_find(const struct conf *, const char *name);
/* The calendar whose zone mail to people shows times in: tier's (NULL
 * for none), else the first calendar; NULL for UTC.  c may be NULL. */
const struct conf_calendar	*conf_zone_calendar(const struct conf *c,
				    const struct conf_tier *tier);
/* Where tickets opened on channel name start: returns the entry tier (the
 * channel's `tier`, else its department's `entry-tier`), -1 for the
 * default; *department is the channel's department, NULL for none.  c
 * may be NULL (no configuration: defaults). */
int	conf_channel_entry(const struct conf *c, const char *name,
	    const char **department /* OUT */);


const char	*conf_channel_kind_name(int kind);

#endif
