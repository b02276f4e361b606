package io.cairn.vsphere.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.InvalidPowerState;
import com.vmware.vim25.InvalidStateFaultMsg;
import com.vmware.vim25.LocalizedMethodFault;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.NotAuthenticated;
import com.vmware.vim25.RuntimeFault;
import com.vmware.vim25.RuntimeFaultFaultMsg;
import jakarta.xml.soap.SOAPConstants;
import jakarta.xml.soap.SOAPFactory;
import jakarta.xml.soap.SOAPFault;
import jakarta.xml.ws.WebServiceException;
import jakarta.xml.ws.soap.SOAPFaultException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import javax.xml.namespace.QName;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Fault translation")
class FaultsTest {
    private static ManagedObjectReference vm() {
        ManagedObjectReference r = new ManagedObjectReference();
        r.setType("VirtualMachine");
        r.setValue("vm-42");
        return r;
    }

    private static SOAPFaultException soapFault(String text) throws Exception {
        SOAPFault f = SOAPFactory.newInstance(SOAPConstants.SOAP_1_1_PROTOCOL)
                .createFault(text, new QName(SOAPConstants.URI_NS_SOAP_1_1_ENVELOPE, "Server"));
        return new SOAPFaultException(f);
    }

    @Test
    @DisplayName("a declared fault names the operation, the object, the fault type and its message")
    void declaredFault() {
        InvalidStateFaultMsg e = new InvalidStateFaultMsg(
                "The attempted operation cannot be performed in the current state", new InvalidPowerState());
        VsphereException v = Faults.translate("PowerOnVM_Task", vm(), e);
        assertEquals(
                "PowerOnVM_Task on VirtualMachine:vm-42 failed: InvalidPowerState: "
                        + "The attempted operation cannot be performed in the current state",
                v.getMessage());
        assertTrue(v.getCause() == e);
    }

    @Test
    @DisplayName("an undeclared SOAP fault gives its fault string")
    void soapFaultString() throws Exception {
        VsphereException v = Faults.translate("QueryChangedDiskAreas", vm(), soapFault("MethodNotFound"));
        assertEquals("QueryChangedDiskAreas on VirtualMachine:vm-42 failed: MethodNotFound", v.getMessage());
        assertTrue(Faults.isMethodNotFound(soapFault("MethodNotFound")));
    }

    @Test
    @DisplayName("a refused connection and a TLS failure become one line each")
    void transport() {
        VsphereException refused = Faults.translate(
                "connecting to https://h/sdk",
                null,
                new WebServiceException(new ConnectException("Connection refused")));
        assertEquals("connecting to https://h/sdk failed: cannot connect: Connection refused", refused.getMessage());
        VsphereException mismatch =
                Faults.translate("RetrieveServiceContent", null, new WebServiceException((SSLHandshakeException)
                        new SSLHandshakeException("x").initCause(new ThumbprintMismatchException("AA", "BB"))));
        assertTrue(
                mismatch.getMessage().contains("thumbprint BB does not match the expected thumbprint AA"),
                mismatch.getMessage());
    }

    @Test
    @DisplayName("recognizes a lost session by the fault type or by vcsim's text")
    void notAuthenticated() throws Exception {
        assertTrue(Faults.isNotAuthenticated(
                new RuntimeFaultFaultMsg("session is not authenticated", new NotAuthenticated())));
        assertTrue(Faults.isNotAuthenticated(soapFault("NotAuthenticated")));
        assertFalse(Faults.isNotAuthenticated(new RuntimeFaultFaultMsg("boom", new RuntimeFault())));
        assertFalse(Faults.isNotAuthenticated(new WebServiceException("x")));
    }

    @Test
    @DisplayName("a task error gives the fault type and its localized message")
    void taskError() {
        LocalizedMethodFault f = new LocalizedMethodFault();
        f.setFault(new InvalidPowerState());
        f.setLocalizedMessage("The attempted operation cannot be performed in the current state (Powered on).");
        assertEquals(
                "VirtualMachine.powerOn on vm0 failed: InvalidPowerState: The attempted operation cannot be "
                        + "performed in the current state (Powered on).",
                Faults.taskFailed("VirtualMachine.powerOn", "vm0", f).getMessage());
    }
}
