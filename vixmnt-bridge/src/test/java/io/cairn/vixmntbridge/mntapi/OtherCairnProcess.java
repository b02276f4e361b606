package io.cairn.vixmntbridge.mntapi;

import java.nio.file.Path;

/**
 * Stands for a second cairn process in {@link MntapiLockAcrossProcessesTest}: takes the VixMntapi
 * lock named by its argument, prints {@code held}, and keeps it until its standard input closes.
 */
final class OtherCairnProcess {
    private OtherCairnProcess() {}

    public static void main(String[] args) throws Exception {
        try (MntapiLock lock = MntapiLock.acquire(Path.of(args[0]))) {
            System.out.println("held");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        }
    }
}
