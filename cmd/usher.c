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
#include <errno.h>
#include <fcntl.h>
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
 * One table drives getopt_long and --help; a NULL name starts a group.  An
 * argument in brackets is optional ("[=WHEN]").
 */
static const struct usage {
	const char	*name;
	int		 val;
	const char	*arg;
	const char	*help;
} usage[] = {
	{ NULL, 0, NULL, "Modes:" },
	{ "setsid", 's', NULL, "run the command in a new session" },
	{ "daemon", 'd', NULL, "detach: run and supervise in the background" },
	{ "exec", 'x', NULL, "set up, then become the command (no supervisor)" },
	{ NULL, 0, NULL, "Pidfiles and services:" },
	{ "pidfile", 'p', "FILE", "write the command's pid to FILE, locked" },
	{ "supervisor-pidfile", 'P', "FILE", "write usher's own pid to FILE, "
	    "locked" },
	{ "if-running", OPT_IF_RUNNING, "fail|skip|wait", "when the pidfile "
	    "is locked: fail (125), exit 0, or wait" },
	{ "ready", OPT_READY, "fd:N|notify", "wait for the command to say it "
	    "is ready (a line on fd N, or READY=1)" },
	{ "ready-timeout", OPT_READY_TIMEOUT, "DURATION", "stop it if not "
	    "ready in time (default 60s, 0 none), exit 124" },
	{ "restart", 'r', "[=on-failure|always]", "restart the command when "
	    "it exits (default on-failure)" },
	{ "restart-delay", OPT_RESTART_DELAY, "DURATION", "first delay "
	    "before a restart (default 1s), doubling to 60s" },
	{ "restart-max", OPT_RESTART_MAX, "N", "give up after N restarts "
	    "in a row" },
	{ "title", 'T', "TITLE", "usher's process title (default "
	    "'usher: COMMAND')" },
	{ "status", OPT_STATUS, NULL, "with -p: print the pid and exit 0 if "
	    "running, 1 if stale, 3 if not" },
	{ "stop", OPT_STOP, NULL, "with -p: stop the running instance "
	    "(-S, then KILL after -k)" },
	{ NULL, 0, NULL, "File descriptors:" },
	{ "fd", 'f', "SPEC", "map an fd: N=M N>&M N<&M N=- N<PATH N>PATH "
	    "N>>PATH N<>PATH" },
	{ "output", 'o', "FILE", "append stdout and stderr to FILE "
	    "(>>FILE 2>&1)" },
	{ "close-fds", OPT_CLOSE_FDS, NULL, "close every fd above 2 that "
	    "-f does not name" },
	{ NULL, 0, NULL, "Process:" },
	{ "chdir", 'C', "DIR", "run the command in DIR" },
	{ "umask", 'm', "MODE", "octal umask for the command" },
	{ "user", 'u', "USER[:GROUP]", "run the command as USER (needs root)" },
	{ "env", 'E', "NAME=VALUE", "set a variable for the command" },
	{ "unset", 'U', "NAME", "remove a variable" },
	{ NULL, 0, NULL, "Signals:" },
	{ "rewrite", 'R', "FROM:TO", "deliver TO instead of FROM "
	    "(TO 0 or none drops it)" },
	{ "group", 'g', NULL, "forward every signal to the command's group" },
	{ "single-child", OPT_SINGLE_CHILD, NULL, "forward every signal to "
	    "the command alone" },
	{ "pdeathsig", OPT_PDEATHSIG, "SIGNAL|none", "signal the command "
	    "gets if usher dies (default KILL; none with -d, -x)" },
	{ NULL, 0, NULL, "Deadlines:" },
	{ "timeout", 't', "DURATION", "stop the command after DURATION, "
	    "then exit 124" },
	{ "stop-signal", 'S', "SIGNAL", "signal that stops the command "
	    "(default TERM)" },
	{ "kill-after", 'k', "DURATION", "send KILL if it still runs "
	    "DURATION after a stop signal" },
	{ "delay", 'D', "SIGNAL:DURATION", "hold SIGNAL for DURATION before "
	    "forwarding it" },
	{ "orphans", OPT_ORPHANS, "leave|wait|kill", "when the command exits, "
	    "leave, wait for or stop its leftover descendants" },
	{ NULL, 0, NULL, "Exit status:" },
	{ "exit-code-only", OPT_EXIT_CODE_ONLY, NULL, "exit 128+N instead of "
	    "dying by signal N" },
	{ "exit-map", OPT_EXIT_MAP, "FROM:TO", "report status FROM as TO "
	    "(signal N counts as 128+N)" },
	{ "report", OPT_REPORT, "FILE", "on exit, write a JSON report of the "
	    "run to FILE" },
	{ NULL, 0, NULL, "Other:" },
	{ "verbose", 'v', NULL, "say what usher does, on stderr" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ "version", 'V', NULL, "show the version and exit" },
};

#define NUSAGE	(sizeof(usage) / sizeof(usage[0]))

/* What usher does where no option says otherwise. */
static const struct usher_config	defaults = {
	.mode = MODE_FOREGROUND,
	.route = ROUTE_DEFAULT,
	.pdeathsig = -1,
	.stop_signal = SIGTERM,
	.ready_timeout = { 60, 0 },
	.restart_delay = { 1, 0 },
};

static void	help(void);
static void	build_options(struct option *, char *);
static void	parse(int, char *[], struct usher_config *);
static void	bad_option(int, const char *);
static const struct usage	*usage_of(int);
static void	parse_one(int, const char *, struct usher_config *);
static void	parse_two(int, const char *, struct usher_config *);
static void	parse_long(int, const char *, struct usher_config *);
static void	set_path(const char *, const char *, const char *,
		    const char **);
static void	set_route(struct usher_config *, enum usher_route);
static void	set_action(struct usher_config *, enum usher_action);
static void	add_env(int, const char *, struct usher_config *);
static void	add_fdmap(int, const char *, struct usher_config *);
static void	validate(struct usher_config *);
static void	validate_action(const struct usher_config *);
static const char	*supervisor_option(const struct usher_config *);
static void	daemon_stdio(struct usher_config *);
static void	parse_ready(const char *, struct usher_config *);
static int	need_signal(const char *, const char *);
static void	need_duration(const char *, const char *, struct timespec *);
static void	add_pair(const char *, const char *, struct pair **, size_t *,
		    int (*)(const char *));
static void	add_delay(const char *, struct usher_config *);
static int	sig_or_none(const char *);
static int	status_num(const char *);
static void	*grow(void *, size_t, size_t);
static _Noreturn void	fail(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static _Noreturn void	fail_errno(const char *, const char *);
static void	put_line(const char *, const char *, const char *);

int
main(int argc, char *argv[])
{
	struct usher_config	cfg = defaults;

	signals_init();
	setproctitle_init(argc, argv, environ);
	parse(argc, argv, &cfg);
	validate(&cfg);
	run(&cfg);
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

static void
parse(int argc, char *argv[], struct usher_config *cfg)
{
	struct option	lo[NUSAGE + 1];
	char		so[3 * NUSAGE + 3];
	int		c;

	build_options(lo, so);
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == '?' || c == ':')
			bad_option(c, argv[optind - 1]);
		parse_one(c, optarg, cfg);
	}
	cfg->argv = argv + optind;
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

static void
parse_one(int c, const char *arg, struct usher_config *cfg)
{
	switch (c) {
	case 'C':
		/* The caller's, also when the daemon has moved to /. */
		set_path("-C", "directory", arg, &cfg->chdir);
		break;
	case 'D':
		add_delay(arg, cfg);
		break;
	case 'E':
	case 'U':
		add_env(c, arg, cfg);
		break;
	case 'P':
		set_path("-P", "file", arg, &cfg->spidfile);
		break;
	case 'p':
		set_path("-p", "file", arg, &cfg->pidfile);
		break;
	case 'R':
		add_pair("-R", arg, &cfg->rewrite, &cfg->nrewrite, sig_or_none);
		break;
	case 'S':
		cfg->stop_signal = need_signal("-S", arg);
		break;
	case 'T':
		cfg->title = arg;
		break;
	case 'V':
		printf("usher %s\n", USHER_VERSION);
		exit(0);
	case 'd':
		cfg->mode = MODE_DAEMON;
		break;
	case 'f':
	case 'o':
		add_fdmap(c, arg, cfg);
		break;
	case 'g':
		set_route(cfg, ROUTE_GROUP);
		break;
	case 'h':
		help();
		break;
	case 'k':
		need_duration("-k", arg, &cfg->kill_after);
		cfg->kill_after_set = true;
		break;
	default:
		parse_two(c, arg, cfg);
	}
}

/* The rest of the short options, in two switches to keep each short. */
static void
parse_two(int c, const char *arg, struct usher_config *cfg)
{
	long long	n;

	switch (c) {
	case 'm':
		if (num_oct(arg, 0, 0777, &n) == -1)
			fail("-m: invalid umask '%s'", arg);
		cfg->umask = (mode_t)n;
		cfg->umask_set = true;
		break;
	case 'r':
		cfg->restart = RESTART_ON_FAILURE;
		if (arg != NULL && strcmp(arg, "always") == 0)
			cfg->restart = RESTART_ALWAYS;
		else if (arg != NULL && strcmp(arg, "on-failure") != 0)
			fail("--restart: invalid value '%s' "
			    "(on-failure or always)", arg);
		break;
	case 's':
		if (cfg->mode != MODE_DAEMON)
			cfg->mode = MODE_SETSID;
		break;
	case 't':
		need_duration("--timeout", arg, &cfg->timeout);
		break;
	case 'u':
		cfg->user = arg;
		break;
	case 'v':
		cfg->verbose = true;
		break;
	case 'x':
		cfg->exec = true;
		break;
	default:
		parse_long(c, arg, cfg);
	}
}

/* -E NAME=VALUE and -U NAME, kept in order. */
static void
add_env(int c, const char *arg, struct usher_config *cfg)
{
	if (*arg == '\0' || *arg == '=' ||
	    (c == 'E') != (strchr(arg, '=') != NULL))
		fail("-%c: invalid %s '%s'", c,
		    c == 'E' ? "NAME=VALUE" : "NAME", arg);
	cfg->env = grow(cfg->env, cfg->nenv, sizeof(*cfg->env));
	cfg->env[cfg->nenv++] = (struct envop){ c == 'U', arg };
}

/* -f SPEC is one map; -o FILE two (fd 1, and fd 2 sharing its file). */
static void
add_fdmap(int c, const char *arg, struct usher_config *cfg)
{
	struct fdmap	*m;

	cfg->fdmaps = grow(cfg->fdmaps, cfg->nfdmaps + 1,
	    sizeof(*cfg->fdmaps));
	m = cfg->fdmaps + cfg->nfdmaps;
	if (c == 'f' && fdmap_parse(arg, m) == -1)
		fail("-f: invalid fd map '%s'", arg);
	if (c == 'o' && fdmap_output(arg, m) == -1)
		fail("-o: invalid file '%s'", arg);
	cfg->nfdmaps += c == 'f' ? 1 : 2;
}

/* The options that have no short form. */
static void
parse_long(int c, const char *arg, struct usher_config *cfg)
{
	long long	n;

	switch (c) {
	case OPT_CLOSE_FDS:
		cfg->close_fds = true;
		break;
	case OPT_EXIT_CODE_ONLY:
		cfg->exit_code_only = true;
		break;
	case OPT_EXIT_MAP:
		add_pair("--exit-map", arg, &cfg->exitmap, &cfg->nexitmap,
		    status_num);
		break;
	case OPT_IF_RUNNING:
		if (strcmp(arg, "fail") == 0)
			cfg->if_running = IF_RUNNING_FAIL;
		else if (strcmp(arg, "skip") == 0)
			cfg->if_running = IF_RUNNING_SKIP;
		else if (strcmp(arg, "wait") == 0)
			cfg->if_running = IF_RUNNING_WAIT;
		else
			fail("--if-running: invalid value '%s' "
			    "(fail, skip or wait)", arg);
		break;
	case OPT_READY:
		parse_ready(arg, cfg);
		break;
	case OPT_READY_TIMEOUT:
		need_duration("--ready-timeout", arg, &cfg->ready_timeout);
		break;
	case OPT_RESTART_DELAY:
		need_duration("--restart-delay", arg, &cfg->restart_delay);
		break;
	case OPT_RESTART_MAX:
		if (num_dec(arg, 1, 1000000000, &n) == -1)
			fail("--restart-max: invalid number '%s'", arg);
		cfg->restart_max = (unsigned)n;
		break;
	case OPT_STATUS:
		set_action(cfg, ACTION_STATUS);
		break;
	case OPT_STOP:
		set_action(cfg, ACTION_STOP);
		break;
	case OPT_ORPHANS:
		if (strcmp(arg, "leave") == 0)
			cfg->orphans = ORPHANS_LEAVE;
		else if (strcmp(arg, "wait") == 0)
			cfg->orphans = ORPHANS_WAIT;
		else if (strcmp(arg, "kill") == 0)
			cfg->orphans = ORPHANS_KILL;
		else
			fail("--orphans: invalid value '%s' "
			    "(leave, wait or kill)", arg);
		break;
	case OPT_REPORT:
		set_path("--report", "file", arg, &cfg->report);
		break;
	case OPT_PDEATHSIG:
		if ((cfg->pdeathsig = sig_or_none(arg)) == -1)
			fail("--pdeathsig: invalid signal '%s'", arg);
		break;
	case OPT_SINGLE_CHILD:
		set_route(cfg, ROUTE_CHILD);
		break;
	default:
		fail("option %d: unknown option", c);
	}
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
		fail("%s: invalid %s '%s'", opt, what, arg);
	if ((abs = path_absolute(arg)) == NULL)
		fail_errno(opt, arg);
	free((char *)*path);
	*path = abs;
}

/*
 * -g and --single-child, each as often as wanted, but never both, in any
 * order: the first of the other kind is refused at once.
 */
static void
set_route(struct usher_config *cfg, enum usher_route route)
{
	if (cfg->route != ROUTE_DEFAULT && cfg->route != route)
		fail("-g: conflicts with --single-child");
	cfg->route = route;
}

/* --status and --stop, likewise: either may repeat, never both. */
static void
set_action(struct usher_config *cfg, enum usher_action action)
{
	if (cfg->action != ACTION_RUN && cfg->action != action)
		fail("--status: conflicts with --stop");
	cfg->action = action;
}

/*
 * Combinations that cannot work are refused here, one message each (-g
 * with --single-child, and --status with --stop, as they come: see
 * set_route()).
 */
static void
validate(struct usher_config *cfg)
{
	const char	*need;

	if (cfg->action != ACTION_RUN) {
		validate_action(cfg);
		return;
	}
	if (cfg->argv[0] == NULL)
		fail("usage: no command given (see usher --help)");
	if (cfg->if_running != IF_RUNNING_FAIL && cfg->pidfile == NULL &&
	    cfg->spidfile == NULL)
		fail("--if-running: needs -p or -P");
	if (cfg->exec && (need = supervisor_option(cfg)) != NULL)
		fail("%s: needs a supervisor, not possible with -x", need);
	if (cfg->mode == MODE_DAEMON)
		daemon_stdio(cfg);
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

/* The first option given that only a supervisor can honour, or NULL. */
static const char *
supervisor_option(const struct usher_config *cfg)
{
	if (cfg->timeout.tv_sec != 0 || cfg->timeout.tv_nsec != 0)
		return "-t";
	if (cfg->kill_after_set)
		return "-k";
	if (cfg->nrewrite > 0)
		return "-R";
	if (cfg->route == ROUTE_GROUP)
		return "-g";
	if (cfg->route == ROUTE_CHILD)
		return "--single-child";
	if (cfg->exit_code_only)
		return "--exit-code-only";
	if (cfg->nexitmap > 0)
		return "--exit-map";
	if (cfg->ndelays > 0)
		return "-D";
	if (cfg->orphans != ORPHANS_LEAVE)
		return "--orphans";
	if (cfg->report != NULL)
		return "--report";
	if (cfg->restart != RESTART_NO)
		return "-r";
	if (cfg->spidfile != NULL)
		return "-P";
	if (cfg->ready != READY_NONE)
		return "--ready";
	if (cfg->title != NULL)
		return "-T";
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
		if (named)
			continue;
		cfg->fdmaps = grow(cfg->fdmaps, cfg->nfdmaps,
		    sizeof(*cfg->fdmaps));
		cfg->fdmaps[cfg->nfdmaps++] = (struct fdmap){
			.spec = "-d", .kind = FDMAP_FILE, .fd = fd, .src = -1,
			.flags = fd == 0 ? O_RDONLY : O_WRONLY,
			.path = "/dev/null", .share = -1,
		};
	}
	cfg->close_fds = true;
}

/*
 * --ready fd:N or notify.  fd:N puts a placeholder map in the fd maps, so
 * that -f naming N too is caught as N mapped twice; usher fills in the
 * pipe's end when it has made it.
 */
static void
parse_ready(const char *arg, struct usher_config *cfg)
{
	int	fd;

	if (strcmp(arg, "notify") == 0) {
		cfg->ready = READY_NOTIFY;
		return;
	}
	if (strncmp(arg, "fd:", 3) != 0 || fdmap_fd(arg + 3, &fd) == -1)
		fail("--ready: invalid value '%s' (fd:N or notify)", arg);
	cfg->ready = READY_FD;
	cfg->ready_fd = fd;
	cfg->fdmaps = grow(cfg->fdmaps, cfg->nfdmaps, sizeof(*cfg->fdmaps));
	cfg->fdmaps[cfg->nfdmaps++] = (struct fdmap){ .spec = "--ready",
	    .kind = FDMAP_DUP, .fd = fd, .src = -1, .share = -1 };
}

static int
need_signal(const char *opt, const char *arg)
{
	int	sig;

	if ((sig = signame_parse(arg)) == -1)
		fail("%s: invalid signal '%s'", opt, arg);
	return sig;
}

static void
need_duration(const char *opt, const char *arg, struct timespec *ts)
{
	if (duration_parse(arg, ts) == -1)
		fail("%s: invalid duration '%s'", opt, arg);
}

/*
 * -D SIGNAL:DURATION.  Each signal once; KILL and STOP never reach usher,
 * and CHLD is not forwarded, so none of them can be held.
 */
static void
add_delay(const char *arg, struct usher_config *cfg)
{
	struct delay	 d;
	char		 buf[64], *colon;
	size_t		 i;

	if (strlcpy(buf, arg, sizeof(buf)) >= sizeof(buf) ||
	    (colon = strchr(buf, ':')) == NULL)
		fail("-D: invalid SIGNAL:DURATION '%s'", arg);
	*colon = '\0';
	d.sig = signame_parse(buf);
	if (d.sig == -1 || d.sig == SIGKILL || d.sig == SIGSTOP ||
	    d.sig == SIGCHLD || duration_parse(colon + 1, &d.ts) == -1)
		fail("-D: invalid SIGNAL:DURATION '%s'", arg);
	for (i = 0; i < cfg->ndelays; i++)
		if (cfg->delays[i].sig == d.sig)
			fail("-D: %s delayed twice", buf);
	if (cfg->ndelays == DELAY_MAX)
		fail("-D: more than %d delays", DELAY_MAX);
	cfg->delays = grow(cfg->delays, cfg->ndelays, sizeof(*cfg->delays));
	cfg->delays[cfg->ndelays++] = d;
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
 * FROM:TO into a list.  -R's FROM must be a signal usher can receive
 * (KILL and STOP never reach it, CHLD is not forwarded).
 */
static void
add_pair(const char *opt, const char *arg, struct pair **list, size_t *n,
    int (*conv)(const char *))
{
	char	buf[64], *colon;
	int	from, to;

	if (strlcpy(buf, arg, sizeof(buf)) >= sizeof(buf) ||
	    (colon = strchr(buf, ':')) == NULL)
		fail("%s: invalid FROM:TO '%s'", opt, arg);
	*colon = '\0';
	from = conv(buf);
	to = conv(colon + 1);
	if (from == -1 || to == -1 || (conv == sig_or_none && (from == 0 ||
	    from == SIGKILL || from == SIGSTOP || from == SIGCHLD)))
		fail("%s: invalid FROM:TO '%s'", opt, arg);
	*list = grow(*list, *n, sizeof(**list));
	(*list)[(*n)++] = (struct pair){ from, to };
}

/* Room for one more element after n of them. */
static void *
grow(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n + 2, size)) == NULL)
		fail_errno("options", NULL);
	return p;
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
	put_line(msg != NULL ? msg : strerror(ENOMEM), NULL, NULL);
	free(msg);
	exit(EXIT_USHER);
}

/* fail() with "CONTEXT: [ARG: ]REASON", the reason from errno. */
static _Noreturn void
fail_errno(const char *ctx, const char *arg)
{
	const char	*reason = strerror(errno);

	if (arg != NULL)
		put_line(ctx, arg, reason);
	else
		put_line(ctx, reason, NULL);
	exit(EXIT_USHER);
}

/* "usher: A[: B[: C]]" on stderr, in one write. */
static void
put_line(const char *a, const char *b, const char *c)
{
	char	line[ERRLINE_MAX];
	size_t	len;

	len = errline(line, sizeof(line), a, b, c, NULL);
	if (write(STDERR_FILENO, line, len) != (ssize_t)len)
		return;	/* stderr is gone: no one is left to tell */
}
