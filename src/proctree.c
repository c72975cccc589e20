/*
 * proctree.c: one pass over /proc reads every process's ppid and pgid
 * (fields 4 and 5 of /proc/PID/stat, after the parenthesised name, which
 * may itself hold spaces and parentheses).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctree.h"

struct proc {
	pid_t	pid;
	pid_t	ppid;
	pid_t	pgid;
};

static size_t	scan(struct proc **);
static int	stat_read(long, struct proc *);
static bool	in(const pid_t *, size_t, pid_t);

static int
stat_read(long pid, struct proc *p)
{
	char	 path[64], buf[512], *s;
	FILE	*f;
	int	 ppid, pgid;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	s = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (s == NULL || (s = strrchr(buf, ')')) == NULL ||
	    sscanf(s + 1, " %*c %d %d", &ppid, &pgid) != 2)
		return -1;
	*p = (struct proc){ (pid_t)pid, (pid_t)ppid, (pid_t)pgid };
	return 0;
}

/* Every process now; returns the count, 0 with *out NULL on failure. */
static size_t
scan(struct proc **out)
{
	struct dirent	*de;
	struct proc	*v = NULL, *nv;
	DIR		*d;
	size_t		 n = 0, cap = 0;

	*out = NULL;
	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		if (stat_read(strtol(de->d_name, NULL, 10), &v[n]) == 0)
			n++;
	}
	closedir(d);
	*out = v;
	return n;
}

static bool
in(const pid_t *v, size_t n, pid_t pid)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* The members of process group pgid, into a malloc'd *out. */
size_t
proctree_group(pid_t pgid, pid_t **out)
{
	struct proc	*v;
	size_t		 i, n, k = 0;

	n = scan(&v);
	if ((*out = reallocarray(NULL, n + 1, sizeof(pid_t))) == NULL) {
		free(v);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (v[i].pgid == pgid)
			(*out)[k++] = v[i].pid;
	free(v);
	return k;
}

/*
 * Every descendant of root, into a malloc'd *out: grow the set from root
 * until a pass over the table adds nothing.
 */
size_t
proctree_descendants(pid_t root, pid_t **out)
{
	struct proc	*v;
	size_t		 i, n, k = 0;
	bool		 grew = true;

	n = scan(&v);
	if ((*out = reallocarray(NULL, n + 1, sizeof(pid_t))) == NULL) {
		free(v);
		return 0;
	}
	while (grew) {
		grew = false;
		for (i = 0; i < n; i++) {
			if (v[i].pid == root || in(*out, k, v[i].pid))
				continue;
			if (v[i].ppid == root || in(*out, k, v[i].ppid)) {
				(*out)[k++] = v[i].pid;
				grew = true;
			}
		}
	}
	free(v);
	return k;
}

