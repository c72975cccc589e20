/*
 * usher.h: the configuration that cmd/usher.c fills once from the command
 * line, with every default resolved, and hands, const, to run(); and the
 * exit statuses of SPEC §6.
 * Nothing here does anything; every module reads what it needs from here.
 */
#ifndef USHER_H
#define USHER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "fdmap.h"
#include "ready.h"

#define USHER_VERSION	"0.1.0"

#define EXIT_TIMEOUT	124	/* -t or --ready-timeout expired */
#define EXIT_USHER	125	/* usher's own failure */
#define EXIT_NOEXEC	126	/* found, but could not be executed */
#define EXIT_NOTFOUND	127	/* not found */

enum usher_mode {
	MODE_FOREGROUND,	/* default: own group, terminal handed over */
	MODE_SETSID,		/* -s: new session, no terminal */
	MODE_DAEMON		/* -d: detached, supervised in the background */
};

enum usher_action {
	ACTION_RUN,		/* start a command */
	ACTION_STATUS,		/* --status -p FILE */
	ACTION_STOP		/* --stop -p FILE */
};

enum usher_if_running {
	IF_RUNNING_FAIL,	/* 125 */
	IF_RUNNING_SKIP,	/* exit 0 */
	IF_RUNNING_WAIT		/* wait for the lock */
};

enum usher_restart {
	RESTART_NO,
	RESTART_ON_FAILURE,	/* a status other than 0, or a signal */
	RESTART_ALWAYS
};

/* Where forwarded signals go; validate() resolves it by the mode (SPEC §7). */
enum usher_route {
	ROUTE_GROUP,		/* -g: the command's process group */
	ROUTE_CHILD		/* --single-child: the command alone */
};

/* One -E NAME=VALUE or -U NAME, applied in command-line order. */
struct envop {
	bool		 unset;
	const char	*arg;
};

enum usher_orphans {
	ORPHANS_LEAVE,		/* exit when the command exits */
	ORPHANS_WAIT,		/* then wait for every descendant */
	ORPHANS_KILL		/* then stop every descendant */
};

/* -D SIGNAL:DURATION */
struct delay {
	int		sig;
	struct timespec	ts;
};

#define DELAY_MAX	16

/* A pair FROM:TO, for -R (signals) and --exit-map (statuses). */
struct pair {
	int	from;
	int	to;
};

/*
 * Filled by cmd/usher.c and final once validate() returns: every default
 * is resolved there, and nothing writes the config after it (its arrays
 * are const too; what a start opens or is given lives in struct launch,
 * spawn.h).  Each comment says what the field holds then.
 */
struct usher_config {
	enum usher_action action;	/* --status, --stop, or run */
	enum usher_mode	 mode;		/* -s, -d, or the foreground */
	bool		 exec;		/* -x */
	bool		 verbose;	/* -v */
	char *const	*argv;		/* the command and its arguments */

	const char	*chdir;		/* -C, made absolute, or NULL */
	mode_t		 umask;		/* the command's: -m, else usher's */
	mode_t		 usher_umask;	/* usher's own, read once */
	const char	*user;		/* -u USER[:GROUP], or NULL */
	const struct envop *env;	/* -E and -U, in order */
	size_t		 nenv;

	const struct fdmap *fdmaps;	/* -f, -o, --ready fd:N's slot, and
					   with -d /dev/null for each of 0-2
					   that none of them names */
	size_t		 nfdmaps;
	bool		 close_fds;	/* --close-fds, or -d */

	enum usher_route route;		/* -g, --single-child, else by mode:
					   ROUTE_CHILD with -d, else
					   ROUTE_GROUP */
	const struct pair *rewrite;	/* -R FROM:TO, TO 0 drops */
	size_t		 nrewrite;
	int		 pdeathsig;	/* --pdeathsig, else KILL, or 0 (none)
					   with -d or -x */
	const struct delay *delays;	/* -D */
	size_t		 ndelays;

	struct timespec	 timeout;	/* -t, zero for none */
	bool		 kill_after_set; /* -k given: only then does KILL
					   follow a stop signal or -t (a
					   stop that must end the command,
					   and --orphans kill, always) */
	struct timespec	 kill_after;	/* -k, else 10 s: the grace before
					   that KILL, and --stop's */
	int		 stop_signal;	/* -S, else TERM */
	enum usher_orphans orphans;	/* --orphans, else ORPHANS_LEAVE */

	bool		 exit_code_only; /* --exit-code-only */
	const struct pair *exitmap;	/* --exit-map FROM:TO */
	size_t		 nexitmap;
	const char	*report;	/* --report FILE, made absolute */

	const char	*pidfile;	/* -p, made absolute, or NULL */
	const char	*spidfile;	/* -P, made absolute, or NULL */
	enum usher_if_running if_running; /* --if-running, else FAIL */
	enum ready_kind	 ready;		/* --ready, else READY_NONE */
	int		 ready_fd;	/* --ready fd:N: N */
	struct timespec	 ready_timeout;	/* --ready-timeout, else 60 s */
	enum usher_restart restart;	/* -r, else RESTART_NO */
	struct timespec	 restart_delay;	/* --restart-delay, else 1 s */
	unsigned	 restart_max;	/* --restart-max, 0 for no limit */
	const char	*title;		/* -T, or NULL */
};

#endif /* USHER_H */
