package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The address book (spec §4.14) end to end against the local store: sylkRTC WebSocket clients as alice's devices,
 * sipp as the registrar of example.com (the outbound proxy, which takes the gateway's REGISTERs).
 */
@ExtendWith(ArquillianExtension.class)
class AddressBookIT {

    private static final int PROXY_PORT = Sipp.freePortUnchecked();
    /** A new account each run: the store outlives the server in the work directory. */
    private static final String USER = "alice" + Long.toHexString(System.nanoTime());
    private static final String ACCOUNT = USER + "@example.com";

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = example.com\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    private static SylkRtcClient alice(String name) throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"" + name + "a\",\"account\":\"" + ACCOUNT + "\","
                + "\"password\":\"" + SylkRtcCallIT.md5(USER + ":example.com:secret") + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "a"), client.next());
        return client;
    }

    private static void register(SylkRtcClient client, String name) throws Exception {
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"" + name + "r\",\"account\":\"" + ACCOUNT + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "r"), client.next());
        client.expect("\"state\":\"registered\"");
    }

    private static void update(SylkRtcClient client, String transaction, String type, String action, String data) {
        client.send("{\"sylkrtc\":\"account-update-addressbook\",\"transaction\":\"" + transaction
                + "\",\"account\":\"" + ACCOUNT + "\",\"type\":\"" + type + "\",\"action\":\"" + action
                + "\",\"data\":" + data + "}");
    }

    /**
     * spec §4.4 Auth, §4.14: before registering alice may not fetch; registered on two devices, a contact added on one
     * (with free-form attributes, Q11) and a group with that contact as member (sylkrtc.js's groupMember update) are
     * events on both; a refused update is an {@code addressbook-update-failed} to the sender only; a fresh connection
     * fetches the stored book.
     */
    @Test
    void updatesReachEveryDeviceAndAreStored_spec_4_14() throws Exception {
        Sipp.Running registrar = Sipp.scenario(work.resolve("registrar"), Scenarios.acceptingRegistrar()).waitingForRequests()
                .localPort(PROXY_PORT).calls(3).timeoutSeconds(40).start();
        SylkRtcClient phone = alice("p");
        phone.send("{\"sylkrtc\":\"account-fetch-addressbook\",\"transaction\":\"early\",\"account\":\"" + ACCOUNT + "\"}");
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"early\",\"error\":\"Account not authenticated\"}",
                phone.next());
        register(phone, "p");
        SylkRtcClient laptop = alice("l");
        register(laptop, "l");

        String bob = "{\"id\":\"c1\",\"name\":\"Bob\",\"uris\":[{\"id\":\"u1\",\"uri\":\"bob@example.com\","
                + "\"type\":\"sip\"}],\"dialog\":{\"policy\":\"allow\",\"subscribe\":false},"
                + "\"presence\":{\"policy\":\"allow\",\"subscribe\":true},\"attributes\":{\"favorite\":true}}";
        update(phone, "u1", "contact", "add", bob);
        String added = laptop.expect("\"event\":\"addressbook-updated\"", "\"type\":\"contact\"", "\"action\":\"add\"");
        assertTrue(added.contains("\"attributes\":{\"favorite\":true}"), added);
        assertTrue(added.contains("\"defaultUri\":{\"id\":\"u1\""), added);
        phone.expect("\"event\":\"addressbook-updated\"", "\"type\":\"contact\"");

        update(laptop, "u2", "group", "add", "{\"id\":\"g1\",\"name\":\"Friends\",\"contacts\":[]}");
        laptop.expect(SylkRtcCallIT.ack("u2"));
        phone.expect("\"event\":\"addressbook-updated\"", "\"type\":\"group\"");
        // what sylkrtc.js's addGroupMember sends; the changed group is announced, which its cache files by id
        update(laptop, "u3", "groupMember", "add", "{\"groupId\":\"g1\",\"contactId\":\"c1\"}");
        laptop.expect(SylkRtcCallIT.ack("u3"));
        phone.expect("\"event\":\"addressbook-updated\"", "\"type\":\"group\"", "\"action\":\"update\"",
                "\"group\":{\"id\":\"g1\",\"name\":\"Friends\",\"contacts\":[{\"id\":\"c1\"");

        update(phone, "u4", "contact", "add", bob);
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"" + ACCOUNT + "\",\"event\":"
                + "\"addressbook-update-failed\",\"type\":\"contact\",\"action\":\"add\",\"error\":"
                + "\"contact c1 already exists\",\"id\":\"c1\"}",
                phone.expect("addressbook-update-failed"));

        SylkRtcClient tablet = alice("t");
        register(tablet, "t");
        tablet.send("{\"sylkrtc\":\"account-fetch-addressbook\",\"transaction\":\"f\",\"account\":\"" + ACCOUNT + "\"}");
        String fetched = tablet.expect("\"event\":\"addressbook-fetched\"");
        assertTrue(fetched.contains("\"contacts\":[{\"id\":\"c1\",\"name\":\"Bob\""), fetched);
        assertTrue(fetched.contains("\"attributes\":{\"favorite\":true}"), fetched);
        assertTrue(fetched.contains("\"groups\":[{\"id\":\"g1\",\"name\":\"Friends\",\"contacts\":[{\"id\":\"c1\""),
                fetched);
        tablet.expect(SylkRtcCallIT.ack("f"));
        Sipp.Result result = registrar.await();
        assertEquals(0, result.exitCode(), result::toString);
    }
}
