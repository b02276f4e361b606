package io.cairn.httpui.vcenter;

import java.io.IOException;

/**
 * Thrown when the stored password of a saved vCenter connection cannot be opened: damaged, or sealed
 * under another {@code vcenter.key}. The cure is to enter the password again (edit the connection).
 */
public final class SealedPasswordException extends IOException {
    private static final long serialVersionUID = 1L;

    SealedPasswordException(String message) {
        super(message);
    }
}
