package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.Union;

/**
 * {@code VixDiskLibConnectParams} of VDDK 6.7, 7.0 and 8.0 (128 bytes on x86-64 Linux):
 * <pre>
 * typedef struct {
 *    char *vmxSpec;     // URL like spec of the VM.
 *    char *serverName;  // Name or IP address of VC / ESX.
 *    char *thumbPrint;  // SSL Certificate thumb print.
 *    long privateUse;   // This value is ignored.
 *    VixDiskLibCredType credType;
 *    union VixDiskLibCreds {
 *       struct VixDiskLibUidPasswdCreds { char *userName; char *password; } uid;
 *       struct VixDiskLibSessionIdCreds { char *cookie; char *userName; char *key; } sessionId;
 *       struct VixDiskLibTicketIdCreds *ticketId; // Internal use only.
 *    } creds;
 *    uint32 port;        // port to use for authenticating with VC/ESXi host
 *    uint32 nfcHostPort; // port to use for establishing NFC connection to ESXi host
 *    char *vimApiVer;    // not used                                   (6.7+)
 *    char reserved[8];   // internal use only                          (6.7+)
 *    VixDiskLibConnectParamsState *state; // internal use only         (6.7+)
 *    union { VixDiskLibVStorageObjectSpec vStorageObjSpec; } spec;     (6.7+)
 *    VixDiskLibSpecType specType;  // disk or VM spec                  (6.7+)
 * } VixDiskLibConnectParams;
 * </pre>
 * The {@code char *} members are {@link Pointer}s so that the driver allocates, wipes (the password)
 * and frees them itself instead of leaving that to the garbage collector. The structure must be
 * zero-filled before use (JNA does so): the library reads {@code reserved} and {@code state}.
 */
@FieldOrder({
    "vmxSpec",
    "serverName",
    "thumbPrint",
    "privateUse",
    "credType",
    "creds",
    "port",
    "nfcHostPort",
    "vimApiVer",
    "reserved",
    "state",
    "spec",
    "specType"
})
public class VixDiskLibConnectParams extends VixStructure {
    public Pointer vmxSpec;
    public Pointer serverName;
    public Pointer thumbPrint;
    /** C {@code long}: ignored by the library (8 bytes on LP64 Linux). */
    public NativeLong privateUse = new NativeLong(0);
    /** enum VixDiskLibCredType: {@code VIXDISKLIB_CRED_*}. */
    public int credType;

    public Creds creds;
    /** uint32: vCenter/ESXi HTTPS port, 0 for the default 443. */
    public int port;
    /** uint32: ESXi NFC port, 0 for the default 902. */
    public int nfcHostPort;

    public Pointer vimApiVer;
    public byte[] reserved = new byte[8];
    public Pointer state;
    public Spec spec;
    /** enum VixDiskLibSpecType: {@code VIXDISKLIB_SPEC_*}. */
    public int specType;

    public VixDiskLibConnectParams() {}

    /** Over memory the caller allocated (zero-filled) and frees. */
    public VixDiskLibConnectParams(Pointer p) {
        super(p);
    }

    /** {@code union VixDiskLibCreds} (24 bytes: the largest member, {@code sessionId}). */
    public static class Creds extends Union {
        public UidPasswd uid;
        public SessionId sessionId;
        /** struct VixDiskLibTicketIdCreds *: internal use only. */
        public Pointer ticketId;

        public Creds() {}

        public final int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    /** {@code struct VixDiskLibUidPasswdCreds { char *userName; char *password; }}. */
    @FieldOrder({"userName", "password"})
    public static class UidPasswd extends VixStructure {
        public Pointer userName;
        public Pointer password;
    }

    /** {@code struct VixDiskLibSessionIdCreds { char *cookie; char *userName; char *key; }}. */
    @FieldOrder({"cookie", "userName", "key"})
    public static class SessionId extends VixStructure {
        public Pointer cookie;
        public Pointer userName;
        public Pointer key;
    }

    /**
     * The {@code spec} union, whose only member is
     * {@code typedef struct { char *id; char *datastoreMoRef; char *ssId; } VixDiskLibVStorageObjectSpec;}
     * (first-class disks, {@code specType == VIXDISKLIB_SPEC_VSTORAGE_OBJECT}).
     */
    public static class Spec extends Union {
        public VStorageObjectSpec vStorageObjSpec;

        public Spec() {}
    }

    /** {@code VixDiskLibVStorageObjectSpec}. */
    @FieldOrder({"id", "datastoreMoRef", "ssId"})
    public static class VStorageObjectSpec extends VixStructure {
        public Pointer id;
        public Pointer datastoreMoRef;
        public Pointer ssId;
    }
}
