/*
 * vlog.c: verbose messages and warnings.  Never on stdout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "vlog.h"

static void	say(const struct usher_config *, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

static void
say(const struct usher_config *cfg, int prio, const char *fmt, va_list ap)
{
	if (cfg->mode == MODE_DAEMON) {
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

void
vlog(const struct usher_config *cfg, const char *fmt, ...)
{
	va_list	ap;

	if (!cfg->verbose)
		return;
	va_start(ap, fmt);
	say(cfg, LOG_INFO, fmt, ap);
	va_end(ap);
}

void
vlog_warn(const struct usher_config *cfg, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	say(cfg, LOG_WARNING, fmt, ap);
	va_end(ap);
}
