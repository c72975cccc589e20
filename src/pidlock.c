/*
 * pidlock.c: pidfiles.  libbsd's pidfile_open() creates, locks (flock,
 * close-on-exec) and reuses a stale file; pidfile_remove() unlinks and
 * closes.  The pid is written here, not with pidfile_write(), because
 * usher's -p holds the command's pid, not its own.
 *
 * An instance is the process that holds the lock: usher's supervisor, or
 * the command itself with -x.  --stop signals that process and waits for
 * it with pidfd_open(2) and poll(2), not by polling the file.
 */
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pidlock.h"
#include "signals.h"

#define HOLDERS_MAX	64

static bool	holds_lock(long, const char *, dev_t, ino_t);
static int	wait_gone(const pid_t *, size_t, int, int);
static int	signal_all(const pid_t *, size_t, int);

/*
 * Open and lock path.  Returns 0, or -1 with errno set; EEXIST means a
 * running instance holds it, and *other is its pid (-1 if not written yet).
 */
int
pidlock_open(struct pidlock *pl, const char *path, pid_t *other)
{
	struct timespec	pause = { 0, 1000000 };
	int		saved = EEXIST, tries;

	pl->path = path;
	for (tries = 0; tries < 50; tries++) {
		if ((pl->pfh = pidfile_open(path, 0644, other)) != NULL) {
			/* libbsd 0.11 leaves it inheritable: the command must
			 * not hold the lock (but -x hands it over on purpose). */
			fcntl(pidfile_fileno(pl->pfh), F_SETFD, FD_CLOEXEC);
			return 0;
		}
		saved = errno;
		if (saved != EEXIST && saved != EINVAL)
			return -1;
		/*
		 * libbsd reads the other instance's pid without a trailing
		 * newline and calls SPEC's "PID\n" invalid: read it here.
		 * A lock that is gone by now was a passing reader's
		 * (--status takes a shared lock for an instant): try again.
		 */
		if (pidlock_state(path, other) == PIDLOCK_RUNNING) {
			errno = EEXIST;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	errno = saved;
	return -1;
}

/* Write pid and a newline over the file's content. */
int
pidlock_write(const struct pidlock *pl, pid_t pid)
{
	char	buf[32];
	int	fd, n;

	if ((fd = pidfile_fileno(pl->pfh)) == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	return 0;
}

/* The locked fd, or -1. */
int
pidlock_fd(const struct pidlock *pl)
{
	return pl->pfh == NULL ? -1 : pidfile_fileno(pl->pfh);
}

void
pidlock_remove(struct pidlock *pl)
{
	if (pl->pfh != NULL)
		pidfile_remove(pl->pfh);
	pl->pfh = NULL;
}

/*
 * What path says, without changing it: a shared lock that cannot be had
 * means an instance runs.  *pid is the pid the file holds, or -1.
 */
enum pidlock_state
pidlock_state(const char *path, pid_t *pid)
{
	char	buf[32];
	ssize_t	n;
	int	fd;
	bool	locked;

	*pid = -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno == ENOENT ? PIDLOCK_NONE : PIDLOCK_STALE;
	locked = flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		if (isdigit((unsigned char)buf[0]))
			*pid = (pid_t)strtol(buf, NULL, 10);
	}
	close(fd);
	return locked ? PIDLOCK_RUNNING : PIDLOCK_STALE;
}

/* Whether fd in /proc/PID/fd is path's file and holds its flock. */
static bool
holds_lock(long pid, const char *fdname, dev_t dev, ino_t ino)
{
	struct stat	 st;
	char		 p[320], line[256];
	FILE		*f;
	bool		 held = false;

	snprintf(p, sizeof(p), "/proc/%ld/fd/%s", pid, fdname);
	if (stat(p, &st) == -1 || st.st_dev != dev || st.st_ino != ino)
		return false;
	snprintf(p, sizeof(p), "/proc/%ld/fdinfo/%s", pid, fdname);
	if ((f = fopen(p, "re")) == NULL)
		return false;
	while (!held && fgets(line, sizeof(line), f) != NULL)
		held = strncmp(line, "lock:", 5) == 0 &&
		    strstr(line, "FLOCK") != NULL &&
		    strstr(line, "WRITE") != NULL;
	fclose(f);
	return held;
}

/*
 * The processes that hold path's lock, into a malloc'd *out.  A reader
 * that merely has the file open does not count.
 */
size_t
pidlock_holders(const char *path, pid_t **out)
{
	struct dirent	*pe, *fe;
	struct stat	 st;
	DIR		*pd, *fd;
	char		 dir[64];
	size_t		 n = 0;
	long		 pid;

	if ((*out = reallocarray(NULL, HOLDERS_MAX, sizeof(pid_t))) == NULL ||
	    stat(path, &st) == -1 || (pd = opendir("/proc")) == NULL)
		return 0;
	while (n < HOLDERS_MAX && (pe = readdir(pd)) != NULL) {
		if (!isdigit((unsigned char)pe->d_name[0]))
			continue;
		pid = strtol(pe->d_name, NULL, 10);
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
		if ((fd = opendir(dir)) == NULL)
			continue;
		while ((fe = readdir(fd)) != NULL) {
			if (isdigit((unsigned char)fe->d_name[0]) &&
			    holds_lock(pid, fe->d_name, st.st_dev,
			    st.st_ino)) {
				(*out)[n++] = (pid_t)pid;
				break;
			}
		}
		closedir(fd);
	}
	closedir(pd);
	return n;
}

/*
 * Wait until every one of pids has ended, or ms milliseconds (-1: no
 * limit) have passed, or (sigfd != -1) a signal came.  Returns 0 when all
 * are gone, 1 on the deadline, 2 for a signal.
 */
static int
wait_gone(const pid_t *pids, size_t n, int ms, int sigfd)
{
	struct pollfd	pfd[HOLDERS_MAX + 1];
	struct timespec	now, end;
	size_t		i, k = 0, left;
	long long	rest;
	int		r;

	for (i = 0; i < n; i++) {
		pfd[k].fd = pidfd_open(pids[i], 0);
		pfd[k].events = POLLIN;
		if (pfd[k].fd != -1)
			k++;
	}
	pfd[k] = (struct pollfd){ sigfd, POLLIN, 0 };
	if (k == 0) {
		/* Nothing to watch: let the time pass, or a signal come. */
		return poll(pfd, 1, ms < 0 ? 1000 : ms) > 0 &&
		    pfd[0].revents != 0 ? 2 : 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (long)(ms % 1000) * 1000000L;
	for (left = k, r = 0; left > 0 && r == 0;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		rest = (end.tv_sec - now.tv_sec) * 1000LL +
		    (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (ms >= 0 && rest <= 0)
			r = 1;
		else if (poll(pfd, k + 1, ms < 0 ? -1 : (int)rest) <= 0)
			r = ms < 0 ? 0 : 1;
		else if (pfd[k].revents != 0)
			r = 2;
		for (i = 0; i < k; i++) {
			if (pfd[i].fd != -1 && pfd[i].revents != 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				left--;
			}
			pfd[i].revents = 0;
		}
	}
	for (i = 0; i < k; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	return r;
}

/*
 * --if-running wait: block until path's lock is free, watching sigfd.
 * Returns 0 when free (try to lock again), or -1 with *sig when a stop
 * signal (signals_is_stop()) came first; other signals are dropped,
 * there being no command yet to forward them to.  Where no holder can be
 * seen (another pid namespace), it looks again every second.
 */
int
pidlock_wait(const char *path, int sigfd, int stop_signal, int *sig)
{
	struct signalfd_siginfo	 si;
	pid_t			*pids, pid;
	size_t			 n;
	int			 r;

	for (;;) {
		if (pidlock_state(path, &pid) != PIDLOCK_RUNNING)
			return 0;
		n = pidlock_holders(path, &pids);
		r = wait_gone(pids, n, n > 0 ? -1 : 1000, sigfd);
		free(pids);
		if (r != 2)
			continue;
		while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			*sig = (int)si.ssi_signo;
			if (signals_is_stop(*sig, stop_signal))
				return -1;
		}
	}
}

static int
signal_all(const pid_t *pids, size_t n, int sig)
{
	size_t	i;
	int	sent = 0;

	for (i = 0; i < n; i++) {
		if (kill(pids[i], sig) == 0)
			sent++;
		if (sig != SIGKILL && sig != SIGCONT)
			kill(pids[i], SIGCONT);
	}
	return sent;
}

/*
 * --stop: signal the instance holding path, wait up to grace for it to
 * end, then KILL the command (the pid in the file) and the holders, and
 * wait a little more.  Returns 0 when the instance is gone or was never
 * there, 1 when it could not be stopped.
 */
int
pidlock_stop(const char *path, int sig, const struct timespec *grace)
{
	pid_t	*pids, pid;
	size_t	 n;
	int	 ms, r;

	if (pidlock_state(path, &pid) != PIDLOCK_RUNNING)
		return 0;
	if ((n = pidlock_holders(path, &pids)) == 0) {
		free(pids);
		return pidlock_state(path, &pid) == PIDLOCK_RUNNING;
	}
	signal_all(pids, n, sig);
	ms = grace->tv_sec >= INT_MAX / 1000 ? INT_MAX :
	    (int)(grace->tv_sec * 1000 + grace->tv_nsec / 1000000);
	r = wait_gone(pids, n, ms, -1);
	if (r != 0 && pid > 0 && kill(pid, SIGKILL) == 0) {
		/* The supervisor ends once its command has: give it time. */
		r = wait_gone(pids, n, 2000, -1);
	}
	if (r != 0) {
		signal_all(pids, n, SIGKILL);
		r = wait_gone(pids, n, 5000, -1);
	}
	free(pids);
	return r == 0 && pidlock_state(path, &pid) != PIDLOCK_RUNNING ? 0 : 1;
}
