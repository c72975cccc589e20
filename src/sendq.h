/*
 * sendq.h: queued signals on their way to the command's processes, kept
 * while the kernel cannot take them (SPEC §7).
 *
 * sigqueue(3) of a real-time signal fails with EAGAIN when the target's
 * user has RLIMIT_SIGPENDING signals pending; kill(2) would merge it into
 * one that is pending.  A signal that usher has taken from the kernel must
 * still reach the command, so sendq_send() keeps what the kernel refuses
 * in a FIFO, and everything for the queue after it, so that no signal
 * overtakes an earlier one; sendq_flush() tries again from the head.
 * The FIFO is a ring that grows with reallocarray(3); once it holds
 * SENDQ_CAP items sendq_full() tells the caller to stop taking real-time
 * signals from the kernel, which then holds them pending for usher: the
 * back-pressure reaches the senders as EAGAIN.
 *
 * An item for a process that is not usher's own child names its start
 * time and group: before a retry the process must still be the one that
 * was in the group, or the item is dropped, so a recycled pid never gets
 * a signal.  sendq_forget() drops what waits for a child that usher has
 * reaped, sendq_drop() everything, when the command has ended.  What
 * cannot be delivered is counted by reason in lost.  Allocates; not
 * async-signal-safe.
 */
#ifndef SENDQ_H
#define SENDQ_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#define SENDQ_CAP	8192	/* items held before usher stops reading */

struct sendq_item {
	pid_t			pid;
	pid_t			pgid;	/* it must still be in it; 0: a child */
	unsigned long long	start;	/* its start time, when pgid != 0 */
	int			sig;
	int			value;
};

/* Why signals were not delivered: how many, and the last errno. */
struct sendq_lost {
	size_t		gone;		/* the process had ended */
	size_t		left;		/* the command ended first */
	size_t		nomem;		/* the queue could not grow */
	size_t		refused;	/* any other error, */
	int		refused_errno;	/* the last one being this */
};

struct sendq {
	struct sendq_item	*v;
	size_t			 size, head, len;
	struct sendq_lost	 lost;
};

void	sendq_send(struct sendq *, const struct sendq_item *);
size_t	sendq_flush(struct sendq *);
bool	sendq_full(const struct sendq *);
size_t	sendq_len(const struct sendq *);
size_t	sendq_forget(struct sendq *, pid_t);
size_t	sendq_drop(struct sendq *);
void	sendq_free(struct sendq *);

#endif /* SENDQ_H */
