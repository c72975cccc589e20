/*
 * supervise.h: the supervisor's event loop (SPEC §7).
 *
 * One poll(2) over the signalfd, the exec-status pipe and the timerfds of
 * the deadlines (-t, -k, each -D); no tick, so an idle usher makes no
 * wake-ups.  Each wake-up reads at most SIGNALS_BATCH signals, so that a
 * flood of them cannot hold the deadlines up.  It forwards signals (after
 * -D and -R), mirrors job control, reaps every child, and returns once the
 * command has ended and, with --orphans wait or kill, once every
 * descendant has ended too.
 *
 * Queued signals (real-time ones, and any sent with a value) go through
 * a sendq: what the kernel cannot take yet is retried on a timer that
 * backs off from 1 to 64 ms; while the sendq is full the loop reads only
 * standard signals.  A signal for the command's group goes to its members
 * as one /proc scan per batch found them.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <sys/signalfd.h>
#include <sys/types.h>

#include <stdbool.h>

#include "jobctl.h"
#include "pidlock.h"
#include "proctree.h"
#include "ready.h"
#include "sendq.h"
#include "spawn.h"
#include "usher.h"

enum sup_state {
	SUP_STARTING,		/* forked; exec not yet confirmed */
	SUP_RUNNING,		/* the command runs */
	SUP_ORPHANS,		/* it ended; its descendants have not */
	SUP_DONE		/* nothing left to watch */
};

/* A signal held back by -D until its timer fires. */
struct held {
	int			tfd;
	bool			on;
	struct signalfd_siginfo	si;
};

struct supervisor {
	const struct usher_config *cfg;
	struct jobctl	*jc;
	enum sup_state	 state;
	enum usher_route route;		/* resolved from the mode */
	pid_t		 pid;		/* the command */
	int		 sigfd;		/* signals_fd() */
	int		 sigfd_std;	/* signals_fd_std(), while sendq full */
	int		 errfd;		/* exec-status pipe, -1 once read */
	int		 tfd_timeout;	/* -t */
	int		 tfd_kill;	/* -k, armed by a stop signal */
	bool		 kill_armed;
	bool		 timed_out;
	bool		 expect_stop;	/* -s: we stopped it, do not mirror */
	struct held	 held[DELAY_MAX]; /* one per -D */
	bool		 execd;		/* exec succeeded: it was the command */
	bool		 ended;		/* the command was reaped */
	int		 wstatus;	/* how, once ended */
	int		 fail_status;	/* set when setup or exec failed */
	char		 fail_msg[SPAWN_MSG_MAX];
	bool		 stop_sent;	/* usher sent or forwarded a stop
					   signal: no restart */

	/* The instance, across restarts (run.c owns them). */
	const struct launch *launch;
	struct pidlock	*pl_cmd;	/* -p */
	struct pidlock	*pl_sup;	/* -P */
	struct ready	*ready;		/* --ready */
	bool		 ready_done;	/* announced ready (or needs not) */
	bool		 ready_failed;	/* --ready-timeout expired */
	int		 tfd_ready;	/* --ready-timeout */
	int		 tfd_pause;	/* the delay before a restart */
	struct sendq	 sendq;		/* queued signals the kernel refused */
	int		 tfd_retry;	/* the next sendq_flush() */
	bool		 retry_armed;
	long		 retry_ms;	/* its back-off */
	struct proctree_stat *members;	/* the command's group, */
	size_t		 nmembers;	/* as this batch found it, */
	bool		 members_known;	/* if it has looked yet */
	int		*link;		/* -d: the caller waits on it */
	int		 tell_status;	/* -d: what the caller is to hear */
	char		 tell_msg[SPAWN_MSG_MAX]; /* when it is not success */
};

int	supervise_init(struct supervisor *);
int	supervise_start(struct supervisor *);
void	supervise_run(struct supervisor *);
bool	supervise_pause(struct supervisor *, const struct timespec *);

#endif /* SUPERVISE_H */
