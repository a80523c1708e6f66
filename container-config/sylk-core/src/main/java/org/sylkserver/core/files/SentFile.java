package org.sylkserver.core.files;

import java.nio.file.Path;

/** A stored file {@link FileDownload} sends: where it is, its media type (null when unknown) and its size. */
public interface SentFile {

    Path path();

    String type();

    long size();
}
