package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbProperty;

/**
 * {@code account-add} (spec §4.5.2): binds an account to this connection, without SIP traffic. The {@code password}
 * is by client convention the digest HA1, {@code MD5(user:domain:password)}.
 */
public class AccountAddRequest extends AccountRequest {

    public static final String TYPE = "account-add";

    @Mandatory
    private String password;
    @JsonbProperty("display_name")
    private String displayName;
    @JsonbProperty("user_agent")
    private String userAgent;
    @JsonbProperty("incoming_header_prefixes")
    private List<String> incomingHeaderPrefixes;

    public AccountAddRequest() {
        super(TYPE);
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getDisplayName() {
        return displayName;
    }

    /** Surrounding spaces and double quotes are stripped (spec §4.3). */
    public void setDisplayName(String displayName) {
        this.displayName = displayName == null ? null : displayName.strip().replaceAll("^\"+|\"+$", "").strip();
    }

    public String getUserAgent() {
        return userAgent;
    }

    public void setUserAgent(String userAgent) {
        this.userAgent = userAgent;
    }

    public List<String> getIncomingHeaderPrefixes() {
        return incomingHeaderPrefixes;
    }

    public void setIncomingHeaderPrefixes(List<String> incomingHeaderPrefixes) {
        this.incomingHeaderPrefixes = incomingHeaderPrefixes;
    }
}
