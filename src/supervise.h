/*
 * supervise.h: the supervisor's event loop (SPEC §7).
 *
 * One poll(2) over the signalfd, the exec-status pipe and the timerfds of
 * the deadlines; no tick, so an idle usher makes no wake-ups.  It forwards
 * signals (after -R), mirrors job control, reaps every child and returns
 * once the command has ended, with its wait status in the struct.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <sys/types.h>

#include <stdbool.h>

#include "jobctl.h"
#include "spawn.h"
#include "usher.h"

enum sup_state {
	SUP_STARTING,		/* forked; exec not yet confirmed */
	SUP_RUNNING,		/* the command runs */
	SUP_STOPPING,		/* a stop signal went out */
	SUP_ENDED		/* reaped: wstatus holds how */
};

struct supervisor {
	const struct usher_config *cfg;
	struct jobctl	*jc;
	enum sup_state	 state;
	enum usher_route route;		/* resolved from the mode */
	pid_t		 pid;		/* the command */
	int		 sigfd;		/* signals_fd() */
	int		 errfd;		/* exec-status pipe, -1 once read */
	int		 tfd_timeout;	/* -t */
	int		 tfd_kill;	/* -k, armed by a stop signal */
	bool		 kill_armed;
	bool		 timed_out;
	bool		 expect_stop;	/* -s: we stopped it, do not mirror */
	int		 wstatus;	/* the command's, once SUP_ENDED */
	int		 fail_status;	/* set when setup or exec failed */
	char		 fail_msg[SPAWN_MSG_MAX];
};

int	supervise_init(struct supervisor *);
void	supervise_run(struct supervisor *);

#endif /* SUPERVISE_H */
