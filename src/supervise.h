/*
 * supervise.h: one run of usher, from the first lock to the exit status,
 * and the event loop that drives it (SPEC §7).
 *
 * struct supervisor is the only runtime state of a run.  run.c fills its
 * instance part while it prepares (the launch, the pidfiles, the
 * readiness channel, the link to a caller of -d), then hands it to
 * supervise_run(), which starts the command, watches it, restarts it as
 * -r says, and returns when the instance is to end; run.c's finish() reads
 * the same struct for the exit status, the report and the caller's word.
 *
 * The states, and what moves between them:
 *
 *	IDLE      -- supervise_run() forks -------------------> STARTING
 *	STARTING  -- exec confirmed -----------------------------> RUNNING
 *	STARTING, RUNNING -- usher sends or forwards a stop signal,
 *	             -t or --ready-timeout fires, a pidfile
 *	             cannot be written ----------------------------> STOPPING
 *	STARTING, RUNNING, STOPPING -- the command is reaped:
 *	             descendants left and --orphans wait|kill ---> ORPHANS
 *	             else, -r wants it again --------------------> PAUSE
 *	             else --------------------------------------> DONE
 *	ORPHANS   -- no child left: as "reaped" above, to PAUSE or DONE
 *	PAUSE     -- the delay ran out -------------------------> STARTING
 *	PAUSE     -- a stop signal ----------------------------> DONE
 *	IDLE      -- a stop signal before the start (run.c) ----> DONE
 *
 * Why the command ended is one enum, decided by the first event that
 * decides it (a failed setup decides over any other, then --ready-timeout
 * over -t and a stop signal); the command has ended once the state is
 * ORPHANS, PAUSE or DONE.  Readiness is its own small enum, kept across
 * restarts: a command that never became ready is not restarted.
 *
 * One ppoll(2) waits on the signalfd, the exec-status pipe and the
 * readiness channel, until the earliest deadline (deadline.h): -t, -k,
 * --ready-timeout, the restart delay, the retry of held signals and each
 * -D.  No tick: an idle usher makes no wake-ups.  Each wake-up reads at
 * most SIGNALS_BATCH signals, so that a flood cannot hold a deadline up.
 *
 * Queued signals (real-time ones, and any sent with a value) go through a
 * sendq: what the kernel cannot take yet is retried after a delay that
 * backs off from 1 to 64 ms; while the sendq is full the loop reads only
 * standard signals.  A signal for the command's group goes to its members
 * as one /proc scan per batch found them.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <sys/signalfd.h>
#include <sys/types.h>

#include <stdbool.h>

#include "deadline.h"
#include "pidlock.h"
#include "proctree.h"
#include "ready.h"
#include "sendq.h"
#include "link.h"
#include "spawn.h"
#include "usher.h"

enum sup_state {
	SUP_IDLE,		/* not started yet */
	SUP_STARTING,		/* forked; exec not yet confirmed */
	SUP_RUNNING,		/* the command runs */
	SUP_STOPPING,		/* it runs, and is to end: no restart */
	SUP_ORPHANS,		/* it ended; its descendants have not */
	SUP_PAUSE,		/* it ended; the delay before a restart */
	SUP_DONE		/* it ended for good, or never started */
};

enum sup_why {			/* why the command ended, or is to end */
	WHY_EXITED,		/* on its own, or by a signal not usher's */
	WHY_SETUP,		/* usher's setup failed: fail_status */
	WHY_TIMEOUT,		/* -t */
	WHY_NOT_READY,		/* --ready-timeout */
	WHY_STOPPED		/* usher sent or forwarded a stop signal */
};

enum sup_ready {
	RDY_NONE,		/* no --ready: ready once exec'd */
	RDY_WAIT,		/* not ready yet */
	RDY_READY		/* said so, once; kept across restarts */
};

/* The deadlines of the loop: indexes into supervisor.due[]. */
enum { D_TIMEOUT, D_KILL, D_READY, D_PAUSE, D_RETRY, D_HELD, D_MAX =
    D_HELD + DELAY_MAX };

struct supervisor {
	const struct usher_config *cfg;

	/* The instance, from preparing to the end (run.c fills it). */
	struct launch	 launch;
	struct pidlock	 pl_cmd;	/* -p */
	struct pidlock	 pl_sup;	/* -P */
	struct ready	 ready;		/* --ready */
	int		 sigfd;		/* signals_fd() */
	int		 sigfd_std;	/* signals_fd_std(), while sendq full */
	int		 link;		/* -d: the caller waits on it, or -1 */
	bool		 detached;	/* -d, and past the detaching */
	int		 spare;		/* --report: an fd kept for it */
	const char	*error;		/* the line usher printed, or NULL */
	struct timespec	 start;		/* realtime, for the report */
	struct timespec	 start_mono;

	/* The run. */
	enum sup_state	 state;
	enum sup_why	 why;
	enum sup_ready	 readiness;
	pid_t		 pid;		/* this run's child, or -1 */
	pid_t		 cmd;		/* the last child that exec'd, or -1 */
	int		 wstatus;	/* how cmd ended, once it has */
	int		 fail_status;	/* WHY_SETUP: 125, 126 or 127 */
	char		 fail_msg[LINK_MSG_MAX]; /* WHY_SETUP: its line */
	int		 errfd;		/* exec-status pipe, until read */
	bool		 expect_stop;	/* -s: we stopped it, do not mirror */
	struct signalfd_siginfo held[DELAY_MAX]; /* one per -D, while
					   due[D_HELD + i] is on */
	struct deadline	 due[D_MAX];
	struct sendq	 sendq;		/* queued signals the kernel refused */
	long		 retry_ms;	/* the back-off of due[D_RETRY] */
	struct proctree_stat *members;	/* the command's group, */
	size_t		 nmembers;	/* as this batch found it, */
	bool		 members_known;	/* if it has looked yet */

	/* Restarts (-r). */
	unsigned	 restarts;	/* in all */
	unsigned	 in_row;	/* since a run that lasted */
	struct timespec	 delay;		/* the next pause */
	struct timespec	 run_start;	/* monotonic, of this run */
};

void	supervise_new(struct supervisor *, const struct usher_config *);
int	supervise_run(struct supervisor *, const char **);
bool	supervise_ended(const struct supervisor *);
bool	supervise_has_status(const struct supervisor *);
int	supervise_word(const struct supervisor *, int, char *, size_t);

#endif /* SUPERVISE_H */
