package io.cairn.vsphere.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.xml.ws.handler.MessageContext;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Connection settings (no server)")
class VsphereConnectionTest {
    @Test
    @DisplayName("normalizes a server URL to https://host[:port]/sdk")
    void sdkUri() throws Exception {
        assertEquals(
                URI.create("https://vc.example.com/sdk"),
                VsphereConnection.sdkUri(URI.create("https://vc.example.com")));
        assertEquals(
                URI.create("https://vc.example.com/sdk"),
                VsphereConnection.sdkUri(URI.create("https://vc.example.com/")));
        assertEquals(URI.create("https://h:8443/sdk"), VsphereConnection.sdkUri(URI.create("https://h:8443/sdk/")));
        assertEquals(URI.create("https://vc.example.com/sdk"), VsphereConnection.sdkUri(URI.create("vc.example.com")));
        assertThrows(VsphereException.class, () -> VsphereConnection.sdkUri(URI.create("http://vc.example.com")));
    }

    @Test
    @DisplayName("reads the vmware_soap_session cookie from the login response's headers")
    void cookie() {
        Map<String, Object> ctx = Map.of(
                MessageContext.HTTP_RESPONSE_HEADERS,
                Map.of(
                        "Set-Cookie",
                        List.of("other=1; Path=/", "vmware_soap_session=\"52b1\"; Path=/; HttpOnly; Secure")));
        assertEquals("vmware_soap_session=\"52b1\"", VsphereConnection.sessionCookie(ctx));
        assertNull(VsphereConnection.sessionCookie(Map.of()));
    }

    @Test
    @DisplayName("never shows the password in toString")
    void noPasswordInToString() {
        ConnectOptions o = new ConnectOptions(URI.create("https://h"), "u", "s3cret".toCharArray(), null, true);
        assertFalse(o.toString().contains("s3cret"));
        assertFalse(new Credentials("u", "s3cret".toCharArray()).toString().contains("s3cret"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ConnectOptions(URI.create("https://h"), "u", new char[0], "zz", false));
    }
}
