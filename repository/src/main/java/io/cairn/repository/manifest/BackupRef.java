package io.cairn.repository.manifest;

import io.cairn.repository.format.FormatConstants;

/** Where a backup lives: {@code backups/<vmKey>/<id>/}. */
public record BackupRef(String vmKey, String id) {

    public String dir() {
        return FormatConstants.DIR_BACKUPS + "/" + vmKey + "/" + id + "/";
    }

    public String manifestKey() {
        return dir() + FormatConstants.MANIFEST_NAME;
    }

    public String fileKey(String name) {
        return dir() + name;
    }

    /** Maps a VM identity onto the characters a key may hold. */
    public static String vmKeyOf(String identity) {
        return identity.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
