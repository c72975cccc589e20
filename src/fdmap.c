/*
 * fdmap.c: file descriptor maps (SPEC §4).
 *
 * A map names a target fd N in the command and what it becomes: a copy of
 * one of usher's fds, closed, or a file that usher opens before the fork.
 * Parsing and checking happen in usher; fdmap_apply() runs in the child
 * between fork and exec and therefore uses system calls only.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errline.h"
#include "fdmap.h"
#include "num.h"

/*
 * fdmap_apply() remembers where it parked each source on the stack, since it
 * may not allocate; fdmap_check() refuses more maps than that.
 */
#define FDMAP_MAX	256

/* The longest decimal fd number that can be valid: INT_MAX has 10 digits. */
#define FDMAP_DIGITS	10

static int	fdmap_maxfd(void);
static size_t	fdmap_ndigits(const char *);
static int	fdmap_number(const char *, size_t, int *);
static int	fdmap_parse_op(const char *, struct fdmap *);
static int	fdmap_parse_dup(const char *, struct fdmap *);
static int	fdmap_parse_file(const char *, int, struct fdmap *);
static bool	fdmap_twice(const struct fdmap *, size_t);
static int	fdmap_open_one(const struct fdmap *, struct fdmap_src *,
		    size_t, mode_t);
static void	fdmap_unopen(const struct fdmap *, struct fdmap_src *,
		    size_t);
static int	fdmap_srcfd(const struct fdmap *, const struct fdmap_src *);
static bool	fdmap_is_target(const struct fdmap *, size_t, int);
static bool	fdmap_must_park(const struct fdmap *, const struct fdmap_src *,
		    size_t, int);
static int	fdmap_park(const struct fdmap *, size_t, int);
static int	fdmap_park_all(const struct fdmap *, const struct fdmap_src *,
		    size_t, int *, int *, size_t);
static void	fdmap_unpark(const int *, size_t);
static int	fdmap_place(const struct fdmap *, int);
static int	fdmap_next_kept(const struct fdmap *, size_t, const int *,
		    size_t, int);
static void	fdmap_close_span(int, int);

/*
 * Parse one -f SPEC into *m.  The spec is kept, not copied: it must outlive
 * the map (argv does).  Returns 0, or -1 when SPEC is not one of the forms
 * of SPEC §4; *m is then unspecified.
 */
int
fdmap_parse(const char *spec, struct fdmap *m)
{
	size_t	len;

	*m = (struct fdmap){ .spec = spec, .kind = FDMAP_CLOSE, .fd = -1,
	    .src = -1, .flags = 0, .path = NULL, .share = -1 };
	len = fdmap_ndigits(spec);
	if (fdmap_number(spec, len, &m->fd) == -1)
		return -1;
	return fdmap_parse_op(spec + len, m);
}

/*
 * A target fd number alone, as fdmap_parse() takes N (--ready fd:N).
 * Returns 0, or -1 when s is not one.
 */
int
fdmap_fd(const char *s, int *fd)
{
	return fdmap_number(s, strlen(s), fd);
}

/*
 * -o FILE: fd 1 appends to FILE, and fd 2 shares that same open file, as
 * ">>FILE 2>&1" does.  m[1].share is 1: "the map one entry before me", so
 * the pair must stay adjacent and in this order in the caller's array.
 */
int
fdmap_output(const char *path, struct fdmap m[2])
{
	if (path == NULL || *path == '\0')
		return -1;
	m[0] = (struct fdmap){ .spec = path, .kind = FDMAP_FILE, .fd = 1,
	    .src = -1, .flags = O_WRONLY | O_CREAT | O_APPEND, .path = path,
	    .share = -1 };
	m[1] = m[0];
	m[1].fd = 2;
	m[1].share = 1;
	return 0;
}

/*
 * Daemon mode's fd N when nothing else names it: /dev/null, read-only for
 * stdin, write-only otherwise.  spec names the option, for messages.
 */
struct fdmap
fdmap_null(int fd, const char *spec)
{
	return (struct fdmap){ .spec = spec, .kind = FDMAP_FILE, .fd = fd,
	    .src = -1, .flags = fd == 0 ? O_RDONLY : O_WRONLY,
	    .path = "/dev/null", .share = -1 };
}

/*
 * fd N, to get an fd that usher makes before the start (fdmap_fill_slots),
 * such as --ready fd:N's pipe.  As a map, it makes -f naming N too "N
 * mapped twice".
 */
struct fdmap
fdmap_slot(int fd, const char *spec)
{
	return (struct fdmap){ .spec = spec, .kind = FDMAP_SLOT, .fd = fd,
	    .src = -1, .share = -1 };
}

/*
 * Called before usher opens anything of its own, so that a DUP source is
 * one of the fds usher was started with.  Returns 0, or -1 with a message
 * (without the "usher: " prefix) in err.
 */
int
fdmap_check(const struct fdmap *maps, size_t n, char *err, size_t errlen)
{
	size_t	i;

	if (n > FDMAP_MAX) {
		(void)snprintf(err, errlen, "-f: more than %d fd maps",
		    FDMAP_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (fdmap_twice(maps, i)) {
			(void)snprintf(err, errlen, "-f: fd %d mapped twice",
			    maps[i].fd);
			return -1;
		}
		if (maps[i].kind == FDMAP_DUP &&
		    fcntl(maps[i].src, F_GETFD) == -1) {
			(void)snprintf(err, errlen, "-f: %s: %s", maps[i].spec,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Fill src[0..n): a DUP map's source is its M, a CLOSE or SLOT map has
 * none yet, and every FILE map is opened, close-on-exec, with mode 0666
 * less the command's umask (usher's own umask is put back at once).  A map
 * that shares another's file gets the same fd.  On failure nothing stays
 * open, no file it created stays, src[] holds no fd, and err holds "PATH:
 * REASON".
 */
int
fdmap_open(const struct fdmap *maps, size_t n, struct fdmap_src *src,
    mode_t cmd_umask, char *err, size_t errlen)
{
	size_t	i;
	int	saved;

	for (i = 0; i < n; i++)
		src[i] = (struct fdmap_src){ maps[i].kind == FDMAP_DUP ?
		    maps[i].src : -1, false };
	for (i = 0; i < n; i++) {
		if (maps[i].kind != FDMAP_FILE)
			continue;
		if (fdmap_open_one(maps, src, i, cmd_umask) == -1) {
			saved = errno;
			fdmap_unlink_new(maps, src, i);
			fdmap_unopen(maps, src, n);
			(void)errline_join(err, errlen, maps[i].path,
			    strerror(saved), NULL);
			return -1;
		}
	}
	return 0;
}

/* Give every SLOT map fd, once usher has made it. */
void
fdmap_fill_slots(const struct fdmap *maps, size_t n, struct fdmap_src *src,
    int fd)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (maps[i].kind == FDMAP_SLOT)
			src[i].fd = fd;
}

/*
 * Make the fd table what the maps ask for, all at once.  Every source that
 * a target would overwrite, and every keep fd that is a target, is first
 * parked on a fresh close-on-exec fd that no map targets; then each target
 * is written in turn from the (parked) source, and the parked copies are
 * closed.  Sources that nothing overwrites are used where they are and
 * left alone.  Async-signal-safe; returns 0, or -1 with errno set.  keep[]
 * always names open fds on return, also on failure.
 */
int
fdmap_apply(const struct fdmap *maps, const struct fdmap_src *src, size_t n,
    bool close_others, int *keep, size_t nkeep)
{
	int	park[FDMAP_MAX];
	size_t	i;
	int	saved;

	if (n > FDMAP_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (fdmap_park_all(maps, src, n, park, keep, nkeep) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (fdmap_place(&maps[i], park[i] != -1 ? park[i] :
		    fdmap_srcfd(&maps[i], &src[i])) == -1) {
			saved = errno;
			fdmap_unpark(park, n);
			errno = saved;
			return -1;
		}
	}
	fdmap_unpark(park, n);
	if (close_others)
		fdmap_close_others(maps, n, keep, nkeep);
	return 0;
}

/* The highest fd the soft RLIMIT_NOFILE allows, or -1 if none. */
static int
fdmap_maxfd(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX)
		return INT_MAX - 1;
	return (int)rl.rlim_cur - 1;
}

static size_t
fdmap_ndigits(const char *s)
{
	size_t	len;

	for (len = 0; s[len] >= '0' && s[len] <= '9'; len++)
		continue;
	return len;
}

/* The fd number in s[0..len), strictly (num.h), within the fd limit. */
static int
fdmap_number(const char *s, size_t len, int *fd)
{
	char		buf[FDMAP_DIGITS + 1];
	long long	n;

	if (len > FDMAP_DIGITS)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (num_dec(buf, 0, fdmap_maxfd(), &n) == -1)
		return -1;
	*fd = (int)n;
	return 0;
}

/*
 * What follows N.  The longer operators come first: ">>" before ">", and
 * "<&", "<>" before "<".
 */
static int
fdmap_parse_op(const char *s, struct fdmap *m)
{
	static const struct {
		const char	*op;
		bool		 dup;
		int		 flags;
	} ops[] = {
		{ "=",  true,  0 },
		{ ">&", true,  0 },
		{ "<&", true,  0 },
		{ ">>", false, O_WRONLY | O_CREAT | O_APPEND },
		{ "<>", false, O_RDWR | O_CREAT },
		{ ">",  false, O_WRONLY | O_CREAT | O_TRUNC },
		{ "<",  false, O_RDONLY },
	};
	size_t	i, len;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		len = strlen(ops[i].op);
		if (strncmp(s, ops[i].op, len) != 0)
			continue;
		if (ops[i].dup)
			return fdmap_parse_dup(s + len, m);
		return fdmap_parse_file(s + len, ops[i].flags, m);
	}
	return -1;
}

/* "-" closes N; digits make it a copy of that fd; nothing else will do. */
static int
fdmap_parse_dup(const char *s, struct fdmap *m)
{
	if (strcmp(s, "-") == 0) {
		m->kind = FDMAP_CLOSE;
		return 0;
	}
	m->kind = FDMAP_DUP;
	return fdmap_number(s, strlen(s), &m->src);
}

/*
 * A PATH may not be empty, and may not start with '&': "1>>&2" is a typo
 * far more often than a file named "&2" (which "1>>./&2" still reaches).
 */
static int
fdmap_parse_file(const char *path, int flags, struct fdmap *m)
{
	if (*path == '\0' || *path == '&')
		return -1;
	m->kind = FDMAP_FILE;
	m->path = path;
	m->flags = flags;
	return 0;
}

/* Whether maps[i] targets an fd that an earlier map already targets. */
static bool
fdmap_twice(const struct fdmap *maps, size_t i)
{
	size_t	j;

	for (j = 0; j < i; j++)
		if (maps[j].fd == maps[i].fd)
			return true;
	return false;
}

/*
 * Open maps[i]'s file into src[i], or take the fd of the map it shares,
 * which comes earlier in the array and is therefore open already.
 */
static int
fdmap_open_one(const struct fdmap *maps, struct fdmap_src *src, size_t i,
    mode_t cmd_umask)
{
	const struct fdmap	*m = &maps[i];
	struct fdmap_src	*s = &src[i];
	mode_t			 old;
	int			 fd, saved;

	if (m->share != -1) {
		if (m->share < 1 || (size_t)m->share > i ||
		    maps[i - (size_t)m->share].kind != FDMAP_FILE ||
		    (fd = src[i - (size_t)m->share].fd) == -1) {
			errno = EINVAL;
			return -1;
		}
		s->fd = fd;
		return 0;
	}
	old = umask(cmd_umask);
	/* First as a new file, to know whether usher created it. */
	s->created = (m->flags & O_CREAT) != 0;
	do
		fd = open(m->path, m->flags | (s->created ? O_EXCL : 0) |
		    O_CLOEXEC | O_NOCTTY, 0666);
	while (fd == -1 && errno == EINTR);
	if (fd == -1 && s->created && errno == EEXIST) {
		s->created = false;
		do
			fd = open(m->path, m->flags | O_CLOEXEC | O_NOCTTY,
			    0666);
		while (fd == -1 && errno == EINTR);
	}
	saved = errno;
	(void)umask(old);
	errno = saved;
	if (fd == -1)
		return -1;
	s->fd = fd;
	return 0;
}

/*
 * Remove each file that fdmap_open() created, if it is still open, still
 * empty, and its path still names it (not a file put there since).
 */
void
fdmap_unlink_new(const struct fdmap *maps, const struct fdmap_src *src,
    size_t n)
{
	struct stat	fst, pst;
	size_t		i;

	for (i = 0; src != NULL && i < n; i++) {
		if (maps[i].kind != FDMAP_FILE || !src[i].created ||
		    maps[i].share != -1 || src[i].fd == -1)
			continue;
		if (fstat(src[i].fd, &fst) == 0 &&
		    lstat(maps[i].path, &pst) == 0 &&
		    fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino &&
		    S_ISREG(pst.st_mode) && pst.st_size == 0)
			(void)unlink(maps[i].path);
	}
}

/* Close what fdmap_open() opened for maps[0..n); src[] holds no fd then. */
static void
fdmap_unopen(const struct fdmap *maps, struct fdmap_src *src, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (maps[i].kind == FDMAP_FILE && maps[i].share == -1 &&
		    src[i].fd != -1)
			(void)close(src[i].fd);
		src[i] = (struct fdmap_src){ -1, false };
	}
}

/* The fd a map copies onto its target; -1 for a CLOSE map. */
static int
fdmap_srcfd(const struct fdmap *m, const struct fdmap_src *s)
{
	return m->kind == FDMAP_CLOSE ? -1 : s->fd;
}

static bool
fdmap_is_target(const struct fdmap *maps, size_t n, int fd)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (maps[i].fd == fd)
			return true;
	return false;
}

/*
 * Whether a source fd would be overwritten: some map targets it with
 * something else.  "3=3" writes fd 3 onto itself, which changes nothing.
 */
static bool
fdmap_must_park(const struct fdmap *maps, const struct fdmap_src *src,
    size_t n, int fd)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (maps[i].fd == fd && fdmap_srcfd(&maps[i], &src[i]) != fd)
			return true;
	return false;
}

/*
 * A close-on-exec copy of fd on the lowest free fd that no map targets.
 * Each free fd that is a target costs one extra dup and close, so this
 * takes at most n + 1 rounds.
 */
static int
fdmap_park(const struct fdmap *maps, size_t n, int fd)
{
	int	base, copy;

	for (base = 0;; base = copy + 1) {
		copy = fcntl(fd, F_DUPFD_CLOEXEC, base);
		if (copy == -1 || !fdmap_is_target(maps, n, copy))
			return copy;
		(void)close(copy);
	}
}

/*
 * Park every source that would be overwritten (park[i], or -1 when map i
 * can use its source in place) and every keep fd that is a target (keep[i]
 * is updated; the old number is left to be overwritten).  Nothing has been
 * written yet, so every source still holds what it held in usher.
 */
static int
fdmap_park_all(const struct fdmap *maps, const struct fdmap_src *src,
    size_t n, int *park, int *keep, size_t nkeep)
{
	size_t	i;
	int	fd, saved;

	for (i = 0; i < n; i++)
		park[i] = -1;
	for (i = 0; i < n; i++) {
		fd = fdmap_srcfd(&maps[i], &src[i]);
		if (maps[i].kind != FDMAP_CLOSE && fd < 0) {
			errno = EBADF;
			goto fail;
		}
		if (fd >= 0 && fdmap_must_park(maps, src, n, fd) &&
		    (park[i] = fdmap_park(maps, n, fd)) == -1)
			goto fail;
	}
	for (i = 0; i < nkeep; i++) {
		if (!fdmap_is_target(maps, n, keep[i]))
			continue;
		if ((fd = fdmap_park(maps, n, keep[i])) == -1)
			goto fail;
		keep[i] = fd;
	}
	return 0;
fail:
	saved = errno;
	fdmap_unpark(park, n);
	errno = saved;
	return -1;
}

static void
fdmap_unpark(const int *park, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (park[i] != -1)
			(void)close(park[i]);
}

/*
 * Make m->fd a copy of src, or close it.  dup2() onto itself keeps the
 * flags, so close-on-exec is cleared explicitly in every case.
 */
static int
fdmap_place(const struct fdmap *m, int src)
{
	if (m->kind == FDMAP_CLOSE) {
		(void)close(m->fd);
		return 0;
	}
	if (src != m->fd)
		while (dup2(src, m->fd) == -1)
			if (errno != EINTR)
				return -1;
	return fcntl(m->fd, F_SETFD, 0);
}

/* The lowest fd >= lo that a map fills or keep[] names, or -1. */
static int
fdmap_next_kept(const struct fdmap *maps, size_t n, const int *keep,
    size_t nkeep, int lo)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < n; i++)
		if (maps[i].kind != FDMAP_CLOSE && maps[i].fd >= lo &&
		    (best == -1 || maps[i].fd < best))
			best = maps[i].fd;
	for (i = 0; i < nkeep; i++)
		if (keep[i] >= lo && (best == -1 || keep[i] < best))
			best = keep[i];
	return best;
}

/* Close fds lo..hi; close_range(2) in one call where the kernel has it. */
static void
fdmap_close_span(int lo, int hi)
{
	int	fd;

	if (close_range((unsigned int)lo, (unsigned int)hi, 0) == 0)
		return;
	for (fd = lo; fd <= hi; fd++)
		(void)close(fd);
}

/*
 * Close every fd above 2 that no map fills and keep[] does not name (-1
 * entries name none): usher's one "close all but these", for the forked
 * child, the detached supervisor and the caller of -d.  Async-signal-safe.
 */
void
fdmap_close_others(const struct fdmap *maps, size_t n, const int *keep,
    size_t nkeep)
{
	int	lo, next;

	for (lo = 3; (next = fdmap_next_kept(maps, n, keep, nkeep, lo)) != -1;
	    lo = next + 1)
		if (next > lo)
			fdmap_close_span(lo, next - 1);
	if (close_range((unsigned int)lo, ~0U, 0) == -1)
		closefrom(lo);
}
