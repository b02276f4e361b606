package io.cairn.vsphere.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.UserSession;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VimService;
import io.cairn.vsphere.connect.ContainerViews;
import io.cairn.vsphere.testing.Vcsim;
import jakarta.xml.ws.BindingProvider;
import jakarta.xml.ws.WebServiceException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The generated binding against govmomi's vCenter simulator, started by {@code scripts/vcsim}.
 * Fails (never skips) when vcsim cannot be built or started.
 */
@DisplayName("The generated vim25 binding talks to vcsim")
class VcsimBindingIT {

    private static final String VCSIM_SHA1 = Vcsim.SHA1;

    private static final String JAXWS_SSL_SOCKET_FACTORY = "com.sun.xml.ws.transport.https.client.SSLSocketFactory";
    private static final String JAXWS_HOSTNAME_VERIFIER = "com.sun.xml.ws.transport.https.client.hostname.verifier";

    private static Vcsim vcsim;
    private static String url;
    private static VimService service;

    @BeforeAll
    static void startVcsim() throws Exception {
        vcsim = Vcsim.start();
        url = vcsim.url();
        service = new VimService();
    }

    @AfterAll
    static void stopVcsim() throws Exception {
        if (vcsim != null) {
            vcsim.close();
        }
    }

    @Test
    @DisplayName("logs in and lists the VMs' names with RetrievePropertiesEx over a container view")
    void loginAndListVms() throws Exception {
        VimPortType port = port(VCSIM_SHA1);
        ServiceContent content = port.retrieveServiceContent(serviceInstance());
        assertEquals("VirtualCenter", content.getAbout().getApiType());

        UserSession session = port.login(content.getSessionManager(), "user", "pass", null);
        assertEquals("user", session.getUserName());
        try {
            assertTrue(port.sessionIsActive(content.getSessionManager(), session.getKey(), session.getUserName()));
            Set<String> names = vmNames(port, content);
            // vcsim's default model: 2 VMs on the standalone host, 2 in the cluster's resource pool.
            assertEquals(Set.of("DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"), names);
        } finally {
            port.logout(content.getSessionManager());
        }
    }

    @Test
    @DisplayName("refuses a server whose thumbprint differs from the pinned one, for that connection only")
    void wrongThumbprintRefused() throws Exception {
        VimPortType wrong = port("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33");
        WebServiceException e =
                assertThrows(WebServiceException.class, () -> wrong.retrieveServiceContent(serviceInstance()));
        assertTrue(String.valueOf(causes(e)).contains("thumbprint"), String.valueOf(causes(e)));
        // A correctly pinned port in the same JVM is unaffected: nothing JVM-wide was changed.
        assertNotNull(port(VCSIM_SHA1).retrieveServiceContent(serviceInstance()).getPropertyCollector());
    }

    private static Set<String> vmNames(VimPortType port, ServiceContent content) throws Exception {
        ManagedObjectReference view = port.createContainerView(
                content.getViewManager(), content.getRootFolder(), List.of("VirtualMachine"), true);
        try {
            PropertyFilterSpec filter =
                    ContainerViews.filter(view, java.util.Map.of("VirtualMachine", List.of("name")));

            Set<String> names = new TreeSet<>();
            RetrieveResult result =
                    port.retrievePropertiesEx(content.getPropertyCollector(), List.of(filter), new RetrieveOptions());
            while (result != null) {
                for (ObjectContent oc : result.getObjects()) {
                    assertEquals("VirtualMachine", oc.getObj().getType());
                    for (DynamicProperty dp : oc.getPropSet()) {
                        names.add((String) dp.getVal());
                    }
                }
                String token = result.getToken();
                result =
                        token == null ? null : port.continueRetrievePropertiesEx(content.getPropertyCollector(), token);
            }
            return names;
        } finally {
            port.destroyView(view);
        }
    }

    /** A port on its own connection settings: TLS trust by SHA-1 thumbprint, nothing JVM-wide. */
    private static VimPortType port(String pinnedSha1) throws Exception {
        VimPortType port = service.getVimPort();
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new ThumbprintTrustManager(pinnedSha1)}, null);
        // The pin identifies the server; the name checked is then the pinned certificate's.
        HostnameVerifier pinnedOnly = (host, sslSession) -> {
            try {
                return sslSession.getPeerCertificates()[0] instanceof X509Certificate leaf
                        && sha1(leaf).equals(pinnedSha1);
            } catch (SSLPeerUnverifiedException | CertificateEncodingException e) {
                return false;
            }
        };
        Map<String, Object> ctx = ((BindingProvider) port).getRequestContext();
        ctx.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, url);
        ctx.put(BindingProvider.SESSION_MAINTAIN_PROPERTY, true);
        ctx.put(JAXWS_SSL_SOCKET_FACTORY, tls.getSocketFactory());
        ctx.put(JAXWS_HOSTNAME_VERIFIER, pinnedOnly);
        return port;
    }

    private static ManagedObjectReference serviceInstance() {
        ManagedObjectReference si = new ManagedObjectReference();
        si.setType("ServiceInstance");
        si.setValue("ServiceInstance");
        return si;
    }

    private static List<String> causes(Throwable t) {
        List<String> out = new java.util.ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.add(c.toString());
        }
        return out;
    }

    static String sha1(X509Certificate cert) throws CertificateEncodingException {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts exactly the leaf certificate whose SHA-1 thumbprint is pinned. */
    private record ThumbprintTrustManager(String pinnedSha1) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            String actual = sha1(chain[0]);
            if (!actual.equals(pinnedSha1)) {
                throw new CertificateException("server certificate thumbprint " + actual
                        + " does not match the pinned thumbprint " + pinnedSha1);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
