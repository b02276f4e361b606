package io.cairn.vsphere.connect;

import java.security.cert.CertificateException;

/** Thrown by a connection's trust manager when the server certificate is not the pinned one. */
final class ThumbprintMismatchException extends CertificateException {
    private static final long serialVersionUID = 1L;

    ThumbprintMismatchException(String expected, String actual) {
        super("server certificate thumbprint " + actual + " does not match the expected thumbprint " + expected);
    }
}
