/*
 * fuzz_fdmap.c: the fd map parser (fdmap_parse, fdmap_fd, fdmap_output) on
 * any string, under a soft limit of FUZZ_NOFILE open files so that the
 * limit is within the fuzzer's reach.  Properties: a map that parses has a
 * target fd N below the limit, written as digits only at the head of the
 * spec; a copy has its source M below the limit, written as digits only
 * after the operator; a file has the non-empty rest of the spec as its
 * path, not starting with '&'; fdmap_fd() takes digits only, below the
 * limit.  The parser allocates nothing, so a leak is a finding too.
 */
#include <string.h>

#include "fdmap.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);

/* The value of the leading digits of s (-1 if none), at most BIG. */
#define BIG	1000000L
static long
digits(const char *s, size_t *len)
{
	long	v = 0;

	for (*len = 0; s[*len] >= '0' && s[*len] <= '9'; (*len)++)
		v = v >= BIG ? BIG : v * 10 + (s[*len] - '0');
	return *len == 0 ? -1 : v;
}

/* The length of the operator at s, for a map of this kind. */
static size_t
op_len(const char *s, enum fdmap_kind kind)
{
	if (kind != FDMAP_FILE) {
		check(s[0] == '=' || ((s[0] == '<' || s[0] == '>') &&
		    s[1] == '&'));
		return s[0] == '=' ? 1 : 2;
	}
	check(s[0] == '<' || s[0] == '>');
	return strncmp(s, ">>", 2) == 0 || strncmp(s, "<>", 2) == 0 ? 2 : 1;
}

static void
check_map(const char *s, const struct fdmap *m)
{
	size_t	len, oplen;
	long	n;

	check(m->spec == s);
	n = digits(s, &len);
	check(n == m->fd && m->fd >= 0 && m->fd < FUZZ_NOFILE);
	s += len;
	oplen = op_len(s, m->kind);
	switch (m->kind) {
	case FDMAP_DUP:
		n = digits(s + oplen, &len);
		check(n == m->src && m->src >= 0 && m->src < FUZZ_NOFILE);
		check(s[oplen + len] == '\0');
		break;
	case FDMAP_CLOSE:
		check(strcmp(s + oplen, "-") == 0);
		break;
	case FDMAP_FILE:
		check(m->path == s + oplen && *m->path != '\0' &&
		    *m->path != '&');
		break;
	default:
		check(!"a kind of map that does not exist");
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nofile();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdmap	 m, out[2];
	char		*s = fuzz_str(data, size);
	size_t		 len;
	int		 fd;

	if (fdmap_parse(s, &m) == 0)
		check_map(s, &m);
	if (fdmap_fd(s, &fd) == 0)
		check(digits(s, &len) == fd && s[len] == '\0' &&
		    fd < FUZZ_NOFILE);
	if (fdmap_output(s, out) == 0)
		check(*s != '\0' && out[0].fd == 1 && out[1].fd == 2 &&
		    out[1].share == 1 && out[0].path == s);
	free(s);
	return 0;
}
