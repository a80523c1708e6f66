package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.sylkserver.core.files.FileSelector;
import org.sylkserver.core.files.UploadStore;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The gateway's decisions on MSRP file-transfer INVITEs (spec §4.10.3, RFC 5547 §8.2 push, §8.3 pull): which offers
 * are pushes and pulls, and the spec's refusals (488 without a usable file stream, 404 for unknown accounts or files,
 * 500 for a file whose metadata outlived its bytes); and a push stored as an HTTP upload is.
 */
class MsrpOffersTest {

    private static final String PROTO = "TCP/TLS/MSRP";
    private static final String HELLO_SHA1 = "sha-1:AA:F4:C6:1D:DC:C5:E8:A2:DA:BE:DE:0F:3B:48:2C:D9:AE:A9:43:4D";

    @TempDir
    Path root;

    private final Set<String> known = new HashSet<>(Set.of("bob@example.com"));
    private final List<TransferredFile> announced = new ArrayList<>();
    private FileTransfers transfers;
    private MsrpOffers offers;

    @BeforeEach
    void start() throws Exception {
        transfers = new FileTransfers(new FileTransferConfig(root, Duration.ofDays(15), 1024 * 1024),
                (account, address) -> true, known::contains, (file, done) -> announced.add(file), Clock.systemUTC(),
                "https://sylk.example.com/webrtcgateway/filetransfer");
        offers = new MsrpOffers(transfers, known::contains, PROTO);
    }

    private static SessionDescription offer(String media) throws Exception {
        return SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                + media);
    }

    private static SessionDescription push(String selector) throws Exception {
        return offer("m=message 2855 TCP/TLS/MSRP *\r\na=sendonly\r\na=accept-types:*\r\n"
                + "a=path:msrps://192.0.2.9:2855/carol1;tcp\r\na=file-selector:" + selector
                + "\r\na=file-transfer-id:ft-7\r\n");
    }

    private static SessionDescription pull(String selector) throws Exception {
        return offer("m=message 2855 TCP/TLS/MSRP *\r\na=recvonly\r\na=accept-types:*\r\n"
                + "a=path:msrps://192.0.2.9:2855/carol1;tcp\r\na=file-selector:" + selector + "\r\n");
    }

    /** bob (a WebRTC user) sent carol {@code hello.txt} over HTTP: the file a pull asks for. */
    private TransferredFile bobSentHello() throws Exception {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        return transfers.start("bob@example.com", "carol@example.net", "t1", "hello.txt", "text/plain", body.length,
                "10.0.0.1", "").receive(new ByteArrayInputStream(body));
    }

    @Test
    void aSendonlyFileOfferIsAPushIntoTheLayoutUnderItsFileTransferId_rfc5547_8_2() throws Exception {
        MsrpOffers.Decision decision = offers.decide("carol@example.net", "bob@example.com",
                push("name:\"photo.jpg\" type:image/jpeg size:5 hash:" + HELLO_SHA1));
        MsrpOffers.Push push = assertInstanceOf(MsrpOffers.Push.class, decision);
        assertFalse(push.media().pull());
        assertEquals("image/jpeg", push.filetype());
        // carol is not a known account: the path is mirrored, receiver first (spec §4.10.1)
        assertEquals(TransferLayout.of("carol@example.net", "bob@example.com", false, "ft-7", "photo.jpg"),
                push.layout());
    }

    @Test
    void aPushIsStoredAndAnnouncedAsAnHttpUploadIs_4_10_3() throws Exception {
        MsrpOffers.Push push = (MsrpOffers.Push) offers.decide("carol@example.net", "bob@example.com",
                push("name:\"hello.txt\" size:5"));
        UploadStore<TransferredFile> store = transfers.msrpUpload(push.layout(),
                new TransferredFile.Party("carol@example.net", "Carol"), new TransferredFile.Party("bob@example.com", ""),
                push.filetype());
        Path partial = store.partial();
        Files.writeString(partial, "hello");
        TransferredFile file = store.add(partial, push.media().selector(), HELLO_SHA1, "carol@example.net");
        assertEquals("hello", Files.readString(push.layout().file(root)));
        assertEquals(file, TransferredFile.fromJson(Files.readString(push.layout().metadata(root))));
        assertEquals(List.of(file), announced, "the three notifications follow, as for HTTP (spec §4.10.1)");
        assertEquals("ft-7", file.transferId());
        assertEquals(HELLO_SHA1, file.hash());
        assertFalse(Files.exists(partial));
    }

    @Test
    void aPushHoldsItsTransferIdUntilItsSessionEnds_rfc5547_6() throws Exception {
        MsrpOffers.Push push = (MsrpOffers.Push) offers.decide("carol@example.net", "bob@example.com",
                push("name:\"hello.txt\" size:5"));
        TransferredFile.Party carol = new TransferredFile.Party("carol@example.net", "Carol");
        TransferredFile.Party bob = new TransferredFile.Party("bob@example.com", "");
        FileTransfers.MsrpUpload first = transfers.msrpUpload(push.layout(), carol, bob, push.filetype());
        // a second push, or an HTTP upload, under the same id would replace the file being received
        assertEquals(409, assertThrows(UploadRefused.class,
                () -> transfers.msrpUpload(push.layout(), carol, bob, push.filetype())).status());
        assertEquals(409, assertThrows(UploadRefused.class, () -> transfers.start("carol@example.net",
                "bob@example.com", "ft-7", "other.txt", "text/plain", 1, "10.0.0.1", "")).status());
        first.close();
        transfers.msrpUpload(push.layout(), carol, bob, push.filetype()).close();
    }

    @Test
    void aPushWithoutAUsableTransferIdGetsOneOfItsOwn() throws Exception {
        SessionDescription sdp = offer("m=message 2855 TCP/TLS/MSRP *\r\na=sendonly\r\n"
                + "a=path:msrps://192.0.2.9:2855/carol1;tcp\r\na=file-selector:name:\"a.txt\" size:1\r\n"
                + "a=file-transfer-id:../../etc\r\n");
        MsrpOffers.Push push = (MsrpOffers.Push) offers.decide("carol@example.net", "bob@example.com", sdp);
        assertFalse(push.layout().transferId().contains("/"), push.layout().transferId());
    }

    @Test
    void offersWithoutAUsableFileStreamAre488_4_10_3() throws Exception {
        // a chat stream (no file selector), a file over another transport, no direction, a hostile name, too big
        List<SessionDescription> refused = List.of(
                offer("m=message 2855 TCP/TLS/MSRP *\r\na=accept-types:message/cpim\r\n"
                        + "a=path:msrps://192.0.2.9:2855/c;tcp\r\n"),
                offer("m=message 2855 TCP/MSRP *\r\na=sendonly\r\na=path:msrp://192.0.2.9:2855/c;tcp\r\n"
                        + "a=file-selector:name:\"a.txt\" size:1\r\n"),
                offer("m=message 2855 TCP/TLS/MSRP *\r\na=path:msrps://192.0.2.9:2855/c;tcp\r\n"
                        + "a=file-selector:name:\"a.txt\" size:1\r\n"),
                push("name:\"..\" size:1"),
                push("name:\"big.bin\" size:" + (1024 * 1024 + 1)),
                pull("name:\"hello.txt\""));
        for (SessionDescription sdp : refused) {
            MsrpOffers.Refused refusal = assertInstanceOf(MsrpOffers.Refused.class,
                    offers.decide("carol@example.net", "bob@example.com", sdp), sdp.toString());
            assertEquals(488, refusal.status(), sdp + ": " + refusal.reason());
        }
        assertTrue(MsrpOffers.offersMsrp(refused.get(0)));
        assertFalse(MsrpOffers.offersMsrp(offer("m=audio 4000 RTP/AVP 0\r\n")), "a call is not the file path's");
    }

    @Test
    void unknownAccountsAre404_4_10_3() throws Exception {
        for (SessionDescription sdp : List.of(push("name:\"a.txt\" size:1"), pull("name:\"a.txt\" hash:" + HELLO_SHA1))) {
            MsrpOffers.Refused refusal = assertInstanceOf(MsrpOffers.Refused.class,
                    offers.decide("carol@example.net", "dave@example.com", sdp));
            assertEquals(404, refusal.status(), refusal.reason());
        }
    }

    @Test
    void aRecvonlyOfferWithTheStoredHashPullsTheFile_rfc5547_8_3() throws Exception {
        TransferredFile sent = bobSentHello();
        MsrpOffers.Pull pull = assertInstanceOf(MsrpOffers.Pull.class, offers.decide("carol@example.net",
                "bob@example.com", pull("name:\"hello.txt\" hash:" + HELLO_SHA1.toLowerCase())));
        assertEquals(sent, pull.file());
        assertEquals("hello", Files.readString(pull.path()));
        // spec §4.10.3: the name a client numbered as a copy finds the file too
        assertInstanceOf(MsrpOffers.Pull.class, offers.decide("carol@example.net", "bob@example.com",
                pull("name:\"hello-1.txt\" hash:" + HELLO_SHA1)));
    }

    @Test
    void aPullOfAnUnknownFileIs404AndOfAFileWhoseBytesAreGone500_4_10_3() throws Exception {
        TransferredFile sent = bobSentHello();
        String otherHash = FileSelector.sha1Hash(new byte[20]);
        for (String selector : List.of("name:\"hello.txt\" hash:" + otherHash, "name:\"other.txt\" hash:" + HELLO_SHA1)) {
            MsrpOffers.Refused refusal = assertInstanceOf(MsrpOffers.Refused.class,
                    offers.decide("carol@example.net", "bob@example.com", pull(selector)));
            assertEquals(404, refusal.status(), selector);
        }
        Files.delete(Path.of(sent.path()));
        MsrpOffers.Refused gone = assertInstanceOf(MsrpOffers.Refused.class,
                offers.decide("carol@example.net", "bob@example.com", pull("name:\"hello.txt\" hash:" + HELLO_SHA1)));
        assertEquals(500, gone.status());
    }
}
