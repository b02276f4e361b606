package io.cairn.httpui.vcenter;

import java.io.IOException;

/**
 * Thrown when an edit of a saved vCenter connection would send its stored password somewhere else
 * (another URL, user or certificate setting) without the password being entered again. Nothing was
 * changed and no login was attempted.
 */
public final class PasswordRequiredException extends IOException {
    private static final long serialVersionUID = 1L;

    PasswordRequiredException(String message) {
        super(message);
    }
}
