/*
 * fuzz_report.c: report_format() on any argv, pids, times, outcome and
 * error message.  Properties: the output is one valid JSON object and a
 * newline, checked by a strict parser written here (not the report's own
 * code); it has exactly the keys of SPEC §6a, each once, plus "error" when
 * one was given; every string is valid UTF-8 without raw control bytes;
 * argv has one element per argument; pid is null exactly when there was
 * none; at most one of exit_code and signal is not null.
 *
 * Input: a 50-byte header (pids, times, wall seconds, restarts, flags,
 * exit code or signal, status; zero-padded when short), then the strings,
 * each ended by a NUL; with flag 8 the last string is the error message.
 */
#include <sys/wait.h>

#include <stdbool.h>
#include <stdint.h>

#include "fuzz.h"
#include "report.h"

#define HEAD	50
#define DEPTH	8

static const char *const keys[] = {
	"argv", "usher_pid", "pid", "start", "end", "wall_s", "user_s",
	"sys_s", "max_rss_kb", "exit_code", "signal", "timed_out",
	"restarts", "status", "error"
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

struct parser {
	const unsigned char	*p, *end;
	char			 key[32];	/* the last string, if short */
	size_t			 nargv;		/* elements of "argv" */
	bool			 nulls[NKEYS];	/* the member was null */
};

static bool	value(struct parser *, int);

static void
ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool
lit(struct parser *ps, const char *s)
{
	size_t	n = strlen(s);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, s, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int
hex4(struct parser *ps)
{
	int	v = 0, i, c;

	if (ps->end - ps->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = *ps->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* One UTF-8 character of 2 to 4 bytes, decoded and range-checked. */
static bool
utf8(struct parser *ps)
{
	unsigned char	c = *ps->p++;
	uint32_t	cp, min;
	int		n, i;

	if (c >= 0xc0 && c < 0xe0)
		n = 1, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c < 0xf0)
		n = 2, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c < 0xf8)
		n = 3, cp = c & 0x07, min = 0x10000;
	else
		return false;
	for (i = 0; i < n; i++) {
		if (ps->p >= ps->end || (*ps->p & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (*ps->p++ & 0x3f);
	}
	return cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
}

static bool
string(struct parser *ps)
{
	size_t	klen = 0;
	int	u, lo;

	if (!lit(ps, "\""))
		return false;
	for (;;) {
		if (ps->p >= ps->end || *ps->p < 0x20)
			return false;
		if (*ps->p == '"') {
			ps->p++;
			ps->key[klen < sizeof(ps->key) ? klen : 0] = '\0';
			return true;
		}
		if (*ps->p >= 0x80) {
			if (!utf8(ps))
				return false;
			klen = sizeof(ps->key);
			continue;
		}
		if (*ps->p != '\\') {
			if (klen + 1 < sizeof(ps->key))
				ps->key[klen++] = (char)*ps->p;
			else
				klen = sizeof(ps->key);
			ps->p++;
			continue;
		}
		klen = sizeof(ps->key);
		ps->p++;
		if (ps->p >= ps->end)
			return false;
		if (strchr("\"\\/bfnrt", *ps->p) != NULL && *ps->p != '\0') {
			ps->p++;
			continue;
		}
		if (*ps->p++ != 'u' || (u = hex4(ps)) == -1)
			return false;
		if (u >= 0xdc00 && u <= 0xdfff)
			return false;
		if (u >= 0xd800 && u <= 0xdbff && (!lit(ps, "\\u") ||
		    (lo = hex4(ps)) < 0xdc00 || lo > 0xdfff))
			return false;
	}
}

static bool
digits(struct parser *ps)
{
	const unsigned char	*start = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > start;
}

static bool
number(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (!digits(ps))
		return false;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return false;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digits(ps))
			return false;
	}
	return true;
}

static bool
array(struct parser *ps, int depth, size_t *n)
{
	*n = 0;
	ps->p++;
	ws(ps);
	if (lit(ps, "]"))
		return true;
	for (;;) {
		if (!value(ps, depth + 1))
			return false;
		(*n)++;
		ws(ps);
		if (lit(ps, "]"))
			return true;
		if (!lit(ps, ","))
			return false;
	}
}

/* Any object below the top: members parsed, keys not checked. */
static bool
object(struct parser *ps, int depth)
{
	ps->p++;
	ws(ps);
	if (lit(ps, "}"))
		return true;
	for (;;) {
		ws(ps);
		if (!string(ps))
			return false;
		ws(ps);
		if (!lit(ps, ":") || !value(ps, depth + 1))
			return false;
		ws(ps);
		if (lit(ps, "}"))
			return true;
		if (!lit(ps, ","))
			return false;
	}
}

static bool
value(struct parser *ps, int depth)
{
	size_t	n;

	if (depth > DEPTH)
		return false;
	ws(ps);
	if (ps->p >= ps->end)
		return false;
	switch (*ps->p) {
	case '"':
		return string(ps);
	case '[':
		return array(ps, depth, &n);
	case '{':
		return object(ps, depth);
	case 't':
		return lit(ps, "true");
	case 'f':
		return lit(ps, "false");
	case 'n':
		return lit(ps, "null");
	default:
		return number(ps);
	}
}

/* The top object: each member's key must be one of keys[], once. */
static void
top(struct parser *ps, bool seen[NKEYS])
{
	size_t	i;

	ws(ps);
	check(lit(ps, "{"));
	do {
		ws(ps);
		check(string(ps));
		for (i = 0; i < NKEYS && strcmp(ps->key, keys[i]) != 0; i++)
			continue;
		check(i < NKEYS && !seen[i]);
		seen[i] = true;
		ws(ps);
		check(lit(ps, ":"));
		ws(ps);
		if (i == 0) {
			check(ps->p < ps->end && *ps->p == '[');
			check(array(ps, 1, &ps->nargv));
		} else {
			ps->nulls[i] = ps->end - ps->p >= 4 &&
			    memcmp(ps->p, "null", 4) == 0;
			check(value(ps, 1));
		}
		ws(ps);
	} while (lit(ps, ","));
	check(lit(ps, "}"));
	check(lit(ps, "\n"));
	check(ps->p == ps->end);
}

static uint64_t
take(const uint8_t *h, size_t off, size_t n)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)h[off + i] << (8 * i);
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		 h[HEAD] = { 0 };
	struct report	 r = { 0 };
	struct parser	 ps;
	bool		 seen[NKEYS] = { false };
	char		*buf, *strs, **argv;
	size_t		 len, n = 0, i, nstr = 0, rest;
	uint64_t	 bits;
	double		 wall;

	memcpy(h, data, size < HEAD ? size : HEAD);
	rest = size > HEAD ? size - HEAD : 0;
	strs = fuzz_str(size > HEAD ? data + HEAD : data, rest);
	for (i = 0; i < rest; i++)
		if (strs[i] == '\0' || i + 1 == rest)
			nstr++;
	if ((argv = calloc(nstr + 1, sizeof(*argv))) == NULL)
		abort();
	for (i = 0; i < rest; i += strlen(strs + i) + 1)
		argv[n++] = strs + i;
	r.argv = argv;
	r.usher_pid = (pid_t)take(h, 0, 4);
	r.pid = (pid_t)take(h, 4, 4);
	r.start.tv_sec = (time_t)take(h, 8, 8);
	r.end.tv_sec = (time_t)take(h, 16, 8);
	r.start.tv_nsec = (long)(take(h, 24, 4) % 1000000000u);
	r.end.tv_nsec = (long)(take(h, 28, 4) % 1000000000u);
	bits = take(h, 32, 8);
	memcpy(&wall, &bits, sizeof(wall));
	r.wall_s = wall;
	r.restarts = (unsigned)take(h, 40, 4);
	r.ended = (h[44] & 1) != 0;
	r.timed_out = (h[44] & 4) != 0;
	if (h[44] & 2)
		r.wstatus = h[45] % 0x7e + 1;		/* killed by 1..126 */
	else
		r.wstatus = h[45] << 8;			/* exited */
	r.status = (int)take(h, 46, 4);
	if ((h[44] & 8) && n > 0)
		r.error = argv[--n];
	argv[n] = NULL;

	check((buf = report_format(&r, &len)) != NULL);
	check(len == strlen(buf));
	ps = (struct parser){ (const unsigned char *)buf,
	    (const unsigned char *)buf + len, "", 0, { false } };
	top(&ps, seen);
	for (i = 0; i < NKEYS - 1; i++)
		check(seen[i]);
	check(seen[NKEYS - 1] == (r.error != NULL));
	check(ps.nargv == n);
	check(ps.nulls[2] == (r.pid == -1));
	check(ps.nulls[9] || ps.nulls[10]);
	check(!r.ended || ps.nulls[9] != ps.nulls[10]);
	free(buf);
	free(argv);
	free(strs);
	return 0;
}
