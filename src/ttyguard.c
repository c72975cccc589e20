/*
 * ttyguard.c: a classic BPF seccomp filter against TIOCSTI and TIOCLINUX.
 *
 * The filter is installed by the child while it is still root, before
 * user_apply() drops privileges.  The kernel accepts a filter from a
 * process that holds CAP_SYS_ADMIN without the no_new_privs flag, so the
 * command keeps the usual exec semantics (a set-user-ID program it runs
 * still gains its owner, and stays under the filter, which is why the
 * kernel wants privilege for it).  Once the uid is dropped the filter
 * could only be installed with no_new_privs, and the command would be
 * the one to choose.
 *
 * Without CAP_SYS_ADMIN (root in a container, say) the kernel refuses the
 * filter unless no_new_privs is set.  usher then sets it, but only when the
 * command can reach a terminal (a standard stream that is one, or a
 * controlling terminal); with no terminal in reach there is nothing to
 * guard, and the command runs as it would without usher.
 *
 * Architectures.  seccomp numbers system calls per ABI, and one process
 * may use several: an x86_64 process can make i386 system calls through
 * int 0x80 and x32 ones with bit 30 set in the number.  A filter that
 * matched only the x86_64 number of ioctl would let the same ioctl through
 * under another ABI.  So the filter checks the audit arch: on x86_64 it
 * matches ioctl under the x86_64 arch both as 16 and as the x32 number 514,
 * with the x32 bit masked off (older kernels ran 16 with that bit set as
 * the native ioctl), and under the i386 arch as 54; elsewhere it matches
 * the native number and, on aarch64, the 32-bit ARM one.  A system call
 * from any other arch kills the process: no kernel that runs usher's
 * binary can make one, and a filter that does not know an ABI must not
 * let it through.
 *
 * The request is compared on its low 32 bits only, as the kernel takes it
 * (an unsigned int): a request with high bits set is still TIOCSTI.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>
#include <unistd.h>

#include "ttyguard.h"

#define LD_ABS(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))

#define OFF_NR		offsetof(struct seccomp_data, nr)
#define OFF_ARCH	offsetof(struct seccomp_data, arch)
/* The low word of args[1], the request: every arch here is little-endian. */
#define OFF_REQ		offsetof(struct seccomp_data, args[1])

#define ALLOW		SECCOMP_RET_ALLOW
#define DENY		(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define KILL		SECCOMP_RET_KILL_PROCESS

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* No filter: ttyguard_apply() fails with ENOSYS where one is needed. */
#elif defined(__x86_64__)
#define X32_BIT		0x40000000U
#define NR_X64_IOCTL	16
#define NR_X32_IOCTL	514
#define NR_I386_IOCTL	54

/* Instruction numbers on the left, jumps relative to the next one. */
static const struct sock_filter insns[] = {
	/*  0 */ LD_ABS(OFF_ARCH),
	/*  1 */ JEQ(AUDIT_ARCH_X86_64, 0, 4),		/* else 6 */
	/*  2 */ LD_ABS(OFF_NR),
	/*  3 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~X32_BIT),
	/*  4 */ JEQ(NR_X64_IOCTL, 5, 0),		/* 10 */
	/*  5 */ JEQ(NR_X32_IOCTL, 4, 3),		/* 10, else 9 */
	/*  6 */ JEQ(AUDIT_ARCH_I386, 0, 8),		/* else 15 */
	/*  7 */ LD_ABS(OFF_NR),
	/*  8 */ JEQ(NR_I386_IOCTL, 1, 0),		/* 10 */
	/*  9 */ RET(ALLOW),
	/* 10 */ LD_ABS(OFF_REQ),
	/* 11 */ JEQ(TIOCSTI, 2, 0),			/* 14 */
	/* 12 */ JEQ(TIOCLINUX, 1, 0),			/* 14 */
	/* 13 */ RET(ALLOW),
	/* 14 */ RET(DENY),
	/* 15 */ RET(KILL),
};
#define HAVE_FILTER
#elif defined(__i386__) || defined(__aarch64__) || defined(__arm__)
#if defined(__i386__)
#define ARCH_NATIVE	AUDIT_ARCH_I386
#define ARCH_COMPAT	AUDIT_ARCH_I386		/* none */
#define NR_COMPAT_IOCTL	__NR_ioctl
#elif defined(__aarch64__)
#define ARCH_NATIVE	AUDIT_ARCH_AARCH64
#define ARCH_COMPAT	AUDIT_ARCH_ARM
#define NR_COMPAT_IOCTL	54
#else
#define ARCH_NATIVE	AUDIT_ARCH_ARM
#define ARCH_COMPAT	AUDIT_ARCH_ARM		/* none */
#define NR_COMPAT_IOCTL	__NR_ioctl
#endif

static const struct sock_filter insns[] = {
	/*  0 */ LD_ABS(OFF_ARCH),
	/*  1 */ JEQ(ARCH_NATIVE, 0, 2),		/* else 4 */
	/*  2 */ LD_ABS(OFF_NR),
	/*  3 */ JEQ(__NR_ioctl, 4, 3),			/* 8, else 7 */
	/*  4 */ JEQ(ARCH_COMPAT, 0, 8),		/* else 13 */
	/*  5 */ LD_ABS(OFF_NR),
	/*  6 */ JEQ(NR_COMPAT_IOCTL, 1, 0),		/* 8 */
	/*  7 */ RET(ALLOW),
	/*  8 */ LD_ABS(OFF_REQ),
	/*  9 */ JEQ(TIOCSTI, 2, 0),			/* 12 */
	/* 10 */ JEQ(TIOCLINUX, 1, 0),			/* 12 */
	/* 11 */ RET(ALLOW),
	/* 12 */ RET(DENY),
	/* 13 */ RET(KILL),
};
#define HAVE_FILTER
#endif

static int	filter_install(void);
static bool	is_tty(int);
static bool	tty_reachable(void);

/* Install the filter; -1 with errno set when the kernel refuses it. */
static int
filter_install(void)
{
#ifdef HAVE_FILTER
	struct sock_fprog	prog;

	prog.len = sizeof(insns) / sizeof(insns[0]);
	prog.filter = (struct sock_filter *)insns;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static bool
is_tty(int fd)
{
	struct termios	t;

	return tcgetattr(fd, &t) == 0;
}

/* Whether the command will hold a terminal: a standard stream or its own. */
static bool
tty_reachable(void)
{
	int	fd;

	if (is_tty(STDIN_FILENO) || is_tty(STDOUT_FILENO) ||
	    is_tty(STDERR_FILENO))
		return true;
	if ((fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
		return false;
	close(fd);
	return true;
}

/*
 * Guard the terminal, in the child with -u before it drops root.  Returns
 * 0 when the filter is in place or no terminal is in reach, or -1 with
 * errno set and *step naming what failed.
 */
int
ttyguard_apply(const char **step)
{
	int	saved;

	if (filter_install() == 0)
		return 0;
	saved = errno;
	if (!tty_reachable())
		return 0;
	if (saved == EACCES) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
			*step = "no_new_privs";
			return -1;
		}
		if (filter_install() == 0)
			return 0;
		saved = errno;
	}
	errno = saved;
	*step = "seccomp";
	return -1;
}
