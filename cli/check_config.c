/* check_config.c -- `escalator check-config`: load the configuration the
 * way start-up and SIGHUP do, print every error and warning, and say
 * "configuration OK" or exit EX_CONFIG, as `smtpd -n` does. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "common/err.h"
#include "rules/conf.h"

static int
check_config_usage(FILE *f)
{
	const struct cli_cmd *cmd = cli_cmd_find("check-config");

	if (cmd != NULL)
		return cli_usage(cmd, f);
	fprintf(f, "usage: escalator [-c FILE] check-config\n");
	return EX_USAGE;
}

int
cmd_check_config(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct err e = ERR_INIT;
	struct conf *conf;
	const char *path;
	char msg[1024];
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			(void)check_config_usage(stdout);
			printf("\nChecks the configuration file (-c FILE, default %s):\n"
			    "syntax, names and references, time zones, secret files.\n"
			    "Prints every error and warning as file:line:col; exits 0\n"
			    "when it is usable, %d (EX_CONFIG) when it is not.\n",
			    CONF_PATH_DEFAULT, EX_CONFIG);
			return 0;
		default:
			return check_config_usage(stderr);
		}
	}
	if (optind != argc)
		return check_config_usage(stderr);

	path = cli->conf_path != NULL ? cli->conf_path : CONF_PATH_DEFAULT;
	if (conf_load(path, &conf, stderr, &e) == -1) {
		fprintf(stderr, "escalator: %s\n", err_str(&e, msg, sizeof(msg)));
		/* Every failure is a configuration failure here, a missing
		 * file included: the command promises EX_CONFIG. */
		return EX_CONFIG;
	}
	conf_free(conf);
	cli_lexicon_check(cli);		/* warnings only: it is not configuration */
	printf("configuration OK\n");
	return 0;
}
