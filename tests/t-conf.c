/* t-conf.c -- the configuration loader (rules/conf.c) over data files.
 *
 * Each tests/data/1NNN-*.conf is loaded with conf_load; what it printed
 * (errors, warnings, quoted lines, carets) and the outcome must equal
 * 1NNN-*.expect.  Files a case includes are named 1NNN-*.inc.  REGEN=1
 * writes the .expect files that are missing: read them before committing.
 *
 * The cases run in a scratch directory holding copies of the 1NNN files
 * and the secret files they refer to, made here with the modes the cases
 * need: a checkout or a tarball does not keep modes, and `make distcheck`
 * makes the source tree read-only.
 *   good.secret    0600   world.secret   0644   locked.secret  0000
 * Then a few API checks that data files cannot express, and the sample
 * configuration examples/escalator.conf, which must load without a word
 * (case number 1000 selects those: make check T=1000). */
#include "config.h"

#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/model.h"
#include "intake/intake.h"
#include "rules/conf.h"
#include "tests/fixture.h"
#include "tests/tap.h"

static char testdata[PATH_MAX];
static char scratch[PATH_MAX];

static int
spew(const char *path, const char *data, size_t len, mode_t mode)
{
	(void)unlink(path);	/* a 0000 file from an earlier run */
	if (fixture_write(path, data, len) == -1)
		return -1;
	return chmod(path, mode);
}

static int
copy_file(const char *from, const char *to)
{
	size_t len;
	char *buf = fixture_read(from, &len);
	int ret;

	if (buf == NULL)
		return -1;
	ret = spew(to, buf, len, 0644);
	free(buf);
	return ret;
}

/* Loads path; returns what was printed plus "result: ..." (caller frees). */
static char *
run_load(const char *path, int *ok, int *warnings)
{
	struct err e = ERR_INIT;
	struct conf *c = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *diag = open_memstream(&out, &len);
	int rc;

	if (diag == NULL)
		return NULL;
	rc = conf_load(path, &c, diag, &e);
	if (rc == 0)
		fprintf(diag, "result: ok, %d warning%s\n", c->warnings,
		    c->warnings == 1 ? "" : "s");
	else
		fprintf(diag, "result: fail: %s\n", e.msg);
	if (ok != NULL)
		*ok = rc == 0;
	if (warnings != NULL)
		*warnings = rc == 0 ? c->warnings : -1;
	conf_free(c);
	fclose(diag);
	return out;
}

static void
run_cases(void)
{
	char **names, *got;
	int n, i;

	if ((n = fixture_cases(".", ".conf", 1000, 1999, &names)) < 0) {
		CHECK(0, "scandir of the scratch directory");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!tap_selected((int)strtol(names[i], NULL, 10)))
			continue;
		if ((got = run_load(names[i], NULL, NULL)) == NULL) {
			CHECK(0, names[i]);
			continue;
		}
		fixture_check(testdata, names[i], got, strlen(got));
		free(got);
	}
	fixture_names_free(names, n);
}

static int
load_mem(const char *text, int flags, struct conf **c, char **diagout)
{
	struct err e = ERR_INIT;
	size_t len = 0;
	FILE *diag = open_memstream(diagout, &len);
	int rc;

	rc = conf_load_mem("mem.conf", text, strlen(text), flags, c, diag, &e);
	if (diag != NULL)
		fclose(diag);
	return rc;
}

static void
test_api(void)
{
	static const char text[] =
	    "calendar office { timezone \"UTC\" hours mon-fri 09:00-12:00, 13:00-17:30\n"
	    "  hours sat 10:00-14:00 holiday 2028-02-29 }\n"
	    "tier 1 { owner \"t1@example.com\" first-response 1h30m first-response urgent 15m\n"
	    "  resolution 2d calendar office }\n"
	    "department billing { head \"lead@example.com\" entry-tier 1 }\n"
	    "channel support imap { url \"imaps://imap.example.com/INBOX\" user \"u\"\n"
	    "  password-file \"/dev/null\" agents (\"Example.COM\", \"@partner.example\",\n"
	    "  \"Bob@Outside.example\") department billing }\n"
	    "rule \"billing\" {\n"
	    "    when text has any (\"invoice\", \"refund\")   # comment {\n"
	    "    then department billing }\n";
	const struct conf_channel *ch;
	const struct conf_tier *t;
	const struct conf_calendar *cal;
	struct conf *c = NULL;
	char *diag = NULL;
	int rc;

	rc = load_mem(text, CONF_NO_FILES, &c, &diag);
	if (rc != 0)
		fixture_show("diagnostics", diag ? diag : "");
	CHECK(rc == 0 && diag != NULL && diag[0] == '\0', "conf_load_mem: a clean config loads quietly");
	free(diag);
	if (rc != 0)
		return;
	t = conf_tier_find(c, 1);
	CHECK(t != NULL && conf_tier_find(c, 2) == NULL, "conf_tier_find");
	CHECK(t != NULL && t->target[CONF_SLA_FIRST_RESPONSE][PRIO_NORMAL] == 5400 &&
	    t->target[CONF_SLA_FIRST_RESPONSE][PRIO_LOW] == 5400 &&
	    t->target[CONF_SLA_FIRST_RESPONSE][PRIO_URGENT] == 900 &&
	    t->target[CONF_SLA_RESOLUTION][PRIO_HIGH] == 2 * 86400 &&
	    t->target[CONF_SLA_NEXT_RESPONSE][PRIO_HIGH] == 0,
	    "tier targets: defaults, per-priority overrides, durations summed");
	cal = conf_calendar_find(c, "office");
	CHECK(cal != NULL && t != NULL && t->calendar == cal, "tier calendar resolved");
	CHECK(cal != NULL && cal->hours_count == 3 && cal->hours[0].days == 0x3e &&
	    cal->hours[0].start == 540 && cal->hours[1].end == 1050 &&
	    cal->hours[2].days == 0x40 && cal->holidays_count == 1 &&
	    cal->holidays[0].month == 2 && cal->holidays[0].day == 29,
	    "calendar hours and holidays");
	CHECK(conf_department_find(c, "billing") != NULL &&
	    conf_department_find(c, "billing")->entry_tier == 1 &&
	    conf_department_find(c, "Billing") == NULL, "conf_department_find, case-sensitive");
	ch = conf_channel_find(c, "support");
	CHECK(ch != NULL && ch->kind == CONF_IMAP && ch->tls == CONF_TLS_IMPLICIT &&
	    ch->tls_verify == 1 && ch->poll == 60 && ch->public == -1 && ch->tier == -1,
	    "imap channel defaults");
#define AGENT(a)	intake_is_agent((a), (const char *const *)ch->agents, ch->agents_count)
	CHECK(ch != NULL && AGENT("alice@example.com") && AGENT("ALICE@EXAMPLE.COM") &&
	    AGENT("x@partner.example") && AGENT("bob@outside.example") &&
	    !AGENT("carol@outside.example") && !AGENT("eve@example.com.evil") &&
	    !AGENT("eve@sub.example.com") && !AGENT("example.com") && !AGENT(""),
	    "agents: addresses and domains, case-insensitive");
#undef AGENT
	CHECK(c->rules_count == 1 && strcmp(c->rules[0].when,
	    "text has any (\"invoice\", \"refund\")") == 0 &&
	    c->rules[0].when_pos.line == 10 && c->rules[0].when_pos.col == 10 &&
	    strcmp(c->rules[0].then, "department billing") == 0 &&
	    c->rules[0].then_pos.line == 11 && c->rules[0].then_pos.col == 10,
	    "rule text kept with its positions, comments blanked");
	CHECK(c->warn_at == 80 && c->smtp == NULL && c->database == NULL,
	    "defaults: warn-at 80%, no smtp, no database");
	conf_free(c);

	c = NULL;
	diag = NULL;
	rc = load_mem("include \"other.conf\"\n", CONF_NO_FILES, &c, &diag);
	CHECK(rc == -1 && c == NULL && diag != NULL &&
	    strstr(diag, "include is not allowed here") != NULL,
	    "CONF_NO_FILES refuses include");
	free(diag);

	c = NULL;
	diag = NULL;
	rc = load_mem("", 0, &c, &diag);
	CHECK(rc == 0 && c != NULL && c->tiers_count == 0, "an empty file is a valid configuration");
	conf_free(c);
	free(diag);
	conf_free(NULL);
}

static void
test_files(void)
{
	struct err e = ERR_INIT;
	struct conf *c = NULL;
	char name[64], next[64], text[128], *out;
	int ok, i;

	CHECK(conf_load("no-such.conf", &c, NULL, &e) == -1 && c == NULL &&
	    e.code == ERR_CONFIG &&
	    strcmp(e.msg, "cannot open 'no-such.conf': No such file or directory") == 0,
	    "a missing file: ERR_CONFIG, cannot open");

	/* A chain of includes deeper than the limit. */
	for (i = 0; i <= 20; i++) {
		(void)snprintf(name, sizeof(name), i ? "deep-%02d.inc" : "deep.conf", i);
		(void)snprintf(next, sizeof(next), "deep-%02d.inc", i + 1);
		(void)snprintf(text, sizeof(text), "include \"%s\"\n", next);
		if (spew(name, text, strlen(text), 0644) == -1)
			break;
	}
	(void)spew("deep-21.inc", "", 0, 0644);
	out = run_load("deep.conf", &ok, NULL);
	CHECK(out != NULL && !ok && strstr(out, "deep-16.inc:1:9: includes nested too "
	    "deeply (more than 16 levels)") != NULL, "include depth limit");
	free(out);

	if (geteuid() == 0) {
		tap_skip("unreadable secret file: root reads everything");
		return;
	}
	(void)snprintf(text, sizeof(text), "smtp \"smtp://localhost\" user \"u\" "
	    "password-file \"locked.secret\"\n");
	(void)spew("locked.conf", text, strlen(text), 0644);
	out = run_load("locked.conf", &ok, NULL);
	CHECK(out != NULL && !ok && strstr(out, "locked.conf:1:48: cannot read "
	    "'locked.secret': Permission denied") != NULL, "unreadable secret file");
	free(out);
}

static void
test_sample(void)
{
	char src[PATH_MAX + 64], *out;
	int ok, warnings;

	if (!tap_selected(1000))
		return;
	/* A copy beside secret files with the right modes, not the file in
	 * place: examples/secrets/ holds placeholders whose modes and owner
	 * depend on the checkout.  Not one word may be printed. */
	(void)snprintf(src, sizeof(src), "%s/../../examples/escalator.conf", testdata);
	if (copy_file(src, "escalator.conf") == -1 || mkdir("secrets", 0700) == -1 ||
	    spew("secrets/smtp.pass", "x\n", 2, 0600) == -1 ||
	    spew("secrets/support.pass", "x\n", 2, 0600) == -1 ||
	    spew("secrets/mastodon.token", "x\n", 2, 0600) == -1) {
		CHECK(0, "sample config: scratch copy");
		return;
	}
	out = run_load("escalator.conf", &ok, &warnings);
	if (!ok || warnings != 0)
		fixture_show("diagnostics", out ? out : "");
	CHECK(ok && warnings == 0 && strcmp(out, "result: ok, 0 warnings\n") == 0,
	    "examples/escalator.conf: configuration OK, no warnings");
	free(out);
}

/* Copies the fixtures and makes the secret files in a fresh directory. */
static int
setup(void)
{
	static const char *const copied[] = { ".conf", ".inc" };
	char from[PATH_MAX + 300], to[PATH_MAX + 300], **names;
	const char *tmp;
	size_t k;
	int n, i, ret = 0;

	if (fixture_testdata(testdata) == -1)
		return -1;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	(void)snprintf(scratch, sizeof(scratch), "%s/t-conf.XXXXXX", tmp);
	if (mkdtemp(scratch) == NULL) {
		printf("# mkdtemp '%s': %s\n", scratch, strerror(errno));
		return -1;
	}
	for (k = 0; k < sizeof(copied) / sizeof(copied[0]); k++) {
		if ((n = fixture_cases(testdata, copied[k], 1000, 1999, &names)) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			(void)snprintf(from, sizeof(from), "%s/%s", testdata, names[i]);
			(void)snprintf(to, sizeof(to), "%s/%s", scratch, names[i]);
			if (copy_file(from, to) == -1)
				ret = -1;
		}
		fixture_names_free(names, n);
	}
	if (ret == -1 || chdir(scratch) == -1)
		return -1;
	if (spew("good.secret", "s3cret\n", 7, 0600) == -1 ||
	    spew("world.secret", "s3cret\n", 7, 0644) == -1 ||
	    spew("locked.secret", "s3cret\n", 7, 0000) == -1)
		return -1;
	return 0;
}

static void
cleanup(void)
{
	struct dirent **list;
	int n, i;

	if (scratch[0] == '\0' || chdir(scratch) == -1)
		return;
	(void)unlink("secrets/smtp.pass");
	(void)unlink("secrets/support.pass");
	(void)unlink("secrets/mastodon.token");
	(void)rmdir("secrets");
	if ((n = scandir(".", &list, NULL, NULL)) >= 0) {
		for (i = 0; i < n; i++) {
			if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0)
				(void)unlink(list[i]->d_name);
			free(list[i]);
		}
		free(list);
	}
	if (chdir("/") == 0)
		(void)rmdir(scratch);
}

int
main(void)
{
	if (setup() == -1) {
		CHECK(0, "setting up the scratch directory");
		cleanup();
		return tap_done();
	}
	run_cases();
	if (tap_selected(1000)) {
		test_api();
		test_files();
	}
	test_sample();
	cleanup();
	return tap_done();
}
