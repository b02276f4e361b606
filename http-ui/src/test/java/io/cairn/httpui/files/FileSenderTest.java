package io.cairn.httpui.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSenderTest {
    @TempDir
    Path dir;

    private Path file(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(dir.resolve("f" + size), data);
    }

    @Test
    @DisplayName("sends exactly the file, across several buffers and a partial last one, and reuses pooled buffers")
    void sendsAll() throws IOException {
        for (int size : new int[] {0, 1, FileSender.BUFFER_SIZE, 2 * FileSender.BUFFER_SIZE + 12345}) {
            Path f = file(size);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            FileSender.Result r = FileSender.send(f, size, out);
            assertEquals(FileSender.Failure.NONE, r.failure());
            assertEquals(size, r.sent());
            assertNull(r.error());
            assertArrayEquals(Files.readAllBytes(f), out.toByteArray());
        }
    }

    @Test
    @DisplayName("sends only the size asked for (the size the response announced)")
    void sendsOnlySize() throws IOException {
        Path f = file(5000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(FileSender.Failure.NONE, FileSender.send(f, 4096, out).failure());
        assertArrayEquals(Arrays.copyOf(Files.readAllBytes(f), 4096), out.toByteArray());
    }

    @Test
    @DisplayName("a file shorter than announced is SHORT, after what it had")
    void shortFile() throws IOException {
        Path f = file(3000);
        FileSender.Result r = FileSender.send(f, 4000, new ByteArrayOutputStream());
        assertEquals(FileSender.Failure.SHORT, r.failure());
        assertEquals(3000, r.sent());
    }

    @Test
    @DisplayName("a failing write (the client went away) is WRITE, with the bytes sent before it")
    void clientGone() throws IOException {
        Path f = file(3 * FileSender.BUFFER_SIZE);
        OutputStream out = new OutputStream() {
            long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written >= FileSender.BUFFER_SIZE) {
                    throw new IOException("broken pipe");
                }
                written += len;
            }
        };
        FileSender.Result r = FileSender.send(f, Files.size(f), out);
        assertEquals(FileSender.Failure.WRITE, r.failure());
        assertEquals(FileSender.BUFFER_SIZE, r.sent());
        assertEquals("broken pipe", r.error().getMessage());
    }

    @Test
    @DisplayName("a file that cannot be opened throws before anything is sent")
    void missing() {
        assertThrows(
                NoSuchFileException.class, () -> FileSender.send(dir.resolve("none"), 1, new ByteArrayOutputStream()));
    }
}
