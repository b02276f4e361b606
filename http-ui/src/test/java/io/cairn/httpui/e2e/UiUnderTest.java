package io.cairn.httpui.e2e;

/** The server a browser test talks to: the real {@code UiServer} or the {@link StandInApi}. */
interface UiUnderTest extends AutoCloseable {
    /** The https URL of the UI's root, ending with a slash. */
    String baseUrl();

    /** Base64 SHA-256 of the server certificate's SubjectPublicKeyInfo, for Chromium's SPKI allow-list. */
    String spkiSha256();

    String user();

    String password();

    /** A user with the viewer role, or null when this server has none. */
    default String viewerUser() {
        return null;
    }

    default String viewerPassword() {
        return null;
    }

    @Override
    void close();
}
