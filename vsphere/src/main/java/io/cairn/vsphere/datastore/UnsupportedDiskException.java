package io.cairn.vsphere.datastore;

import java.io.IOException;

/**
 * Thrown when a disk cannot be read over the datastore HTTP interface: a hosted sparse VMDK, a
 * snapshot child (delta disk), or an extent that is not a plain flat file (SE sparse, RDM). The
 * message names the file and what to use instead.
 */
public final class UnsupportedDiskException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnsupportedDiskException(String message) {
        super(message);
    }
}
