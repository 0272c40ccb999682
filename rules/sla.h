/* sla.h -- SLA clocks in business time: pure functions, no I/O.
 *
 * Business time is real elapsed seconds while a calendar is open: the
 * weekly hours of the calendar, read as wall-clock times in its zone,
 * minus whole-day holidays.  A 00:00-24:00 day is 23 hours long when the
 * clocks go forward and 25 when they go back, because that much time
 * really passes; a 09:00-17:30 day is 8.5 hours on either side of a
 * change.  Without a calendar (a tier with none), every second counts.
 *
 * A clock runs from a start for a target of business seconds; arrivals
 * outside hours start at the next opening (that falls out of counting
 * only open seconds); pauses (the ticket pending on the customer) add
 * their length to the deadline; a warning falls when warn_pct of the
 * target has passed.  sla_clocks derives every clock of a ticket from its
 * facts (messages and events in time order), so the sweep can recompute
 * clocks from the store at any time and get the same answer.
 *
 * The zone and calendar are borrowed: a struct sla_calendar points into a
 * struct conf and a struct tz and must not outlive either. */
#ifndef ESC_SLA_H
#define ESC_SLA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct conf;
struct conf_calendar;
struct conf_tier;
struct err;
struct tz;

/* A deadline that never comes: the calendar never opens (no hours, or a
 * holiday every day for SLA_SEARCH_DAYS). */
#define SLA_NEVER	((time_t)INT64_MAX)
#define SLA_SEARCH_DAYS	(3 * 366)

struct sla_span {
	int	 start, end;	/* minutes after local midnight, start < end <= 1440 */
};

struct sla_calendar {
	const struct tz	*tz;		/* borrowed */
	struct sla_span	*week[7];	/* by tm_wday, sorted; one allocation */
	size_t		 week_count[7];
	long		*holidays;	/* day numbers, sorted */
	size_t		 holidays_count;
};

/* Prepares cal for arithmetic (sorted spans per weekday, holidays as day
 * numbers).  tz is the zone conf->timezone names, loaded by the caller. */
int	sla_calendar_init(struct sla_calendar *cal, const struct conf_calendar *conf,
	    const struct tz *tz, struct err *e);
void	sla_calendar_release(struct sla_calendar *);	/* NULL-safe */

/* 1 when business time runs at t; a NULL calendar is always open. */
int	sla_is_open(const struct sla_calendar *, time_t t);
/* The first instant at or after t when business time runs. */
time_t	sla_next_open(const struct sla_calendar *, time_t t);
/* The instant when `seconds` business seconds have passed since start;
 * with seconds 0, the next opening.  SLA_NEVER if the calendar never
 * opens within SLA_SEARCH_DAYS. */
time_t	sla_add(const struct sla_calendar *, time_t start, long seconds);
/* Business seconds in [from, to); 0 when to <= from. */
long	sla_between(const struct sla_calendar *, time_t from, time_t to);

/*
 * Clocks.
 */

enum sla_kind {
	SLA_FIRST_RESPONSE = 0,	/* first customer message -> first team response */
	SLA_NEXT_RESPONSE,	/* customer message after a response -> next response */
	SLA_RESOLUTION,		/* first customer message (or last escalation) -> resolved */
	SLA_PICKUP,		/* escalation -> the new tier acknowledges or answers */
	SLA_KINDS
};

enum sla_state {
	SLA_NONE = 0,		/* no such clock for this ticket */
	SLA_RUNNING,
	SLA_PAUSED,		/* pending on the customer: no deadline until resumed */
	SLA_MET,		/* stopped in time */
	SLA_MISSED		/* stopped after its deadline */
};

enum sla_level { SLA_WARNING = 0, SLA_BREACH = 1 };

struct sla_pause {
	time_t	 start, end;	/* end 0: still paused */
};

struct sla_clock {
	int	 kind;		/* enum sla_kind */
	int	 state;		/* enum sla_state */
	long	 target;	/* business seconds */
	time_t	 started;	/* start of this run; names it (the cycle) */
	time_t	 stopped;	/* 0 while running or paused */
	time_t	 deadline;	/* 0 while paused; SLA_NEVER if never */
	time_t	 warn_at;	/* likewise */
	long	 paused_total;	/* wall seconds paused before now or stopped */
};

/* One clock run: from start for target business seconds, with pauses
 * (sorted, not overlapping; parts before start are ignored), stopped at
 * `stopped` (0: not stopped), as seen at now.  warn_pct is 1 to 99. */
void	sla_clock_run(const struct sla_calendar *, long target, int warn_pct,
	    time_t start, const struct sla_pause *pauses, size_t pauses_count,
	    time_t stopped, time_t now, struct sla_clock *out /* OUT */);

/* What happened to a ticket, as the clocks see it. */
enum sla_fact_kind {
	SLA_FACT_IN = 0,	/* a customer message */
	SLA_FACT_OUT,		/* a team response (message, or \Answered) */
	SLA_FACT_PENDING,	/* the team waits on the customer: pauses resolution */
	SLA_FACT_RESOLVED,
	SLA_FACT_REOPENED,
	SLA_FACT_ESCALATED,	/* moved up a tier: pickup clock, resolution restarts */
	SLA_FACT_ACK		/* the new owner acknowledged or reassigned */
};

struct sla_fact {
	time_t	 at;
	int	 kind;		/* enum sla_fact_kind */
};

#define SLA_PAUSES_MAX	256	/* pauses kept per clock; older ones merge */

/* Every clock of a ticket from its facts, in time order (ties in the
 * order given).  targets[kind] are business seconds, 0 for no clock of
 * that kind.  out[kind].state is SLA_NONE for a clock that never started. */
void	sla_clocks(const struct sla_calendar *, const long targets[SLA_KINDS],
	    int warn_pct, const struct sla_fact *facts, size_t facts_count,
	    time_t now, struct sla_clock out[SLA_KINDS] /* OUT */);

/* The targets of a tier for a priority: first-response, next-response,
 * resolution, and pickup (the tier's pickup, else its first-response).
 * A NULL tier has no targets. */
void	sla_targets(const struct conf_tier *, int priority, long out[SLA_KINDS]);

/* The weekly hours of a calendar as opening hours are written, Monday
 * first, days with the same hours together: "Mon-Fri 09:00-17:30",
 * "Mon, Wed 08:00-12:00 and 13:00-17:00; Sat 10:00-14:00".  Holidays and
 * the zone are not said.  Returns how many groups of days it wrote (0:
 * the calendar never opens), or -1. */
int		 sla_hours_words(const struct conf_calendar *, struct buf *, struct err *);

const char	*sla_kind_name(int kind);	/* "first-response" ... */
const char	*sla_kind_label(int kind);	/* "first response" ... */
int		 sla_kind_from_name(const char *);	/* -1 if unknown */
const char	*sla_state_name(int state);
const char	*sla_level_name(int level);	/* "warning", "breach" */

#endif
