/*
 * jobctl.h: the controlling terminal and its foreground process group
 * (SPEC §7).  usher hands the terminal to the command's group only when
 * usher itself was the terminal's foreground job, takes it back when the
 * command stops or ends, and never takes the foreground from the
 * background.  jobctl_give() is async-signal-safe (the child calls it).
 */
#ifndef JOBCTL_H
#define JOBCTL_H

#include <sys/types.h>

#include <stdbool.h>

struct jobctl {
	int	tty;	/* the controlling terminal, or -1 */
	bool	fg;	/* usher was the foreground job at start */
};

void	jobctl_open(struct jobctl *);
bool	jobctl_is_fg(const struct jobctl *);
void	jobctl_give(const struct jobctl *, pid_t);
void	jobctl_take(const struct jobctl *, pid_t);

#endif /* JOBCTL_H */
