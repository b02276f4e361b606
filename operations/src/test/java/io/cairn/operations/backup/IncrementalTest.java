package io.cairn.operations.backup;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.manifest.Manifest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IncrementalTest {
    static final long MiB = 1 << 20;

    @Test
    @DisplayName("incremental only from an earlier backup of the same disk with a changeId and the same size")
    void whyFull() {
        Manifest.DiskEntry ok =
                new Manifest.DiskEntry("disk0", "a.vmdk", 64 * MiB, "disk0.fidx", "00", null, "52 aa/17", null);
        assertNull(Incremental.whyFull(ok, 64 * MiB));
        assertTrue(Incremental.whyFull(null, 64 * MiB).contains("no earlier backup"));
        assertTrue(Incremental.whyFull(
                        new Manifest.DiskEntry("disk0", "a.vmdk", 64 * MiB, "i", "00", null, null, null), 64 * MiB)
                .contains("no changeId"));
        assertTrue(Incremental.whyFull(ok, 128 * MiB).contains("resized"));
    }
}
