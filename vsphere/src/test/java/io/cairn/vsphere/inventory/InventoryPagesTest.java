package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.RetrieveResult;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Inventory paging: the token chain (stand-in results, no server; InventoryPagingIT pages a real vcsim)")
class InventoryPagesTest {
    private static RetrieveResult page(String token, ObjectContent... objects) {
        RetrieveResult r = new RetrieveResult();
        r.setToken(token);
        r.getObjects().addAll(List.of(objects));
        return r;
    }

    @Test
    @DisplayName("follows the token chain with ContinueRetrievePropertiesEx until a page has no token")
    void continuation() throws Exception {
        Map<String, RetrieveResult> server = Map.of(
                "t1", page("t2", InventoryTest.vm("vm-2")),
                "t2", page(null, InventoryTest.vm("vm-3"), InventoryTest.vm("vm-4")));
        List<String> asked = new ArrayList<>();
        List<ObjectContent> all = InventoryPages.retrieveAll(
                page("t1", InventoryTest.vm("vm-1")),
                token -> {
                    asked.add(token);
                    return server.get(token);
                },
                100);
        assertEquals(List.of("t1", "t2"), asked);
        assertEquals(
                List.of("vm-1", "vm-2", "vm-3", "vm-4"),
                all.stream().map(o -> o.getObj().getValue()).toList());
    }

    @Test
    @DisplayName("a result without token (the last or only page) needs no continuation; a null result is empty")
    void singlePage() throws Exception {
        InventoryPages.Continuation never = token -> {
            throw new AssertionError("continued with " + token);
        };
        assertEquals(
                1,
                InventoryPages.retrieveAll(page(null, InventoryTest.vm("vm-1")), never, 100)
                        .size());
        assertEquals(0, InventoryPages.retrieveAll(null, never, 100).size());
    }

    @Test
    @DisplayName("a server that repeats a token is an error, not an endless loop")
    void repeatedToken() {
        assertThrows(
                VsphereException.class,
                () -> InventoryPages.retrieveAll(page("t", InventoryTest.vm("vm-1")), token -> page("t"), 100));
    }

    @Test
    @DisplayName("a server that sends more objects than the bound is refused, page by page")
    void bounded() {
        List<String> asked = new ArrayList<>();
        VsphereException e = assertThrows(
                VsphereException.class,
                () -> InventoryPages.retrieveAll(
                        page("t1", InventoryTest.vm("vm-1"), InventoryTest.vm("vm-2")),
                        token -> {
                            asked.add(token);
                            return page("t" + (asked.size() + 1), InventoryTest.vm("vm-" + (asked.size() + 2)));
                        },
                        3));
        assertEquals(List.of("t1", "t2"), asked, "asks for nothing after the page that crosses the bound");
        assertTrue(e.getMessage().contains("more than 3"), e.getMessage());
    }
}
