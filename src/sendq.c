/*
 * sendq.c: a FIFO of queued signals that the kernel refused for now.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "proctree.h"
#include "sendq.h"

#define SENDQ_FIRST	64	/* items of a new ring */

static struct sendq_item	*at(const struct sendq *, size_t);
static int	try_send(const struct sendq_item *, bool);
static int	push(struct sendq *, const struct sendq_item *);
static void	lose(struct sendq *, int);

/*
 * Queue it->sig with its value to it->pid now.  On a retry, a process
 * other than usher's child must first prove that it is still the one: a
 * pid read from /proc is only a number, which may have been recycled,
 * and a process that has ended takes signals only to discard them.
 * Returns 0, or the errno, EAGAIN meaning that the kernel has no room.
 */
static int
try_send(const struct sendq_item *it, bool retry)
{
	struct proctree_stat	st;
	union sigval		v = { .sival_int = it->value };

	if (retry && it->pgid != 0 && (proctree_stat(it->pid, &st) == -1 ||
	    st.start != it->start || st.pgid != it->pgid || st.state == 'Z'))
		return ESRCH;
	return sigqueue(it->pid, it->sig, v) == 0 ? 0 : errno;
}

static void
lose(struct sendq *q, int e)
{
	if (e == ESRCH) {
		q->lost.gone++;
	} else if (e == ENOMEM) {
		q->lost.nomem++;
	} else {
		q->lost.refused++;
		q->lost.refused_errno = e;
	}
}

/* The ith item waiting, counted from the head. */
static struct sendq_item *
at(const struct sendq *q, size_t i)
{
	return &q->v[(q->head + i) % q->size];
}

/* Append to the ring, doubling it (and unwrapping it) when it is full. */
static int
push(struct sendq *q, const struct sendq_item *it)
{
	struct sendq_item	*nv;
	size_t			 i, n;

	if (q->len == q->size) {
		n = q->size == 0 ? SENDQ_FIRST : q->size * 2;
		if ((nv = reallocarray(NULL, n, sizeof(*nv))) == NULL)
			return -1;
		for (i = 0; i < q->len; i++)
			nv[i] = *at(q, i);
		free(q->v);
		q->v = nv;
		q->size = n;
		q->head = 0;
	}
	*at(q, q->len) = *it;
	q->len++;
	return 0;
}

/*
 * Send one signal, or keep it: behind others that wait, or when the
 * kernel has no room for it.  Any other failure counts it as lost.  A
 * standard signal goes at once: the kernel always takes it (merging it
 * into a pending one), and it must not wait behind real-time ones.
 */
void
sendq_send(struct sendq *q, const struct sendq_item *it)
{
	int	e;

	if ((q->len == 0 || it->sig < SIGRTMIN) &&
	    (e = try_send(it, false)) != EAGAIN) {
		if (e != 0)
			lose(q, e);
		return;
	}
	if (push(q, it) == -1)
		lose(q, ENOMEM);
}

/*
 * Send what waits, in order, until the kernel refuses one again.
 * Returns how many were delivered.
 */
size_t
sendq_flush(struct sendq *q)
{
	size_t	n = 0;
	int	e;

	while (q->len > 0) {
		if ((e = try_send(at(q, 0), true)) == EAGAIN)
			break;
		if (e == 0)
			n++;
		else
			lose(q, e);
		q->head = (q->head + 1) % q->size;
		q->len--;
	}
	return n;
}

/* Whether the caller should stop taking queued signals from the kernel. */
bool
sendq_full(const struct sendq *q)
{
	return q->len >= SENDQ_CAP;
}

size_t
sendq_len(const struct sendq *q)
{
	return q->len;
}

/*
 * Forget what waits for child, usher's own child that has been reaped:
 * its pid may belong to another process from now on.  Returns how many.
 */
size_t
sendq_forget(struct sendq *q, pid_t child)
{
	size_t	i, k = 0, n = q->len;

	for (i = 0; i < n; i++) {
		if (at(q, i)->pgid == 0 && at(q, i)->pid == child)
			continue;
		*at(q, k++) = *at(q, i);
	}
	q->len = k;
	q->lost.left += n - k;
	return n - k;
}

/* Forget everything that waits.  Returns how many. */
size_t
sendq_drop(struct sendq *q)
{
	size_t	n = q->len;

	q->lost.left += n;
	q->len = 0;
	q->head = 0;
	return n;
}

void
sendq_free(struct sendq *q)
{
	free(q->v);
	*q = (struct sendq){ NULL, 0, 0, 0, { 0, 0, 0, 0, 0 } };
}
