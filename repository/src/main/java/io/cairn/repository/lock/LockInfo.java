package io.cairn.repository.lock;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The content of a lock file ({@code locks/<16 hex>}); docs/repository-format.md, "Locks".
 *
 * <p>Version 2 identifies the holder by {@code machineId}, {@code bootId}, {@code pid} and
 * {@code startTicks} (see {@link HostIdentity}) and records {@code storeStart}, the store's own
 * time when the lock was taken, which gc uses to protect what a writer it could not prove dead may
 * have written. Version 1 files (host, pid and a JDK start instant) are still read; their holders
 * are judged by the store's clock only.
 *
 * @param host the host name, for people; never used to decide liveness
 * @param pidStart version 1 only: the JDK's process start instant (unreliable, ignored)
 * @param created the holder's local time, for people; never used to decide liveness
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LockInfo(
        int version,
        boolean exclusive,
        String operation,
        String host,
        long pid,
        String pidStart,
        String created,
        String machineId,
        String bootId,
        Long startTicks,
        String storeStart) {

    /** A version 1 lock, as older cairn wrote them. */
    public static LockInfo v1(
            boolean exclusive, String operation, String host, long pid, String pidStart, String created) {
        return new LockInfo(1, exclusive, operation, host, pid, pidStart, created, null, null, null, null);
    }

    LockInfo withStoreStart(String s) {
        return new LockInfo(
                version, exclusive, operation, host, pid, pidStart, created, machineId, bootId, startTicks, s);
    }

    String describe() {
        return operation + " (pid " + pid + " on " + host + ", since " + created + ")";
    }
}
