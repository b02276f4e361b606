package io.cairn.repository.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Scrypt")
class ScryptTest {

    // RFC 7914 section 12. The fourth vector (N = 1048576, 1 GiB of memory) is deliberately left out:
    // it is too slow for a unit test and its 128 * r * N is exactly the 1 GiB limit Scrypt refuses.
    private static final String RFC_VECTOR_1 = "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906";
    private static final String RFC_VECTOR_2 = "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640";
    private static final String RFC_VECTOR_3 = "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
            + "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887";

    /**
     * The key-encryption key of the golden v1 key file ({@code golden/v1-encrypted/keys/2b52396f8ac5a9df}:
     * password {@code golden-password}, its salt, N=32768, r=8, p=1, 32 bytes). Derived by the
     * hand-written scrypt that wrote the file, and independently by Python's {@code hashlib.scrypt}
     * (OpenSSL). Never change it: every encrypted v1 repository depends on scrypt giving this value.
     */
    private static final String GOLDEN_KEY_ENCRYPTION_KEY =
            "7e162b2ea6379238dabecf81f4d865651c3810d5ac088c58bd86a5c290cf5c1c";

    private static final String GOLDEN_KEY_FILE = "/golden/v1-encrypted/keys/2b52396f8ac5a9df";

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    @DisplayName("derives RFC 7914 vector 1: empty password and salt, N=16, r=1, p=1")
    void rfcVectorEmptyPasswordAndSalt() {
        assertEquals(RFC_VECTOR_1, hex(Scrypt.derive(new byte[0], new byte[0], 16, 1, 1, 64)));
    }

    @Test
    @DisplayName("derives RFC 7914 vector 2: \"password\" / \"NaCl\", N=1024, r=8, p=16")
    void rfcVectorPasswordNaCl() {
        assertEquals(RFC_VECTOR_2, hex(Scrypt.derive(ascii("password"), ascii("NaCl"), 1024, 8, 16, 64)));
    }

    @Test
    @DisplayName("derives RFC 7914 vector 3: \"pleaseletmein\" / \"SodiumChloride\", N=16384, r=8, p=1")
    void rfcVectorPleaseLetMeIn() {
        assertEquals(
                RFC_VECTOR_3, hex(Scrypt.derive(ascii("pleaseletmein"), ascii("SodiumChloride"), 16384, 8, 1, 64)));
    }

    @Test
    @DisplayName("derives the golden v1 key file's key bit for bit, and that key opens the file's key material")
    void goldenKeyFile() throws Exception {
        KeyFile kf;
        try (InputStream in = ScryptTest.class.getResourceAsStream(GOLDEN_KEY_FILE)) {
            kf = Json.read(in.readAllBytes(), KeyFile.class);
        }
        assertEquals(FormatConstants.KDF_SCRYPT, kf.kdf().algorithm());
        assertEquals(32768, kf.kdf().N());
        assertEquals(8, kf.kdf().r());
        assertEquals(1, kf.kdf().p());
        byte[] salt = Base64.getDecoder().decode(kf.kdf().salt());
        byte[] kek = Scrypt.derive(
                "golden-password".getBytes(StandardCharsets.UTF_8),
                salt,
                kf.kdf().N(),
                kf.kdf().r(),
                kf.kdf().p(),
                32);
        assertEquals(GOLDEN_KEY_ENCRYPTION_KEY, hex(kek));

        // The pinned key itself (not KeyFile's code path) authenticates and opens the envelope.
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(
                Cipher.DECRYPT_MODE,
                new SecretKeySpec(HexFormat.of().parseHex(GOLDEN_KEY_ENCRYPTION_KEY), "AES"),
                new GCMParameterSpec(128, Base64.getDecoder().decode(kf.nonce())));
        c.updateAAD(FormatConstants.KEY_FILE_AAD.getBytes(StandardCharsets.US_ASCII));
        byte[] material = c.doFinal(Base64.getDecoder().decode(kf.data()));
        assertEquals(64, material.length);
        assertArrayEquals(material, kf.unwrap("golden-password".toCharArray()));
    }

    @ParameterizedTest(name = "keyLength {0}")
    @CsvSource({"1", "20", "32", "33", "63"})
    @DisplayName("a shorter key is the prefix of the RFC vector, including lengths that end mid PBKDF2 block")
    void shorterKeysArePrefixes(int keyLength) {
        byte[] key = Scrypt.derive(ascii("password"), ascii("NaCl"), 1024, 8, 16, keyLength);
        assertEquals(RFC_VECTOR_2.substring(0, 2 * keyLength), hex(key));
    }

    @Test
    @DisplayName("different salts give different keys for the same password")
    void differentSaltsGiveDifferentKeys() {
        byte[] password = ascii("correct horse battery staple");
        byte[] saltA = new byte[32];
        byte[] saltB = new byte[32];
        saltB[31] = 1;
        byte[] keyA = Scrypt.derive(password, saltA, 1024, 8, 1, 32);
        byte[] keyB = Scrypt.derive(password, saltB, 1024, 8, 1, 32);
        assertFalse(Arrays.equals(keyA, keyB));
    }

    @Test
    @DisplayName("the same inputs always give the same key, and the inputs are left untouched")
    void deterministicAndDoesNotModifyInputs() {
        byte[] password = ascii("pleaseletmein");
        byte[] salt = ascii("SodiumChloride");
        byte[] first = Scrypt.derive(password, salt, 1024, 8, 2, 32);
        byte[] second = Scrypt.derive(password, salt, 1024, 8, 2, 32);
        assertArrayEquals(first, second);
        assertArrayEquals(ascii("pleaseletmein"), password);
        assertArrayEquals(ascii("SodiumChloride"), salt);
    }

    @ParameterizedTest(name = "N={0}")
    @CsvSource({"0", "1", "-16", "3", "1000", "1025", "-2147483648"})
    @DisplayName("rejects an N that is not a power of two greater than 1")
    void rejectsBadN(int n) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("p"), ascii("s"), n, 8, 1, 32));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
    }

    @ParameterizedTest(name = "r={0}")
    @CsvSource({"0", "-1"})
    @DisplayName("rejects an r below 1")
    void rejectsBadR(int r) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("p"), ascii("s"), 16, r, 1, 32));
        assertTrue(e.getMessage().contains(" r "), e.getMessage());
    }

    @ParameterizedTest(name = "p={0}")
    @CsvSource({"0", "-1"})
    @DisplayName("rejects a p below 1")
    void rejectsBadP(int p) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("p"), ascii("s"), 16, 1, p, 32));
        assertTrue(e.getMessage().contains(" p "), e.getMessage());
    }

    @ParameterizedTest(name = "keyLength={0}")
    @CsvSource({"0", "-1", "1025"})
    @DisplayName("rejects a key length outside 1..1024")
    void rejectsBadKeyLength(int keyLength) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Scrypt.derive(ascii("p"), ascii("s"), 16, 1, 1, keyLength));
        assertTrue(e.getMessage().contains("key length"), e.getMessage());
    }

    @Test
    @DisplayName("accepts the largest key length, 1024 bytes")
    void acceptsMaximumKeyLength() {
        assertEquals(1024, Scrypt.derive(ascii("p"), ascii("s"), 16, 1, 1, 1024).length);
    }

    @ParameterizedTest(name = "N={0}, r={1}, p={2}")
    @CsvSource({
        "1048576, 8, 1", // RFC vector 4: exactly 1 GiB
        "1073741824, 8, 1", // 2^30 * 1 KiB, would overflow an int product
        "8388608, 1, 1", // r=1 is limited to N < 65536 by RFC 7914 anyway
        "16, 1048576, 1", // huge r with a small N
        "16, 1, 8388608", // 128 * r * p reaches 1 GiB
    })
    @DisplayName("rejects parameters needing 1 GiB of working memory or more, before allocating it")
    void rejectsExcessiveMemory(int n, int r, int p) {
        assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("p"), ascii("s"), n, r, p, 32));
    }

    @Test
    @DisplayName("rejects N of 2^16 or more when r is 1, as RFC 7914 requires N < 2^(16 * r)")
    void rejectsNTooLargeForRFC() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Scrypt.derive(ascii("p"), ascii("s"), 65536, 1, 1, 32));
        assertTrue(e.getMessage().contains("65536"), e.getMessage());
        assertEquals(32, Scrypt.derive(ascii("p"), ascii("s"), 32768, 1, 1, 32).length);
    }

    @Test
    @DisplayName("rejects a null password or salt")
    void rejectsNulls() {
        assertThrows(NullPointerException.class, () -> Scrypt.derive(null, ascii("s"), 16, 1, 1, 32));
        assertThrows(NullPointerException.class, () -> Scrypt.derive(ascii("p"), null, 16, 1, 1, 32));
    }
}
