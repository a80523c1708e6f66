import javax.websocket.OnError;
import javax.websocket.OnMessage;
import javax.websocket.server.ServerEndpoint;

/** The baseline of the sylkRTC benchmark: a WebSocket endpoint that returns each text message as it came. */
@ServerEndpoint("/echo")
public class EchoEndpoint {

    @OnMessage
    public String echo(String text) {
        return text;
    }

    /** The benchmark aborts its connections at the end: nothing to report. */
    @OnError
    public void error(Throwable error) {
    }
}
