package io.cairn.repository.backup;

/** Receives progress of long operations; the CLI draws it, the web UI streams it. */
public interface Progress {
    Progress NONE = new Progress() {
        @Override
        public void begin(String phase, long totalBytes) {}

        @Override
        public void advance(long bytes) {}

        @Override
        public void end() {}
    };

    /** A phase starts (e.g. "disk0 web01.img"); {@code totalBytes} may be 0 when unknown. */
    void begin(String phase, long totalBytes);

    /** Called from worker threads: implementations must be thread-safe. */
    void advance(long bytes);

    void end();
}
