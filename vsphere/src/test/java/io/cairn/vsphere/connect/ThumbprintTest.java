package io.cairn.vsphere.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Thumbprints")
class ThumbprintTest {
    /** Go's test certificate, as served by vcsim (govmomi simulator/internal/testcert.go). */
    static final String GO_TEST_CERT = """
      -----BEGIN CERTIFICATE-----
      MIICEzCCAXygAwIBAgIQMIMChMLGrR+QvmQvpwAU6zANBgkqhkiG9w0BAQsFADAS
      MRAwDgYDVQQKEwdBY21lIENvMCAXDTcwMDEwMTAwMDAwMFoYDzIwODQwMTI5MTYw
      MDAwWjASMRAwDgYDVQQKEwdBY21lIENvMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCB
      iQKBgQDuLnQAI3mDgey3VBzWnB2L39JUU4txjeVE6myuDqkM/uGlfjb9SjY1bIw4
      iA5sBBZzHi3z0h1YV8QPuxEbi4nW91IJm2gsvvZhIrCHS3l6afab4pZBl2+XsDul
      rKBxKKtD1rGxlG4LjncdabFn9gvLZad2bSysqz/qTAUStTvqJQIDAQABo2gwZjAO
      BgNVHQ8BAf8EBAMCAqQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwDwYDVR0TAQH/BAUw
      AwEB/zAuBgNVHREEJzAlggtleGFtcGxlLmNvbYcEfwAAAYcQAAAAAAAAAAAAAAAA
      AAAAATANBgkqhkiG9w0BAQsFAAOBgQCEcetwO59EWk7WiJsG4x8SY+UIAA+flUI9
      tyC4lNhbcF2Idq9greZwbYCqTTTr2XiRNSMLCOjKyI7ukPoPjo16ocHj+P3vZGfs
      h1fIw3cSS2OolhloGw/XM6RWPWtPAlGykKLciQrBru5NAPvCMsb/I1DAceTiotQM
      fblo6RBxUQ==
      -----END CERTIFICATE-----
      """;

    static final String SHA1 = "2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9";
    static final String SHA256 =
            "44:8F:62:8A:8A:65:AA:18:56:0E:53:A8:0C:53:AC:B3:8C:51:B4:27:DF:03:34:08:23:49:14:11:47:DC:9B:F6";

    static X509Certificate cert() throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(GO_TEST_CERT.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    @DisplayName("computes SHA-1 and SHA-256 thumbprints as upper-case hex with colons")
    void digests() throws Exception {
        assertEquals(SHA1, Thumbprint.sha1(cert()));
        assertEquals(SHA256, Thumbprint.sha256(cert()));
    }

    @Test
    @DisplayName("normalizes a pin given with or without colons, in any case")
    void normalize() {
        assertEquals(SHA1, Thumbprint.normalize(SHA1.toLowerCase()));
        assertEquals(SHA1, Thumbprint.normalize(SHA1.replace(":", "")));
        assertEquals(SHA256, Thumbprint.normalize(" " + SHA256.replace(":", "").toLowerCase() + " "));
    }

    @Test
    @DisplayName("refuses a pin that is neither 20 nor 32 bytes of hex")
    void malformed() {
        assertThrows(IllegalArgumentException.class, () -> Thumbprint.normalize("2C:11"));
        assertThrows(IllegalArgumentException.class, () -> Thumbprint.normalize(SHA1.replace('C', 'X')));
        assertThrows(IllegalArgumentException.class, () -> Thumbprint.normalize(""));
    }

    @Test
    @DisplayName("matches a SHA-1 or a SHA-256 pin and rejects another certificate's")
    void matches() throws Exception {
        X509Certificate c = cert();
        assertTrue(Thumbprint.matches(SHA1.toLowerCase().replace(":", ""), c));
        assertTrue(Thumbprint.matches(SHA256, c));
        assertFalse(Thumbprint.matches("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33", c));
        assertFalse(Thumbprint.matches(SHA256.replace("44:8F", "44:8E"), c));
        // the mismatch message shows the server's thumbprint in the pin's digest
        assertEquals(SHA256, Thumbprint.sameKind(SHA256.replace("44:8F", "44:8E"), c));
    }
}
