/*
 * usher.h: the configuration that cmd/usher.c fills once from the command
 * line and hands, const, to run(); and the exit statuses of SPEC §6.
 * Nothing here does anything; every module reads what it needs from here.
 */
#ifndef USHER_H
#define USHER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "fdmap.h"

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

enum usher_route {
	ROUTE_DEFAULT,		/* the mode decides (SPEC §7) */
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

struct usher_config {
	enum usher_action action;	/* --status, --stop */
	enum usher_mode	 mode;
	bool		 exec;		/* -x */
	bool		 verbose;	/* -v */
	char *const	*argv;		/* the command and its arguments */

	const char	*chdir;		/* -C, or NULL */
	bool		 umask_set;	/* -m given */
	mode_t		 umask;		/* -m */
	const char	*user;		/* -u USER[:GROUP], or NULL */
	struct envop	*env;		/* -E and -U */
	size_t		 nenv;

	struct fdmap	*fdmaps;	/* -f and -o */
	size_t		 nfdmaps;
	bool		 close_fds;	/* --close-fds */

	enum usher_route route;		/* -g, --single-child */
	struct pair	*rewrite;	/* -R FROM:TO, TO 0 drops */
	size_t		 nrewrite;
	int		 pdeathsig;	/* --pdeathsig; 0 none, -1 mode default */
	struct delay	*delays;	/* -D */
	size_t		 ndelays;

	struct timespec	 timeout;	/* -t, zero for none */
	bool		 kill_after_set; /* -k given */
	struct timespec	 kill_after;	/* -k */
	int		 stop_signal;	/* -S, default TERM */
	enum usher_orphans orphans;	/* --orphans */

	bool		 exit_code_only; /* --exit-code-only */
	struct pair	*exitmap;	/* --exit-map FROM:TO */
	size_t		 nexitmap;
	const char	*report;	/* --report FILE, made absolute */

	const char	*pidfile;	/* -p, made absolute */
	const char	*spidfile;	/* -P, made absolute */
	enum usher_if_running if_running; /* --if-running */
	int		 ready;		/* --ready: enum ready_kind */
	int		 ready_fd;	/* --ready fd:N */
	struct timespec	 ready_timeout;	/* --ready-timeout, default 60s */
	enum usher_restart restart;	/* -r */
	struct timespec	 restart_delay;	/* --restart-delay, default 1s */
	unsigned	 restart_max;	/* --restart-max, 0 for no limit */
	const char	*title;		/* -T */
};

#endif /* USHER_H */
