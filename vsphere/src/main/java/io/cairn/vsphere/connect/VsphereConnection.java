package io.cairn.vsphere.connect;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.InvalidLoginFaultMsg;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VimService;
import jakarta.xml.ws.BindingProvider;
import jakarta.xml.ws.handler.MessageContext;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * One logged-in session with a vCenter Server or a standalone ESXi host, shared by all threads.
 *
 * <p><b>TLS.</b> The server certificate is pinned by its SHA-1 or SHA-256 thumbprint in a trust
 * manager of this connection only (nothing JVM-wide); with a pin the host name is not checked
 * against the certificate, the pin identifies the server. Without a pin, {@link #connect} refuses
 * with a message that shows the server's thumbprints, unless {@code insecure} was chosen.
 *
 * <p><b>Session.</b> {@link #port()} is a proxy of the binding's port: a call that fails because
 * the session is gone ({@code NotAuthenticated}: the server restarted, the session timed out or
 * was terminated) logs in again, once for all threads that noticed, and is retried once.
 *
 * <p><b>API version.</b> Before anything else the server's {@code /sdk/vimServiceVersions.xml} is
 * read and the highest version both sides speak is chosen ({@link ApiVersion}); every request
 * then names it in its SOAPAction, so a vSphere 8 server answers a session of cairn's 7.0 binding
 * in 7.0's terms ({@link #negotiatedApiVersion()}, {@link #bindingLimit()}).
 *
 * <p>One {@link VimService} per process (its JAXB setup costs seconds), one port per connection.
 * The password is kept (as a char array, cleared by {@link #close()}) for the re-login; it never
 * appears in a message or a log line.
 */
public final class VsphereConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VsphereConnection.class.getName());

    private static final String JAXWS_SSL_SOCKET_FACTORY = "com.sun.xml.ws.transport.https.client.SSLSocketFactory";
    private static final String JAXWS_HOSTNAME_VERIFIER = "com.sun.xml.ws.transport.https.client.hostname.verifier";
    private static final String JAXWS_CONNECT_TIMEOUT = "com.sun.xml.ws.connect.timeout";
    private static final String JAXWS_REQUEST_TIMEOUT = "com.sun.xml.ws.request.timeout";
    private static final int REQUEST_TIMEOUT_MS = 10 * 60 * 1000;
    /** The cookie in which vCenter and ESXi carry the SOAP session id. */
    private static final String SESSION_COOKIE = "vmware_soap_session";
    /** vimServiceVersions.xml is a few hundred bytes; more is not that file. */
    private static final int MAX_SERVICE_VERSIONS = 64 * 1024;

    private static VimService service;

    private final URI sdkUri;
    private final URI serverBase;
    private final String username;
    private final char[] password;
    private final Tls tls;
    private final VimPortType raw;
    private final VimPortType port;
    private final ServiceContent content;
    private final Object sessionLock = new Object();
    /** Incremented by each (re-)login: a thread re-logs in only if nobody did since its call began. */
    private volatile long generation;

    private final ApiVersion negotiated;
    private volatile String sessionCookie;
    private volatile String instanceUuid;
    private volatile boolean closed;
    private String sha1;

    private VsphereConnection(URI sdkUri, String username, char[] password, Tls tls) throws VsphereException {
        this.sdkUri = sdkUri;
        this.serverBase = URI.create(
                sdkUri.getScheme() + "://" + sdkUri.getHost() + (sdkUri.getPort() < 0 ? "" : ":" + sdkUri.getPort()));
        this.username = username;
        this.password = password.clone();
        this.tls = tls;
        this.raw = service().getVimPort();
        Map<String, Object> ctx = ((BindingProvider) raw).getRequestContext();
        ctx.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, sdkUri.toString());
        ctx.put(BindingProvider.SESSION_MAINTAIN_PROPERTY, true);
        ctx.put(JAXWS_SSL_SOCKET_FACTORY, tls.socketFactory());
        ctx.put(JAXWS_HOSTNAME_VERIFIER, tls.hostnameVerifier());
        ctx.put(JAXWS_CONNECT_TIMEOUT, Tls.CONNECT_TIMEOUT_MS);
        ctx.put(JAXWS_REQUEST_TIMEOUT, REQUEST_TIMEOUT_MS);
        List<ApiVersion> offered = serviceVersions(sdkUri, tls);
        ApiVersion chosen = offered.isEmpty() ? null : negotiate(sdkUri, offered);
        if (chosen != null) {
            speak((BindingProvider) raw, chosen);
        }
        try {
            this.content = raw.retrieveServiceContent(serviceInstance());
        } catch (Exception e) {
            throw Faults.translate("connecting to " + sdkUri, null, e);
        }
        if (chosen == null) {
            // no list of versions: the server speaks its own and, as vSphere always has, older ones
            String about =
                    content.getAbout() == null ? null : content.getAbout().getApiVersion();
            chosen = ApiVersion.BINDING;
            try {
                chosen = negotiate(sdkUri, List.of(ApiVersion.parse(about)));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.INFO, sdkUri + " reports API version '" + about + "'; speaking " + chosen);
            }
            speak((BindingProvider) raw, chosen);
        }
        this.negotiated = chosen;
        LOG.log(
                System.Logger.Level.DEBUG,
                "speaking vSphere API " + chosen + " with " + sdkUri + " (server " + apiVersion() + ")");
        this.port = (VimPortType) Proxy.newProxyInstance(
                VimPortType.class.getClassLoader(), new Class<?>[] {VimPortType.class}, new ReloginHandler());
        login();
    }

    /**
     * Connects and logs in.
     *
     * @throws VsphereException when the server cannot be reached, its certificate is not the pinned
     *     one (both thumbprints in the message), there is neither pin nor {@code insecure} (the server's
     *     thumbprints in the message), or the login is refused
     */
    public static VsphereConnection connect(ConnectOptions o) throws VsphereException {
        URI sdk = sdkUri(o.url());
        Tls tls;
        if (o.insecure()) {
            tls = Tls.insecure();
        } else if (o.thumbprint() != null) {
            tls = Tls.pinned(o.thumbprint());
            tls.check(sdk);
        } else {
            X509Certificate leaf = Tls.serverCertificate(sdk);
            throw Tls.unpinned(sdk, leaf);
        }
        return new VsphereConnection(sdk, o.username(), o.password(), tls);
    }

    /**
     * {@code https://host[:port]/sdk} from what a user types: a bare host URL gets {@code /sdk}, a
     * trailing slash is dropped; only https is accepted.
     */
    public static URI sdkUri(URI url) throws VsphereException {
        if (url.getScheme() == null || url.getHost() == null) {
            // "vc.example.com" or "vc.example.com:8443": no scheme
            String s = url.toString();
            if (!s.contains("://")) {
                return sdkUri(URI.create("https://" + s));
            }
            throw new VsphereException("'" + url + "' is not a vSphere URL (https://HOST[:PORT][/sdk])");
        }
        if (!"https".equalsIgnoreCase(url.getScheme())) {
            throw new VsphereException("'" + url + "' is not an https URL: vSphere is only reached over TLS");
        }
        String path = url.getPath() == null ? "" : url.getPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isEmpty()) {
            path = "/sdk";
        }
        try {
            return new URI("https", null, url.getHost(), url.getPort(), path, null, null);
        } catch (URISyntaxException e) {
            throw new VsphereException("'" + url + "' is not a vSphere URL: " + e.getMessage());
        }
    }

    static synchronized VimService service() {
        if (service == null) {
            service = new VimService();
        }
        return service;
    }

    /** The port, shared by all threads; re-logs in when the session was lost (see the class comment). */
    public VimPortType port() {
        return port;
    }

    public ServiceContent serviceContent() {
        return content;
    }

    /** {@code https://host:port/sdk}. */
    public URI sdkUri() {
        return sdkUri;
    }

    /** {@code https://host[:port]}: the base of the datastore file URLs ({@code /folder/...}). */
    public URI serverBase() {
        return serverBase;
    }

    /**
     * The value of a {@code Cookie} request header that authenticates an HTTP request with this
     * session, {@code vmware_soap_session="..."}, as the server set it at the last login (it changes
     * when the session is re-established); null if the server set no such cookie.
     */
    public String sessionCookie() {
        return sessionCookie;
    }

    /** The socket factory with this connection's certificate pin, for datastore HTTP transfers. */
    public SSLSocketFactory sslSocketFactory() {
        return tls.socketFactory();
    }

    /** The host-name verifier that goes with {@link #sslSocketFactory()}. */
    public HostnameVerifier hostnameVerifier() {
        return tls.hostnameVerifier();
    }

    /**
     * The SHA-1 thumbprint ({@code AA:BB:...}) of the certificate this connection's pinned trust
     * manager accepted, for VixDiskLib, which pins the server by SHA-1 for its own connections. It is
     * never read from a handshake that trusts anything: a certificate that does not match the pin
     * never reaches VixDiskLib.
     */
    public synchronized String serverThumbprintSha1() throws VsphereException {
        if (sha1 == null) {
            sha1 = Thumbprint.sha1(tls.accepted(sdkUri));
        }
        return sha1;
    }

    /** Whether the server is a vCenter Server ({@code about.apiType} "VirtualCenter"), not an ESXi host. */
    public boolean isVCenter() {
        return "VirtualCenter".equals(content.getAbout().getApiType());
    }

    /** The server's own name and build, as it says it ({@code about.fullName}). */
    public String serverName() {
        return serviceContent().getAbout().getFullName();
    }

    /** {@code about.apiVersion}, e.g. "7.0.3.0": the newest version the server speaks. */
    public String apiVersion() {
        return content.getAbout().getApiVersion();
    }

    /**
     * The API version this session speaks: the highest that both the server and cairn's binding
     * ({@link ApiVersion#BINDING}) speak. Every request says it in its SOAPAction, and the server
     * answers in its terms.
     */
    public ApiVersion negotiatedApiVersion() {
        return negotiated;
    }

    /**
     * When the server is newer than cairn's binding, one line saying what that means (settings and
     * device types added to vSphere after the binding's version are not seen: the server leaves
     * them out of what it sends to a {@link #negotiatedApiVersion()} session, so a backup does not
     * hold them and a re-created VM lacks them); empty when the binding covers the server.
     */
    public Optional<String> bindingLimit() {
        ApiVersion server;
        try {
            server = ApiVersion.parse(apiVersion());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (server.compareTo(ApiVersion.BINDING) <= 0) {
            return Optional.empty();
        }
        return Optional.of("the server speaks vSphere API " + server + ", cairn speaks " + negotiated
                + ": settings and device types added after " + negotiated
                + " are not seen, so backups do not hold them and re-created VMs lack them");
    }

    /**
     * The identity of this server for the repository: a vCenter's {@code about.instanceUuid}. A
     * standalone ESXi host has no instanceUuid (the field is unset or empty there), so its identity is
     * {@code esx:} + the host's hardware UUID ({@code hardware.systemInfo.uuid}, stable across
     * reinstalls of the same machine), or {@code esx:} + {@code about.instanceUuid} if that cannot be
     * read. The prefix keeps an ESXi identity from ever equalling a vCenter's.
     */
    public String instanceUuid() throws VsphereException {
        String u = instanceUuid;
        if (u == null) {
            String about = content.getAbout().getInstanceUuid();
            if (isVCenter() && about != null && !about.isEmpty()) {
                u = about;
            } else {
                String host = hostHardwareUuid();
                u = "esx:" + (host != null && !host.isEmpty() ? host : about == null ? "" : about);
            }
            instanceUuid = u;
        }
        return u;
    }

    /** Logs out (errors ignored: the session expires anyway) and forgets the password. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            raw.logout(content.getSessionManager());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "logout from " + sdkUri + " failed: " + Faults.detail(e));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public String toString() {
        return "VsphereConnection[" + sdkUri + " as " + username + "]";
    }

    private void login() throws VsphereException {
        synchronized (sessionLock) {
            try {
                raw.login(content.getSessionManager(), username, new String(password), null);
            } catch (InvalidLoginFaultMsg e) {
                throw new VsphereException(
                        "login to " + sdkUri + " as " + username + " failed: incorrect user name or password");
            } catch (Exception e) {
                throw Faults.translate("login to " + sdkUri + " as " + username, null, e);
            }
            sessionCookie = sessionCookie(((BindingProvider) raw).getResponseContext());
            generation++;
        }
    }

    /**
     * The versions the server lists at {@code /sdk/vimServiceVersions.xml}, read over the pinned
     * TLS (at most 64 KiB); empty when it serves none or nothing readable (then the version comes
     * from {@code about.apiVersion}).
     */
    private static List<ApiVersion> serviceVersions(URI sdk, Tls tls) {
        URI u = URI.create(sdk + "/vimServiceVersions.xml");
        try {
            HttpsURLConnection h = (HttpsURLConnection) u.toURL().openConnection();
            h.setSSLSocketFactory(tls.socketFactory());
            h.setHostnameVerifier(tls.hostnameVerifier());
            h.setConnectTimeout(Tls.CONNECT_TIMEOUT_MS);
            h.setReadTimeout(Tls.CONNECT_TIMEOUT_MS);
            h.setInstanceFollowRedirects(false);
            try {
                if (h.getResponseCode() != 200) {
                    LOG.log(
                            System.Logger.Level.DEBUG,
                            u + " answered " + h.getResponseCode() + "; negotiating from about.apiVersion");
                    return List.of();
                }
                byte[] body;
                try (InputStream in = h.getInputStream()) {
                    body = in.readNBytes(MAX_SERVICE_VERSIONS + 1);
                }
                if (body.length > MAX_SERVICE_VERSIONS) {
                    LOG.log(
                            System.Logger.Level.INFO,
                            u + " is larger than " + MAX_SERVICE_VERSIONS + " bytes; ignored");
                    return List.of();
                }
                return ApiVersion.fromServiceVersions(body);
            } finally {
                h.disconnect();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "cannot read " + u + " (" + e + "); negotiating from about.apiVersion");
            return List.of();
        }
    }

    /** The highest of {@code offered} cairn speaks, or an error naming both sides. */
    private static ApiVersion negotiate(URI sdk, List<ApiVersion> offered) throws VsphereException {
        return ApiVersion.negotiate(offered, ApiVersion.BINDING)
                .orElseThrow(() -> new VsphereException(sdk + " speaks vSphere API versions "
                        + offered.stream().map(ApiVersion::toString).collect(Collectors.joining(", "))
                        + " only; cairn speaks " + ApiVersion.BINDING + " and older"));
    }

    /** Makes every request of {@code port} speak {@code version} (its SOAPAction). */
    static void speak(BindingProvider port, ApiVersion version) {
        Map<String, Object> ctx = port.getRequestContext();
        ctx.put(BindingProvider.SOAPACTION_USE_PROPERTY, Boolean.TRUE);
        ctx.put(BindingProvider.SOAPACTION_URI_PROPERTY, version.soapAction());
    }

    static String sessionCookie(Map<String, Object> responseContext) {
        if (responseContext == null
                || !(responseContext.get(MessageContext.HTTP_RESPONSE_HEADERS) instanceof Map<?, ?> h)) {
            return null;
        }
        for (Map.Entry<?, ?> e : h.entrySet()) {
            if (e.getKey() == null
                    || !"set-cookie".equals(e.getKey().toString().toLowerCase(Locale.ROOT))
                    || !(e.getValue() instanceof List<?> values)) {
                continue;
            }
            for (Object v : values) {
                String pair = String.valueOf(v).split(";", 2)[0].strip();
                if (pair.startsWith(SESSION_COOKIE + "=")) {
                    return pair;
                }
            }
        }
        return null;
    }

    private String hostHardwareUuid() throws VsphereException {
        try {
            ManagedObjectReference view = raw.createContainerView(
                    content.getViewManager(), content.getRootFolder(), List.of("HostSystem"), true);
            try {
                PropertyFilterSpec spec =
                        ContainerViews.filter(view, Map.of("HostSystem", List.of("hardware.systemInfo.uuid")));
                RetrieveResult r =
                        port.retrievePropertiesEx(content.getPropertyCollector(), List.of(spec), new RetrieveOptions());
                if (r != null) {
                    for (ObjectContent oc : r.getObjects()) {
                        for (DynamicProperty dp : oc.getPropSet()) {
                            if (dp.getVal() instanceof String s && !s.isEmpty()) {
                                return s;
                            }
                        }
                    }
                }
                return null;
            } finally {
                raw.destroyView(view);
            }
        } catch (Exception e) {
            throw Faults.translate("reading the host's hardware UUID", sdkUri, e);
        }
    }

    private static ManagedObjectReference serviceInstance() {
        ManagedObjectReference si = new ManagedObjectReference();
        si.setType("ServiceInstance");
        si.setValue("ServiceInstance");
        return si;
    }

    /** Calls through to the port; on NotAuthenticated logs in again (once for all threads) and retries once. */
    private final class ReloginHandler implements InvocationHandler {
        private static final Set<String> SESSION_METHODS = Set.of("login", "logout", "retrieveServiceContent");

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "port of " + VsphereConnection.this;
                };
            }
            long seen = generation;
            try {
                return m.invoke(raw, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (closed || SESSION_METHODS.contains(m.getName()) || !Faults.isNotAuthenticated(cause)) {
                    throw cause;
                }
                synchronized (sessionLock) {
                    if (generation == seen) {
                        LOG.log(
                                System.Logger.Level.INFO,
                                "session with " + sdkUri + " was lost; logging in again as " + username);
                        try {
                            login();
                        } catch (VsphereException again) {
                            cause.addSuppressed(again);
                            throw cause;
                        }
                    }
                }
            }
            try {
                return m.invoke(raw, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
