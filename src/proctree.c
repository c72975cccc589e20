/*
 * proctree.c: one pass over /proc reads every process's ppid and pgid
 * (fields 4 and 5 of /proc/PID/stat).  The whole file is read at once and
 * parsed after the last ')': the name before it is the process's own
 * choice, and a newline or a ')' in it must not move the fields after it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "proctree.h"

#define STAT_MAX	4096	/* far more than 52 numbers and a name */
#define STAT_SKIP	16	/* fields 6 to 21, before the start time */

static size_t	scan(struct proctree_stat **);
static bool	in(const pid_t *, size_t, pid_t);
static int	number(const char **, const char *, unsigned long long,
		    unsigned long long *);
static int	skip_number(const char **, const char *);
static int	space(const char **, const char *);

/* Digits at *p, at most max, into *v; *p moves past them. */
static int
number(const char **p, const char *end, unsigned long long max,
    unsigned long long *v)
{
	const char	*s = *p;
	unsigned	 d;

	*v = 0;
	while (s < end && *s >= '0' && *s <= '9') {
		d = (unsigned)(*s - '0');
		if (*v > (max - d) / 10)
			return -1;
		*v = *v * 10 + d;
		s++;
	}
	if (s == *p)
		return -1;
	*p = s;
	return 0;
}

/* A field that is a number, perhaps negative, whose value is not needed. */
static int
skip_number(const char **p, const char *end)
{
	const char	*s = *p;

	if (s < end && *s == '-')
		s++;
	if (s == end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9')
		s++;
	*p = s;
	return 0;
}

static int
space(const char **p, const char *end)
{
	if (*p == end || **p != ' ')
		return -1;
	(*p)++;
	return 0;
}

/*
 * The bytes of a /proc/PID/stat, "PID (NAME) S PPID PGID ...", into *st,
 * the start time being field 22.  Only buf[0] to buf[len - 1] are read;
 * no NUL is needed.  NAME ends at the last ')' of the buffer, since no
 * later field can hold one.  Returns 0, or -1 when the bytes are not
 * such a line.
 */
int
proctree_parse_stat(const char *buf, size_t len, struct proctree_stat *st)
{
	const char		*p = buf, *end = buf + len, *rp;
	unsigned long long	 pid, ppid, pgid, start;
	int			 i;

	if (number(&p, end, INT_MAX, &pid) == -1 || pid == 0 ||
	    space(&p, end) == -1 || p == end || *p++ != '(')
		return -1;
	for (rp = end; rp > p && rp[-1] != ')'; rp--)
		continue;
	if (rp == p)
		return -1;
	p = rp;
	if (space(&p, end) == -1 || p == end || *p == ' ')
		return -1;
	st->state = *p++;
	if (space(&p, end) == -1 ||
	    number(&p, end, INT_MAX, &ppid) == -1 || space(&p, end) == -1 ||
	    number(&p, end, INT_MAX, &pgid) == -1)
		return -1;
	for (i = 0; i < STAT_SKIP; i++)
		if (space(&p, end) == -1 || skip_number(&p, end) == -1)
			return -1;
	if (space(&p, end) == -1 ||
	    number(&p, end, ULLONG_MAX, &start) == -1 ||
	    (p != end && *p != ' ' && *p != '\n'))
		return -1;
	st->pid = (pid_t)pid;
	st->ppid = (pid_t)ppid;
	st->pgid = (pid_t)pgid;
	st->start = start;
	return 0;
}

/*
 * Process pid as /proc shows it now.  Returns 0, or -1 when it is gone
 * (or /proc cannot be read).
 */
int
proctree_stat(pid_t pid, struct proctree_stat *st)
{
	char	path[64], buf[STAT_MAX];
	size_t	len = 0;
	ssize_t	n;
	int	fd;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < sizeof(buf) && ((n = read(fd, buf + len,
	    sizeof(buf) - len)) > 0 || (n == -1 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	close(fd);
	if (proctree_parse_stat(buf, len, st) == -1 || st->pid != pid)
		return -1;
	return 0;
}

/* Every process now; returns the count, 0 with *out NULL on failure. */
static size_t
scan(struct proctree_stat **out)
{
	struct dirent		*de;
	struct proctree_stat	*v = NULL, *nv;
	DIR			*d;
	size_t			 n = 0, cap = 0;
	long long		 pid;

	*out = NULL;
	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (num_dec(de->d_name, 1, INT_MAX, &pid) == -1)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		if (proctree_stat((pid_t)pid, &v[n]) == 0)
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

/*
 * The members of process group pgid as /proc showed them, into a malloc'd
 * *out (NULL when there are none).
 */
size_t
proctree_group(pid_t pgid, struct proctree_stat **out)
{
	struct proctree_stat	*v;
	size_t		 i, n, k = 0;

	n = scan(&v);
	for (i = 0; i < n; i++)
		if (v[i].pgid == pgid)
			v[k++] = v[i];
	if (k == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return k;
}

/*
 * Every descendant of root, into a malloc'd *out: grow the set from root
 * until a pass over the table adds nothing.
 */
size_t
proctree_descendants(pid_t root, pid_t **out)
{
	struct proctree_stat	*v;
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

