package io.cairn.vsphere.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.vmware.vim25.CreateSnapshotRequestType;
import com.vmware.vim25.InvalidLogin;
import com.vmware.vim25.InvalidLoginFaultMsg;
import com.vmware.vim25.InvalidPropertyFaultMsg;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.QueryChangedDiskAreasRequestType;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrievePropertiesExRequestType;
import com.vmware.vim25.RetrievePropertiesExResponse;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.RuntimeFault;
import com.vmware.vim25.RuntimeFaultFaultMsg;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VimService;
import com.vmware.vim25.VirtualMachineConfigSpec;
import jakarta.jws.WebMethod;
import jakarta.xml.ws.BindingProvider;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The generated vim25 binding")
class GeneratedBindingTest {

    /** Created once: JAXB context setup for ~3,800 classes takes seconds (see shared/vim25.md). */
    private static VimService service;

    @BeforeAll
    static void createService() {
        service = new VimService();
    }

    @Nested
    @DisplayName("is built from the generated WSDL")
    class FromWsdl {

        @Test
        @DisplayName("which is a class-path resource next to VimService, so no network is needed")
        void wsdlOnClassPath() {
            assertNotNull(VimService.class.getResource("vimService.wsdl"));
            assertNotNull(VimService.class.getResource("vim.wsdl"));
            assertNotNull(VimService.class.getResource("vim-types.xsd"));
            assertTrue(
                    service.getWSDLDocumentLocation().toString().endsWith("com/vmware/vim25/vimService.wsdl"),
                    service.getWSDLDocumentLocation().toString());
        }

        @Test
        @DisplayName("and gives a VimPortType that is a BindingProvider")
        void portIsBindingProvider() {
            VimPortType port = service.getVimPort();
            assertTrue(port instanceof BindingProvider);
        }

        @Test
        @DisplayName("with exactly the operations listed in operations.txt")
        void operationsMatchList() throws IOException {
            Path list = Path.of(System.getProperty("basedir", "."), "src/main/wsdl-gen/operations.txt");
            Set<String> expected = Files.readAllLines(list).stream()
                    .map(l -> l.replaceFirst("#.*", "").strip())
                    .filter(l -> !l.isEmpty())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> actual = Arrays.stream(VimPortType.class.getMethods())
                    .map(m -> m.getAnnotation(WebMethod.class))
                    .filter(a -> a != null)
                    .map(WebMethod::operationName)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expected, actual);
        }
    }

    @Nested
    @DisplayName("has VMware's request and response types")
    class MessageTypes {

        @Test
        @DisplayName("RetrievePropertiesEx takes _this, specSet and options and returns a RetrieveResult")
        void retrievePropertiesEx() throws Exception {
            Class<?> c = RetrievePropertiesExRequestType.class;
            assertEquals(ManagedObjectReference.class, c.getMethod("getThis").getReturnType());
            assertEquals(List.class, c.getMethod("getSpecSet").getReturnType());
            assertEquals(RetrieveOptions.class, c.getMethod("getOptions").getReturnType());
            assertEquals(
                    RetrieveResult.class,
                    RetrievePropertiesExResponse.class.getMethod("getReturnval").getReturnType());
            Method m = VimPortType.class.getMethod(
                    "retrievePropertiesEx", ManagedObjectReference.class, List.class, RetrieveOptions.class);
            assertEquals(RetrieveResult.class, m.getReturnType());
        }

        @Test
        @DisplayName("CreateSnapshot_Task takes name, description, memory and quiesce")
        void createSnapshot() throws Exception {
            CreateSnapshotRequestType r = new CreateSnapshotRequestType();
            r.setName("cairn");
            r.setDescription("backup");
            r.setMemory(false);
            r.setQuiesce(true);
            assertEquals(
                    ManagedObjectReference.class,
                    VimPortType.class
                            .getMethod(
                                    "createSnapshotTask",
                                    ManagedObjectReference.class,
                                    String.class,
                                    String.class,
                                    boolean.class,
                                    boolean.class)
                            .getReturnType());
        }

        @Test
        @DisplayName("QueryChangedDiskAreas takes snapshot, deviceKey, startOffset and changeId")
        void queryChangedDiskAreas() throws Exception {
            Class<?> c = QueryChangedDiskAreasRequestType.class;
            assertEquals(
                    ManagedObjectReference.class, c.getMethod("getSnapshot").getReturnType());
            assertEquals(int.class, c.getMethod("getDeviceKey").getReturnType());
            assertEquals(long.class, c.getMethod("getStartOffset").getReturnType());
            assertEquals(String.class, c.getMethod("getChangeId").getReturnType());
        }

        @Test
        @DisplayName("and every data type of the 7.0 schemas, e.g. ConfigInfo.keyId and ConfigSpec.crypto")
        void dataTypes() throws Exception {
            assertNotNull(com.vmware.vim25.VirtualMachineConfigInfo.class.getMethod("getKeyId"));
            assertNotNull(VirtualMachineConfigSpec.class.getMethod("getCrypto"));
            assertNotNull(ServiceContent.class.getMethod("getPropertyCollector"));
        }
    }

    @Nested
    @DisplayName("names fault exceptions as VMware's binding does")
    class Faults {

        @Test
        @DisplayName("<Fault>FaultMsg, carrying the fault as getFaultInfo(), RuntimeFault on every operation")
        void faultNames() throws Exception {
            Method login = VimPortType.class.getMethod(
                    "login", ManagedObjectReference.class, String.class, String.class, String.class);
            assertEquals(
                    Set.of(
                            InvalidLoginFaultMsg.class,
                            RuntimeFaultFaultMsg.class,
                            com.vmware.vim25.InvalidLocaleFaultMsg.class),
                    Set.copyOf(Arrays.asList(login.getExceptionTypes())));
            assertEquals(
                    InvalidLogin.class,
                    InvalidLoginFaultMsg.class.getMethod("getFaultInfo").getReturnType());
            assertEquals(
                    RuntimeFault.class,
                    RuntimeFaultFaultMsg.class.getMethod("getFaultInfo").getReturnType());
            for (Method m : VimPortType.class.getMethods()) {
                assertTrue(Arrays.asList(m.getExceptionTypes()).contains(RuntimeFaultFaultMsg.class), m.getName());
            }
            assertTrue(Arrays.asList(VimPortType.class
                            .getMethod(
                                    "retrievePropertiesEx",
                                    ManagedObjectReference.class,
                                    List.class,
                                    RetrieveOptions.class)
                            .getExceptionTypes())
                    .contains(InvalidPropertyFaultMsg.class));
        }
    }

    @Nested
    @DisplayName("on the wire, against a stand-in HTTP server (not vcsim)")
    class OnTheWire {

        private static final String ENVELOPE = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope"
                + " xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>";

        private HttpServer server;
        private final List<String> requests = new ArrayList<>();
        private final List<String> soapActions = new ArrayList<>();

        private VimPortType port() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/sdk", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (requests) {
                    requests.add(body);
                    soapActions.add(exchange.getRequestHeaders().getFirst("SOAPAction"));
                }
                int status;
                String answer;
                if (body.contains("RetrieveServiceContent")) {
                    status = 200;
                    answer = String.format(
                            ENVELOPE,
                            "<RetrieveServiceContentResponse xmlns=\"urn:vim25\"><returnval>"
                                    + "<rootFolder type=\"Folder\">group-d1</rootFolder>"
                                    + "<propertyCollector type=\"PropertyCollector\">propertyCollector</propertyCollector>"
                                    + "<about><name>stand-in</name><fullName>stand-in</fullName><vendor>cairn</vendor>"
                                    + "<version>7.0.3</version><build>1</build><osType>linux-x64</osType><productLineId>vpx</productLineId>"
                                    + "<apiType>VirtualCenter</apiType><apiVersion>7.0.3.0</apiVersion></about>"
                                    + "<sessionManager type=\"SessionManager\">SessionManager</sessionManager>"
                                    + "</returnval></RetrieveServiceContentResponse>");
                } else {
                    status = 500;
                    answer = String.format(
                            ENVELOPE,
                            "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
                                    + "<faultstring>Cannot complete login due to an incorrect user name or password.</faultstring>"
                                    + "<detail><InvalidLoginFault xmlns=\"urn:vim25\" xsi:type=\"InvalidLogin\"></InvalidLoginFault></detail>"
                                    + "</soapenv:Fault>");
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            VimPortType port = service.getVimPort();
            ((BindingProvider) port)
                    .getRequestContext()
                    .put(
                            BindingProvider.ENDPOINT_ADDRESS_PROPERTY,
                            "http://127.0.0.1:" + server.getAddress().getPort() + "/sdk");
            return port;
        }

        @Test
        @DisplayName(
                "sends _this and SOAPAction urn:vim25/7.0, reads the response, maps InvalidLogin to InvalidLoginFaultMsg")
        void roundTrip() throws Exception {
            try {
                VimPortType port = port();
                ManagedObjectReference si = new ManagedObjectReference();
                si.setType("ServiceInstance");
                si.setValue("ServiceInstance");
                ServiceContent content = port.retrieveServiceContent(si);
                assertEquals("7.0.3.0", content.getAbout().getApiVersion());
                assertEquals("PropertyCollector", content.getPropertyCollector().getType());
                assertEquals("propertyCollector", content.getPropertyCollector().getValue());

                InvalidLoginFaultMsg e = assertThrows(
                        InvalidLoginFaultMsg.class,
                        () -> port.login(content.getSessionManager(), "user", "wrong", null));
                assertNotNull(e.getFaultInfo());
                assertTrue(e.getMessage().contains("incorrect user name or password"), e.getMessage());

                assertTrue(
                        requests.get(0).contains("<_this type=\"ServiceInstance\">ServiceInstance</_this>"),
                        requests.get(0));
                assertTrue(requests.get(1).contains("<userName>user</userName>"), requests.get(1));
                assertEquals(List.of("\"urn:vim25/7.0\"", "\"urn:vim25/7.0\""), soapActions);
            } finally {
                if (server != null) {
                    server.stop(0);
                }
            }
        }
    }
}
