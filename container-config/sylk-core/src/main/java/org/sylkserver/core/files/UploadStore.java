package org.sylkserver.core.files;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where an application keeps the files {@link FileUpload} receives: a hidden place for the upload in progress, the
 * disk space it may take, and the complete file's final place.
 *
 * @param <F> what the application records of a stored file
 */
public interface UploadStore<F> {

    /** A new, empty file for an upload in progress, where nothing lists or serves it. */
    Path partial() throws IOException;

    /** Takes {@code bytes} more space for an upload; false (nothing taken) when a quota would be exceeded. */
    boolean reserve(long bytes);

    /** Gives back space an upload took and no longer needs (it failed, or the file is smaller). */
    void release(long bytes);

    /** Why no more can be reserved, for the sender's failure message. */
    String quotaText();

    /**
     * Keeps a completely received upload whose SHA-1 is {@code hash} ({@code sha-1:AB:...}): moves {@code partial}
     * into its place.
     */
    F add(Path partial, FileSelector offered, String hash, String sender) throws IOException;
}
