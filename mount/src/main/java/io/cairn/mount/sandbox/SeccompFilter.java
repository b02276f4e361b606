package io.cairn.mount.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The seccomp program of the sandbox: a classic BPF filter (seccomp(2), {@code struct sock_filter}
 * of 8 bytes each, in the machine's byte order) that bubblewrap loads with {@code --seccomp FD}
 * right before it runs the driver.
 *
 * <p>A deny list in the spirit of Docker's and Flatpak's default profiles: the calls a file system
 * driver never needs and an attacker who took it over would want — mounting and namespaces (the
 * way out of the sandbox), kernel modules, kexec, BPF, perf, userfaultfd, io_uring, the keyring,
 * ptrace and cross-process memory access, open-by-handle (escapes a bind mount), clock and host
 * settings — answer {@code EPERM}; {@code clone3} answers {@code ENOSYS} (so that the C library
 * falls back to {@code clone}, whose flags a classic filter can see) and {@code clone} with a
 * namespace flag answers {@code EPERM}, as does {@code ioctl(TIOCSTI)}. Another architecture's
 * system call (the x32 ABI, or a foreign {@code AUDIT_ARCH}) kills the process: its numbers would
 * mean other calls. Everything else is allowed: an allow list would have to follow every driver's
 * (and qemu's) needs release by release.
 */
final class SeccompFilter {
    private SeccompFilter() {}

    // linux/filter.h, linux/bpf_common.h
    private static final int BPF_LD_W_ABS = 0x20;
    private static final int BPF_JMP_JEQ_K = 0x15;
    private static final int BPF_JMP_JGE_K = 0x35;
    private static final int BPF_JMP_JSET_K = 0x45;
    private static final int BPF_RET_K = 0x06;

    // linux/seccomp.h: struct seccomp_data { int nr; __u32 arch; __u64 ip; __u64 args[6]; }
    private static final int OFFSET_NR = 0;
    private static final int OFFSET_ARCH = 4;
    /** Low 32 bits of args[0] and args[1] (little-endian machines). */
    private static final int OFFSET_ARG0 = 16;

    private static final int OFFSET_ARG1 = 24;

    private static final int RET_KILL_PROCESS = 0x80000000;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;

    /** linux/audit.h: AUDIT_ARCH_X86_64 = EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** x86_64 numbers at or above this are the x32 ABI. */
    private static final int X32_SYSCALL_BIT = 0x40000000;

    /** CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET. */
    static final int CLONE_NAMESPACES =
            0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    private static final int TIOCSTI = 0x5412;

    /** x86_64 system call numbers (asm/unistd_64.h) answered with EPERM. */
    static final Map<String, Integer> DENIED_X86_64 = denied();

    private static Map<String, Integer> denied() {
        Map<String, Integer> m = new HashMap<>();
        // mounts, roots and namespaces: the sandbox's walls
        m.put("mount", 165);
        m.put("umount2", 166);
        m.put("pivot_root", 155);
        m.put("chroot", 161);
        m.put("unshare", 272);
        m.put("setns", 308);
        m.put("open_tree", 428);
        m.put("move_mount", 429);
        m.put("fsopen", 430);
        m.put("fsconfig", 431);
        m.put("fsmount", 432);
        m.put("fspick", 433);
        m.put("mount_setattr", 442);
        m.put("open_by_handle_at", 304);
        m.put("name_to_handle_at", 303);
        // other processes
        m.put("ptrace", 101);
        m.put("process_vm_readv", 310);
        m.put("process_vm_writev", 311);
        m.put("kcmp", 312);
        m.put("pidfd_getfd", 438);
        // kernel attack surface no file system driver uses
        m.put("bpf", 321);
        m.put("perf_event_open", 298);
        m.put("userfaultfd", 323);
        m.put("io_uring_setup", 425);
        m.put("io_uring_enter", 426);
        m.put("io_uring_register", 427);
        m.put("keyctl", 250);
        m.put("add_key", 248);
        m.put("request_key", 249);
        m.put("kexec_load", 246);
        m.put("kexec_file_load", 320);
        m.put("init_module", 175);
        m.put("finit_module", 313);
        m.put("delete_module", 176);
        m.put("create_module", 174);
        m.put("get_kernel_syms", 177);
        m.put("query_module", 178);
        m.put("uselib", 134);
        m.put("lookup_dcookie", 212);
        m.put("nfsservctl", 180);
        // the host itself
        m.put("reboot", 169);
        m.put("swapon", 167);
        m.put("swapoff", 168);
        m.put("acct", 163);
        m.put("quotactl", 179);
        m.put("quotactl_fd", 443);
        m.put("syslog", 103);
        m.put("settimeofday", 164);
        m.put("clock_settime", 227);
        m.put("clock_adjtime", 305);
        m.put("adjtimex", 159);
        m.put("sethostname", 170);
        m.put("setdomainname", 171);
        m.put("iopl", 172);
        m.put("ioperm", 173);
        m.put("vhangup", 153);
        return Map.copyOf(m);
    }

    private static final int NR_CLONE = 56;
    private static final int NR_CLONE3 = 435;
    private static final int NR_IOCTL = 16;

    /**
     * The filter for {@code osArch} (Java's {@code os.arch}), or null when there is none for that
     * architecture (only x86_64, "amd64", has one).
     */
    static byte[] program(String osArch) {
        if (!"amd64".equals(osArch) && !"x86_64".equals(osArch)) {
            return null;
        }
        Assembler a = new Assembler();
        a.load(OFFSET_ARCH);
        a.jumpIfEqual(AUDIT_ARCH_X86_64, "native", null);
        a.ret(RET_KILL_PROCESS);
        a.label("native");
        a.load(OFFSET_NR);
        a.jumpIfAtLeast(X32_SYSCALL_BIT, "kill", null);
        a.jumpIfEqual(NR_CLONE3, "enosys", null);
        a.jumpIfEqual(NR_CLONE, "clone", null);
        a.jumpIfEqual(NR_IOCTL, "ioctl", null);
        DENIED_X86_64.values().stream().sorted().forEach(nr -> a.jumpIfEqual(nr, "eperm", null));
        a.ret(RET_ALLOW);
        a.label("clone");
        a.load(OFFSET_ARG0);
        a.jumpIfAnyBit(CLONE_NAMESPACES, "eperm", null);
        a.ret(RET_ALLOW);
        a.label("ioctl");
        a.load(OFFSET_ARG1);
        a.jumpIfEqual(TIOCSTI, "eperm", null);
        a.ret(RET_ALLOW);
        a.label("eperm");
        a.ret(RET_ERRNO | EPERM);
        a.label("enosys");
        a.ret(RET_ERRNO | ENOSYS);
        a.label("kill");
        a.ret(RET_KILL_PROCESS);
        return a.assemble();
    }

    /** Classic BPF with forward jumps to labels (offsets are 8-bit, which this program never exceeds). */
    private static final class Assembler {
        private record Insn(int code, String jt, String jf, int k) {}

        private final List<Insn> insns = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void load(int offset) {
            insns.add(new Insn(BPF_LD_W_ABS, null, null, offset));
        }

        void jumpIfEqual(int k, String yes, String no) {
            insns.add(new Insn(BPF_JMP_JEQ_K, yes, no, k));
        }

        void jumpIfAtLeast(int k, String yes, String no) {
            insns.add(new Insn(BPF_JMP_JGE_K, yes, no, k));
        }

        void jumpIfAnyBit(int k, String yes, String no) {
            insns.add(new Insn(BPF_JMP_JSET_K, yes, no, k));
        }

        void ret(int k) {
            insns.add(new Insn(BPF_RET_K, null, null, k));
        }

        void label(String name) {
            labels.put(name, insns.size());
        }

        byte[] assemble() {
            ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.nativeOrder());
            for (int i = 0; i < insns.size(); i++) {
                Insn in = insns.get(i);
                b.putShort((short) in.code());
                b.put((byte) offset(i, in.jt()));
                b.put((byte) offset(i, in.jf()));
                b.putInt(in.k());
            }
            return b.array();
        }

        /** Jump offsets count the instructions skipped after the jump; no label: fall through. */
        private int offset(int from, String label) {
            if (label == null) {
                return 0;
            }
            Integer to = labels.get(label);
            if (to == null || to <= from || to - from - 1 > 255) {
                throw new IllegalStateException("bad jump from " + from + " to " + label);
            }
            return to - from - 1;
        }
    }
}
