package io.cairn.vixmntbridge.vddk;

import io.cairn.vixmntbridge.VixException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * At most {@value #PER_HOST} disks open in SAN mode per ESXi host at a time. VMware's best practices
 * for SAN transport: more concurrent SAN streams against one host's LUNs do not add throughput but
 * time out NFC/metadata requests on that host; backup products cap them (the usual limit is 6).
 * Waiters are served in order.
 */
final class SanStreams {

    static final int PER_HOST = 6;

    private final Map<String, Semaphore> hosts = new ConcurrentHashMap<>();

    /** Blocks until {@code esxHost} has a free SAN stream; the returned permit must be released once. */
    Permit acquire(String esxHost) throws VixException {
        if (esxHost == null || esxHost.isBlank()) {
            throw new VixException(
                    VixException.VIX_E_INVALID_ARG,
                    "a SAN transport needs the name of the ESXi host that serves the disk");
        }
        String key = esxHost.trim().toLowerCase(Locale.ROOT);
        Semaphore s = hosts.computeIfAbsent(key, h -> new Semaphore(PER_HOST, true));
        try {
            s.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VixException(
                    VixException.VIX_E_FAIL, "interrupted while waiting for a SAN stream on ESXi host " + esxHost, e);
        }
        return new Permit(s);
    }

    /** Free SAN streams of {@code esxHost} right now. */
    int available(String esxHost) {
        Semaphore s = hosts.get(esxHost.trim().toLowerCase(Locale.ROOT));
        return s == null ? PER_HOST : s.availablePermits();
    }

    /** One SAN stream; {@link #release()} is idempotent. */
    static final class Permit {
        private Semaphore semaphore;

        private Permit(Semaphore semaphore) {
            this.semaphore = semaphore;
        }

        synchronized void release() {
            if (semaphore != null) {
                semaphore.release();
                semaphore = null;
            }
        }
    }
}
