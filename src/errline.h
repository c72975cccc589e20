/*
 * errline.h: usher's one error line, "usher: CONTEXT: REASON\n" (SPEC §6),
 * and the one rule by which a line too long for its buffer is cut.
 *
 * errline() joins its parts (NULL ends the list) with ": " after the
 * "usher: " prefix and ends the line with a newline; errline_join() does
 * the same without prefix and newline, for a message that is printed
 * later.  When the result does not fit in size bytes, the longest part
 * but the last is cut in the middle, where "..." stands for what was left
 * out, and then the next longest, so the head and tail of a long path, the
 * reason (the last part) and the newline stay.  A single part is cut in
 * its own middle.  A cut never splits a UTF-8 sequence.  A control
 * character in a part (a newline, an escape) is shown as '?', so the line
 * stays one line whatever the parts hold.  Both return the length written
 * (without the NUL); both are async-signal-safe (no allocation, no stdio),
 * for the forked child.  Both are errline_build(), told which form.
 *
 * errline_say() is errline() written to stderr, in one write(2): a
 * warning.  errline_exit() says it, and exit(3)s with a status: usher's
 * own failure, where nothing else remains to be done (not for the forked
 * child, which must _exit(2)).  usher writes no line of its own any other
 * way (not err(3), whose prefix is whatever name usher was run by).
 */
#ifndef ERRLINE_H
#define ERRLINE_H

#include <stddef.h>

#define ERRLINE_PARTS	6	/* parts beyond this are left out */
#define ERRLINE_MAX	512	/* a line's buffer, where no other size rules */

/* What errline() adds to a message: a message joined in a buffer this
 * much smaller than the line's fits the line uncut. */
#define ERRLINE_EXTRA	(sizeof("usher: \n") - 1)

enum errline_form {
	ERRLINE_LINE,		/* "usher: PART: ...: PART\n" */
	ERRLINE_JOINED		/* "PART: ...: PART" */
};

size_t	errline_build(char *, size_t, enum errline_form, const char *, ...);
_Noreturn void	errline_exit(int, const char *, ...);
void	errline_say(const char *, ...);

#define errline(buf, size, ...)						\
	errline_build((buf), (size), ERRLINE_LINE, __VA_ARGS__)
#define errline_join(buf, size, ...)					\
	errline_build((buf), (size), ERRLINE_JOINED, __VA_ARGS__)

#endif /* ERRLINE_H */
