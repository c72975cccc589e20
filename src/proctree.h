/*
 * proctree.h: processes as /proc shows them: the members of a process
 * group, and every descendant of a process, however deep, including those
 * that left its session or group.  Used to queue a valued signal to a
 * group and to find leftover descendants (--orphans).  Allocates; not
 * async-signal-safe.
 *
 * proctree_stat() reads one process's /proc/PID/stat; its parser,
 * proctree_parse_stat(), is pure (bytes in, numbers out) and trusts
 * nothing in the bytes: the name between the parentheses is the
 * process's own choice and may hold spaces, parentheses and newlines.
 */
#ifndef PROCTREE_H
#define PROCTREE_H

#include <sys/types.h>

#include <stddef.h>

/* The facts of one /proc/PID/stat (fields 1, 3, 4, 5 and 22). */
struct proctree_stat {
	pid_t			pid;
	char			state;	/* R S D T t Z X I ... */
	pid_t			ppid;
	pid_t			pgid;
	unsigned long long	start;	/* clock ticks after boot */
};

size_t	proctree_group(pid_t, struct proctree_stat **);
size_t	proctree_descendants(pid_t, pid_t **);
int	proctree_stat(pid_t, struct proctree_stat *);
int	proctree_parse_stat(const char *, size_t, struct proctree_stat *);

#endif /* PROCTREE_H */
