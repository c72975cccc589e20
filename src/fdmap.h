/*
 * fdmap.h: file descriptor maps (SPEC §4), -f SPEC and -o FILE.
 *
 * fdmap_parse() turns one spec into a struct fdmap and fdmap_output() turns
 * -o FILE into two (pure); fdmap_fd() parses a target fd number alone.  An
 * fd number is digits only (num.h), at most the highest fd that the soft
 * RLIMIT_NOFILE allows.  fdmap_check() verifies, in usher before anything
 * is opened, that every source fd exists and no target is named twice.
 * fdmap_open() opens the files, close-on-exec, before fork, creating them
 * with mode 0666 & ~cmd_umask (pass usher's own umask when -m is not given).
 * fdmap_apply() runs in the forked child (or in usher before exec with -x):
 * it applies every map at once, each source naming usher's fds as they were
 * at start, and with close_others closes every other fd above 2 except the
 * nkeep fds in keep[] (usher's own, close-on-exec, such as the error pipe),
 * which it may renumber when a map targets them; keep[] is updated then.
 * fdmap_close_others() is that closing alone (maps may be NULL, n 0).
 * fdmap_unlink_new() removes the files that fdmap_open() created, when
 * they are still empty and still at their paths: usher failed before the
 * command started, and leaves nothing behind.
 * fdmap_apply() uses only async-signal-safe calls; the others allocate
 * nothing either.  Messages go into err without the "usher: " prefix.
 */
#ifndef FDMAP_H
#define FDMAP_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

enum fdmap_kind {
	FDMAP_DUP,	/* N=M: a copy of usher's fd M */
	FDMAP_CLOSE,	/* N=-: closed */
	FDMAP_FILE	/* N<PATH, N>PATH, N>>PATH, N<>PATH, -o */
};

struct fdmap {
	const char	*spec;	/* as given, for messages */
	enum fdmap_kind	 kind;
	int		 fd;	/* N: the fd in the command */
	int		 src;	/* DUP: M; FILE: the fd fdmap_open() opened */
	int		 flags;	/* FILE: open(2) flags */
	const char	*path;	/* FILE */
	int		 share;	/* FILE: -1, or k > 0 to share the file of
				   the map k entries earlier in the same
				   array (-o gives fd 2 fd 1's file: 1) */
	bool		 created; /* FILE: fdmap_open() created it */
};

int	fdmap_parse(const char *, struct fdmap *);
int	fdmap_fd(const char *, int *);
int	fdmap_output(const char *, struct fdmap [2]);
int	fdmap_check(const struct fdmap *, size_t, char *, size_t);
int	fdmap_open(struct fdmap *, size_t, mode_t, char *, size_t);
void	fdmap_unlink_new(const struct fdmap *, size_t);
int	fdmap_apply(const struct fdmap *, size_t, bool, int *, size_t);
void	fdmap_close_others(const struct fdmap *, size_t, const int *, size_t);

#endif /* FDMAP_H */
