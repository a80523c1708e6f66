package org.sylkserver.core.container;

import static net.bytebuddy.matcher.ElementMatchers.named;

import java.lang.instrument.Instrumentation;
import java.util.logging.Logger;

import javax.websocket.CloseReason;

import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import org.apache.tomcat.websocket.WsIOException;

/**
 * Closes the hole of CVE-2020-13935 in Tomcat 7.0.93's WebSocket implementation, the newest Tomcat 7 whose WebSocket
 * module is on Maven Central: its frame reader takes a 64-bit payload length with the most significant bit set as a
 * negative length and then spins, a denial of service before any authentication.
 *
 * <p>RFC 6455 §5.2 says that bit MUST be 0. At start-up, before Tomcat loads the reader, Byte Buddy adds a check to
 * the end of {@code WsFrameBase.processRemainingHeader} (the method that reads the extended length): a negative
 * length ends the connection with 1002 (protocol error), the way Tomcat ends any other malformed frame.
 * See docs/container.md.
 */
public final class WebSocketFrameGuard {

    static final String FRAME_READER = "org.apache.tomcat.websocket.WsFrameBase";
    private static final Logger LOG = Logger.getLogger(WebSocketFrameGuard.class.getName());

    private WebSocketFrameGuard() {
    }

    /**
     * Installs the check; call before the container starts.
     *
     * @throws IllegalStateException when the JVM cannot instrument classes (no {@code jdk.attach}: run on a JDK)
     */
    public static void install() {
        Instrumentation instrumentation;
        try {
            instrumentation = ByteBuddyAgent.install();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot guard the WebSocket frame reader against CVE-2020-13935 "
                    + "(run the server on a JDK with the jdk.attach module): " + e.getMessage(), e);
        }
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .type(named(FRAME_READER))
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(Advice.to(FrameLengthCheck.class).on(named("processRemainingHeader"))))
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                            boolean loaded, DynamicType dynamicType) {
                        LOG.info(() -> "WebSocket frame lengths checked (RFC 6455 §5.2, CVE-2020-13935) in " + type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                            Throwable error) {
                        LOG.severe("cannot guard " + typeName + " against CVE-2020-13935: " + error);
                    }
                })
                .installOn(instrumentation);
    }

    /** Inlined at the end of the frame reader's header method (Byte Buddy advice). */
    public static final class FrameLengthCheck {

        private FrameLengthCheck() {
        }

        @Advice.OnMethodExit
        static void refuseNegativeLength(@Advice.FieldValue("payloadLength") long payloadLength) throws WsIOException {
            if (payloadLength < 0) {
                throw new WsIOException(new CloseReason(CloseReason.CloseCodes.PROTOCOL_ERROR,
                        "payload length with its most significant bit set (RFC 6455 5.2)"));
            }
        }
    }
}
