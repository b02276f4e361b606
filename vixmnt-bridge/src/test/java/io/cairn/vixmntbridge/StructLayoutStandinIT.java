package io.cairn.vixmntbridge;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Structure;
import io.cairn.vixmntbridge.mntapi.jna.VixDiskSetInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixOsInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixVolumeInfo;
import io.cairn.vixmntbridge.testing.VddkStandin;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibBlock;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibBlockList;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibConnectParams;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibGeometry;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibInfo;
import io.cairn.vixmntbridge.vddk.jna.VixStructure;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every structure cairn's JNA binding maps has, on this machine, exactly the size, field offsets and
 * member sizes that gcc gives the same structure in the VDDK stand-ins' header (vddk-standin.h, as
 * VMware's vixDiskLib.h and vixMntapi.h declare them): {@code bin/vddk-standin-layout}, built with the
 * stand-ins, prints {@code sizeof}/{@code offsetof} and this test compares each one. The pinned numbers
 * with their derivations stay in the unit tests (StructLayoutTest, MntapiStructLayoutTest).
 */
@DisplayName("The JNA structures match the C structures of the VDDK stand-ins, byte for byte")
class StructLayoutStandinIT {

    @Test
    @DisplayName("size, offset and member size of every field of every structure, and nothing left unchecked")
    void sameLayout(@TempDir Path dir) throws Exception {
        Map<String, Long> c = VddkStandin.build(dir.resolve("vddk")).layout();
        Map<String, VixStructure> structs = new LinkedHashMap<>();
        structs.put("VixDiskLibGeometry", new VixDiskLibGeometry());
        structs.put("VixDiskLibInfo", new VixDiskLibInfo());
        structs.put("VixDiskLibBlock", new VixDiskLibBlock());
        structs.put("VixDiskLibBlockList", new VixDiskLibBlockList());
        structs.put("VixDiskLibConnectParams", new VixDiskLibConnectParams());
        structs.put("VixOsInfo", new VixOsInfo());
        structs.put("VixVolumeInfo", new VixVolumeInfo());
        structs.put("VixDiskSetInfo", new VixDiskSetInfo());
        List<Executable> checks = new ArrayList<>();
        Set<String> checked = new HashSet<>();
        for (Map.Entry<String, VixStructure> e : structs.entrySet()) {
            String name = e.getKey();
            VixStructure s = e.getValue();
            check(checks, checked, c, name, s.size());
            for (String f :
                    s.getClass().getAnnotation(Structure.FieldOrder.class).value()) {
                check(checks, checked, c, name + "." + f, s.offsetOf(f));
                Field jf = s.getClass().getField(f);
                check(checks, checked, c, name + "." + f + "#size", Native.getNativeSize(jf.getType(), jf.get(s)));
            }
        }
        // the members of the unions inside VixDiskLibConnectParams
        VixDiskLibConnectParams p = new VixDiskLibConnectParams();
        int creds = p.offsetOf("creds");
        VixDiskLibConnectParams.UidPasswd uid = new VixDiskLibConnectParams.UidPasswd();
        VixDiskLibConnectParams.SessionId sid = new VixDiskLibConnectParams.SessionId();
        VixDiskLibConnectParams.VStorageObjectSpec fcd = new VixDiskLibConnectParams.VStorageObjectSpec();
        String cp = "VixDiskLibConnectParams.";
        check(checks, checked, c, cp + "creds.uid.userName", creds + uid.offsetOf("userName"));
        check(checks, checked, c, cp + "creds.uid.password", creds + uid.offsetOf("password"));
        check(checks, checked, c, cp + "creds.sessionId.cookie", creds + sid.offsetOf("cookie"));
        check(checks, checked, c, cp + "creds.sessionId.userName", creds + sid.offsetOf("userName"));
        check(checks, checked, c, cp + "creds.sessionId.key", creds + sid.offsetOf("key"));
        int spec = p.offsetOf("spec");
        check(checks, checked, c, cp + "spec.vStorageObjSpec.id", spec + fcd.offsetOf("id"));
        check(checks, checked, c, cp + "spec.vStorageObjSpec.datastoreMoRef", spec + fcd.offsetOf("datastoreMoRef"));
        check(checks, checked, c, cp + "spec.vStorageObjSpec.ssId", spec + fcd.offsetOf("ssId"));
        assertAll(checks);
        Set<String> unchecked = new HashSet<>(c.keySet());
        unchecked.removeAll(checked);
        assertTrue(unchecked.isEmpty(), "the C side printed values no JNA structure was compared with: " + unchecked);
        assertTrue(checked.size() > 100, "compared " + checked.size() + " values");
    }

    private static void check(List<Executable> checks, Set<String> checked, Map<String, Long> c, String key, long jna) {
        checked.add(key);
        checks.add(() -> assertEquals(c.get(key), Long.valueOf(jna), key + " (C vs JNA)"));
    }
}
