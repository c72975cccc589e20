/*
 * pidlock.c: pidfiles.  libbsd's pidfile_open() is not used, for root's
 * sake: it follows a symbolic link and truncates the file it opens before
 * looking at it, so a link planted in a directory that others can write
 * would have root empty and overwrite any file it names; it would write
 * through a planted hard link too; and its one fd is open for writing,
 * which -x would hand to the command.  Here the file is opened without
 * following a link (O_NOFOLLOW), and refused unless it is a regular file
 * with one link, before anything in it changes; the flock is taken on a
 * read-only fd (a lock does not care how its file was opened), and usher
 * writes through a second fd, close-on-exec, that no command inherits.
 * Only the file usher locked (its device and inode) is ever removed, and
 * a pid read from a file is parsed strictly (pidlock_parse()).
 *
 * An instance is the processes that hold the lock (usher's supervisor, or
 * the command itself with -x) and the command, the pid in the file, when
 * /proc shows it as a holder's child.  --stop signals only those: a pid
 * merely read from the file may be anyone's, written by whoever can write
 * the file.  Each is pinned when found, by a pidfd and by its start time
 * (field 22 of /proc/PID/stat), and a signal goes through the pidfd or
 * follows a fresh look at the start time, so no process that took a pid
 * over is signalled.  --stop's waits ppoll(2) the pidfds until a deadline
 * (deadline.h); without pidfd_open(2) (old kernels, seccomp profiles) they
 * look at /proc after naps that double, a fallback.  --if-running wait
 * watches the file itself (inotify(7)): the lock goes with its holder's
 * last close of the file, which the watch sees, whether the holder can be
 * seen in /proc or not (another pid namespace).
 */
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "num.h"
#include "errline.h"
#include "pidlock.h"
#include "proctree.h"
#include "signals.h"

#define HOLDERS_MAX	64

/* A process of the instance, pinned so that a reused pid is never it. */
struct member {
	pid_t			pid;
	int			pidfd;	/* -1 without pidfd_open(2) */
	unsigned long long	start;	/* field 22 of /proc/PID/stat */
};

static int	pin(pid_t, struct member *, struct proctree_stat *);
static void	unpin(struct member *);
static bool	ended(char);
static bool	alive(const struct member *);
static bool	same(const struct member *);
static int	send_signal(const struct member *, int);
static void	signal_all(const struct member *, size_t, int);
static int	lock_id(const char *, dev_t *, ino_t *);
static bool	holds(long, dev_t, ino_t);
static bool	holds_lock(long, const char *, dev_t, ino_t);
static size_t	find_holders(const char *, struct member *, size_t);
static bool	find_command(const char *, pid_t, const struct member *,
		    size_t, struct member *);

/* How a wait ended. */
enum wait_end {
	WAIT_FAILED = -1,	/* ppoll(2) failed: errno says why */
	WAIT_FREE = 0,		/* the lock is free, or all are gone */
	WAIT_SIGNAL = 1,	/* a signal is there to read */
	WAIT_LIMIT,		/* the deadline passed first */
	WAIT_AGAIN		/* something changed: look again */
};

static void	nap_set(struct deadline *, int);
static int	wait_fds(struct pollfd *, size_t, const struct deadline *,
		    size_t);
static size_t	live_pidfds(const struct member *, size_t, struct pollfd *,
		    bool *);
static enum wait_end	wait_gone(const struct member *, size_t,
			    const struct timespec *, int);
static enum wait_end	wait_round(const char *, int);
static int		watch_file(int);
static bool		locked(int);
static enum wait_end	wait_watch(int, int);
static enum wait_end	wait_holders(const char *, int);

/* Every open of a pidfile: never through a link, never a terminal, and
 * never a wait on a FIFO that was planted in its place. */
#define OPEN_FLAGS	(O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* Read of a pidfile: a pid and its newline fit many times over, so what
 * is cut off is never part of a valid file. */
#define CONTENT_MAX	32

/* The kernel's ceiling of pid_max (PID_MAX_LIMIT), when /proc is silent. */
#define PID_CEILING	4194304L

static int		lock_once(struct pidlock *, const char *, pid_t *);
static int		open_existing(struct pidlock *, const char *);
static int		locked_out(int, pid_t *);
static int		open_writer(const char *, const struct stat *);
static const char	*refusal(const struct stat *);
static int		abandon(int, const char *, const struct stat *, bool);
static void		unlink_if(const char *, dev_t, ino_t);
static pid_t		read_pid(int);
static long		pid_max(void);

/*
 * Open and lock path.  Returns 0, or -1 with errno set and, for a file
 * refused for what it is, pl->why; EEXIST means a running instance holds
 * it, and *other is the pid it holds (or PIDLOCK_NOPID, PIDLOCK_BADPID).
 * A race lost to another instance (the file removed or replaced between
 * the open and the lock), or to a passing reader's shared lock, is tried
 * again.
 */
int
pidlock_open(struct pidlock *pl, const char *path, pid_t *other)
{
	struct timespec	pause = { 0, 1000000 };
	int		r, tries;

	*pl = (struct pidlock)PIDLOCK_INIT;
	pl->path = path;
	for (tries = 0; tries < 50; tries++) {
		if ((r = lock_once(pl, path, other)) != 1)
			return r;
		nanosleep(&pause, NULL);
	}
	errno = EAGAIN;
	return -1;
}

/*
 * One try: 0 (held), -1 (errno, pl->why), or 1 (try again).  Nothing in
 * the file changes before it is known to be a regular file of one link,
 * locked by us, and still the one that path names.
 */
static int
lock_once(struct pidlock *pl, const char *path, pid_t *other)
{
	struct stat	st, now;
	bool		created = true;
	int		fd, wfd;

	*other = PIDLOCK_NOPID;
	pl->why = NULL;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | OPEN_FLAGS, 0644);
	if (fd == -1 && errno == EEXIST) {
		created = false;
		if ((fd = open_existing(pl, path)) < 0)
			return fd == -2 ? 1 : -1;
	}
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		return abandon(fd, path, NULL, false);
	if ((pl->why = refusal(&st)) != NULL) {
		errno = EPERM;
		return abandon(fd, path, &st, created);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			return abandon(fd, path, &st, created);
		return locked_out(fd, other);
	}
	/* Removed, or replaced, by the instance that held it: again. */
	if (lstat(path, &now) == -1 || now.st_dev != st.st_dev ||
	    now.st_ino != st.st_ino) {
		close(fd);
		return 1;
	}
	if ((wfd = open_writer(path, &st)) == -1)
		return abandon(fd, path, &st, created);
	pl->fd = fd;
	pl->wfd = wfd;
	pl->dev = st.st_dev;
	pl->ino = st.st_ino;
	return 0;
}

/*
 * path exists: look at it before opening it (a device or a FIFO is not
 * even opened), then open it read-only.  Returns the fd, -1 (errno,
 * pl->why), or -2 when it went away or changed meanwhile.
 */
static int
open_existing(struct pidlock *pl, const char *path)
{
	struct stat	st;
	int		fd;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? -2 : -1;
	if ((pl->why = refusal(&st)) != NULL) {
		errno = EPERM;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | OPEN_FLAGS)) == -1)
		return errno == ENOENT || errno == ELOOP ? -2 : -1;
	return fd;
}

/*
 * The lock is taken.  By a running instance (an exclusive lock: then -1,
 * EEXIST and its pid in *other), or for an instant by a reader such as
 * --status (a shared lock, which lets another shared one in: 1, again).
 * Closes fd.
 */
static int
locked_out(int fd, pid_t *other)
{
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 1;
	}
	*other = read_pid(fd);
	close(fd);
	errno = EEXIST;
	return -1;
}

/*
 * Open the locked file st again, for writing, and empty it: the stale pid
 * of a file reused must not pass for this instance's.  Returns the fd, or
 * -1 with errno (EAGAIN when path names another file by now).
 */
static int
open_writer(const char *path, const struct stat *st)
{
	struct stat	now;
	int		wfd, saved;

	if ((wfd = open(path, O_WRONLY | OPEN_FLAGS)) == -1)
		return -1;
	/* Two failures keep their errno alike, on purpose. */
	/* NOLINTBEGIN(bugprone-branch-clone) */
	if (fstat(wfd, &now) == -1)
		saved = errno;
	else if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
		saved = EAGAIN;
	else if (ftruncate(wfd, 0) == -1)
		saved = errno;
	else
		return wfd;
	/* NOLINTEND(bugprone-branch-clone) */
	close(wfd);
	errno = saved;
	return -1;
}

/* Why a file cannot be a pidfile of root's, or NULL when it can. */
static const char *
refusal(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_nlink != 1)
		return "has more than one link";
	return NULL;
}

/*
 * A try that failed: close fd, and remove the file if this try created
 * it (and path still names it).  Returns -1, errno kept.
 */
static int
abandon(int fd, const char *path, const struct stat *st, bool created)
{
	int	saved = errno;

	close(fd);
	if (created && st != NULL)
		unlink_if(path, st->st_dev, st->st_ino);
	errno = saved;
	return -1;
}

/*
 * Remove path if it is the regular file dev/ino: never a link, never a
 * file put in its place.  Async-signal-safe.
 */
static void
unlink_if(const char *path, dev_t dev, ino_t ino)
{
	struct stat	st;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_dev == dev && st.st_ino == ino)
		unlink(path);
}

/*
 * Write pid and a newline over the file's content.  A write that fails
 * (a full disk) leaves the file empty, never a part of the pid.
 */
int
pidlock_write(const struct pidlock *pl, pid_t pid)
{
	char	buf[32];
	size_t	n, off = 0;
	ssize_t	w;
	int	saved;

	n = (size_t)snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (ftruncate(pl->wfd, 0) == -1)
		return -1;
	while (off < n) {
		w = pwrite(pl->wfd, buf + off, n - off, (off_t)off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			saved = w == 0 ? ENOSPC : errno;
			if (ftruncate(pl->wfd, 0) == -1) {
				/* Then the part stays: nothing else to do. */
			}
			errno = saved;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Empty the file: no command runs now (between restarts). */
int
pidlock_clear(const struct pidlock *pl)
{
	return ftruncate(pl->wfd, 0);
}

/* The locked fd, read-only (what -x hands to the command), or -1. */
int
pidlock_fd(const struct pidlock *pl)
{
	return pl->fd;
}

bool
pidlock_held(const struct pidlock *pl)
{
	return pl->fd != -1;
}

/* Remove the file, if path still names the one locked.  Async-signal-safe. */
void
pidlock_unlink(const struct pidlock *pl)
{
	if (pl->fd != -1)
		unlink_if(pl->path, pl->dev, pl->ino);
}

/* Remove the file (if still ours) and let the lock go. */
void
pidlock_remove(struct pidlock *pl)
{
	pidlock_unlink(pl);
	if (pl->wfd != -1)
		close(pl->wfd);
	if (pl->fd != -1)
		close(pl->fd);
	pl->fd = pl->wfd = -1;
}

/*
 * The pid in a pidfile's content buf (len bytes, no NUL needed): decimal
 * digits without a sign, a blank or a leading zero, and at most one
 * newline after them, for a value from 1 to max.  Anything else is no pid
 * (-1), never a number cut or wrapped into one (strtol and a cast to
 * pid_t would read "4294967297" as 1 and "12abc" as 12).
 */
int
pidlock_parse(const char *buf, size_t len, long max, pid_t *pid)
{
	char		digits[16];
	long long	v;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	/* A leading zero, or a NUL that would end the string early: no pid. */
	if (len == 0 || len >= sizeof(digits) || buf[0] == '0' ||
	    memchr(buf, '\0', len) != NULL)
		return -1;
	memcpy(digits, buf, len);
	digits[len] = '\0';
	if (num_dec(digits, 1, max < INT_MAX ? max : INT_MAX, &v) == -1)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

/* The pid that fd's file holds, or PIDLOCK_NOPID, or PIDLOCK_BADPID. */
static pid_t
read_pid(int fd)
{
	char	buf[CONTENT_MAX];
	ssize_t	n;
	pid_t	pid;

	do {
		n = pread(fd, buf, sizeof(buf), 0);
	} while (n == -1 && errno == EINTR);
	if (n == 0)
		return PIDLOCK_NOPID;
	if (n > 0 && pidlock_parse(buf, (size_t)n, pid_max() - 1, &pid) == 0)
		return pid;
	return PIDLOCK_BADPID;
}

/* /proc/sys/kernel/pid_max: every pid is below it. */
static long
pid_max(void)
{
	char		buf[32];
	ssize_t		n;
	long long	max;
	int		fd;

	if ((fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		return PID_CEILING;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return PID_CEILING;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return num_dec(buf, 2, INT_MAX, &max) == 0 ? (long)max : PID_CEILING;
}

/*
 * What path says, without changing it: a shared lock that cannot be had
 * means an instance runs.  *pid is the pid the file holds, PIDLOCK_NOPID
 * or PIDLOCK_BADPID.  Nothing is followed, and nothing but a regular file
 * is opened (a FIFO would block, a device might act): anything else is no
 * pidfile of usher's.
 */
enum pidlock_state
pidlock_state(const char *path, pid_t *pid)
{
	struct stat	st;
	int		fd;
	bool		locked;

	*pid = PIDLOCK_NOPID;
	if (lstat(path, &st) == -1)
		return errno == ENOENT ? PIDLOCK_NONE : PIDLOCK_STALE;
	if (!S_ISREG(st.st_mode))
		return PIDLOCK_STALE;
	if ((fd = open(path, O_RDONLY | OPEN_FLAGS)) == -1)
		return errno == ENOENT ? PIDLOCK_NONE : PIDLOCK_STALE;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return PIDLOCK_STALE;
	}
	locked = flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	*pid = read_pid(fd);
	close(fd);
	return locked ? PIDLOCK_RUNNING : PIDLOCK_STALE;
}

/*
 * Where a pidfd cannot be had, the waits look at /proc after naps that
 * double from 1 ms up to this many: the fallback, not the rule.
 */
#define NAP_MAX_MS	100
#define NAP_LONG_MS	1000	/* in a wait without a deadline */

/*
 * What wakes --if-running wait: a close of the file by anyone (a holder's
 * last close lets the lock go), and its removal, a rename, or a change of
 * its links (usher removes its pidfile at its end).
 */
#define WATCH_EVENTS	(IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_ATTRIB | \
			 IN_DELETE_SELF | IN_MOVE_SELF)

/*
 * Pin pid as it is now into *m: a pidfd where the kernel gives one, and
 * its start time, so that a later signal can never reach another process
 * that took the same pid.  *st gets what /proc showed.  Returns -1 when
 * pid names no live process (or a thread that does not lead one).
 */
static int
pin(pid_t pid, struct member *m, struct proctree_stat *st)
{
	m->pid = pid;
	if ((m->pidfd = pidfd_open(pid, 0)) == -1 &&
	    (errno == ESRCH || errno == EINVAL))
		return -1;
	if (proctree_stat(pid, st) == -1 || ended(st->state)) {
		unpin(m);
		return -1;
	}
	m->start = st->start;
	/* Still there after /proc was read: what it showed was this one. */
	if (!alive(m)) {
		unpin(m);
		return -1;
	}
	return 0;
}

static void
unpin(struct member *m)
{
	if (m->pidfd != -1)
		close(m->pidfd);
	m->pidfd = -1;
}

/* A zombie has ended: only its parent's wait is missing. */
static bool
ended(char state)
{
	return state == 'Z' || state == 'X' || state == 'x';
}

/* Whether the pinned process has not ended. */
static bool
alive(const struct member *m)
{
	struct pollfd	pfd = { m->pidfd, POLLIN, 0 };

	if (m->pidfd != -1)
		return poll(&pfd, 1, 0) == 0;
	return same(m);
}

/* Whether pid is, by its start time, still the process that was pinned. */
static bool
same(const struct member *m)
{
	struct proctree_stat	st;

	return proctree_stat(m->pid, &st) == 0 && st.start == m->start &&
	    !ended(st.state);
}

/*
 * Signal the pinned process: through its pidfd, or, where there is none,
 * with kill(2) right after its start time was seen unchanged.
 */
static int
send_signal(const struct member *m, int sig)
{
	if (m->pidfd != -1) {
		if (pidfd_send_signal(m->pidfd, sig, NULL, 0) == 0)
			return 0;
		if (errno != ENOSYS)
			return -1;
	}
	if (!alive(m) || !same(m)) {
		errno = ESRCH;
		return -1;
	}
	return kill(m->pid, sig);
}

/* Send sig (then CONT, so that a stopped process sees it) to each of m. */
static void
signal_all(const struct member *m, size_t n, int sig)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (send_signal(&m[i], sig) == 0 && signals_needs_cont(sig))
			send_signal(&m[i], SIGCONT);
}

/*
 * The file's identity, without following a symbolic link: a link could
 * point at another instance's pidfile, or at anyone's locked file.
 */
static int
lock_id(const char *path, dev_t *dev, ino_t *ino)
{
	struct stat	st;

	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

/* Whether process pid has the file dev/ino open and holds its flock. */
static bool
holds(long pid, dev_t dev, ino_t ino)
{
	struct dirent	*fe;
	DIR		*fd;
	char		 dir[64];
	bool		 held = false;

	(void)snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
	if ((fd = opendir(dir)) == NULL)
		return false;
	while (!held && (fe = readdir(fd)) != NULL)
		held = isdigit((unsigned char)fe->d_name[0]) &&
		    holds_lock(pid, fe->d_name, dev, ino);
	closedir(fd);
	return held;
}

/* Whether fd in /proc/PID/fd is path's file and holds its flock. */
static bool
holds_lock(long pid, const char *fdname, dev_t dev, ino_t ino)
{
	struct stat	 st;
	char		 p[320], line[256];
	FILE		*f;
	bool		 held = false;

	(void)snprintf(p, sizeof(p), "/proc/%ld/fd/%s", pid, fdname);
	if (stat(p, &st) == -1 || st.st_dev != dev || st.st_ino != ino)
		return false;
	(void)snprintf(p, sizeof(p), "/proc/%ld/fdinfo/%s", pid, fdname);
	if ((f = fopen(p, "re")) == NULL)
		return false;
	while (!held && fgets(line, sizeof(line), f) != NULL)
		held = strncmp(line, "lock:", 5) == 0 &&
		    strstr(line, "FLOCK") != NULL &&
		    strstr(line, "WRITE") != NULL;
	(void)fclose(f);
	return held;
}

/*
 * The processes that hold path's lock, pinned into m (at most max).  A
 * reader that merely has the file open does not count.  Each is pinned
 * first and seen to hold the lock again after, so that what is pinned is
 * the holder and not a process that took its pid meanwhile.
 */
static size_t
find_holders(const char *path, struct member *m, size_t max)
{
	struct proctree_stat	 st;
	struct dirent		*pe;
	DIR			*pd;
	dev_t			 dev;
	ino_t			 ino;
	size_t			 n = 0;
	long long		 pid;

	if (lock_id(path, &dev, &ino) == -1 || (pd = opendir("/proc")) == NULL)
		return 0;
	while (n < max && (pe = readdir(pd)) != NULL) {
		if (num_dec(pe->d_name, 1, INT_MAX, &pid) == -1)
			continue;
		if (!holds(pid, dev, ino) || pin((pid_t)pid, &m[n], &st) == -1)
			continue;
		if (holds(pid, dev, ino) && alive(&m[n]))
			n++;
		else
			unpin(&m[n]);
	}
	closedir(pd);
	return n;
}

/*
 * The command, pid as the file says, pinned into *c when it belongs to
 * the instance: the child of a holder, as /proc shows it while that holder
 * still lives (a holder itself is signalled as one).  A pid that anyone
 * who can write the file could have put there is never signalled: a live
 * one that is not the instance's gets a warning.  Returns whether *c was
 * filled.
 */
static bool
find_command(const char *path, pid_t pid, const struct member *h, size_t n,
    struct member *c)
{
	struct proctree_stat	st;
	size_t			i;
	char			why[80];

	if (pid <= 0)
		return false;
	for (i = 0; i < n; i++)
		if (h[i].pid == pid)
			return false;
	if (pin(pid, c, &st) == -1)
		return false;
	for (i = 0; i < n; i++)
		if (h[i].pid == st.ppid && alive(&h[i]))
			return true;
	unpin(c);
	(void)snprintf(why, sizeof(why), "pid %d does not belong to the "
	    "instance: not signalled", (int)pid);
	errline_say(path, why, NULL);
	return false;
}

/* d goes off ms milliseconds from now. */
static void
nap_set(struct deadline *d, int ms)
{
	struct timespec	in = { ms / 1000, (long)(ms % 1000) * 1000000L };

	deadline_set(d, &in);
}

/*
 * ppoll(2) the k fds of pfd until one is ready or the earliest of the n
 * deadlines of dl (none on: no limit).  Returns what ppoll() does, 0 for
 * an interruption, -1 with errno when it failed.
 */
static int
wait_fds(struct pollfd *pfd, size_t k, const struct deadline *dl, size_t n)
{
	struct timespec	left;
	int		r;

	r = ppoll(pfd, k, deadline_timeout(dl, n, &left), NULL);
	return r == -1 && errno == EINTR ? 0 : r;
}

/*
 * The pidfds of the members of m that still live, into pfd; *slow tells
 * whether one that lives has none.  Returns how many went into pfd.
 */
static size_t
live_pidfds(const struct member *m, size_t n, struct pollfd *pfd, bool *slow)
{
	size_t	i, k = 0;

	*slow = false;
	for (i = 0; i < n; i++) {
		if (!alive(&m[i]))
			continue;
		if (m[i].pidfd == -1)
			*slow = true;
		else
			pfd[k++] = (struct pollfd){ m[i].pidfd, POLLIN, 0 };
	}
	return k;
}

/*
 * Wait until every one of m has ended (WAIT_FREE), or limit has passed
 * (WAIT_LIMIT; NULL: no limit), or (sigfd != -1) a signal came
 * (WAIT_SIGNAL).  The pidfds are polled.  A process without one (no
 * pidfd_open) is looked at by its start time in /proc after naps that
 * double from 1 ms, a deadline of their own: the fallback, where the
 * kernel gives no pidfd.  So a pid that was reused counts as gone, and
 * none is ever waited for in its place.
 */
static enum wait_end
wait_gone(const struct member *m, size_t n, const struct timespec *limit,
    int sigfd)
{
	struct pollfd	pfd[HOLDERS_MAX + 2];
	struct deadline	dl[2];		/* the limit, the next nap */
	struct timespec	now;
	size_t		k;
	int		nap = 1, nap_max;
	bool		slow;

	nap_max = limit != NULL ? NAP_MAX_MS : NAP_LONG_MS;
	deadline_off(&dl[0]);
	deadline_off(&dl[1]);
	if (limit != NULL)
		deadline_set(&dl[0], limit);
	for (;;) {
		if ((k = live_pidfds(m, n, pfd, &slow)) == 0 && !slow)
			return WAIT_FREE;
		deadline_now(&now);
		if (deadline_due(&dl[0], &now))
			return WAIT_LIMIT;
		if (slow)
			nap_set(&dl[1], nap);
		pfd[k++] = (struct pollfd){ sigfd, POLLIN, 0 };
		if (wait_fds(pfd, k, dl, 2) == -1)
			return WAIT_FAILED;
		if (sigfd != -1 && pfd[k - 1].revents != 0)
			return WAIT_SIGNAL;
		if (slow && nap < nap_max)
			nap = nap * 2 > nap_max ? nap_max : nap * 2;
	}
}

/*
 * --if-running wait: block until path's lock is free, watching sigfd.
 * Returns 0 when the lock is free, or path no longer names a locked
 * regular file (pidlock_open() is to try again, and says what is wrong);
 * 1 when sigfd is readable, the signals left there for the caller to read
 * and judge; -1 with errno set when the wait itself failed.  No tick:
 * each round watches the file (watch_file()) and wakes when it is closed,
 * removed, renamed or unlinked.  Only where no watch can be had does it
 * wait for the holders (wait_holders()).
 */
int
pidlock_wait(const char *path, int sigfd)
{
	enum wait_end	r;

	while ((r = wait_round(path, sigfd)) == WAIT_AGAIN)
		continue;
	return r == WAIT_SIGNAL ? 1 : r == WAIT_FAILED ? -1 : 0;
}

/*
 * One round: open the file (only a regular file, never through a link),
 * watch it, and only then look at its lock, so that no release after the
 * look goes unseen.  The fd stays open until the round ends, so that the
 * round's own open and close wake no one, least of all itself.
 */
static enum wait_end
wait_round(const char *path, int sigfd)
{
	struct stat	st;
	enum wait_end	r;
	int		fd, ifd;

	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (fd = open(path, O_RDONLY | OPEN_FLAGS)) == -1)
		return WAIT_FREE;
	if ((ifd = watch_file(fd)) == -1) {
		close(fd);
		return wait_holders(path, sigfd);
	}
	r = locked(fd) ? wait_watch(ifd, sigfd) : WAIT_FREE;
	close(ifd);
	close(fd);
	return r;
}

/*
 * An inotify fd watching the file open as fd for WATCH_EVENTS, or -1.  The
 * watch is put through /proc/self/fd, on the very file that was opened
 * (without following a link), not on whatever the path names by now.
 */
static int
watch_file(int fd)
{
	char	proc[64];
	int	ifd;

	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (inotify_add_watch(ifd, proc, WATCH_EVENTS) == -1) {
		close(ifd);
		return -1;
	}
	return ifd;
}

/* Whether fd is a regular file whose lock an instance holds. */
static bool
locked(int fd)
{
	struct stat	st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
}

/* Sleep until the watch on ifd or sigfd has something. */
static enum wait_end
wait_watch(int ifd, int sigfd)
{
	struct pollfd	pfd[2] = { { sigfd, POLLIN, 0 }, { ifd, POLLIN, 0 } };

	if (wait_fds(pfd, 2, NULL, 0) == -1)
		return WAIT_FAILED;
	return pfd[0].revents != 0 ? WAIT_SIGNAL : WAIT_AGAIN;
}

/*
 * The fallback, where the kernel gives no watch (its inotify limits
 * reached): wait for the holders that /proc shows.  Where none can be seen
 * (another pid namespace), nothing can say when the lock goes: the file is
 * looked at again after NAP_LONG_MS, or at a signal.
 */
static enum wait_end
wait_holders(const char *path, int sigfd)
{
	struct member	m[HOLDERS_MAX];
	struct deadline	nap;
	struct pollfd	pfd = { sigfd, POLLIN, 0 };
	pid_t		pid;
	size_t		i, n;
	enum wait_end	r;

	if (pidlock_state(path, &pid) != PIDLOCK_RUNNING)
		return WAIT_FREE;
	if ((n = find_holders(path, m, HOLDERS_MAX)) == 0) {
		nap_set(&nap, NAP_LONG_MS);
		if (wait_fds(&pfd, 1, &nap, 1) == -1)
			return WAIT_FAILED;
		return pfd.revents != 0 ? WAIT_SIGNAL : WAIT_AGAIN;
	}
	r = wait_gone(m, n, NULL, sigfd);
	for (i = 0; i < n; i++)
		unpin(&m[i]);
	return r == WAIT_FREE ? WAIT_AGAIN : r;
}

/*
 * --stop: signal the instance holding path, wait up to grace for it to
 * end, then KILL the command and the holders, and wait a little more.
 * Only processes pinned as the instance's are signalled (find_holders,
 * find_command); a file that holds no valid pid gets a warning.  Returns
 * 0 when the instance is gone or was never there, 1 when it could not be
 * stopped.
 */
int
pidlock_stop(const char *path, int sig, const struct timespec *grace)
{
	struct member	m[HOLDERS_MAX + 1];
	struct timespec	cmd_end = { 2, 0 }, kill_end = { 5, 0 };
	pid_t		pid;
	size_t		i, n;
	enum wait_end	r;
	bool		cmd;

	if (pidlock_state(path, &pid) != PIDLOCK_RUNNING)
		return 0;
	if ((n = find_holders(path, m, HOLDERS_MAX)) == 0)
		return pidlock_state(path, &pid) == PIDLOCK_RUNNING;
	if (pid == PIDLOCK_BADPID)
		errline_say(path, "no valid pid in the file: only the lock's "
		    "holders are signalled", NULL);
	cmd = find_command(path, pid, m, n, &m[n]);
	signal_all(m, n, sig);
	r = wait_gone(m, n, grace, -1);
	if (r != WAIT_FREE && cmd && send_signal(&m[n], SIGKILL) == 0) {
		/* The supervisor ends once its command has: give it time. */
		r = wait_gone(m, n, &cmd_end, -1);
	}
	if (r != WAIT_FREE) {
		signal_all(m, n, SIGKILL);
		r = wait_gone(m, n, &kill_end, -1);
	}
	for (i = 0; i < n + (cmd ? 1 : 0); i++)
		unpin(&m[i]);
	return r == WAIT_FREE && pidlock_state(path, &pid) != PIDLOCK_RUNNING ?
	    0 : 1;
}
