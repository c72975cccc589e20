/*
 * ttyguard.h: keep a -u command from typing into a terminal (SPEC §3).
 *
 * A command that shares root's terminal could push bytes into its input
 * queue with ioctl(TIOCSTI), or paste into a virtual console with
 * TIOCLINUX, and the shell that started usher would read them as typed
 * once usher ends.  ttyguard_apply() runs in the child with -u, while it
 * is still root, and installs a seccomp filter that fails those two ioctls
 * with EPERM and lets every other system call through, so the terminal
 * stays usable for an interactive command.  It is async-signal-safe.
 */
#ifndef TTYGUARD_H
#define TTYGUARD_H

int	ttyguard_apply(const char **);

#endif /* TTYGUARD_H */
