package io.cairn.mount.volume;

/**
 * One entry of a partition table.
 *
 * @param number   Linux's number: MBR primaries 1-4, logicals from 5 in chain order; GPT entry index + 1
 * @param offset   first byte on the disk
 * @param length   bytes
 * @param type     "0x83" (MBR type byte) or the GPT type GUID in upper case
 * @param typeName a name for the type ("Linux filesystem", "extended"), or {@link #type} when unknown
 * @param name     the GPT partition name, null for MBR or when empty
 * @param role     how the scanner treats it
 */
record Partition(int number, long offset, long length, String type, String typeName, String name, Role role) {

    enum Role {
        /** May hold a filesystem or an LVM PV. */
        DATA,
        /** An MBR extended partition: holds the EBR chain, never a volume. */
        CONTAINER,
        /** Holds no filesystem by definition (GPT BIOS boot, Microsoft reserved): skipped silently. */
        NO_FILESYSTEM
    }
}
