/*
 * signame.h: signal names to numbers and back (SPEC §3): "TERM", "SIGTERM",
 * "term", "15", "RTMIN+3", "RTMAX-1".  Pure: no state, no I/O, and
 * signame_str() is async-signal-safe.
 */
#ifndef SIGNAME_H
#define SIGNAME_H

#include <stddef.h>

#define SIGNAME_MAX	16	/* "RTMIN+30" and a NUL fit */

int	 signame_parse(const char *);
char	*signame_str(int, char *, size_t);

#endif /* SIGNAME_H */
