package io.cairn.vsphere.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VimService;
import jakarta.xml.ws.BindingProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The API version is the highest both sides speak, and every request names it")
class ApiVersionTest {

    private static List<ApiVersion> list(String... v) {
        return java.util.Arrays.stream(v).map(ApiVersion::parse).toList();
    }

    /** What vCenter 8.0 U2 serves (and scripts/vcsim -api-version 8.0.2.0), abridged. */
    static final String VCENTER_8 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<namespaces version=\"1.0\">\n"
            + " <namespace>\n  <name>urn:vim25</name>\n  <version>8.0.2.0</version>\n  <priorVersions>\n"
            + "   <version>8.0.1.0</version>\n   <version>8.0.0.0</version>\n   <version>7.0.3.0</version>\n"
            + "   <version>7.0.0.0</version>\n   <version>6.7.3</version>\n   <version>6.5</version>\n"
            + "  </priorVersions>\n </namespace>\n <namespace>\n  <name>urn:vsan</name>\n"
            + "  <version>8.0.2.0</version>\n </namespace>\n</namespaces>\n";

    @Test
    @DisplayName("versions compare part by part, missing parts as zero")
    void order() {
        assertEquals(0, ApiVersion.parse("7.0").compareTo(ApiVersion.parse("7.0.0.0")));
        assertTrue(ApiVersion.parse("6.7.3").compareTo(ApiVersion.parse("6.7")) > 0);
        assertTrue(ApiVersion.parse("7.0.0.1").compareTo(ApiVersion.BINDING) > 0);
        assertTrue(ApiVersion.parse("10.0").compareTo(ApiVersion.parse("9.9.9")) > 0, "numerically, not as text");
        assertEquals("urn:vim25/7.0.0.0", ApiVersion.BINDING.soapAction());
        assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("8.0u2"));
        assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse(""));
    }

    @Test
    @DisplayName("vSphere 8 gets 7.0.0.0, an older server its own version, a newer-only server none")
    void negotiate() throws Exception {
        assertEquals(
                Optional.of(ApiVersion.parse("7.0.0.0")),
                ApiVersion.negotiate(ApiVersion.fromServiceVersions(VCENTER_8.getBytes()), ApiVersion.BINDING));
        assertEquals(
                Optional.of(ApiVersion.parse("6.5")),
                ApiVersion.negotiate(list("6.5", "6.0", "5.5"), ApiVersion.BINDING));
        assertEquals(
                Optional.of(ApiVersion.parse("6.7.3")),
                ApiVersion.negotiate(list("6.7", "6.7.3", "6.5"), ApiVersion.BINDING));
        assertEquals(Optional.empty(), ApiVersion.negotiate(list("8.0.2.0", "8.0.1.0"), ApiVersion.BINDING));
    }

    @Test
    @DisplayName("vimServiceVersions.xml: the urn:vim25 versions only; no DTD, nothing else")
    void serviceVersions() {
        assertThrows(
                IOException.class,
                () -> ApiVersion.fromServiceVersions(("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM"
                                + " \"file:///etc/passwd\">]><namespaces><namespace><name>urn:vim25</name>"
                                + "<version>&e;</version></namespace></namespaces>")
                        .getBytes()));
        assertThrows(IOException.class, () -> ApiVersion.fromServiceVersions("<html>404</html>".getBytes()));
        assertThrows(
                IOException.class,
                () -> ApiVersion.fromServiceVersions(
                        "<namespaces><namespace><name>urn:vim25</name><version>x</version></namespace></namespaces>"
                                .getBytes()));
    }

    @Test
    @DisplayName(
            "the negotiated version goes out as the SOAPAction of every request (a stand-in HTTP server, not vcsim)")
    void soapAction() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> actions = new ArrayList<>();
        server.createContext("/sdk", exchange -> {
            exchange.getRequestBody().readAllBytes();
            synchronized (actions) {
                actions.add(exchange.getRequestHeaders().getFirst("SOAPAction"));
            }
            byte[] b =
                    ("<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                                    + "<soapenv:Body><CurrentTimeResponse xmlns=\"urn:vim25\"><returnval>2026-01-01T00:00:00Z"
                                    + "</returnval></CurrentTimeResponse></soapenv:Body></soapenv:Envelope>")
                            .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
            exchange.sendResponseHeaders(200, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        try {
            VimPortType port = new VimService().getVimPort();
            ((BindingProvider) port)
                    .getRequestContext()
                    .put(
                            BindingProvider.ENDPOINT_ADDRESS_PROPERTY,
                            "http://127.0.0.1:" + server.getAddress().getPort() + "/sdk");
            ManagedObjectReference si = new ManagedObjectReference();
            si.setType("ServiceInstance");
            si.setValue("ServiceInstance");
            port.currentTime(si);
            VsphereConnection.speak((BindingProvider) port, ApiVersion.parse("6.5"));
            port.currentTime(si);
            port.currentTime(si);
            assertEquals(List.of("\"urn:vim25/7.0\"", "\"urn:vim25/6.5\"", "\"urn:vim25/6.5\""), actions);
        } finally {
            server.stop(0);
        }
    }
}
