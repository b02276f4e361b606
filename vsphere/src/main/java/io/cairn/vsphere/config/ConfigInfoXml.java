package io.cairn.vsphere.config;

import com.vmware.vim25.ObjectFactory;
import com.vmware.vim25.VirtualMachineConfigInfo;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBElement;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Marshaller;
import jakarta.xml.bind.Unmarshaller;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.xml.namespace.QName;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A VM's {@link VirtualMachineConfigInfo} stored verbatim, as the vim25 XML the server sent.
 *
 * <p>Format (persisted in backups as the config file of role {@code config-info}; never change):
 * UTF-8 XML, one root element {@code config} in namespace {@code urn:vim25} of type
 * {@code VirtualMachineConfigInfo}, written by JAXB from the vim25 binding with every polymorphic
 * child carrying its {@code xsi:type} (e.g. {@code <device xsi:type="VirtualDisk">}), so that
 * {@link #fromXml} gives back the same subclasses and {@code toXml(fromXml(x))} is byte-identical
 * to {@code x} for anything {@code toXml} wrote. The element is what a SOAP
 * {@code RetrievePropertiesEx} answer carries for the property {@code config}, so a value
 * recorded from a server and one written here read the same.
 *
 * <p>The JAXB context covers the whole {@code com.vmware.vim25} package (every subclass must be
 * known for {@code xsi:type}); it is built once per JVM on first use (seconds).
 */
public final class ConfigInfoXml {

    /** The root element name; never change (stored backups use it). */
    public static final QName ROOT = new QName("urn:vim25", "config");

    private ConfigInfoXml() {}

    private static final class Context {
        static final JAXBContext JAXB;

        static {
            try {
                JAXB = JAXBContext.newInstance(ObjectFactory.class);
            } catch (JAXBException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** The ConfigInfo as XML (UTF-8, indented, one trailing newline). */
    public static byte[] toXml(VirtualMachineConfigInfo config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        try {
            Marshaller m = Context.JAXB.createMarshaller();
            m.setProperty(Marshaller.JAXB_ENCODING, "UTF-8");
            m.setProperty(Marshaller.JAXB_FORMATTED_OUTPUT, Boolean.TRUE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.marshal(new JAXBElement<>(ROOT, VirtualMachineConfigInfo.class, config), out);
            out.write('\n');
            return out.toByteArray();
        } catch (JAXBException e) {
            // Only a binding bug gets here: every value of a ConfigInfo is a bound type.
            throw new IllegalStateException(
                    "cannot write VirtualMachineConfigInfo '" + config.getName() + "' as XML: " + e, e);
        }
    }

    /**
     * Reads what {@link #toXml} wrote (or a {@code config} element recorded from a server).
     *
     * @throws IOException when the bytes are not such a document (named in the message)
     */
    public static VirtualMachineConfigInfo fromXml(byte[] xml) throws IOException {
        XMLInputFactory xif = XMLInputFactory.newFactory();
        // Stored documents never need a DTD or external entities: refuse them (XXE).
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        try {
            XMLStreamReader reader = xif.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                reader.nextTag();
                if (!ROOT.equals(reader.getName())) {
                    throw new IOException("not a stored VirtualMachineConfigInfo: root element is " + reader.getName()
                            + ", expected " + ROOT);
                }
                Unmarshaller u = Context.JAXB.createUnmarshaller();
                VirtualMachineConfigInfo info =
                        u.unmarshal(reader, VirtualMachineConfigInfo.class).getValue();
                if (info == null) {
                    throw new IOException("stored VirtualMachineConfigInfo is empty");
                }
                return info;
            } finally {
                reader.close();
            }
        } catch (XMLStreamException | JAXBException e) {
            throw new IOException(
                    "cannot read stored VirtualMachineConfigInfo ("
                            + new String(xml, 0, Math.min(xml.length, 80), StandardCharsets.UTF_8).strip() + "...): "
                            + e,
                    e);
        }
    }

    /** A deep copy made through the XML form: the builder never changes the caller's object. */
    static VirtualMachineConfigInfo copy(VirtualMachineConfigInfo config) {
        try {
            return fromXml(toXml(config));
        } catch (IOException e) {
            throw new IllegalStateException("XML round trip of a ConfigInfo failed: " + e, e);
        }
    }
}
