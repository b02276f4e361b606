package io.cairn.mount.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The BPF program's shape; SandboxIT shows the kernel enforcing it. */
class SeccompFilterTest {
    @Test
    @DisplayName("x86_64: checks the architecture first, denies every listed call, allows the rest")
    void program() {
        byte[] p = SeccompFilter.program("amd64");
        assertEquals(0, p.length % 8);
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.nativeOrder());
        // ld [4] (arch), jeq AUDIT_ARCH_X86_64
        assertEquals(0x20, b.getShort(0));
        assertEquals(4, b.getInt(4));
        assertEquals(0x15, b.getShort(8));
        assertEquals(0xC000003E, b.getInt(12));
        Set<Integer> compared = new HashSet<>();
        Set<Integer> returned = new HashSet<>();
        for (int i = 0; i < p.length; i += 8) {
            int code = b.getShort(i) & 0xffff;
            if (code == 0x15) {
                compared.add(b.getInt(i + 4));
            } else if (code == 0x06) {
                returned.add(b.getInt(i + 4));
            }
        }
        for (int nr : SeccompFilter.DENIED_X86_64.values()) {
            assertTrue(compared.contains(nr), "syscall " + nr + " is not checked");
        }
        assertTrue(compared.contains(435), "clone3");
        assertTrue(returned.contains(0x7fff0000), "allow");
        assertTrue(returned.contains(0x00050001), "EPERM");
        assertTrue(returned.contains(0x00050026), "ENOSYS");
        assertTrue(returned.contains(0x80000000), "kill");
        assertTrue(
                SeccompFilter.DENIED_X86_64.keySet().containsAll(Set.of("mount", "unshare", "setns", "ptrace", "bpf")));
    }

    @Test
    @DisplayName("no filter for an architecture without a table (the sandbox then says so)")
    void otherArchitecture() {
        assertNull(SeccompFilter.program("aarch64"));
    }
}
