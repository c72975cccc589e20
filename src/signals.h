/*
 * signals.h: all of usher's signal plumbing (SPEC §7).
 *
 * signals_init() runs first thing in main: it blocks every signal and
 * remembers the caller's mask and which signals the caller ignored.  From
 * then on signals are read from the descriptor of signals_fd() (or of
 * signals_fd_std(), which leaves the real-time ones pending), one by one
 * with signals_read() where the sender's details do not matter; usher
 * installs no handler.  signals_restore() gives a forked child (or usher
 * before exec) exactly the caller's mask and dispositions back; it is
 * async-signal-safe.  The caller's mask and whether it ignored SIGCHLD
 * (the only disposition usher changes) are the only global state of usher.
 * signals_is_stop(), signals_needs_cont() and signals_forwardable() (which
 * signals -R and -D may name) are the rules of what a signal means to
 * usher: pure, for every module that decides.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/*
 * Signals read from the signalfd per wake-up, at most: a flood must not
 * keep a loop from its deadlines and other work.
 */
#define SIGNALS_BATCH	64

void	signals_init(void);
int	signals_fd(void);
int	signals_fd_std(void);
int	signals_read(int);
void	signals_restore(void);
bool	signals_pending(int);
bool	signals_is_stop(int, int);
bool	signals_needs_cont(int);
bool	signals_forwardable(int);
_Noreturn void	signals_die(int);

#endif /* SIGNALS_H */
