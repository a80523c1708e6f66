package org.sylkserver.webrtc.api;

/**
 * {@code account-devicetoken} (spec §4.4, §4.5.2): the device's push parameters, sent as {@code pn-*} Contact
 * parameters on the account's next REGISTER and stored for message pushes once the account is authenticated.
 * {@code silent} is mandatory as in the original (quirk Q4).
 */
public class AccountDeviceTokenRequest extends AccountRequest {

    public static final String TYPE = "account-devicetoken";

    @Mandatory
    private String token;
    @Mandatory
    private String platform;
    @Mandatory
    private String device;
    @Mandatory
    private Boolean silent;
    @Mandatory
    private String app;

    public AccountDeviceTokenRequest() {
        super(TYPE);
    }

    /** The push token; for iOS {@code <voip token>-<background token>}. */
    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token;
    }

    public String getPlatform() {
        return platform;
    }

    public void setPlatform(String platform) {
        this.platform = platform;
    }

    public String getDevice() {
        return device;
    }

    public void setDevice(String device) {
        this.device = device;
    }

    public Boolean getSilent() {
        return silent;
    }

    public void setSilent(Boolean silent) {
        this.silent = silent;
    }

    public String getApp() {
        return app;
    }

    public void setApp(String app) {
        this.app = app;
    }
}
