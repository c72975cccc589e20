/*
 * usher: start a command the way shell one-liners, init scripts, cron
 * wrappers, CI job runners and container entrypoints need it started, and
 * watch it to its end.
 *
 * The command runs in the foreground (in a process group of its own, which
 * gets the terminal), in a new session (-s), or in place of usher (-x).
 * usher blocks every signal first thing and reads them from one event loop,
 * forwards each one exactly once, mirrors job control both ways, and ends
 * as the command ended: with its exit status, or by the same signal.
 *
 * This file only parses the command line into a struct usher_config and
 * hands it to run().
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "errline.h"
#include "fdmap.h"
#include "num.h"
#include "path.h"
#include "ready.h"
#include "run.h"
#include "signals.h"
#include "signame.h"
#include "usher.h"

extern char	**environ;

enum {
	OPT_CLOSE_FDS = 256,
	OPT_SINGLE_CHILD,
	OPT_PDEATHSIG,
	OPT_EXIT_CODE_ONLY,
	OPT_EXIT_MAP,
	OPT_ORPHANS,
	OPT_REPORT,
	OPT_IF_RUNNING,
	OPT_READY,
	OPT_READY_TIMEOUT,
	OPT_RESTART_DELAY,
	OPT_RESTART_MAX,
	OPT_STATUS,
	OPT_STOP
};

/*
 * What parse() fills in: the config, and which of the options whose
 * default depends on others were given; validate() resolves the rest.
 */
struct cmdline {
	struct usher_config	cfg;
	bool			route_given;	/* -g, --single-child */
	bool			pdeathsig_given; /* --pdeathsig */
	bool			umask_given;	/* -m */
};

struct usage;

/*
 * An option's handler: its row in usage[], and its argument (NULL for an
 * option without one).  Each refuses a bad argument at once.
 */
typedef void	handler(struct cmdline *, const struct usage *,
		    const char *);

/* A word an option takes, and what it sets. */
struct choice {
	const char	*word;
	int		 value;
};

static handler	opt_mode, opt_flag, opt_string, opt_path, opt_duration;
static handler	opt_choice, opt_ready, opt_restart, opt_number;
static handler	opt_action, opt_fd, opt_output, opt_chdir;
static handler	opt_env, opt_pair, opt_route, opt_signal;
static handler	opt_kill_after, opt_delay, opt_info;

/* Where the generic handlers (flag, string, path, duration) write. */
#define FIELD(f)	offsetof(struct usher_config, f)

/*
 * One table drives getopt_long, --help and the dispatch: parse() calls
 * each option's handler with its row.  A NULL name starts a group.  An
 * argument in brackets is optional ("[=WHEN]").
 */
static const struct usage {
	const char	*name;
	int		 val;
	const char	*arg;
	handler		*set;
	size_t		 field;		/* FIELD(), for a generic handler */
	const char	*help;
} usage[] = {
	{ NULL, 0, NULL, NULL, 0, "Modes:" },
	{ "setsid", 's', NULL, opt_mode, 0,
	    "run the command in a new session" },
	{ "daemon", 'd', NULL, opt_mode, 0,
	    "detach: run and supervise in the background" },
	{ "exec", 'x', NULL, opt_flag, FIELD(exec),
	    "set up, then become the command (no supervisor)" },
	{ NULL, 0, NULL, NULL, 0, "Pidfiles and services:" },
	{ "pidfile", 'p', "FILE", opt_path, FIELD(pidfile),
	    "write the command's pid to FILE, locked" },
	{ "supervisor-pidfile", 'P', "FILE", opt_path, FIELD(spidfile),
	    "write usher's own pid to FILE, locked" },
	{ "if-running", OPT_IF_RUNNING, "fail|skip|wait", opt_choice, 0,
	    "when the pidfile is locked: fail (125), exit 0, or wait" },
	{ "ready", OPT_READY, "fd:N|notify", opt_ready, 0,
	    "wait for the command to say it is ready (a line on fd N, or "
	    "READY=1)" },
	{ "ready-timeout", OPT_READY_TIMEOUT, "DURATION", opt_duration,
	    FIELD(ready_timeout),
	    "stop it if not ready in time (default 60s, 0 none), exit 124" },
	{ "restart", 'r', "[=on-failure|always]", opt_restart, 0,
	    "restart the command when it exits (default on-failure)" },
	{ "restart-delay", OPT_RESTART_DELAY, "DURATION", opt_duration,
	    FIELD(restart_delay),
	    "first delay before a restart (default 1s), doubling to 60s" },
	{ "restart-max", OPT_RESTART_MAX, "N", opt_number, 0,
	    "give up after N restarts in a row" },
	{ "title", 'T', "TITLE", opt_string, FIELD(title),
	    "usher's process title (default 'usher: COMMAND')" },
	{ "status", OPT_STATUS, NULL, opt_action, 0,
	    "with -p: print the pid and exit 0 if running, 1 if stale, 3 if "
	    "not" },
	{ "stop", OPT_STOP, NULL, opt_action, 0,
	    "with -p: stop the running instance (-S, then KILL after -k)" },
	{ NULL, 0, NULL, NULL, 0, "File descriptors:" },
	{ "fd", 'f', "SPEC", opt_fd, 0,
	    "map an fd: N=M N>&M N<&M N=- N<PATH N>PATH N>>PATH N<>PATH" },
	{ "output", 'o', "FILE", opt_output, 0,
	    "append stdout and stderr to FILE (>>FILE 2>&1)" },
	{ "close-fds", OPT_CLOSE_FDS, NULL, opt_flag, FIELD(close_fds),
	    "close every fd above 2 that -f does not name" },
	{ NULL, 0, NULL, NULL, 0, "Process:" },
	{ "chdir", 'C', "DIR", opt_chdir, 0, "run the command in DIR" },
	{ "umask", 'm', "MODE", opt_number, 0,
	    "octal umask for the command" },
	{ "user", 'u', "USER[:GROUP]", opt_string, FIELD(user),
	    "run the command as USER (needs root)" },
	{ "env", 'E', "NAME=VALUE", opt_env, 0,
	    "set a variable for the command" },
	{ "unset", 'U', "NAME", opt_env, 0, "remove a variable" },
	{ NULL, 0, NULL, NULL, 0, "Signals:" },
	{ "rewrite", 'R', "FROM:TO", opt_pair, 0,
	    "deliver TO instead of FROM (TO 0 or none drops it)" },
	{ "group", 'g', NULL, opt_route, 0,
	    "forward every signal to the command's group" },
	{ "single-child", OPT_SINGLE_CHILD, NULL, opt_route, 0,
	    "forward every signal to the command alone" },
	{ "pdeathsig", OPT_PDEATHSIG, "SIGNAL|none", opt_signal, 0,
	    "signal the command gets if usher dies (default KILL; none with "
	    "-d, -x)" },
	{ NULL, 0, NULL, NULL, 0, "Deadlines:" },
	{ "timeout", 't', "DURATION", opt_duration, FIELD(timeout),
	    "stop the command after DURATION, then exit 124" },
	{ "stop-signal", 'S', "SIGNAL", opt_signal, 0,
	    "signal that stops the command (default TERM)" },
	{ "kill-after", 'k', "DURATION", opt_kill_after, 0,
	    "send KILL if it still runs DURATION after a stop signal" },
	{ "delay", 'D', "SIGNAL:DURATION", opt_delay, 0,
	    "hold SIGNAL for DURATION before forwarding it" },
	{ "orphans", OPT_ORPHANS, "leave|wait|kill", opt_choice, 0,
	    "when the command exits, leave, wait for or stop its leftover "
	    "descendants" },
	{ NULL, 0, NULL, NULL, 0, "Exit status:" },
	{ "exit-code-only", OPT_EXIT_CODE_ONLY, NULL, opt_flag,
	    FIELD(exit_code_only), "exit 128+N instead of dying by signal N" },
	{ "exit-map", OPT_EXIT_MAP, "FROM:TO", opt_pair, 0,
	    "report status FROM as TO (signal N counts as 128+N)" },
	{ "report", OPT_REPORT, "FILE", opt_path, FIELD(report),
	    "on exit, write a JSON report of the run to FILE" },
	{ NULL, 0, NULL, NULL, 0, "Other:" },
	{ "verbose", 'v', NULL, opt_flag, FIELD(verbose),
	    "say what usher does, on stderr" },
	{ "help", 'h', NULL, opt_info, 0, "show this help and exit" },
	{ "version", 'V', NULL, opt_info, 0, "show the version and exit" },
};

#define NUSAGE	(sizeof(usage) / sizeof(usage[0]))

static const struct choice	if_running_words[] = {
	{ "fail", IF_RUNNING_FAIL },
	{ "skip", IF_RUNNING_SKIP },
	{ "wait", IF_RUNNING_WAIT },
	{ NULL, 0 },
};

static const struct choice	restart_words[] = {
	{ "on-failure", RESTART_ON_FAILURE },
	{ "always", RESTART_ALWAYS },
	{ NULL, 0 },
};

static const struct choice	orphans_words[] = {
	{ "leave", ORPHANS_LEAVE },
	{ "wait", ORPHANS_WAIT },
	{ "kill", ORPHANS_KILL },
	{ NULL, 0 },
};

/*
 * What usher does where no option says otherwise; the defaults that depend
 * on other options are set by resolve().
 */
static const struct usher_config	defaults = {
	.mode = MODE_FOREGROUND,
	.stop_signal = SIGTERM,
	.ready_timeout = { 60, 0 },
	.restart_delay = { 1, 0 },
};

/* The grace between a stop signal and KILL when -k is not given. */
static const struct timespec	default_grace = { 10, 0 };

static void	help(void);
static void	build_options(struct option *, char *);
static void	parse(int, char *[], struct cmdline *);
static void	bad_option(int, const char *);
static const struct usage	*usage_of(int);
static void	set_path(const char *, const char *, const char *,
		    const char **);
static void	add_map(struct usher_config *, struct fdmap);
static void	drop_slot(struct usher_config *);
static void	validate(struct cmdline *);
static void	validate_action(const struct usher_config *);
static void	resolve(struct cmdline *);
static const char	*supervisor_option(const struct cmdline *);
static void	daemon_stdio(struct usher_config *);
static void	need_duration(const char *, const char *, struct timespec *);
static int	choose(const char *, const char *, const struct choice *,
		    const char *);
static char	*split_pair(const char *, const char *, const char *, char *,
		    size_t);
static void	add_pair(const char *, const char *, int (*)(const char *),
		    int (*)(const char *), const struct pair **, size_t *);
static int	forwardable(const char *);
static int	sig_or_none(const char *);
static int	status_num(const char *);
static void	*append(const void *, size_t, size_t, const void *);
static _Noreturn void	invalid(const char *, const char *, const char *);
static _Noreturn void	fail(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static _Noreturn void	fail_errno(const char *, const char *);

int
main(int argc, char *argv[])
{
	struct cmdline	cl = { .cfg = defaults };

	signals_init();
	setproctitle_init(argc, argv, environ);
	parse(argc, argv, &cl);
	validate(&cl);
	run(&cl.cfg);
}

static void
help(void)
{
	const char	*sep;
	size_t		 i;
	char		 left[48];

	printf("usage: usher [OPTION]... [--] COMMAND [ARG]...\n"
	    "       usher --status -p PIDFILE\n"
	    "       usher --stop -p PIDFILE [-S SIGNAL] [-k DURATION]\n\n"
	    "Start COMMAND and supervise it: forward signals, mirror job "
	    "control,\nand exit as it exited.\n");
	for (i = 0; i < NUSAGE; i++) {
		if (usage[i].name == NULL) {
			printf("\n%s\n", usage[i].help);
			continue;
		}
		sep = usage[i].arg == NULL || usage[i].arg[0] == '[' ? "" : " ";
		if (usage[i].val < 256)
			(void)snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    usage[i].val, usage[i].name, sep,
			    usage[i].arg != NULL ? usage[i].arg : "");
		else
			(void)snprintf(left, sizeof(left), "    --%s%s%s",
			    usage[i].name, sep,
			    usage[i].arg != NULL ? usage[i].arg : "");
		if (strlen(left) > 28)
			printf("  %s\n  %-28s  %s\n", left, "", usage[i].help);
		else
			printf("  %-28s  %s\n", left, usage[i].help);
	}
	printf("\nDurations: 1.5, 500ms, 30s, 2m, 1h, 1d, 1h30m.  "
	    "Signals: TERM, SIGTERM, term, 15, RTMIN+3.\n"
	    "Quote fd maps for the shell: usher -f '2>&1' -- cmd sends stderr "
	    "where stdout goes;\nall maps apply at once, so for >>log 2>&1 "
	    "use -o log.\n"
	    "Exit status: the command's; death by the same signal; "
	    "124 timed out;\n125 usher failed; 126 not executable; "
	    "127 not found.\n");
	exit(0);
}

/* getopt_long's table and short-option string, from usage[]. */
static void
build_options(struct option *lo, char *so)
{
	size_t	i, n = 0;
	int	has;

	*so++ = '+';
	*so++ = ':';
	for (i = 0; i < NUSAGE; i++) {
		if (usage[i].name == NULL)
			continue;
		has = usage[i].arg == NULL ? no_argument :
		    usage[i].arg[0] == '[' ? optional_argument :
		    required_argument;
		lo[n++] = (struct option){ usage[i].name, has, NULL,
		    usage[i].val };
		if (usage[i].val < 256) {
			*so++ = (char)usage[i].val;
			if (has != no_argument)
				*so++ = ':';
			if (has == optional_argument)
				*so++ = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	*so = '\0';
}

/* Each option as it comes, through its row's handler. */
static void
parse(int argc, char *argv[], struct cmdline *cl)
{
	const struct usage	*u;
	struct option		 lo[NUSAGE + 1];
	char			 so[3 * NUSAGE + 3];
	int			 c;

	build_options(lo, so);
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == '?' || c == ':')
			bad_option(c, argv[optind - 1]);
		if ((u = usage_of(c)) == NULL)
			fail("option %d: unknown option", c);
		u->set(cl, u, optarg);
	}
	cl->cfg.argv = argv + optind;
}

/*
 * What getopt_long refused ('?' or ':'), in one line.  After '?', optopt
 * is 0 for an unknown long option, and the option's value for a long one
 * given a value that it does not take ("--setsid=x"); else the unknown
 * character.  A short option never takes a value with '=', and an unknown
 * character is no option's value, so a value that usage_of() knows means
 * the long form.  word is the last word that getopt_long stepped past,
 * which is the whole word for a long option, and the option's own word
 * when its argument is missing (it was the last).
 */
static void
bad_option(int c, const char *word)
{
	const struct usage	*u = usage_of(optopt);
	bool			 islong = strncmp(word, "--", 2) == 0;

	if (c == '?' && optopt == 0)
		fail("%.*s: unknown option", (int)strcspn(word, "="), word);
	if (c == '?' && u != NULL)
		fail("--%s: takes no value", u->name);
	if (c == '?')
		fail("-%c: unknown option", optopt);
	if (islong && u != NULL)
		fail("--%s: option needs an argument", u->name);
	fail("-%c: option needs an argument", optopt);
}

/* The option whose getopt_long value is val, or NULL. */
static const struct usage *
usage_of(int val)
{
	size_t	i;

	for (i = 0; i < NUSAGE; i++)
		if (usage[i].name != NULL && usage[i].val == val)
			return &usage[i];
	return NULL;
}

/*
 * The handlers.  The generic ones (flag, string, path, duration) write the
 * field that their row names; the others know their fields.
 */

/* -s and -d: -d wins, in any order (-d -s is a daemon). */
static void
opt_mode(struct cmdline *cl, const struct usage *u, const char *arg)
{
	(void)arg;
	if (u->val == 'd')
		cl->cfg.mode = MODE_DAEMON;
	else if (cl->cfg.mode != MODE_DAEMON)
		cl->cfg.mode = MODE_SETSID;
}

/* An option that turns something on. */
static void
opt_flag(struct cmdline *cl, const struct usage *u, const char *arg)
{
	(void)arg;
	*(bool *)((char *)&cl->cfg + u->field) = true;
}

/* A string kept as given (it lives in argv). */
static void
opt_string(struct cmdline *cl, const struct usage *u, const char *arg)
{
	*(const char **)((char *)&cl->cfg + u->field) = arg;
}

/* -p, -P, --report FILE, made absolute. */
static void
opt_path(struct cmdline *cl, const struct usage *u, const char *arg)
{
	char	opt[32];

	if (u->val < 256)
		(void)snprintf(opt, sizeof(opt), "-%c", u->val);
	else
		(void)snprintf(opt, sizeof(opt), "--%s", u->name);
	set_path(opt, "file", arg,
	    (const char **)((char *)&cl->cfg + u->field));
}

/* -t, --ready-timeout, --restart-delay: named long in messages. */
static void
opt_duration(struct cmdline *cl, const struct usage *u, const char *arg)
{
	char	opt[32];

	(void)snprintf(opt, sizeof(opt), "--%s", u->name);
	need_duration(opt, arg,
	    (struct timespec *)((char *)&cl->cfg + u->field));
}

/* --if-running and --orphans: one word of a few. */
static void
opt_choice(struct cmdline *cl, const struct usage *u, const char *arg)
{
	if (u->val == OPT_IF_RUNNING)
		cl->cfg.if_running = choose("--if-running", arg,
		    if_running_words, "fail, skip or wait");
	else
		cl->cfg.orphans = choose("--orphans", arg, orphans_words,
		    "leave, wait or kill");
}

/*
 * --ready fd:N or notify.  fd:N puts a slot for the pipe's end in the fd
 * maps (fdmap_slot()), so that -f naming N too is caught as N mapped
 * twice.  The last --ready counts: an earlier fd:N leaves no slot.
 */
static void
opt_ready(struct cmdline *cl, const struct usage *u, const char *arg)
{
	struct usher_config	*cfg = &cl->cfg;
	enum ready_kind		 kind = READY_NOTIFY;
	int			 fd = -1;

	(void)u;
	if (strcmp(arg, "notify") != 0) {
		if (strncmp(arg, "fd:", 3) != 0 ||
		    fdmap_fd(arg + 3, &fd) == -1)
			fail("--ready: invalid value '%s' (fd:N or notify)",
			    arg);
		kind = READY_FD;
	}
	if (cfg->ready == READY_FD)
		drop_slot(cfg);
	cfg->ready = kind;
	if (kind == READY_FD) {
		cfg->ready_fd = fd;
		add_map(cfg, fdmap_slot(fd, "--ready"));
	}
}

/* -r alone, or --restart=on-failure, or --restart=always. */
static void
opt_restart(struct cmdline *cl, const struct usage *u, const char *arg)
{
	(void)u;
	cl->cfg.restart = arg == NULL ? RESTART_ON_FAILURE :
	    choose("--restart", arg, restart_words, "on-failure or always");
}

/*
 * -m MODE, octal, and --restart-max N, through num.h: not libbsd's
 * strtonum(3), which reads base 10 only and takes blanks and a sign
 * (num.c says why that matters).
 */
static void
opt_number(struct cmdline *cl, const struct usage *u, const char *arg)
{
	long long	n;

	if (u->val == 'm') {
		if (num_oct(arg, 0, 0777, &n) == -1)
			invalid("-m", "umask", arg);
		cl->cfg.umask = (mode_t)n;
		cl->umask_given = true;
		return;
	}
	if (num_dec(arg, 1, 1000000000, &n) == -1)
		invalid("--restart-max", "number", arg);
	cl->cfg.restart_max = (unsigned)n;
}

/* --status and --stop: either may repeat, never both. */
static void
opt_action(struct cmdline *cl, const struct usage *u, const char *arg)
{
	enum usher_action	action;

	(void)arg;
	action = u->val == OPT_STATUS ? ACTION_STATUS : ACTION_STOP;
	if (cl->cfg.action != ACTION_RUN && cl->cfg.action != action)
		fail("--status: conflicts with --stop");
	cl->cfg.action = action;
}

/* -f SPEC: one map. */
static void
opt_fd(struct cmdline *cl, const struct usage *u, const char *arg)
{
	struct fdmap	m;

	(void)u;
	if (fdmap_parse(arg, &m) == -1)
		invalid("-f", "fd map", arg);
	add_map(&cl->cfg, m);
}

/* -o FILE: two maps, fd 1 and fd 2 sharing its file, kept adjacent. */
static void
opt_output(struct cmdline *cl, const struct usage *u, const char *arg)
{
	struct fdmap	m[2];

	(void)u;
	if (fdmap_output(arg, m) == -1)
		invalid("-o", "file", arg);
	add_map(&cl->cfg, m[0]);
	add_map(&cl->cfg, m[1]);
}

/* The caller's directory, also when the daemon has moved to /. */
static void
opt_chdir(struct cmdline *cl, const struct usage *u, const char *arg)
{
	(void)u;
	set_path("-C", "directory", arg, &cl->cfg.chdir);
}

/* -E NAME=VALUE and -U NAME, kept in order. */
static void
opt_env(struct cmdline *cl, const struct usage *u, const char *arg)
{
	struct usher_config	*cfg = &cl->cfg;
	bool			 unset = u->val == 'U';

	if (*arg == '\0' || *arg == '=' || unset == (strchr(arg, '=') != NULL))
		fail("-%c: invalid %s '%s'", u->val,
		    unset ? "NAME" : "NAME=VALUE", arg);
	cfg->env = append(cfg->env, cfg->nenv++, sizeof(*cfg->env),
	    &(struct envop){ unset, arg });
}

/*
 * -R FROM:TO, FROM a signal that usher forwards and TO a signal, 0 or
 * none; --exit-map FROM:TO, both exit statuses.
 */
static void
opt_pair(struct cmdline *cl, const struct usage *u, const char *arg)
{
	struct usher_config	*cfg = &cl->cfg;

	if (u->val == 'R')
		add_pair("-R", arg, forwardable, sig_or_none, &cfg->rewrite,
		    &cfg->nrewrite);
	else
		add_pair("--exit-map", arg, status_num, status_num,
		    &cfg->exitmap, &cfg->nexitmap);
}

/*
 * -g and --single-child, each as often as wanted, but never both, in any
 * order: the first of the other kind is refused at once.
 */
static void
opt_route(struct cmdline *cl, const struct usage *u, const char *arg)
{
	enum usher_route	route;

	(void)arg;
	route = u->val == 'g' ? ROUTE_GROUP : ROUTE_CHILD;
	if (cl->route_given && cl->cfg.route != route)
		fail("-g: conflicts with --single-child");
	cl->cfg.route = route;
	cl->route_given = true;
}

/* -S SIGNAL, and --pdeathsig SIGNAL, 0 or none. */
static void
opt_signal(struct cmdline *cl, const struct usage *u, const char *arg)
{
	if (u->val == 'S') {
		if ((cl->cfg.stop_signal = signame_parse(arg)) == -1)
			invalid("-S", "signal", arg);
		return;
	}
	if ((cl->cfg.pdeathsig = sig_or_none(arg)) == -1)
		invalid("--pdeathsig", "signal", arg);
	cl->pdeathsig_given = true;
}

static void
opt_kill_after(struct cmdline *cl, const struct usage *u, const char *arg)
{
	(void)u;
	need_duration("-k", arg, &cl->cfg.kill_after);
	cl->cfg.kill_after_set = true;
}

/* -D SIGNAL:DURATION, each signal once, a signal usher forwards. */
static void
opt_delay(struct cmdline *cl, const struct usage *u, const char *arg)
{
	struct usher_config	*cfg = &cl->cfg;
	struct delay		 d;
	char			 buf[64], *rest;
	size_t			 i;

	(void)u;
	rest = split_pair("-D", "SIGNAL:DURATION", arg, buf, sizeof(buf));
	d.sig = signame_parse(buf);
	if (!signals_forwardable(d.sig) || duration_parse(rest, &d.ts) == -1)
		invalid("-D", "SIGNAL:DURATION", arg);
	for (i = 0; i < cfg->ndelays; i++)
		if (cfg->delays[i].sig == d.sig)
			fail("-D: %s delayed twice", buf);
	if (cfg->ndelays == DELAY_MAX)
		fail("-D: more than %d delays", DELAY_MAX);
	cfg->delays = append(cfg->delays, cfg->ndelays++, sizeof(d), &d);
}

/* --help and --version: on stdout, status 0. */
static void
opt_info(struct cmdline *cl, const struct usage *u, const char *arg)
{
	(void)cl;
	(void)arg;
	if (u->val == 'h')
		help();
	printf("usher %s\n", USHER_VERSION);
	exit(0);
}

/*
 * -C DIR, -p, -P and --report FILE, made absolute at once (SPEC §5).  A
 * repeated option replaces the path of the earlier one, which was made
 * here, so it is freed.
 */
static void
set_path(const char *opt, const char *what, const char *arg,
    const char **path)
{
	char	*abs;

	if (*arg == '\0')
		invalid(opt, what, arg);
	if ((abs = path_absolute(arg)) == NULL)
		fail_errno(opt, arg);
	free((char *)*path);
	*path = abs;
}

/*
 * Take the one slot map (an earlier --ready fd:N) out of the fd maps,
 * which are const to their readers but made here (append()).
 */
static void
drop_slot(struct usher_config *cfg)
{
	struct fdmap	*maps = (struct fdmap *)cfg->fdmaps;
	size_t		 i;

	for (i = 0; i < cfg->nfdmaps; i++) {
		if (maps[i].kind != FDMAP_SLOT)
			continue;
		memmove(&maps[i], &maps[i + 1],
		    (cfg->nfdmaps - i - 1) * sizeof(*maps));
		cfg->nfdmaps--;
		return;
	}
}

/* One more fd map, after those given so far. */
static void
add_map(struct usher_config *cfg, struct fdmap m)
{
	cfg->fdmaps = append(cfg->fdmaps, cfg->nfdmaps++, sizeof(m), &m);
}

/*
 * Combinations that cannot work are refused here, one message each (-g
 * with --single-child, and --status with --stop, as they come: see
 * opt_route() and opt_action()).  Then every default is resolved, once:
 * from here on, the config is what run() reads, and nothing writes it.
 */
static void
validate(struct cmdline *cl)
{
	struct usher_config	*cfg = &cl->cfg;
	const char		*need;

	if (cfg->action != ACTION_RUN)
		validate_action(cfg);
	else {
		if (cfg->argv[0] == NULL)
			fail("usage: no command given (see usher --help)");
		if (cfg->if_running != IF_RUNNING_FAIL &&
		    cfg->pidfile == NULL && cfg->spidfile == NULL)
			fail("--if-running: needs -p or -P");
		if (cfg->exec && (need = supervisor_option(cl)) != NULL)
			fail("%s: needs a supervisor, not possible with -x",
			    need);
		if (cfg->mode == MODE_DAEMON)
			daemon_stdio(cfg);
	}
	resolve(cl);
}

/* --status and --stop act on a pidfile, and start nothing. */
static void
validate_action(const struct usher_config *cfg)
{
	const char	*name = cfg->action == ACTION_STATUS ? "--status" :
			    "--stop";

	if (cfg->pidfile == NULL)
		fail("%s: needs -p PIDFILE", name);
	if (cfg->argv[0] != NULL)
		fail("%s: takes no command", name);
}

/*
 * The defaults that depend on other options (SPEC §7): signals go to the
 * command alone in daemon mode, to its group otherwise; the parent-death
 * signal is KILL, none with -d or -x; the grace after a stop signal is
 * 10 s.  The command's umask is usher's, read here once, unless -m gives
 * one; usher's own stays in usher_umask, for the files usher writes.
 */
static void
resolve(struct cmdline *cl)
{
	struct usher_config	*cfg = &cl->cfg;

	if (!cl->route_given)
		cfg->route = cfg->mode == MODE_DAEMON ? ROUTE_CHILD :
		    ROUTE_GROUP;
	if (!cl->pdeathsig_given)
		cfg->pdeathsig = cfg->exec || cfg->mode == MODE_DAEMON ? 0 :
		    SIGKILL;
	if (!cfg->kill_after_set)
		cfg->kill_after = default_grace;
	cfg->usher_umask = umask(0);
	(void)umask(cfg->usher_umask);
	if (!cl->umask_given)
		cfg->umask = cfg->usher_umask;
}

/* The first option given that only a supervisor can honour, or NULL. */
static const char *
supervisor_option(const struct cmdline *cl)
{
	const struct usher_config	*cfg = &cl->cfg;
	const struct {
		bool		 given;
		const char	*opt;
	} need[] = {
		{ cfg->timeout.tv_sec != 0 || cfg->timeout.tv_nsec != 0, "-t" },
		{ cfg->kill_after_set, "-k" },
		{ cfg->nrewrite > 0, "-R" },
		{ cl->route_given && cfg->route == ROUTE_GROUP, "-g" },
		{ cl->route_given && cfg->route == ROUTE_CHILD,
		    "--single-child" },
		{ cfg->exit_code_only, "--exit-code-only" },
		{ cfg->nexitmap > 0, "--exit-map" },
		{ cfg->ndelays > 0, "-D" },
		{ cfg->orphans != ORPHANS_LEAVE, "--orphans" },
		{ cfg->report != NULL, "--report" },
		{ cfg->restart != RESTART_NO, "-r" },
		{ cfg->spidfile != NULL, "-P" },
		{ cfg->ready != READY_NONE, "--ready" },
		{ cfg->title != NULL, "-T" },
	};
	size_t	i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (need[i].given)
			return need[i].opt;
	return NULL;
}

/*
 * Daemon mode: stdin from /dev/null, stdout and stderr to /dev/null, unless
 * -f or -o name them; every other fd closed unless -f keeps it.
 */
static void
daemon_stdio(struct usher_config *cfg)
{
	size_t	i;
	int	fd;
	bool	named;

	for (fd = 0; fd <= 2; fd++) {
		named = false;
		for (i = 0; i < cfg->nfdmaps; i++)
			if (cfg->fdmaps[i].fd == fd)
				named = true;
		if (!named)
			add_map(cfg, fdmap_null(fd, "-d"));
	}
	cfg->close_fds = true;
}

static void
need_duration(const char *opt, const char *arg, struct timespec *ts)
{
	if (duration_parse(arg, ts) == -1)
		invalid(opt, "duration", arg);
}

/* The value of the word arg among words; else refused, with hint. */
static int
choose(const char *opt, const char *arg, const struct choice *words,
    const char *hint)
{
	for (; words->word != NULL; words++)
		if (strcmp(arg, words->word) == 0)
			return words->value;
	fail("%s: invalid value '%s' (%s)", opt, arg, hint);
}

/*
 * The one splitter of "A:B" (-R, --exit-map, -D): arg is copied into buf
 * and cut at its first colon, so that buf holds A; B is returned.  An arg
 * without a colon, or too long for buf, is refused as "OPT: invalid WHAT
 * 'ARG'", as a bad A or B is by the caller.
 */
static char *
split_pair(const char *opt, const char *what, const char *arg, char *buf,
    size_t size)
{
	char	*colon;

	if (strlcpy(buf, arg, size) >= size ||
	    (colon = strchr(buf, ':')) == NULL)
		invalid(opt, what, arg);
	*colon = '\0';
	return colon + 1;
}

/*
 * FROM:TO onto a list, each side through its own conversion, which gives
 * -1 for a value it refuses.
 */
static void
add_pair(const char *opt, const char *arg, int (*from)(const char *),
    int (*to)(const char *), const struct pair **list, size_t *n)
{
	char	buf[64], *rest;
	int	f, t;

	rest = split_pair(opt, "FROM:TO", arg, buf, sizeof(buf));
	if ((f = from(buf)) == -1 || (t = to(rest)) == -1)
		invalid(opt, "FROM:TO", arg);
	*list = append(*list, (*n)++, sizeof(**list), &(struct pair){ f, t });
}

/* A signal that usher forwards (signals.h), or -1. */
static int
forwardable(const char *s)
{
	int	sig = signame_parse(s);

	return signals_forwardable(sig) ? sig : -1;
}

/* A signal, or 0 for "0" and "none"; -1 if neither. */
static int
sig_or_none(const char *s)
{
	if (strcmp(s, "0") == 0 || strcasecmp(s, "none") == 0)
		return 0;
	return signame_parse(s);
}

/* An exit status, 0 to 255; -1 otherwise. */
static int
status_num(const char *s)
{
	long long	n;

	return num_dec(s, 0, 255, &n) == 0 ? (int)n : -1;
}

/*
 * The array list of n elements of size bytes, with a copy of elem after
 * them.  The config's arrays are const to every reader: they are made
 * here, and nothing writes them once validate() has returned.
 */
static void *
append(const void *list, size_t n, size_t size, const void *elem)
{
	char	*p;

	if ((p = reallocarray((void *)list, n + 1, size)) == NULL)
		fail_errno("options", NULL);
	memcpy(p + n * size, elem, size);
	return p;
}

/* "OPT: invalid WHAT 'ARG'", the refusal of most bad values. */
static _Noreturn void
invalid(const char *opt, const char *what, const char *arg)
{
	fail("%s: invalid %s '%s'", opt, what, arg);
}

/*
 * Every failure to parse ends here (SPEC §6): one line "usher: MESSAGE",
 * status 125.  The line is cut as errline.h says, and errline() shows a
 * control character in an argument as '?', so a newline in it cannot
 * make two lines.
 */
static _Noreturn void
fail(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n == -1)
		msg = NULL;
	errline_say(msg != NULL ? msg : strerror(ENOMEM), NULL);
	free(msg);
	exit(EXIT_USHER);
}

/* fail() with "CONTEXT: [ARG: ]REASON", the reason from errno. */
static _Noreturn void
fail_errno(const char *ctx, const char *arg)
{
	const char	*reason = strerror(errno);

	if (arg != NULL)
		errline_exit(EXIT_USHER, ctx, arg, reason, NULL);
	errline_exit(EXIT_USHER, ctx, reason, NULL);
}
