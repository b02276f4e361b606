package io.cairn.vsphere.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Datastore paths")
class DatastorePathTest {

    @Test
    @DisplayName("parse '[ds] folder/file' and print it back")
    void parseAndPrint() {
        DatastorePath p = DatastorePath.parse("[LocalDS_0] vm1/vm1.vmdk");
        assertEquals(new DatastorePath("LocalDS_0", "vm1/vm1.vmdk"), p);
        assertEquals("[LocalDS_0] vm1/vm1.vmdk", p.toString());
        assertEquals("vm1", p.folder());
        assertEquals("vm1.vmdk", p.fileName());
        assertEquals(p, DatastorePath.parse(p.toString()));
    }

    @Test
    @DisplayName("keep spaces in datastore and VM names, and accept a missing space after ']'")
    void spaces() {
        DatastorePath p = DatastorePath.parse("[datastore 1] my vm/my vm.vmdk");
        assertEquals("datastore 1", p.datastore());
        assertEquals("my vm/my vm.vmdk", p.path());
        assertEquals(new DatastorePath("ds", "a.vmx"), DatastorePath.parse("[ds]a.vmx"));
        assertEquals(new DatastorePath("ds", ""), DatastorePath.parse("[ds] "));
    }

    @Test
    @DisplayName("resolve an extent file next to its descriptor")
    void sibling() {
        assertEquals(
                DatastorePath.parse("[ds] vm1/vm1-flat.vmdk"),
                DatastorePath.parse("[ds] vm1/vm1.vmdk").resolveSibling("vm1-flat.vmdk"));
        assertEquals(
                DatastorePath.parse("[ds] d-flat.vmdk"),
                DatastorePath.parse("[ds] d.vmdk").resolveSibling("d-flat.vmdk"));
        assertEquals(
                DatastorePath.parse("[ds] a/b/c.vmdk"),
                DatastorePath.parse("[ds] a/x.vmdk").resolveSibling("b/c.vmdk"));
    }

    @Test
    @DisplayName("refuse what is not a datastore path, absolute extent paths and '..'")
    void invalid() {
        assertThrows(IllegalArgumentException.class, () -> DatastorePath.parse("vm1/vm1.vmdk"));
        assertThrows(IllegalArgumentException.class, () -> DatastorePath.parse("[] vm1.vmdk"));
        assertThrows(IllegalArgumentException.class, () -> DatastorePath.parse("[ds vm1.vmdk"));
        DatastorePath d = DatastorePath.parse("[ds] vm1/vm1.vmdk");
        assertThrows(IllegalArgumentException.class, () -> d.resolveSibling("/vmfs/volumes/ds/vm1/vm1-flat.vmdk"));
        assertThrows(IllegalArgumentException.class, () -> d.resolveSibling("../other/x-flat.vmdk"));
        assertThrows(IllegalArgumentException.class, () -> d.resolveSibling(""));
    }

    @Test
    @DisplayName("address files as https://host/folder/<path>?dcPath=…&dsName=…, percent-encoded")
    void url() {
        DatastoreClient c = new DatastoreClient(
                URI.create("https://vc.example:8443/sdk"),
                (SSLSocketFactory) SSLSocketFactory.getDefault(),
                HttpsURLConnection.getDefaultHostnameVerifier(),
                () -> null,
                "Folder/DC 1");
        assertEquals(
                "https://vc.example:8443/folder/my%20vm/my%20vm.vmdk?dcPath=Folder%2FDC%201&dsName=datastore%201",
                c.url(DatastorePath.parse("[datastore 1] my vm/my vm.vmdk")).toString());
        assertEquals("caf%C3%A9%2B1", DatastoreClient.encode("café+1", true));
        assertThrows(
                IllegalArgumentException.class,
                () -> new DatastoreClient(
                        URI.create("http://vc"),
                        (SSLSocketFactory) SSLSocketFactory.getDefault(),
                        HttpsURLConnection.getDefaultHostnameVerifier(),
                        () -> null,
                        "DC0"));
    }
}
