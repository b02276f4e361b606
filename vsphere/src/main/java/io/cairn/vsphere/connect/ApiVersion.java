package io.cairn.vsphere.connect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A vSphere API version ({@code 7.0.3.0}, {@code 6.7}, {@code 8.0.2.0}) and the negotiation of the
 * version a session speaks: the highest version both the server and cairn's binding speak, as
 * pyVmomi and govmomi do it. The server lists what it speaks at {@code /sdk/vimServiceVersions.xml}
 * (namespace {@code urn:vim25}: its {@code version} and {@code priorVersions}); a request names the
 * version it is written in by its SOAPAction, {@code urn:vim25/VERSION}, and the server then
 * answers in that version's terms: data objects and properties added later are left out (or sent
 * as the nearest older type), which is how a 7.0 binding talks to vSphere 8 at all.
 *
 * <p>Versions compare numerically part by part, missing parts as 0 ({@code 7.0} = {@code 7.0.0.0}).
 */
public record ApiVersion(String text, List<Integer> parts) implements Comparable<ApiVersion> {

    /**
     * The version cairn's binding is generated from: the API 7.0 schemas of Debian's
     * python3-oslo.vmware (VirtualMachineConfigInfo has {@code sgxInfo} and
     * {@code guestMonitoringModeInfo}, added in 7.0, but not {@code sevEnabled}, added in 7.0.1.0).
     */
    public static final ApiVersion BINDING = parse("7.0.0.0");

    private static final Comparator<List<Integer>> ORDER = (a, b) -> {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            int x = i < a.size() ? a.get(i) : 0;
            int y = i < b.size() ? b.get(i) : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    };

    public ApiVersion {
        parts = List.copyOf(parts);
    }

    /**
     * Parses a dotted version of up to 6 parts of up to 6 digits each.
     *
     * @throws IllegalArgumentException naming the text otherwise
     */
    public static ApiVersion parse(String text) {
        String t = text == null ? "" : text.strip();
        if (!t.matches("\\d{1,6}(\\.\\d{1,6}){0,5}")) {
            throw new IllegalArgumentException("'" + text + "' is not an API version like 7.0.3.0");
        }
        List<Integer> parts = new ArrayList<>();
        for (String p : t.split("\\.")) {
            parts.add(Integer.parseInt(p));
        }
        return new ApiVersion(t, parts);
    }

    /** The major version: 7 for {@code 7.0.3.0}. */
    public int major() {
        return parts.get(0);
    }

    @Override
    public int compareTo(ApiVersion o) {
        return ORDER.compare(parts, o.parts);
    }

    /** The SOAPAction that makes a request speak this version: {@code urn:vim25/7.0.3.0}. */
    public String soapAction() {
        return "urn:vim25/" + text;
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * The highest of {@code server} (versions the server speaks) that is not newer than
     * {@code client}; empty when the server speaks only newer ones.
     */
    public static Optional<ApiVersion> negotiate(List<ApiVersion> server, ApiVersion client) {
        return server.stream().filter(v -> v.compareTo(client) <= 0).max(Comparator.naturalOrder());
    }

    /**
     * The {@code urn:vim25} versions a {@code vimServiceVersions.xml} document lists: its
     * {@code version} first, then its {@code priorVersions}. No DTDs or entities are read.
     *
     * @throws IOException when the document is not such a list
     */
    public static List<ApiVersion> fromServiceVersions(byte[] xml) throws IOException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            f.setXIncludeAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("vimServiceVersions.xml is not XML: " + e.getMessage(), e);
        }
        NodeList namespaces = doc.getElementsByTagName("namespace");
        for (int i = 0; i < namespaces.getLength(); i++) {
            Element ns = (Element) namespaces.item(i);
            if (!"urn:vim25".equals(text(child(ns, "name")))) {
                continue;
            }
            List<ApiVersion> out = new ArrayList<>();
            Element current = child(ns, "version");
            if (current != null) {
                out.add(parseIn(text(current)));
            }
            Element prior = child(ns, "priorVersions");
            if (prior != null) {
                for (Node n = prior.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element e && "version".equals(e.getTagName())) {
                        out.add(parseIn(text(e)));
                    }
                }
            }
            if (out.isEmpty()) {
                throw new IOException("vimServiceVersions.xml names no urn:vim25 version");
            }
            return out;
        }
        throw new IOException("vimServiceVersions.xml has no urn:vim25 namespace");
    }

    private static ApiVersion parseIn(String s) throws IOException {
        try {
            return parse(s);
        } catch (IllegalArgumentException e) {
            throw new IOException("vimServiceVersions.xml lists " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && tag.equals(e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().strip();
    }
}
