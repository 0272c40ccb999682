/* cli.h -- what every command of the escalator command line shares: the
 * global options, the open store, and the command table's entry shape.
 * escalator.c parses the global options and dispatches, as git.c does;
 * each file in cli/ owns one or a few commands. */
#ifndef ESC_CLI_H
#define ESC_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct conf;
struct err;
struct intake;
struct sentiment;
struct store;

struct cli {
	const char	*db_path;	/* --db, else the configuration's, else default */
	const char	*conf_path;	/* -c; NULL: the default if it exists */
	struct conf	*conf;		/* loaded configuration, NULL if none */
	time_t		 now;		/* --now, else the clock at start */
	int		 now_given;
	int		 json;		/* --json */
	int		 verbose;	/* -v: debug logging */
	int		 quiet;		/* -q */
	struct store	*store;		/* opened on demand by cli_store */
	struct sentiment *lexicon;	/* loaded on demand by cli_lexicon */
	int		 lexicon_tried;
};

struct cli_cmd {
	const char	*name;
	int		(*run)(struct cli *, int argc, char **argv);
	const char	*usage;		/* "import [--json] FILE|DIR..." */
	const char	*summary;	/* one line for --help */
};

/* Loads the configuration on first use: -c FILE, else the default file
 * if it exists.  NULL with *exit_code 0 when there is none; NULL with
 * EX_CONFIG after printing every error when it is wrong. */
const struct conf *cli_conf(struct cli *, int *exit_code);
/* Opens the store on first use (creating the database); prints the error
 * and returns NULL on failure with *exit_code set. */
struct store	*cli_store(struct cli *, int *exit_code);
/* The same for a database that must exist already (the workflow,
 * report): EX_NOINPUT, nothing created, when it does not. */
struct store	*cli_store_existing(struct cli *, int *exit_code);
/* The database's path (--db, the configuration's, $ESCALATOR_DB, the
 * default), for commands that open it themselves (replay: read-only);
 * NULL with *exit_code set when the configuration is wrong. */
const char	*cli_db_path(struct cli *, int *exit_code);
/* cli/rules.c: the sentiment lexicon, loaded on first use
 * ($ESCALATOR_LEXICON, then PKGDATADIR/lexicon.tsv); NULL when there is
 * none, after one warning that sentiment is off. */
const struct sentiment *cli_lexicon(struct cli *);
/* cli_lexicon, then every language's file read at once; a broken one is
 * a warning (its language stays unscored). */
void	cli_lexicon_check(struct cli *);
/* Readies an intake (after intake_init) for decisions: the lexicon, the
 * configuration's rules, the sender of notifications, the channel's
 * autoreply block.  Commands that store messages (import, poll) call it. */
void		 cli_intake_decisions(struct cli *, struct intake *);
/* Parses the options of a command whose only options are --json and
 * --help and which takes no arguments (help: the text after the usage
 * line).  Returns -1 to go on, else the exit code to return. */
int		 cli_json_only(struct cli *, int argc, char **argv, const char *help);
/* A ticket number as written on the command line ("42" or "#42"): 0,
 * or -1 when it is not a positive number (the caller says so). */
int		 cli_ticket_id(const char *, int64_t *out);
/* A --since duration ("30d", "12h", "90m") of at most max_days, in
 * seconds; -1 after printing why it is not one. */
int		 cli_since(const char *, long max_days, long *out);
/* Prints "escalator: <error>" and returns the sysexits code for it. */
int		 cli_fail(const struct err *);
/* Prints the usage of cmd to f; returns EX_USAGE for convenience. */
int		 cli_usage(const struct cli_cmd *cmd, FILE *f);
/* True when argv holds -h or --help (each command checks it first). */
const struct cli_cmd *cli_cmd_find(const char *name);

/* Commands, one function each; argv[0] is the command name.  They use
 * getopt_long, options anywhere among the arguments (escalator.c resets
 * getopt before each command runs). */
int	cmd_import(struct cli *, int, char **);
int	cmd_queue(struct cli *, int, char **);
int	cmd_show(struct cli *, int, char **);
int	cmd_check_config(struct cli *, int, char **);
int	cmd_sentiment(struct cli *, int, char **);
int	cmd_poll(struct cli *, int, char **);
int	cmd_sweep(struct cli *, int, char **);	/* cli/sweep.c */
int	cmd_send(struct cli *, int, char **);	/* cli/send.c */
int	cmd_run(struct cli *, int, char **);	/* cli/run.c */
int	cmd_digest(struct cli *, int, char **);	/* cli/digest.c */
int	cmd_replay(struct cli *, int, char **);	/* cli/replay.c */
int	cmd_report(struct cli *, int, char **);	/* cli/report.c */
/* cli/ticket.c: the workflow by hand */
int	cmd_assign(struct cli *, int, char **);
int	cmd_escalate(struct cli *, int, char **);
int	cmd_deescalate(struct cli *, int, char **);
int	cmd_pending(struct cli *, int, char **);
int	cmd_resolve(struct cli *, int, char **);
int	cmd_reopen(struct cli *, int, char **);
int	cmd_note(struct cli *, int, char **);
int	cmd_tag(struct cli *, int, char **);
int	cmd_untag(struct cli *, int, char **);

/* cli/sentiment.c: scores each line of in, one line out per line in. */
struct sentiment;
int	sentiment_filter(const struct sentiment *, FILE *in, FILE *out, int json,
	    struct err *);

#endif
