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
#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "fdmap.h"
#include "report.h"
#include "run.h"
#include "signals.h"
#include "signame.h"
#include "usher.h"

enum {
	OPT_CLOSE_FDS = 256,
	OPT_SINGLE_CHILD,
	OPT_PDEATHSIG,
	OPT_EXIT_CODE_ONLY,
	OPT_EXIT_MAP,
	OPT_ORPHANS,
	OPT_REPORT
};

/* One table drives getopt_long and --help; a NULL name starts a group. */
static const struct usage {
	const char	*name;
	int		 val;
	const char	*arg;
	const char	*help;
} usage[] = {
	{ NULL, 0, NULL, "Modes:" },
	{ "setsid", 's', NULL, "run the command in a new session" },
	{ "exec", 'x', NULL, "set up, then become the command (no supervisor)" },
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
	    "gets if usher dies (default KILL)" },
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

static void	help(void);
static void	build_options(struct option *, char *);
static void	parse(int, char *[], struct usher_config *);
static void	parse_one(int, const char *, struct usher_config *);
static void	validate(const struct usher_config *);
static int	need_signal(const char *, const char *);
static void	need_duration(const char *, const char *, struct timespec *);
static void	add_pair(const char *, const char *, struct pair **, size_t *,
		    int (*)(const char *));
static void	add_delay(const char *, struct usher_config *);
static int	sig_or_none(const char *);
static int	status_num(const char *);
static void	*grow(void *, size_t, size_t);
static const char	*optname(int);

int
main(int argc, char *argv[])
{
	struct usher_config	cfg = {
		.mode = MODE_FOREGROUND,
		.route = ROUTE_DEFAULT,
		.pdeathsig = -1,
		.stop_signal = SIGTERM,
	};

	signals_init();
	parse(argc, argv, &cfg);
	validate(&cfg);
	run(&cfg);
}

static void
help(void)
{
	size_t	i;
	char	left[40];

	printf("usage: usher [OPTION]... [--] COMMAND [ARG]...\n\n"
	    "Start COMMAND and supervise it: forward signals, mirror job "
	    "control,\nand exit as it exited.\n");
	for (i = 0; i < NUSAGE; i++) {
		if (usage[i].name == NULL) {
			printf("\n%s\n", usage[i].help);
			continue;
		}
		if (usage[i].val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    usage[i].val, usage[i].name,
			    usage[i].arg != NULL ? " " : "",
			    usage[i].arg != NULL ? usage[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
			    usage[i].name, usage[i].arg != NULL ? " " : "",
			    usage[i].arg != NULL ? usage[i].arg : "");
		if (strlen(left) > 26)
			printf("  %s\n  %-26s  %s\n", left, "", usage[i].help);
		else
			printf("  %-26s  %s\n", left, usage[i].help);
	}
	printf("\nDurations: 1.5, 500ms, 30s, 2m, 1h, 1d, 1h30m.  "
	    "Signals: TERM, SIGTERM, term, 15, RTMIN+3.\n"
	    "Quote fd maps for the shell: usher -f '2>&1' -f '1>>log' -- cmd\n"
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

	*so++ = '+';
	*so++ = ':';
	for (i = 0; i < NUSAGE; i++) {
		if (usage[i].name == NULL)
			continue;
		lo[n++] = (struct option){ usage[i].name,
		    usage[i].arg != NULL ? required_argument : no_argument,
		    NULL, usage[i].val };
		if (usage[i].val < 256) {
			*so++ = (char)usage[i].val;
			if (usage[i].arg != NULL)
				*so++ = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	*so = '\0';
}

/* "-t" or "--timeout-only-long" for messages about option val. */
static const char *
optname(int val)
{
	static char	buf[40];
	size_t		i;

	for (i = 0; i < NUSAGE; i++) {
		if (usage[i].name == NULL || usage[i].val != val)
			continue;
		if (val < 256)
			snprintf(buf, sizeof(buf), "-%c", val);
		else
			snprintf(buf, sizeof(buf), "--%s", usage[i].name);
		return buf;
	}
	return "?";
}

static void
parse(int argc, char *argv[], struct usher_config *cfg)
{
	struct option	lo[NUSAGE + 1];
	char		so[2 * NUSAGE + 3];
	int		c;

	build_options(lo, so);
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == '?' && optopt != 0)
			errx(EXIT_USHER, "-%c: unknown option", optopt);
		if (c == '?')
			errx(EXIT_USHER, "%s: unknown option", argv[optind - 1]);
		if (c == ':' && strncmp(argv[optind - 1], "--", 2) == 0)
			errx(EXIT_USHER, "%s: option needs an argument",
			    argv[optind - 1]);
		if (c == ':')
			errx(EXIT_USHER, "-%c: option needs an argument",
			    optopt);
		parse_one(c, optarg, cfg);
	}
	cfg->argv = argv + optind;
}

static void
parse_one(int c, const char *arg, struct usher_config *cfg)
{
	struct fdmap	*m;

	switch (c) {
	case 'C':
		if (*arg == '\0')
			errx(EXIT_USHER, "-C: empty directory");
		cfg->chdir = arg;
		break;
	case 'D':
		add_delay(arg, cfg);
		break;
	case 'E':
	case 'U':
		if (*arg == '\0' || *arg == '=' ||
		    (c == 'E') != (strchr(arg, '=') != NULL))
			errx(EXIT_USHER, "-%c: invalid %s '%s'", c,
			    c == 'E' ? "NAME=VALUE" : "NAME", arg);
		cfg->env = grow(cfg->env, cfg->nenv, sizeof(*cfg->env));
		cfg->env[cfg->nenv++] = (struct envop){ c == 'U', arg };
		break;
	case 'R':
		add_pair("-R", arg, &cfg->rewrite, &cfg->nrewrite, sig_or_none);
		break;
	case 'S':
		cfg->stop_signal = need_signal("-S", arg);
		break;
	case 'V':
		printf("usher %s\n", USHER_VERSION);
		exit(0);
	case 'f':
	case 'o':
		cfg->fdmaps = grow(cfg->fdmaps, cfg->nfdmaps + 1,
		    sizeof(*cfg->fdmaps));
		m = cfg->fdmaps + cfg->nfdmaps;
		if (c == 'f' && fdmap_parse(arg, m) == -1)
			errx(EXIT_USHER, "-f: invalid fd map '%s'", arg);
		if (c == 'o' && fdmap_output(arg, m) == -1)
			errx(EXIT_USHER, "-o: invalid file '%s'", arg);
		cfg->nfdmaps += c == 'f' ? 1 : 2;
		break;
	case 'g':
		cfg->route = cfg->route == ROUTE_CHILD ? -1 : ROUTE_GROUP;
		break;
	case 'h':
		help();
		break;
	case 'k':
		need_duration("-k", arg, &cfg->kill_after);
		cfg->kill_after_set = true;
		break;
	case 'm':
		if (strspn(arg, "01234567") != strlen(arg) || *arg == '\0' ||
		    strtol(arg, NULL, 8) > 0777)
			errx(EXIT_USHER, "-m: invalid umask '%s'", arg);
		cfg->umask = (mode_t)strtol(arg, NULL, 8);
		cfg->umask_set = true;
		break;
	case 's':
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
	case OPT_ORPHANS:
		if (strcmp(arg, "leave") == 0)
			cfg->orphans = ORPHANS_LEAVE;
		else if (strcmp(arg, "wait") == 0)
			cfg->orphans = ORPHANS_WAIT;
		else if (strcmp(arg, "kill") == 0)
			cfg->orphans = ORPHANS_KILL;
		else
			errx(EXIT_USHER, "--orphans: invalid value '%s' "
			    "(leave, wait or kill)", arg);
		break;
	case OPT_REPORT:
		if (*arg == '\0' || (cfg->report = report_path(arg)) == NULL)
			errx(EXIT_USHER, "--report: invalid file '%s'", arg);
		break;
	case OPT_PDEATHSIG:
		if ((cfg->pdeathsig = sig_or_none(arg)) == -1)
			errx(EXIT_USHER, "--pdeathsig: invalid signal '%s'",
			    arg);
		break;
	case OPT_SINGLE_CHILD:
		cfg->route = cfg->route == ROUTE_GROUP ? -1 : ROUTE_CHILD;
		break;
	default:
		errx(EXIT_USHER, "%s: unknown option", optname(c));
	}
}

/*
 * Combinations that cannot work are refused here, one message each.
 */
static void
validate(const struct usher_config *cfg)
{
	const char	*need = NULL;

	if (cfg->argv[0] == NULL)
		errx(EXIT_USHER, "usage: no command given (see usher --help)");
	if ((int)cfg->route == -1)
		errx(EXIT_USHER, "-g: conflicts with --single-child");
	if (!cfg->exec)
		return;
	if (cfg->timeout.tv_sec != 0 || cfg->timeout.tv_nsec != 0)
		need = "-t";
	else if (cfg->kill_after_set)
		need = "-k";
	else if (cfg->nrewrite > 0)
		need = "-R";
	else if (cfg->route == ROUTE_GROUP)
		need = "-g";
	else if (cfg->route == ROUTE_CHILD)
		need = "--single-child";
	else if (cfg->exit_code_only)
		need = "--exit-code-only";
	else if (cfg->nexitmap > 0)
		need = "--exit-map";
	else if (cfg->ndelays > 0)
		need = "-D";
	else if (cfg->orphans != ORPHANS_LEAVE)
		need = "--orphans";
	else if (cfg->report != NULL)
		need = "--report";
	if (need != NULL)
		errx(EXIT_USHER, "%s: needs a supervisor, not possible with -x",
		    need);
}

static int
need_signal(const char *opt, const char *arg)
{
	int	sig;

	if ((sig = signame_parse(arg)) == -1)
		errx(EXIT_USHER, "%s: invalid signal '%s'", opt, arg);
	return sig;
}

static void
need_duration(const char *opt, const char *arg, struct timespec *ts)
{
	if (duration_parse(arg, ts) == -1)
		errx(EXIT_USHER, "%s: invalid duration '%s'", opt, arg);
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
		errx(EXIT_USHER, "-D: invalid SIGNAL:DURATION '%s'", arg);
	*colon = '\0';
	d.sig = signame_parse(buf);
	if (d.sig == -1 || d.sig == SIGKILL || d.sig == SIGSTOP ||
	    d.sig == SIGCHLD || duration_parse(colon + 1, &d.ts) == -1)
		errx(EXIT_USHER, "-D: invalid SIGNAL:DURATION '%s'", arg);
	for (i = 0; i < cfg->ndelays; i++)
		if (cfg->delays[i].sig == d.sig)
			errx(EXIT_USHER, "-D: %s delayed twice", buf);
	if (cfg->ndelays == DELAY_MAX)
		errx(EXIT_USHER, "-D: more than %d delays", DELAY_MAX);
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
	const char	*errstr;
	long long	 n;

	n = strtonum(s, 0, 255, &errstr);
	return errstr == NULL ? (int)n : -1;
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
		errx(EXIT_USHER, "%s: invalid FROM:TO '%s'", opt, arg);
	*colon = '\0';
	from = conv(buf);
	to = conv(colon + 1);
	if (from == -1 || to == -1 || (conv == sig_or_none && (from == 0 ||
	    from == SIGKILL || from == SIGSTOP || from == SIGCHLD)))
		errx(EXIT_USHER, "%s: invalid FROM:TO '%s'", opt, arg);
	*list = grow(*list, *n, sizeof(**list));
	(*list)[(*n)++] = (struct pair){ from, to };
}

/* Room for one more element after n of them. */
static void *
grow(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n + 2, size)) == NULL)
		err(EXIT_USHER, NULL);
	return p;
}
