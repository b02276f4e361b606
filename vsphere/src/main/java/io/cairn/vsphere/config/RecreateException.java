package io.cairn.vsphere.config;

/**
 * Thrown when a stored ConfigInfo cannot be turned into a spec for a new VM with the options given:
 * an RDM without a free LUN, a network without a mapping, a distributed portgroup nobody resolved.
 * The message names the device (label and stored key) and what is missing.
 */
public final class RecreateException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecreateException(String message) {
        super(message);
    }
}
