/*
 * errline.c: usher's one error line, built without stdio or malloc so that
 * the forked child can use it, and cut to fit its buffer by one rule that
 * keeps the reason and the newline.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errline.h"

#define CUT		"..."
#define CUT_LEN		3
#define SHOWN_MIN	8	/* no part is cut shorter than this */

struct part {
	const char	*s;
	size_t		 len;	/* strlen(s) */
	size_t		 keep;	/* bytes of s shown; below len: cut */
};

static void	say(const char *, va_list);
static size_t	build(char *, size_t, const char *, const char *,
		    const char *, va_list);
static void	fit(struct part *, size_t, size_t);
static size_t	pick(const struct part *, size_t);
static size_t	shown(const struct part *);
static void	put(char *, size_t, size_t *, const char *, size_t);
static void	put_text(char *, size_t, size_t *, const char *, size_t);
static void	put_part(char *, size_t, size_t *, const struct part *);

/*
 * "usher: PART: ...: PART\n" (ERRLINE_LINE) or "PART: ...: PART"
 * (ERRLINE_JOINED), cut to fit in size bytes.
 */
size_t
errline_build(char *buf, size_t size, enum errline_form form,
    const char *part, ...)
{
	va_list	ap;
	size_t	n;

	va_start(ap, part);
	n = form == ERRLINE_LINE ? build(buf, size, "usher: ", "\n", part, ap) :
	    build(buf, size, "", "", part, ap);
	va_end(ap);
	return n;
}

/* "usher: PART: ...: PART\n" on stderr, then exit with status. */
_Noreturn void
errline_exit(int status, const char *part, ...)
{
	va_list	ap;

	va_start(ap, part);
	say(part, ap);
	va_end(ap);
	exit(status);
}

/* errline() on stderr, in one write(2), and nothing more. */
void
errline_say(const char *part, ...)
{
	va_list	ap;

	va_start(ap, part);
	say(part, ap);
	va_end(ap);
}

static void
say(const char *part, va_list ap)
{
	char	line[ERRLINE_MAX];
	size_t	len;

	len = build(line, sizeof(line), "usher: ", "\n", part, ap);
	if (write(STDERR_FILENO, line, len) == -1) {
		/* stderr is gone: no one is left to tell. */
	}
}

/*
 * Collect the parts, make them fit in what the prefix, the separators and
 * the suffix leave of size - 1, and write them.  put() stops the body short
 * of the suffix, so the suffix is written even when nothing else could be
 * cut further.
 */
static size_t
build(char *buf, size_t size, const char *prefix, const char *suffix,
    const char *first, va_list ap)
{
	struct part	 p[ERRLINE_PARTS];
	const char	*s;
	size_t		 n = 0, i, fixed, off = 0, slen, body;

	if (size == 0)
		return 0;
	/*
	 * The callers va_start() ap before they hand it here; clang's
	 * analyser does not follow a va_list into a callee and calls it
	 * uninitialized.
	 */
	/* NOLINTBEGIN(clang-analyzer-valist.Uninitialized) */
	for (s = first; s != NULL && n < ERRLINE_PARTS;
	    s = va_arg(ap, const char *)) {
		p[n].s = s;
		p[n].len = p[n].keep = strlen(s);
		n++;
	}
	/* NOLINTEND(clang-analyzer-valist.Uninitialized) */
	slen = strlen(suffix);
	fixed = strlen(prefix) + slen + (n > 0 ? 2 * (n - 1) : 0);
	fit(p, n, size - 1 > fixed ? size - 1 - fixed : 0);
	body = size - 1 > slen ? size - 1 - slen : 0;
	put(buf, body, &off, prefix, strlen(prefix));
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(buf, body, &off, ": ", 2);
		put_part(buf, body, &off, &p[i]);
	}
	put(buf, size - 1, &off, suffix, slen);
	buf[off] = '\0';
	return off;
}

/*
 * Cut parts until all of them fit in room bytes: each time the one that
 * pick() names, by what is still too much or down to SHOWN_MIN.  Every
 * round either fits or leaves one more part at SHOWN_MIN, which pick()
 * never names again, so it ends.
 */
static void
fit(struct part *p, size_t n, size_t room)
{
	size_t	total, i, over, sh;

	for (;;) {
		for (total = 0, i = 0; i < n; i++)
			total += shown(&p[i]);
		if (total <= room || (i = pick(p, n)) == n)
			return;
		over = total - room;
		sh = shown(&p[i]);
		sh = sh > over + SHOWN_MIN ? sh - over : SHOWN_MIN;
		p[i].keep = sh - CUT_LEN;
	}
}

/*
 * The longest part but the last that can still be cut; the last (the
 * reason, or a single part) only when no other can.  n when none can.
 */
static size_t
pick(const struct part *p, size_t n)
{
	size_t	i, best = n;

	for (i = 0; i + 1 < n; i++)
		if (shown(&p[i]) > SHOWN_MIN &&
		    (best == n || shown(&p[i]) > shown(&p[best])))
			best = i;
	if (best == n && n > 0 && shown(&p[n - 1]) > SHOWN_MIN)
		best = n - 1;
	return best;
}

/* The bytes a part takes in the line, "..." included. */
static size_t
shown(const struct part *p)
{
	return p->keep < p->len ? p->keep + CUT_LEN : p->len;
}

/* Append len bytes of s, as many as fit before lim. */
static void
put(char *buf, size_t lim, size_t *off, const char *s, size_t len)
{
	if (*off >= lim)
		return;
	if (len > lim - *off)
		len = lim - *off;
	memcpy(buf + *off, s, len);
	*off += len;
}

/*
 * put() for the text of a part, which may hold what the user typed: a
 * control character (a newline, an escape) becomes '?', as ls -q shows
 * it, so that the line stays one line and cannot drive a terminal.
 */
static void
put_text(char *buf, size_t lim, size_t *off, const char *s, size_t len)
{
	size_t	start = *off, i;

	put(buf, lim, off, s, len);
	for (i = start; i < *off; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
}

/*
 * A part, whole or as head "..." tail.  The head ends before, and the
 * tail starts after, any UTF-8 continuation byte, so that no character is
 * split.
 */
static void
put_part(char *buf, size_t lim, size_t *off, const struct part *p)
{
	size_t	head, tail;

	if (p->keep >= p->len) {
		put_text(buf, lim, off, p->s, p->len);
		return;
	}
	head = p->keep / 2;
	tail = p->len - (p->keep - head);
	while (head > 0 && ((unsigned char)p->s[head] & 0xc0) == 0x80)
		head--;
	while (tail < p->len && ((unsigned char)p->s[tail] & 0xc0) == 0x80)
		tail++;
	put_text(buf, lim, off, p->s, head);
	put(buf, lim, off, CUT, CUT_LEN);
	put_text(buf, lim, off, p->s + tail, p->len - tail);
}
