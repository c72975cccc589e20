/*
 * report.c: the --report JSON object (SPEC §6a) and its atomic write.
 *
 * The object is built in memory first (open_memstream), so that formatting
 * cannot fail halfway through a file; only then is it written to a
 * temporary "FILE.XXXXXX" in FILE's directory with a loop that survives
 * short writes and EINTR, synced, and renamed over FILE.  A reader thus
 * sees either the old FILE or the whole new one, never a part.
 *
 * Strings are JSON-escaped ('"', '\\', control characters) and repaired:
 * each byte that is not part of a valid UTF-8 sequence (a stray
 * continuation or invalid lead byte, a truncated sequence, an overlong
 * form, a surrogate, a code point above U+10FFFF) becomes one U+FFFD,
 * written as the raw UTF-8 bytes EF BF BD.  Valid UTF-8 passes unchanged.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errline.h"
#include "report.h"
#include "signame.h"

#define REPORT_FFFD	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

static void	 report_head(FILE *, const struct report *);
static void	 report_tail(FILE *, const struct report *);
static void	 report_outcome(FILE *, const struct report *);
static void	 report_string(FILE *, const char *);
static void	 report_byte(FILE *, unsigned char);
static size_t	 report_utf8(const unsigned char *);
static void	 report_time(FILE *, const char *, const struct timespec *);
static void	 report_secs(FILE *, const char *, double);
static double	 report_tv(const struct timeval *);
static char	*report_tmpname(const char *);
static int	 report_commit(const char *, char *, const char *, size_t,
		    mode_t);
static int	 report_put(int, const char *, size_t);

/*
 * Write the report to path atomically.  On failure no temporary file is
 * left behind, err holds "--report: PATH: REASON", and -1 is returned.
 */
int
report_write(const char *path, const struct report *r, char *err,
    size_t errlen)
{
	char	*buf, *tmp = NULL;
	size_t	 len;
	int	 rv = -1;

	if ((buf = report_format(r, &len)) != NULL &&
	    (tmp = report_tmpname(path)) != NULL &&
	    report_commit(path, tmp, buf, len, 0666 & ~r->umask) == 0)
		rv = 0;
	else if (err != NULL && errlen > 0)
		errline_join(err, errlen, "--report", path, strerror(errno),
		    NULL);
	free(tmp);
	free(buf);
	return rv;
}

/*
 * Create a temporary file where the report is to go, and remove it: what
 * would stop the report at the end (a missing or read-only directory, a
 * read-only filesystem, no inode left, a symbolic link loop) stops usher
 * now.  access(2) would not do: it answers for the real uid, and root
 * passes it on a read-only mount.
 */
int
report_check(const char *path, char *err, size_t errlen)
{
	char	*tmp;
	int	 fd = -1;

	if ((tmp = report_tmpname(path)) != NULL &&
	    (fd = mkostemp(tmp, O_CLOEXEC)) != -1) {
		unlink(tmp);
		close(fd);
	} else if (err != NULL && errlen > 0)
		errline_join(err, errlen, "--report", path, strerror(errno),
		    NULL);
	free(tmp);
	return fd == -1 ? -1 : 0;
}

/* Format the whole object, newline included.  NULL with errno on failure. */
char *
report_format(const struct report *r, size_t *lenp)
{
	FILE	*fp;
	char	*buf = NULL;
	int	 bad;

	if ((fp = open_memstream(&buf, lenp)) == NULL)
		return NULL;
	report_head(fp, r);
	report_tail(fp, r);
	fputs("}\n", fp);
	bad = ferror(fp);
	if (fclose(fp) == EOF || bad) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	return buf;
}

/* From "argv" to "end". */
static void
report_head(FILE *fp, const struct report *r)
{
	size_t	i;

	fputs("{\"argv\": [", fp);
	for (i = 0; r->argv != NULL && r->argv[i] != NULL; i++) {
		if (i > 0)
			fputs(", ", fp);
		report_string(fp, r->argv[i]);
	}
	fprintf(fp, "], \"usher_pid\": %ld, \"pid\": ", (long)r->usher_pid);
	if (r->pid == -1)
		fputs("null", fp);
	else
		fprintf(fp, "%ld", (long)r->pid);
	report_time(fp, "start", &r->start);
	report_time(fp, "end", &r->end);
}

/* From "wall_s" to "status" and "error", without the closing brace. */
static void
report_tail(FILE *fp, const struct report *r)
{
	report_secs(fp, "wall_s", r->wall_s);
	report_secs(fp, "user_s", report_tv(&r->ru.ru_utime));
	report_secs(fp, "sys_s", report_tv(&r->ru.ru_stime));
	fprintf(fp, ", \"max_rss_kb\": %ld", r->ru.ru_maxrss);
	report_outcome(fp, r);
	fprintf(fp, ", \"timed_out\": %s, \"restarts\": %u, \"status\": %d",
	    r->timed_out ? "true" : "false", r->restarts, r->status);
	if (r->error != NULL) {
		fputs(", \"error\": ", fp);
		report_string(fp, r->error);
	}
}

/* "exit_code" and "signal": at most one of them is not null. */
static void
report_outcome(FILE *fp, const struct report *r)
{
	char	name[SIGNAME_MAX];

	fputs(", \"exit_code\": ", fp);
	if (r->ended && WIFEXITED(r->wstatus))
		fprintf(fp, "%d", WEXITSTATUS(r->wstatus));
	else
		fputs("null", fp);
	fputs(", \"signal\": ", fp);
	if (r->ended && WIFSIGNALED(r->wstatus))
		report_string(fp, signame_str(WTERMSIG(r->wstatus), name,
		    sizeof(name)));
	else
		fputs("null", fp);
}

/* A JSON string: escaped, with invalid UTF-8 replaced byte by byte. */
static void
report_string(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	fputc('"', fp);
	while (*p != '\0') {
		n = report_utf8(p);
		if (n == 0) {
			fputs(REPORT_FFFD, fp);
			n = 1;
		} else if (n == 1)
			report_byte(fp, *p);
		else
			fwrite(p, 1, n, fp);
		p += n;
	}
	fputc('"', fp);
}

/*
 * One ASCII byte, escaped as JSON requires: the quote, the backslash and
 * the five controls that have a short escape, the other controls as \u.
 */
static void
report_byte(FILE *fp, unsigned char c)
{
	const char	*from = "\"\\\b\f\n\r\t", *to = "\"\\bfnrt", *p;

	if (c != '\0' && (p = strchr(from, c)) != NULL)
		fprintf(fp, "\\%c", to[p - from]);
	else if (c < 0x20)
		fprintf(fp, "\\u%04x", c);
	else
		fputc(c, fp);
}

/*
 * The length of the valid UTF-8 sequence at s (1 to 4), or 0 if the byte
 * at s does not start one.  The ranges of the second byte exclude overlong
 * forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).  The
 * string's NUL fails every continuation test, so no byte past it is read.
 */
static size_t
report_utf8(const unsigned char *s)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* ", "key": "2026-11-22T04:19:33.120Z"", or null if gmtime fails. */
static void
report_time(FILE *fp, const char *key, const struct timespec *ts)
{
	struct tm	tm;
	char		buf[64];

	fprintf(fp, ", \"%s\": ", key);
	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		fputs("null", fp);
		return;
	}
	fprintf(fp, "\"%s.%03ldZ\"", buf, ts->tv_nsec / 1000000);
}

/* Seconds with three decimals; null for what JSON cannot represent. */
static void
report_secs(FILE *fp, const char *key, double s)
{
	fprintf(fp, ", \"%s\": ", key);
	if (isfinite(s))
		fprintf(fp, "%.3f", s);
	else
		fputs("null", fp);
}

static double
report_tv(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* path with ".XXXXXX" appended, for mkostemp. */
static char *
report_tmpname(const char *path)
{
	char	*tmp;

	if (asprintf(&tmp, "%s.XXXXXX", path) == -1)
		return NULL;
	return tmp;
}

/*
 * Create tmp, fill it with buf, and rename it over path.  The mode is
 * set with fchmod because mkostemp creates the file 0600.  On failure the
 * temporary file is removed and errno tells why.
 */
static int
report_commit(const char *path, char *tmp, const char *buf, size_t len,
    mode_t mode)
{
	int	fd, saved;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return -1;
	if (fchmod(fd, mode) == -1 ||
	    report_put(fd, buf, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		goto fail;
	}
	/* Linux releases the fd even when close fails. */
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	errno = saved;
	return -1;
}

/* write(2) all of buf, through short writes and EINTR. */
static int
report_put(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

