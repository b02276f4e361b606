package io.cairn.mount.sandbox;

import java.io.IOException;

/**
 * Thrown by {@link Sandbox#open} when this machine cannot run guest drivers in a sandbox; the
 * message says what is missing ("bubblewrap is not installed (Debian package bubblewrap)") and is
 * shown to the user as the reason a volume is not shown.
 */
public final class SandboxUnavailableException extends IOException {
    public SandboxUnavailableException(String message) {
        super(message);
    }
}
