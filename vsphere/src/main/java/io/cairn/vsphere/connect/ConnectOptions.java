package io.cairn.vsphere.connect;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach one vCenter or ESXi server.
 *
 * @param url        {@code https://vc.example.com}, {@code https://host:port} or {@code https://host:port/sdk}
 * @param username   the login user
 * @param password   the login password; never logged or put into a message
 * @param thumbprint the server certificate's SHA-1 or SHA-256 thumbprint (hex, colons optional, any
 *                   case), or null
 * @param insecure   accept any server certificate (only by explicit choice, never a default)
 */
public record ConnectOptions(URI url, String username, char[] password, String thumbprint, boolean insecure) {
    public ConnectOptions {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (thumbprint != null && insecure) {
            throw new IllegalArgumentException("give either a thumbprint or insecure, not both");
        }
        if (thumbprint != null) {
            Thumbprint.normalize(thumbprint); // fails early on a malformed pin
        }
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "ConnectOptions[url=" + url + ", username=" + username + ", thumbprint=" + thumbprint + ", insecure="
                + insecure + "]";
    }
}
