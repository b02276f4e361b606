package io.cairn.vsphere.datastore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Files of a vSphere datastore over HTTPS: {@code https://HOST/folder/<path>?dcPath=<datacenter>&dsName=<datastore>},
 * the "datastore HTTP interface" of vCenter and ESXi (vSphere Web Services SDK Programming Guide,
 * "HTTP Access to vSphere Server Files"). GET with byte ranges reads, PUT writes a whole file.
 * Requests carry the SOAP session's cookie ({@code vmware_soap_session}), taken from the supplier at
 * each request so that a re-login is picked up.
 *
 * <p><b>Why {@link HttpsURLConnection} and not {@code java.net.http.HttpClient}:</b> cairn pins the
 * server certificate per connection (a thumbprint trust manager and a verifier that accepts the
 * pinned certificate whatever the host name is). {@code HttpClient} takes an {@code SSLContext}, but
 * always checks the host name against the certificate and can only be told not to JVM-wide
 * ({@code jdk.internal.httpclient.disableHostnameVerification}), which would weaken every other TLS
 * connection in the appliance. {@code HttpsURLConnection} takes the same socket factory and
 * verifier per connection as the SOAP client (JAX-WS) does, and its keep-alive cache only reuses a
 * connection made with the same factory and verifier. Keep-alive needs each response body read to
 * its end, which every method here does (or disconnects when it must not read on).
 *
 * <p>Thread-safe: every call is its own request; several threads may read at once.
 */
public final class DatastoreClient {
    /** Connect timeout. */
    static final int CONNECT_TIMEOUT_MS = 30_000;
    /** Read timeout: a datastore read on a busy host can stall for a while, but not for minutes. */
    static final int READ_TIMEOUT_MS = 300_000;
    /**
     * A server that ignores {@code Range} answers 200 with the whole file. Up to this size the
     * wanted bytes are cut out of it (descriptors, small files); beyond it the read is refused
     * rather than downloading a whole disk for every chunk.
     */
    static final long IGNORED_RANGE_LIMIT = 16L << 20;
    /** How much of an error body is read (for keep-alive and the message); the rest is dropped. */
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final URI serverBase;
    private final SSLSocketFactory sslSocketFactory;
    private final HostnameVerifier hostnameVerifier;
    private final Supplier<String> cookie;
    private final String datacenterPath;

    /**
     * @param serverBase {@code https://host[:port]}; any path (such as {@code /sdk}) is ignored
     * @param sslSocketFactory the TLS socket factory that pins the server's certificate
     * @param hostnameVerifier the verifier matching that pinning
     * @param cookie the value of the {@code Cookie} header, e.g. {@code vmware_soap_session="52a3…"};
     *     may return null (no header) for a server that does not authenticate (vcsim)
     * @param datacenterPath the datacenter's inventory path, e.g. {@code DC0} or {@code Folder/DC0}
     *     ({@code ha-datacenter} on a standalone ESXi host)
     */
    public DatastoreClient(
            URI serverBase,
            SSLSocketFactory sslSocketFactory,
            HostnameVerifier hostnameVerifier,
            Supplier<String> cookie,
            String datacenterPath) {
        Objects.requireNonNull(serverBase, "serverBase");
        if (!"https".equalsIgnoreCase(serverBase.getScheme()) || serverBase.getHost() == null) {
            throw new IllegalArgumentException("server address '" + serverBase + "' is not https://host[:port]");
        }
        try {
            this.serverBase = new URI("https", null, serverBase.getHost(), serverBase.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("server address '" + serverBase + "': " + e.getMessage(), e);
        }
        this.sslSocketFactory = Objects.requireNonNull(sslSocketFactory, "sslSocketFactory");
        this.hostnameVerifier = Objects.requireNonNull(hostnameVerifier, "hostnameVerifier");
        this.cookie = Objects.requireNonNull(cookie, "cookie");
        if (datacenterPath == null || datacenterPath.isEmpty()) {
            throw new IllegalArgumentException("a datacenter path is needed (ha-datacenter on a standalone ESXi host)");
        }
        this.datacenterPath = datacenterPath;
    }

    /** The datacenter path the files are addressed in. */
    public String datacenterPath() {
        return datacenterPath;
    }

    /** The file's URL: {@code https://host/folder/<path>?dcPath=…&dsName=…}, percent-encoded. */
    public URI url(DatastorePath file) {
        String s = serverBase + "/folder/" + encode(file.path(), true) + "?dcPath=" + encode(datacenterPath, false)
                + "&dsName=" + encode(file.datastore(), false);
        return URI.create(s);
    }

    /**
     * The file's size in bytes: HEAD, or, when the server does not allow HEAD (405/501), a GET of
     * byte 0 whose {@code Content-Range} tells the size.
     *
     * @throws NoSuchFileException when there is no such file
     * @throws DatastoreNotAuthorisedException on 401/403
     * @throws DatastoreHttpException on any other unexpected answer
     */
    public long size(DatastorePath file) throws IOException {
        HttpsURLConnection c = open(file, "HEAD");
        int status = status(c, "HEAD", file);
        if (status == 200 && c.getContentLengthLong() >= 0) {
            long n = c.getContentLengthLong();
            drain(c);
            return n;
        }
        if (status == 200 || status == 405 || status == 501) {
            drain(c);
            return sizeByRange(file);
        }
        throw failure(c, status, "HEAD", file);
    }

    /** The size from {@code Range: bytes=0-0}'s {@code Content-Range: bytes 0-0/SIZE} (or {@code bytes *}{@code /0}). */
    long sizeByRange(DatastorePath file) throws IOException {
        HttpsURLConnection c = open(file, "GET");
        c.setRequestProperty("Range", "bytes=0-0");
        int status = status(c, "GET", file);
        switch (status) {
            case 206, 416 -> {
                long total = contentRange(c, file, status)[2];
                drain(c);
                if (total < 0) {
                    throw new DatastoreHttpException(
                            status,
                            "GET " + file + ": the server did not say the file's size (Content-Range '"
                                    + c.getHeaderField("Content-Range") + "')");
                }
                return total;
            }
            case 200 -> {
                long n = c.getContentLengthLong();
                c.disconnect(); // the whole file is on its way: do not read it
                if (n < 0) {
                    throw new DatastoreHttpException(
                            200, "GET " + file + ": the server ignored the byte range and sent no length");
                }
                return n;
            }
            default -> throw failure(c, status, "GET", file);
        }
    }

    /**
     * Reads up to {@code len} bytes at {@code offset} with one ranged GET ({@code Range: bytes=a-b},
     * answered 206). Fewer bytes come back only at the end of the file; -1 when {@code offset} is at
     * or past the end. A server that ignores the range (200, the whole file) is tolerated for files
     * of up to 16 MiB and refused for larger ones.
     *
     * @throws NoSuchFileException when there is no such file
     * @throws DatastoreNotAuthorisedException on 401/403
     * @throws DatastoreHttpException on any other unexpected answer
     */
    public int read(DatastorePath file, long offset, byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (len == 0) {
            return 0;
        }
        HttpsURLConnection c = open(file, "GET");
        c.setRequestProperty("Range", "bytes=" + offset + "-" + (offset + len - 1));
        int status = status(c, "GET", file);
        switch (status) {
            case 206 -> {
                long[] range = contentRange(c, file, 206);
                long n = range[1] - range[0] + 1;
                if (range[0] != offset || n <= 0 || n > len) {
                    c.disconnect();
                    throw new DatastoreHttpException(
                            206,
                            "GET " + file + ": asked for bytes " + offset + "-" + (offset + len - 1)
                                    + ", the server sent '" + c.getHeaderField("Content-Range") + "'");
                }
                try (InputStream in = c.getInputStream()) {
                    readFully(in, buf, off, (int) n, file, offset);
                    if (in.read() >= 0) {
                        throw new DatastoreHttpException(
                                206,
                                "GET " + file + ": the server sent more than the " + n
                                        + " bytes its Content-Range announced");
                    }
                } catch (IOException e) {
                    c.disconnect();
                    throw e;
                }
                return (int) n;
            }
            case 416 -> {
                drain(c);
                return -1;
            }
            case 200 -> {
                return readIgnoredRange(c, file, offset, buf, off, len);
            }
            default -> throw failure(c, status, "GET", file);
        }
    }

    /** A 200 answer to a ranged GET: the whole file, from byte 0. */
    private int readIgnoredRange(HttpsURLConnection c, DatastorePath file, long offset, byte[] buf, int off, int len)
            throws IOException {
        long total = c.getContentLengthLong();
        boolean wholeFileWanted = offset == 0 && total >= 0 && total <= len;
        if (!wholeFileWanted && (total < 0 || total > IGNORED_RANGE_LIMIT)) {
            c.disconnect();
            throw new DatastoreHttpException(
                    200,
                    "GET " + file + ": the server ignored the byte range " + offset + "+" + len
                            + " and sent the whole " + (total < 0 ? "" : total + "-byte ")
                            + "file; refusing to download a large file"
                            + " in full for every read (is a proxy between cairn and " + serverBase.getHost()
                            + " dropping 'Range'?)");
        }
        try (InputStream in = c.getInputStream()) {
            if (offset >= total) {
                in.transferTo(OutputStream.nullOutputStream());
                return -1;
            }
            in.skipNBytes(offset);
            int n = (int) Math.min(len, total - offset);
            readFully(in, buf, off, n, file, offset);
            in.transferTo(OutputStream.nullOutputStream());
            return n;
        } catch (IOException e) {
            c.disconnect();
            throw e;
        }
    }

    /**
     * A small file whole (descriptor, {@code .vmx}, {@code .nvram}).
     *
     * @throws DatastoreHttpException when the file is larger than {@code maxBytes}, without downloading it
     * @throws NoSuchFileException when there is no such file
     * @throws DatastoreNotAuthorisedException on 401/403
     */
    public byte[] readAll(DatastorePath file, int maxBytes) throws IOException {
        HttpsURLConnection c = open(file, "GET");
        int status = status(c, "GET", file);
        if (status != 200) {
            throw failure(c, status, "GET", file);
        }
        long n = c.getContentLengthLong();
        if (n > maxBytes) {
            c.disconnect();
            throw new DatastoreHttpException(
                    200, file + " is " + n + " bytes, more than the " + maxBytes + " expected");
        }
        try (InputStream in = c.getInputStream()) {
            byte[] data = in.readNBytes(maxBytes);
            if (in.read() >= 0) {
                c.disconnect();
                throw new DatastoreHttpException(200, file + " is more than the " + maxBytes + " bytes expected");
            }
            if (n >= 0 && data.length != n) {
                throw new DatastoreHttpException(
                        200, "GET " + file + ": " + data.length + " bytes came of the " + n + " announced");
            }
            return data;
        } catch (IOException e) {
            c.disconnect();
            throw e;
        }
    }

    /**
     * Writes {@code length} bytes from {@code in} as the whole file (created or replaced), streamed:
     * never held in memory whole.
     *
     * @throws java.io.EOFException when {@code in} ends before {@code length} bytes
     */
    public void upload(DatastorePath file, InputStream in, long length) throws IOException {
        try (Upload up = openUpload(file, length)) {
            byte[] buf = new byte[1 << 20];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new java.io.EOFException("uploading " + file + ": the input ended " + left
                            + " bytes before the " + length + " announced");
                }
                up.write(buf, 0, n);
                left -= n;
            }
            up.complete();
        }
    }

    /**
     * Starts a PUT of exactly {@code length} bytes to {@code file} (created or replaced; vSphere's
     * datastore PUT always writes the whole file). Write the bytes, then {@link Upload#complete()};
     * closing without completing aborts the request.
     */
    public Upload openUpload(DatastorePath file, long length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("negative upload length " + length);
        }
        HttpsURLConnection c = open(file, "PUT");
        c.setDoOutput(true);
        // Fixed-length streaming: the bytes go to the socket as they are written, nothing is buffered.
        c.setFixedLengthStreamingMode(length);
        c.setRequestProperty("Content-Type", "application/octet-stream");
        OutputStream out;
        try {
            out = c.getOutputStream();
        } catch (IOException e) {
            throw statusAfterFailure(c, file, e);
        }
        return new Upload(c, out, file, length);
    }

    /**
     * A PUT in progress. Not thread-safe. A failed upload is broken for good: it cannot resume, the
     * file has to be written again from its start.
     */
    public final class Upload extends OutputStream {
        private final HttpsURLConnection conn;
        private final OutputStream out;
        private final DatastorePath file;
        private final long length;
        private long written;
        private boolean done;
        private boolean broken;

        private Upload(HttpsURLConnection conn, OutputStream out, DatastorePath file, long length) {
            this.conn = conn;
            this.out = out;
            this.file = file;
            this.length = length;
        }

        public DatastorePath file() {
            return file;
        }

        /** Bytes written so far. */
        public long written() {
            return written;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            check();
            if (written + len > length) {
                broken = true;
                conn.disconnect();
                throw new IOException("uploading " + file + ": more than the " + length + " bytes announced");
            }
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                broken = true;
                throw statusAfterFailure(conn, file, e);
            }
            written += len;
        }

        /** Ends the request after exactly the announced bytes and checks the server's answer (200, 201 or 204). */
        public void complete() throws IOException {
            check();
            if (written != length) {
                broken = true;
                conn.disconnect();
                throw new IOException(
                        "uploading " + file + ": " + written + " of the " + length + " announced bytes were written");
            }
            done = true;
            int status;
            try {
                out.close();
                status = conn.getResponseCode();
            } catch (IOException e) {
                broken = true;
                throw statusAfterFailure(conn, file, e);
            }
            if (status != 200 && status != 201 && status != 204) {
                broken = true;
                throw failure(conn, status, "PUT", file);
            }
            drain(conn);
        }

        private void check() throws IOException {
            if (broken) {
                throw new IOException("upload of " + file + " failed earlier; it has to start again");
            }
            if (done) {
                throw new IOException("upload of " + file + " is already complete");
            }
        }

        /** Aborts the request when it was not completed: the server sees a short body and drops it. */
        @Override
        public void close() {
            if (!done) {
                broken = true;
                done = true;
                conn.disconnect();
            }
        }
    }

    // ---- HTTP plumbing ----

    private HttpsURLConnection open(DatastorePath file, String method) throws IOException {
        URL u = url(file).toURL();
        HttpsURLConnection c = (HttpsURLConnection) u.openConnection();
        c.setSSLSocketFactory(sslSocketFactory);
        c.setHostnameVerifier(hostnameVerifier);
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false); // never carry the session cookie to wherever a redirect points
        c.setUseCaches(false);
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        String value = cookie.get();
        if (value != null && !value.isEmpty()) {
            c.setRequestProperty("Cookie", value);
        }
        return c;
    }

    private int status(HttpsURLConnection c, String method, DatastorePath file) throws IOException {
        try {
            return c.getResponseCode();
        } catch (IOException e) {
            c.disconnect();
            throw new IOException(
                    method + " " + file + " at " + serverBase.getHost() + " failed: " + e.getMessage(), e);
        }
    }

    /** After a failed write, the server may already have answered (401 before the body): report that. */
    private IOException statusAfterFailure(HttpsURLConnection c, DatastorePath file, IOException e) {
        try {
            int status = c.getResponseCode();
            if (status >= 300) {
                IOException f = failure(c, status, "PUT", file);
                f.addSuppressed(e);
                return f;
            }
        } catch (IOException ignored) {
            // no answer: report the write failure
        }
        c.disconnect();
        return new IOException("PUT " + file + " at " + serverBase.getHost() + " failed: " + e.getMessage(), e);
    }

    /** The exception for an unexpected status; reads (a bounded part of) the error body. */
    private IOException failure(HttpsURLConnection c, int status, String method, DatastorePath file) {
        String body = errorBody(c);
        String line = status + (c.getHeaderField(0) != null ? " (" + c.getHeaderField(0) + ")" : "");
        String where = " in datacenter '" + datacenterPath + "' at " + serverBase.getHost();
        if (status == 404) {
            return new NoSuchFileException(
                    file.toString(), null, "no such file" + where + " (HTTP 404 for " + method + ")");
        }
        if (status == 401 || status == 403) {
            return new DatastoreNotAuthorisedException(
                    status, method + " " + file + where + ": not authorised (session expired?): HTTP " + line);
        }
        if (status >= 300 && status < 400) {
            return new DatastoreHttpException(
                    status,
                    method + " " + file + where + ": redirected to '" + c.getHeaderField("Location") + "' (HTTP " + line
                            + "), not followed");
        }
        return new DatastoreHttpException(
                status, method + " " + file + where + ": HTTP " + line + (body.isEmpty() ? "" : ": " + body));
    }

    private static String errorBody(HttpsURLConnection c) {
        InputStream es = c.getErrorStream();
        if (es == null) {
            try {
                es = c.getInputStream();
            } catch (IOException e) {
                return "";
            }
        }
        try (InputStream in = es) {
            byte[] b = in.readNBytes(ERROR_BODY_LIMIT);
            if (in.read() >= 0) {
                c.disconnect();
            }
            String s = new String(b, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            return s.length() > 300 ? s.substring(0, 300) + "…" : s;
        } catch (IOException e) {
            c.disconnect();
            return "";
        }
    }

    /** Reads a (small or empty) body to its end so the connection can be reused. */
    private static void drain(HttpsURLConnection c) {
        try (InputStream in = c.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            c.disconnect();
        }
    }

    /** {@code Content-Range: bytes a-b/total} as {a, b, total}; a, b are -1 for {@code bytes *}{@code /total}, total -1 for {@code /*}. */
    private static long[] contentRange(HttpsURLConnection c, DatastorePath file, int status)
            throws DatastoreHttpException {
        String h = c.getHeaderField("Content-Range");
        try {
            String v = h.strip();
            if (!v.startsWith("bytes ")) {
                throw new IllegalArgumentException();
            }
            v = v.substring("bytes ".length()).strip();
            int slash = v.indexOf('/');
            String span = v.substring(0, slash);
            String total = v.substring(slash + 1);
            long t = total.equals("*") ? -1 : Long.parseLong(total);
            if (span.equals("*")) {
                return new long[] {-1, -1, t};
            }
            int dash = span.indexOf('-');
            return new long[] {Long.parseLong(span.substring(0, dash)), Long.parseLong(span.substring(dash + 1)), t};
        } catch (RuntimeException e) {
            c.disconnect();
            throw new DatastoreHttpException(status, "GET " + file + ": unreadable Content-Range '" + h + "'");
        }
    }

    private static void readFully(InputStream in, byte[] buf, int off, int n, DatastorePath file, long offset)
            throws IOException {
        int got = in.readNBytes(buf, off, n);
        if (got != n) {
            throw new IOException(
                    "GET " + file + ": the answer ended after " + got + " of " + n + " bytes at offset " + offset);
        }
    }

    /** Percent-encodes UTF-8 text; keeps RFC 3986 unreserved characters, and {@code /} in paths. */
    static String encode(String s, boolean keepSlash) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~'
                    || (keepSlash && c == '/')) {
                b.append((char) c);
            } else {
                b.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}
