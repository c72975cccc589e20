/*
 * fuzz_procstat.c: proctree_parse_stat(), the parser of /proc/PID/stat.
 * Properties: on any bytes it reads none past the buffer (the sanitizer
 * watches) and what it accepts is sane (pid > 0, ppid and pgid >= 0); and
 * a line that the harness builds from known numbers around ANY name of 0
 * to 16 bytes (parentheses, newlines, spaces, NULs, digits) parses back to
 * exactly those numbers.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdbool.h>

#include "fuzz.h"
#include "proctree.h"

#define LINE_MAX_LEN	512

struct cursor {
	const uint8_t	*p;
	size_t		 left;
};

static unsigned long long	take(struct cursor *, size_t);
static size_t	build(struct cursor *, char *, struct proctree_stat *);

/* The next n bytes as a number, little end first; 0 once input runs out. */
static unsigned long long
take(struct cursor *c, size_t n)
{
	unsigned long long	v = 0;
	size_t			i;

	for (i = 0; i < n; i++) {
		v |= (unsigned long long)(c->left > 0 ? *c->p : 0) << (8 * i);
		if (c->left > 0) {
			c->p++;
			c->left--;
		}
	}
	return v;
}

/* A stat line as the kernel writes it, the numbers chosen by the input. */
static size_t
build(struct cursor *c, char *line, struct proctree_stat *want)
{
	static const char	 states[] = "RSDTtZXIPWK";
	char			 name[16];
	size_t			 len, namelen, i;
	int			 nice, tpgid;
	bool			 newline;

	want->pid = (pid_t)(1 + take(c, 4) % INT_MAX);
	want->ppid = (pid_t)(take(c, 4) % ((unsigned long long)INT_MAX + 1));
	want->pgid = (pid_t)(take(c, 4) % ((unsigned long long)INT_MAX + 1));
	want->start = take(c, 8);
	want->state = states[take(c, 1) % (sizeof(states) - 1)];
	nice = (int)(take(c, 1) % 40) - 20;
	tpgid = take(c, 1) % 2 == 0 ? -1 : want->pgid;
	newline = take(c, 1) % 2 == 0;
	namelen = (size_t)(take(c, 1) % 17);
	for (i = 0; i < namelen; i++)
		name[i] = (char)take(c, 1);
	len = (size_t)snprintf(line, LINE_MAX_LEN, "%d (", (int)want->pid);
	memcpy(line + len, name, namelen);
	len += namelen;
	len += (size_t)snprintf(line + len, LINE_MAX_LEN - len,
	    ") %c %d %d %d 34816 %d 4194560 105 0 0 0 3 1 0 0 %d %d 1 0 "
	    "%llu 2682880 438 18446744073709551615 1 1 0 0 0 0 0 6 0 1 0 0 "
	    "17 1 0 0 0 0 0 0 0 0 0 0 0 0%s", want->state, (int)want->ppid,
	    (int)want->pgid, (int)want->pgid, tpgid, nice + 20, nice,
	    want->start, newline ? "\n" : "");
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proctree_stat	 got, want;
	struct cursor		 c = { data, size };
	char			*line;
	size_t			 len;

	if (proctree_parse_stat((const char *)data, size, &got) == 0) {
		check(got.pid > 0);
		check(got.ppid >= 0);
		check(got.pgid >= 0);
	}
	/* Exactly len bytes on the heap, so that a read past them shows. */
	if ((line = malloc(LINE_MAX_LEN)) == NULL)
		abort();
	len = build(&c, line, &want);
	check(len < LINE_MAX_LEN);
	line = realloc(line, len);
	if (line == NULL && len > 0)
		abort();
	memset(&got, 0, sizeof(got));
	check(proctree_parse_stat(line, len, &got) == 0);
	check(got.pid == want.pid);
	check(got.ppid == want.ppid);
	check(got.pgid == want.pgid);
	check(got.state == want.state);
	check(got.start == want.start);
	free(line);
	return 0;
}
