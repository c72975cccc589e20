/*
 * lockfd: what a command can do with the fds it inherited of a file.
 *
 * lockfd FILE REPORT
 *
 * For every open fd of this process that is FILE (same device and inode),
 * it tries to write to it, to empty it, and to open it again for writing
 * through /proc/self/fd/N, and writes one line per fd to REPORT:
 *
 *	fd=N write=RESULT truncate=RESULT reopen=RESULT
 *
 * RESULT being "ok" or the errno's name (EBADF, EACCES, ...).  Then
 * "pid=PID", and "locked=RESULT": whether a new read-only open of FILE
 * can take an exclusive flock (EAGAIN, alias EWOULDBLOCK, when an fd
 * of ours holds it).
 * Exits 0 when the report was written.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char	*result(int);
static void		 try_fd(FILE *, int);

/* "ok" for r == 0, else the name of errno. */
static const char *
result(int r)
{
	const char	*name;

	if (r == 0)
		return "ok";
	name = strerrorname_np(errno);
	return name != NULL ? name : "?";
}

static void
try_fd(FILE *out, int fd)
{
	char	path[64];
	int	w, t, o, nfd;

	w = write(fd, "1\n", 2) == 2 ? 0 : -1;
	fprintf(out, "fd=%d write=%s", fd, result(w));
	t = ftruncate(fd, 0);
	fprintf(out, " truncate=%s", result(t));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_CLOEXEC);
	o = nfd == -1 ? -1 : 0;
	fprintf(out, " reopen=%s\n", result(o));
	if (nfd != -1)
		close(nfd);
}

int
main(int argc, char *argv[])
{
	struct dirent	*de;
	struct stat	 want, st;
	DIR		*d;
	FILE		*out;
	int		 fd, r;

	if (argc != 3)
		errx(2, "usage: lockfd FILE REPORT");
	if (stat(argv[1], &want) == -1)
		err(2, "%s", argv[1]);
	if ((out = fopen(argv[2], "we")) == NULL)
		err(2, "%s", argv[2]);
	if ((d = opendir("/proc/self/fd")) == NULL)
		err(2, "/proc/self/fd");
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (de->d_name[0] == '.' || fd == dirfd(d) ||
		    fstat(fd, &st) == -1 || st.st_dev != want.st_dev ||
		    st.st_ino != want.st_ino)
			continue;
		try_fd(out, fd);
	}
	closedir(d);
	fprintf(out, "pid=%d\n", (int)getpid());
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) == -1)
		err(2, "%s", argv[1]);
	r = flock(fd, LOCK_EX | LOCK_NB);
	fprintf(out, "locked=%s\n", result(r));
	if (fclose(out) == EOF)
		err(2, "%s", argv[2]);
	return 0;
}
