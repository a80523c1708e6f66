package org.sylkserver.conference.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * How others can join a room (spec §3.3, §3.6, §8.2): by SIP (and XMPP when {@code advertise_xmpp_support}), by
 * phone ({@code pstn_access_numbers}), on the web ({@code webrtc_gateway_url}, {@code $room} replaced by the room).
 * Told to chat joiners in the welcome and listed as conf-uris in conference-info.
 */
public record JoinInfo(boolean xmpp, List<String> phones, String webUrl) {

    public static final JoinInfo SIP_ONLY = new JoinInfo(false, List.of(), "");

    public JoinInfo {
        phones = List.copyOf(phones);
        webUrl = webUrl == null ? "" : webUrl;
    }

    /** The lines after "Others can join by using:" for {@code room}. */
    public List<String> welcomeLines(String room) {
        List<String> lines = new ArrayList<>();
        lines.add((xmpp ? "SIP/XMPP: " : "SIP: ") + room);
        if (!phones.isEmpty()) {
            lines.add("Phones: " + alternatives(phones));
        }
        if (!webUrl.isEmpty()) {
            lines.add("WEB: " + web(room));
        }
        return lines;
    }

    /** The web address with {@code $room} replaced. */
    public String web(String room) {
        return webUrl.replace("$room", room);
    }

    /** {@code a}, {@code a or b}, {@code a, b or c}. */
    private static String alternatives(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.get(items.size() - 1);
    }
}
