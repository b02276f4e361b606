package io.cairn.repository.lock;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The content of a lock file ({@code locks/<16 hex>}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockInfo(
        int version, boolean exclusive, String operation, String host, long pid, String pidStart, String created) {

    String describe() {
        return operation + " (pid " + pid + " on " + host + ", since " + created + ")";
    }
}
