package io.cairn.vsphere.config;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.LocalizedMethodFault;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.ObjectSpec;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.PropertySpec;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.TaskInfo;
import com.vmware.vim25.TaskInfoState;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VimService;
import io.cairn.vsphere.connect.ContainerViews;
import io.cairn.vsphere.testing.Vcsim;
import jakarta.xml.ws.BindingProvider;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A {@link Vcsim} for this package's IT and recorder, with one logged-in port (the server pinned
 * by vcsim's fixed SHA-1 thumbprint). Test code only: the production connection code lives in
 * {@code io.cairn.vsphere.connect}.
 */
final class VcsimSession implements AutoCloseable {

    static final String VCSIM_SHA1 = Vcsim.SHA1;

    final Vcsim vcsim;
    final VimPortType port;
    final ServiceContent content;

    private VcsimSession(Vcsim vcsim, VimPortType port, ServiceContent content) {
        this.vcsim = vcsim;
        this.port = port;
        this.content = content;
    }

    /** Starts vcsim and logs in; fails (never skips) when vcsim cannot be started. */
    static VcsimSession start() throws Exception {
        Vcsim vcsim = Vcsim.start();
        try {
            VimPortType port = new VimService().getVimPort();
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new PinnedSha1()}, null);
            Map<String, Object> ctx = ((BindingProvider) port).getRequestContext();
            ctx.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, vcsim.url());
            ctx.put(BindingProvider.SESSION_MAINTAIN_PROPERTY, true);
            ctx.put("com.sun.xml.ws.transport.https.client.SSLSocketFactory", tls.getSocketFactory());
            // The pinned thumbprint identifies the server; vcsim's certificate names example.com.
            ctx.put("com.sun.xml.ws.transport.https.client.hostname.verifier", (javax.net.ssl.HostnameVerifier)
                    (host, session) -> true);
            ManagedObjectReference si = new ManagedObjectReference();
            si.setType("ServiceInstance");
            si.setValue("ServiceInstance");
            ServiceContent content = port.retrieveServiceContent(si);
            port.login(content.getSessionManager(), "user", "pass", null);
            return new VcsimSession(vcsim, port, content);
        } catch (Exception | Error e) {
            try {
                vcsim.close(); // no session to hand back: stop vcsim here
            } catch (Exception stop) {
                e.addSuppressed(stop);
            }
            throw e;
        }
    }

    /** name → moRef of every object of {@code type} (RetrievePropertiesEx over a container view). */
    Map<String, ManagedObjectReference> byName(String type) throws Exception {
        ManagedObjectReference view =
                port.createContainerView(content.getViewManager(), content.getRootFolder(), List.of(type), true);
        try {
            Map<String, ManagedObjectReference> out = new LinkedHashMap<>();
            for (ObjectContent oc : retrieve(view, type, "name")) {
                out.put((String) oc.getPropSet().get(0).getVal(), oc.getObj());
            }
            return out;
        } finally {
            port.destroyView(view);
        }
    }

    /** One property of one object. */
    Object property(ManagedObjectReference obj, String path) throws Exception {
        ObjectSpec os = new ObjectSpec();
        os.setObj(obj);
        os.setSkip(false);
        PropertySpec ps = new PropertySpec();
        ps.setType(obj.getType());
        ps.getPathSet().add(path);
        PropertyFilterSpec f = new PropertyFilterSpec();
        f.getObjectSet().add(os);
        f.getPropSet().add(ps);
        RetrieveResult r = port.retrievePropertiesEx(content.getPropertyCollector(), List.of(f), new RetrieveOptions());
        if (r == null || r.getObjects().isEmpty()) {
            return null;
        }
        List<DynamicProperty> props = r.getObjects().get(0).getPropSet();
        return props.isEmpty() ? null : props.get(0).getVal();
    }

    private List<ObjectContent> retrieve(ManagedObjectReference view, String type, String path) throws Exception {
        PropertyFilterSpec filter = ContainerViews.filter(view, java.util.Map.of(type, List.of(path)));
        List<ObjectContent> out = new java.util.ArrayList<>();
        RetrieveResult result =
                port.retrievePropertiesEx(content.getPropertyCollector(), List.of(filter), new RetrieveOptions());
        while (result != null) {
            out.addAll(result.getObjects());
            result = result.getToken() == null
                    ? null
                    : port.continueRetrievePropertiesEx(content.getPropertyCollector(), result.getToken());
        }
        return out;
    }

    /**
     * Waits for a task by polling {@code info} (a test-local loop; production code uses
     * {@code io.cairn.vsphere.task}). Returns the result, throws with the fault's message on error.
     */
    Object waitForTask(ManagedObjectReference task) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            TaskInfo info = (TaskInfo) property(task, "info");
            if (info.getState() == TaskInfoState.SUCCESS) {
                return info.getResult();
            }
            if (info.getState() == TaskInfoState.ERROR) {
                LocalizedMethodFault f = info.getError();
                throw new IllegalStateException("task " + task.getValue() + " (" + info.getDescriptionId()
                        + ") failed: "
                        + (f == null
                                ? "?"
                                : f.getLocalizedMessage() + " "
                                        + (f.getFault() == null
                                                ? ""
                                                : f.getFault().getClass().getSimpleName())));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("task " + task.getValue() + " did not finish within 60 s");
    }

    @Override
    public void close() throws Exception {
        try {
            port.logout(content.getSessionManager());
        } catch (Exception ignored) {
            // vcsim is stopped next anyway.
        }
        vcsim.close();
    }

    private static final class PinnedSha1 implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                String got = HexFormat.ofDelimiter(":")
                        .withUpperCase()
                        .formatHex(MessageDigest.getInstance("SHA-1").digest(chain[0].getEncoded()));
                if (!got.equals(VCSIM_SHA1)) {
                    throw new CertificateException("vcsim thumbprint " + got + " is not the pinned " + VCSIM_SHA1);
                }
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new CertificateException(e);
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
