package io.cairn.vsphere.connect;

import java.io.IOException;

/** Thrown when a vSphere server cannot be reached, refuses the connection or login, or a call to it fails. */
public class VsphereException extends IOException {
    private static final long serialVersionUID = 1L;

    public VsphereException(String message) {
        super(message);
    }

    public VsphereException(String message, Throwable cause) {
        super(message, cause);
    }
}
