package io.cairn.vsphere.connect;

import com.vmware.vim25.LocalizedMethodFault;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.MethodFault;
import com.vmware.vim25.NotAuthenticated;
import jakarta.xml.ws.WebServiceException;
import jakarta.xml.ws.soap.SOAPFaultException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * The one place where what the vim25 binding throws becomes a {@link VsphereException} with a
 * one-line message naming the operation and the object: {@code PowerOnVM_Task on
 * VirtualMachine:vm-42 failed: InvalidPowerState: The attempted operation cannot be performed in
 * the current state (Powered on)}.
 *
 * <p>Handled: the declared faults ({@code *FaultMsg}, whose {@code getFaultInfo()} is the vim25
 * fault object), undeclared SOAP faults ({@link SOAPFaultException}: vcsim's untyped
 * {@code MethodNotFound}, say) and transport failures ({@link WebServiceException} caused by a
 * refused connection, an unknown host, a timeout, a TLS failure or a thumbprint mismatch).
 */
public final class Faults {
    private Faults() {}

    /**
     * A {@link VsphereException} for a failed call.
     *
     * @param operation the vim25 method or what was being done ({@code "RetrievePropertiesEx"})
     * @param object    the object it was called on (a {@link ManagedObjectReference}, a name, ...), or null
     * @param t         what the binding threw
     */
    public static VsphereException translate(String operation, Object object, Throwable t) {
        if (t instanceof VsphereException ve) {
            return ve;
        }
        String where = object == null ? operation : operation + " on " + describe(object);
        return new VsphereException(where + " failed: " + detail(t), t);
    }

    /** A task's error ({@code TaskInfo.error}) as an exception. */
    public static VsphereException taskFailed(String task, Object object, LocalizedMethodFault error) {
        String type = error == null || error.getFault() == null ? "unknown fault" : faultName(error.getFault());
        String msg = error == null ? null : error.getLocalizedMessage();
        String where = object == null ? task : task + " on " + describe(object);
        return new VsphereException(where + " failed: " + (msg == null || msg.isBlank() ? type : type + ": " + msg));
    }

    /** {@code VirtualMachine:vm-42} for a moRef, {@code toString()} otherwise. */
    public static String describe(Object object) {
        if (object instanceof ManagedObjectReference mor) {
            return mor.getType() + ":" + mor.getValue();
        }
        return String.valueOf(object);
    }

    /**
     * Whether {@code t} says the session is gone: the typed {@code NotAuthenticated} fault, or a SOAP
     * fault whose text says so (vcsim and some ESXi builds send it untyped).
     */
    public static boolean isNotAuthenticated(Throwable t) {
        if (faultInfo(t) instanceof NotAuthenticated) {
            return true;
        }
        if (t instanceof SOAPFaultException sf && sf.getFault() != null) {
            String s = String.valueOf(sf.getFault().getFaultString()).toLowerCase(java.util.Locale.ROOT);
            return s.contains("notauthenticated")
                    || s.contains("not authenticated")
                    || "NotAuthenticated".equals(detailType(sf));
        }
        return false;
    }

    /**
     * The vim25 type of an undeclared fault's detail ({@code <detail><NotAuthenticatedFault
     * xsi:type="NotAuthenticated">}: vcsim sends a lost session like that, with no fault string), or null.
     */
    static String detailType(SOAPFaultException sf) {
        jakarta.xml.soap.Detail d = sf.getFault() == null ? null : sf.getFault().getDetail();
        if (d == null) {
            return null;
        }
        java.util.Iterator<jakarta.xml.soap.DetailEntry> it = d.getDetailEntries();
        while (it.hasNext()) {
            jakarta.xml.soap.DetailEntry e = it.next();
            String xsiType = e.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type");
            if (xsiType != null && !xsiType.isEmpty()) {
                return xsiType.substring(xsiType.indexOf(':') + 1);
            }
            String name = e.getLocalName();
            if (name != null) {
                return name.endsWith("Fault") ? name.substring(0, name.length() - "Fault".length()) : name;
            }
        }
        return null;
    }

    /** The vim25 fault object of a declared fault ({@code XFaultMsg.getFaultInfo()}), or null. */
    public static MethodFault faultInfo(Throwable t) {
        if (t == null
                || t.getClass().getPackage() == null
                || !"com.vmware.vim25".equals(t.getClass().getPackage().getName())) {
            return null;
        }
        try {
            Method m = t.getClass().getMethod("getFaultInfo");
            return m.invoke(t) instanceof MethodFault f ? f : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    static String detail(Throwable t) {
        MethodFault info = faultInfo(t);
        if (info != null) {
            String type = faultName(info);
            String msg = t.getMessage();
            return msg == null || msg.isBlank() || msg.equals(type) ? type : type + ": " + msg;
        }
        if (t instanceof SOAPFaultException sf) {
            String s = sf.getFault() == null ? null : sf.getFault().getFaultString();
            String type = detailType(sf);
            if (s == null || s.isBlank() || s.equals(type)) {
                return type == null ? "SOAP fault" : type;
            }
            return type == null ? s : type + ": " + s;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ThumbprintMismatchException) {
                return c.getMessage();
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "cannot connect: " + orElse(c.getMessage(), "connection refused");
            }
            if (c instanceof UnknownHostException) {
                return "unknown host " + c.getMessage();
            }
            if (c instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (c instanceof SocketTimeoutException) {
                return "timed out";
            }
            if (c instanceof SSLException) {
                return "TLS failed: " + orElse(c.getMessage(), c.getClass().getSimpleName());
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return orElse(root.getMessage(), root.getClass().getSimpleName());
    }

    private static String faultName(MethodFault f) {
        return f.getClass().getSimpleName();
    }

    private static String orElse(String s, String other) {
        return s == null || s.isBlank() ? other : s.lines().findFirst().orElse(other);
    }

    /** Whether {@code t} is a SOAP fault saying the server does not implement the method. */
    public static boolean isMethodNotFound(Throwable t) {
        if (t instanceof SOAPFaultException sf && sf.getFault() != null) {
            String s = String.valueOf(sf.getFault().getFaultString());
            if (s.contains("MethodNotFound") || s.contains("not implemented") || s.contains("does not implement")) {
                return true;
            }
        }
        // vcsim answers a method a managed object lacks with a typed MethodNotFound whose string is
        // "<type>:<id> does not implement: <method>"
        return faultInfo(t) instanceof com.vmware.vim25.MethodNotFound;
    }

    static boolean isTransport(Throwable t) {
        return t instanceof WebServiceException && !(t instanceof SOAPFaultException);
    }
}
