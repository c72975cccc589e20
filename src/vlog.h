/*
 * vlog.h: -v, "say what usher does", one line on stderr each.
 */
#ifndef VLOG_H
#define VLOG_H

#include "usher.h"

void	vlog(const struct usher_config *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* VLOG_H */
