/*
 * tiocsti: a test helper that tries to type into its terminal, as a
 * hostile command would, and reports how each try went.
 *
 * tiocsti [-r FILE] TEXT
 *
 * It pushes TEXT and a newline into the input queue of the terminal on
 * fd 0 with ioctl(TIOCSTI), once through each way the ABI offers: the
 * native ioctl ("tiocsti"), the same with high bits set in the request,
 * which the kernel ignores ("tiocsti_high"), and on x86_64 the i386 ioctl
 * through int 0x80 ("tiocsti_i386") and the x32 ones, 514 and 16 with bit
 * 30 set ("tiocsti_x32", "tiocsti_x32_16").  Then it asks TIOCLINUX for
 * the shift state ("tioclinux"), which is harmless on a console.  Each is
 * reported as "ok", the errno's name, or "unavailable" (no i386 system
 * calls on this kernel), after uid, "seccomp" and "nnp"
 * (the Seccomp and NoNewPrivs fields of /proc/self/status), one key=value
 * a line, to FILE (written whole through a rename) or standard output.
 * It stands alone, without usher's library.
 */

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/tiocl.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_HELPER	97

static void	usage(void);
static const char *result(int);
static int	push_native(const char *, unsigned long);
#ifdef __x86_64__
static long	ioctl_i386(unsigned int, unsigned int, uint32_t);
static int	push_i386(const char *);
static int	push_x32(const char *, long);
#endif
static int	linux_shift(void);
static void	report_status(FILE *);
static void	report_write(const char *, const char *, size_t);

static void
usage(void)
{
	fprintf(stderr, "usage: tiocsti [-r FILE] TEXT\n");
	exit(EXIT_HELPER);
}

/* "ok" for 0, "unavailable" for -1, else the name of the errno. */
static const char *
result(int e)
{
	const char *name;

	if (e == 0)
		return "ok";
	if (e == -1)
		return "unavailable";
	name = strerrorname_np(e);
	return name != NULL ? name : "unknown";
}

/* Push s byte by byte with request req; 0, or the first errno. */
static int
push_native(const char *s, unsigned long req)
{
	for (; *s != '\0'; s++)
		if (ioctl(STDIN_FILENO, req, s) == -1)
			return errno;
	return 0;
}

#ifdef __x86_64__
/* The i386 ioctl, 54, from 64-bit code: its arguments are 32 bits. */
static long
ioctl_i386(unsigned int fd, unsigned int req, uint32_t arg)
{
	long ret;

	__asm__ volatile ("int $0x80"
	    : "=a" (ret)
	    : "a" (54L), "b" (fd), "c" (req), "d" (arg)
	    : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/*
 * In a child, since a kernel without i386 emulation answers int 0x80 with
 * SIGSEGV: that is reported as "unavailable".  The byte must lie below
 * 4 GiB for a 32-bit pointer.
 */
static int
push_i386(const char *s)
{
	char *low;
	pid_t pid;
	int st, ret;

	if ((pid = fork()) == -1)
		err(EXIT_HELPER, "fork");
	if (pid == 0) {
		/* A sanitizer's handler would turn the signal into exit 1. */
		signal(SIGSEGV, SIG_DFL);
		low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (low == MAP_FAILED)
			_exit(255);
		for (; *s != '\0'; s++) {
			*low = *s;
			ret = (int)ioctl_i386(STDIN_FILENO, TIOCSTI,
			    (uint32_t)(uintptr_t)low);
			if (ret < 0)
				_exit(-ret);
		}
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == -1)
		err(EXIT_HELPER, "waitpid");
	if (WIFSIGNALED(st))
		return -1;
	if (WEXITSTATUS(st) == 255)
		errx(EXIT_HELPER, "mmap below 4 GiB failed");
	return WEXITSTATUS(st);
}

static int
push_x32(const char *s, long nr)
{
	for (; *s != '\0'; s++)
		if (syscall(0x40000000L | nr, STDIN_FILENO, TIOCSTI, s) == -1)
			return errno;
	return 0;
}
#endif

static int
linux_shift(void)
{
	char arg = TIOCL_GETSHIFTSTATE;

	return ioctl(STDIN_FILENO, TIOCLINUX, &arg) == -1 ? errno : 0;
}

static void
report_status(FILE *fp)
{
	FILE *st;
	char *line, *v;
	size_t cap;

	line = NULL;
	cap = 0;
	if ((st = fopen("/proc/self/status", "re")) == NULL)
		err(EXIT_HELPER, "/proc/self/status");
	while (getline(&line, &cap, st) != -1) {
		v = line + strcspn(line, ":");
		if (*v == '\0')
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		if (strcmp(line, "Seccomp") == 0)
			fprintf(fp, "seccomp=%s\n", v);
		else if (strcmp(line, "NoNewPrivs") == 0)
			fprintf(fp, "nnp=%s\n", v);
	}
	free(line);
	fclose(st);
}

static void
report_write(const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	int fd;

	if (path == NULL) {
		fwrite(buf, 1, len, stdout);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		err(EXIT_HELPER, "%s", tmp);
	if (write(fd, buf, len) != (ssize_t)len || close(fd) == -1)
		err(EXIT_HELPER, "%s", tmp);
	if (rename(tmp, path) == -1)
		err(EXIT_HELPER, "rename %s", path);
}

int
main(int argc, char **argv)
{
	const char *report = NULL;
	char *text, *buf;
	size_t len;
	FILE *fp;
	int ch;

	while ((ch = getopt(argc, argv, "r:")) != -1) {
		if (ch != 'r')
			usage();
		report = optarg;
	}
	if (argc - optind != 1)
		usage();
	if (asprintf(&text, "%s\n", argv[optind]) == -1)
		err(EXIT_HELPER, "asprintf");
	if ((fp = open_memstream(&buf, &len)) == NULL)
		err(EXIT_HELPER, "open_memstream");
	fprintf(fp, "uid=%d\n", (int)getuid());
	report_status(fp);
	fprintf(fp, "tiocsti=%s\n", result(push_native(text, TIOCSTI)));
	fprintf(fp, "tiocsti_high=%s\n",
	    result(push_native(text, ~0xffffffffUL | TIOCSTI)));
#ifdef __x86_64__
	fprintf(fp, "tiocsti_i386=%s\n", result(push_i386(text)));
	fprintf(fp, "tiocsti_x32=%s\n", result(push_x32(text, 514)));
	fprintf(fp, "tiocsti_x32_16=%s\n", result(push_x32(text, 16)));
#endif
	fprintf(fp, "tioclinux=%s\n", result(linux_shift()));
	if (fclose(fp) == EOF)
		err(EXIT_HELPER, "report");
	report_write(report, buf, len);
	free(buf);
	free(text);
	return 0;
}
