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
import com.vmware.vim25.TraversalSpec;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VimService;
import jakarta.xml.ws.BindingProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A vcsim started by {@code scripts/vcsim} for this package's IT and recorder, with one logged-in
 * port (the server pinned by vcsim's fixed SHA-1 thumbprint). Test code only: the production
 * connection code lives in {@code io.cairn.vsphere.connect}.
 */
final class VcsimSession implements AutoCloseable {

  static final String VCSIM_SHA1 = "2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9";

  final Path script;
  final Path dir;
  final VimPortType port;
  final ServiceContent content;

  private VcsimSession(Path script, Path dir, VimPortType port, ServiceContent content) {
    this.script = script;
    this.dir = dir;
    this.port = port;
    this.content = content;
  }

  /** Starts vcsim and logs in; throws (never skips) when vcsim cannot be started. */
  static VcsimSession start() throws Exception {
    Path script = Path.of(System.getProperty("cairn.vcsim.script", "../scripts/vcsim"));
    Path parent = Path.of(System.getProperty("cairn.vcsim.parent", "target"));
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent.toAbsolutePath(), "vcsim-config-");
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException("vcsim is needed and " + script + " is missing or not executable");
    }
    Path log = Files.createTempFile("vcsim-start", ".log");
    Process p = new ProcessBuilder(script.toString(), "start", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("scripts/vcsim start did not return within 10 minutes");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("scripts/vcsim start failed (exit " + p.exitValue() + "):\n" + out);
    }
    String url = out.lines().filter(l -> l.startsWith("url=")).findFirst()
        .map(l -> l.substring("url=".length()).split(" ")[0])
        .orElseThrow(() -> new IllegalStateException("no url= line from scripts/vcsim start:\n" + out));

    VimPortType port = new VimService().getVimPort();
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new PinnedSha1()}, null);
    Map<String, Object> ctx = ((BindingProvider) port).getRequestContext();
    ctx.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, url);
    ctx.put(BindingProvider.SESSION_MAINTAIN_PROPERTY, true);
    ctx.put("com.sun.xml.ws.transport.https.client.SSLSocketFactory", tls.getSocketFactory());
    // The pinned thumbprint identifies the server; vcsim's certificate names example.com.
    ctx.put("com.sun.xml.ws.transport.https.client.hostname.verifier",
        (javax.net.ssl.HostnameVerifier) (host, session) -> true);
    ManagedObjectReference si = new ManagedObjectReference();
    si.setType("ServiceInstance");
    si.setValue("ServiceInstance");
    ServiceContent content = port.retrieveServiceContent(si);
    port.login(content.getSessionManager(), "user", "pass", null);
    return new VcsimSession(script, dir, port, content);
  }

  /** name → moRef of every object of {@code type} (RetrievePropertiesEx over a container view). */
  Map<String, ManagedObjectReference> byName(String type) throws Exception {
    ManagedObjectReference view = port.createContainerView(content.getViewManager(),
        content.getRootFolder(), List.of(type), true);
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
    TraversalSpec traverse = new TraversalSpec();
    traverse.setName("view");
    traverse.setType("ContainerView");
    traverse.setPath("view");
    traverse.setSkip(false);
    ObjectSpec objects = new ObjectSpec();
    objects.setObj(view);
    objects.setSkip(true);
    objects.getSelectSet().add(traverse);
    PropertySpec props = new PropertySpec();
    props.setType(type);
    props.getPathSet().add(path);
    PropertyFilterSpec filter = new PropertyFilterSpec();
    filter.getObjectSet().add(objects);
    filter.getPropSet().add(props);
    List<ObjectContent> out = new java.util.ArrayList<>();
    RetrieveResult result = port.retrievePropertiesEx(content.getPropertyCollector(), List.of(filter), new RetrieveOptions());
    while (result != null) {
      out.addAll(result.getObjects());
      result = result.getToken() == null ? null
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
            + ") failed: " + (f == null ? "?" : f.getLocalizedMessage() + " "
                + (f.getFault() == null ? "" : f.getFault().getClass().getSimpleName())));
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
    Process p = new ProcessBuilder(script.toString(), "stop", dir.toString()).inheritIO().start();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  private static final class PinnedSha1 implements X509TrustManager {
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      try {
        String got = HexFormat.ofDelimiter(":").withUpperCase()
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
