/*
 * nopidfd COMMAND [ARG]...: run COMMAND where pidfd_open(2) and
 * pidfd_send_signal(2) fail with ENOSYS, as they do on kernels before 5.3
 * and under the seccomp profiles of some container runtimes.  The filter
 * is inherited by every child and kept across exec.  Exits 97 when the
 * filter cannot be installed or does not work, 127 when COMMAND is not
 * found, 126 when it cannot be run.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <err.h>
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_ARCH	AUDIT_ARCH_I386
#else
#error "nopidfd: unknown architecture"
#endif

#define EXIT_HELPER	97

static void	install(void);

static void
install(void)
{
	struct sock_filter	insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_open, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_send_signal,
		    1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog	prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		err(EXIT_HELPER, "PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		err(EXIT_HELPER, "PR_SET_SECCOMP");
	if (syscall(__NR_pidfd_open, getpid(), 0) != -1 || errno != ENOSYS)
		errx(EXIT_HELPER, "pidfd_open still works");
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		errx(EXIT_HELPER, "usage: nopidfd COMMAND [ARG]...");
	install();
	execvp(argv[1], argv + 1);
	err(errno == ENOENT ? 127 : 126, "%s", argv[1]);
}
