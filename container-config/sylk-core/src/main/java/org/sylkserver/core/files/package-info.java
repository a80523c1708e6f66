/**
 * Files over MSRP (RFC 5547), shared by the applications that take them (the conference's rooms, the gateway's
 * transfers between accounts): the {@code a=file-selector} and the file-transfer stream of an offer, an upload
 * put together from its chunks into the application's {@link org.sylkserver.core.files.UploadStore}, a stored file
 * sent in chunks. Where files are kept is each application's own.
 */
package org.sylkserver.core.files;
