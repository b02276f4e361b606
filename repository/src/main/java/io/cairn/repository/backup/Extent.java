package io.cairn.repository.backup;

/** A byte range of a disk: a changed area (CBT) or an allocated area. */
public record Extent(long offset, long length) {
    public Extent {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("invalid extent " + offset + "+" + length);
        }
    }
}
