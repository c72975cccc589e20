/*
 * proctree.h: processes as /proc shows them: the members of a process
 * group, and every descendant of a process, however deep, including those
 * that left its session or group.  Used to queue a valued signal to a
 * group and to find leftover descendants (--orphans).  Allocates; not
 * async-signal-safe.
 */
#ifndef PROCTREE_H
#define PROCTREE_H

#include <sys/types.h>

#include <stddef.h>

size_t	proctree_group(pid_t, pid_t **);
size_t	proctree_descendants(pid_t, pid_t **);

#endif /* PROCTREE_H */
