/*
 * vlog.c: verbose messages and warnings.  Never on stdout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "vlog.h"

static void	say(bool, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

static void
say(bool detached, int prio, const char *fmt, va_list ap)
{
	if (detached) {
		vsyslog(LOG_DAEMON | prio, fmt, ap);
		return;
	}
	fputs("usher: ", stderr);
	/*
	 * The callers va_start() ap before they hand it here; clang's
	 * analyser does not follow a va_list into a callee and calls it
	 * uninitialized.
	 */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* -v: one line, on stderr, or to syslog once detached. */
void
vlog(const struct usher_config *cfg, bool detached, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_va(cfg, detached, fmt, ap);
	va_end(ap);
}

/* vlog() with a va_list, for a caller's own wrapper. */
void
vlog_va(const struct usher_config *cfg, bool detached, const char *fmt,
    va_list ap)
{
	if (cfg->verbose)
		say(detached, LOG_INFO, fmt, ap);
}

void
vlog_warn(bool detached, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	say(detached, LOG_WARNING, fmt, ap);
	va_end(ap);
}
