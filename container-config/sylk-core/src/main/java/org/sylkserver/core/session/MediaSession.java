package org.sylkserver.core.session;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The server's side of RFC 3264 offer/answer for one SIP dialog, across its {@link MediaStream}s: the answer to the
 * initial offer, to each re-offer that adds, keeps or removes streams, and the answer that declines everything.
 *
 * <p>The rules: the answer has the offer's media lines, in the offer's order (§6); each line a stream takes is
 * answered by that stream, every other line is declined with port 0 and the offered media, transport and formats
 * (§6); each stream takes the first offered line of its kind that it can accept, in the offer's order, so that a
 * re-offer that keeps a line's position keeps its stream (§8); a stream whose line is gone or has port 0 is removed
 * (§8.2); the {@code o=} line keeps its session id and increments its version in each answer (§8). An offer that
 * no stream accepts is refused, and the session stays as it was.
 *
 * <p>Not thread-safe: one dialog's requests come one at a time.
 */
public final class MediaSession {

    private final AudioAnswerer.Origin origin = new AudioAnswerer.Origin();
    private final InetAddress localAddress;
    private List<MediaStream> streams = List.of();

    /** @param localAddress the address of our {@code o=} and {@code c=} lines */
    public MediaSession(InetAddress localAddress) {
        this.localAddress = localAddress;
    }

    /** What an offer agreed: the answer and how the streams changed. Nothing is applied until {@link #accept}. */
    public final class Negotiation {
        private final SessionDescription answer;
        private final List<MediaStream> taken;
        private final List<MediaStream> added;
        private final List<MediaStream> removed;
        private final String refusal;

        private Negotiation(SessionDescription answer, List<MediaStream> taken, List<MediaStream> added,
                            List<MediaStream> removed, String refusal) {
            this.answer = answer;
            this.taken = taken;
            this.added = added;
            this.removed = removed;
            this.refusal = refusal;
        }

        /** Why the last line a stream refused was declined, or the reason given for an offer nothing takes. */
        public String refusal() {
            return refusal;
        }

        /** The answer to send. */
        public SessionDescription answer() {
            return answer;
        }

        /** Whether {@code stream} answered a line of the offer; null (a stream never made) did not. */
        public boolean has(MediaStream stream) {
            return stream != null && taken.contains(stream);
        }

        /** New streams the offer takes. */
        public List<MediaStream> added() {
            return added;
        }

        /** Streams of the session the offer removes: the application closes them once they are out of use. */
        public List<MediaStream> removed() {
            return removed;
        }

        /** The application sent the answer: these are the session's streams now. */
        public void accept() {
            streams = List.copyOf(taken);
        }

        /** The application refused the offer after all: the new streams are closed, the session stays as it was. */
        public void discard() {
            added.forEach(MediaStream::close);
        }
    }

    /** The session's streams, in the order of their lines in the last accepted answer. */
    public List<MediaStream> streams() {
        return streams;
    }

    /**
     * Answers {@code offer} with the session's streams and the {@code candidates} the application would add; the
     * candidates no line takes are closed.
     *
     * @param refusal why an offer that no stream accepts is refused, when no stream said why
     * @throws SdpException no stream accepts a line: the candidates are closed, the session is unchanged
     */
    public Negotiation negotiate(SessionDescription offer, List<? extends MediaStream> candidates, String refusal)
            throws SdpException {
        Set<MediaStream> pending = new LinkedHashSet<>(streams);
        pending.addAll(candidates);
        List<MediaStream> taken = new ArrayList<>();
        List<MediaDescription> answered = new ArrayList<>();
        String why = refusal;
        for (MediaDescription m : offer.media()) {
            MediaDescription line = null;
            if (m.port() != 0) {
                for (MediaStream stream : pending) {
                    if (!stream.takes(m)) {
                        continue;
                    }
                    try {
                        line = stream.answer(offer, m);
                        taken.add(stream);
                        pending.remove(stream);
                        break;
                    } catch (SdpException e) {
                        why = e.getMessage();
                        break;
                    }
                }
            }
            answered.add(line != null ? line : declined(m));
        }
        List<MediaStream> added = candidates.stream().filter(taken::contains).map(s -> (MediaStream) s).toList();
        candidates.stream().filter(s -> !taken.contains(s)).forEach(MediaStream::close);
        if (taken.isEmpty()) {
            throw new SdpException(why);
        }
        List<MediaStream> removed = streams.stream().filter(s -> !taken.contains(s)).toList();
        return new Negotiation(new SessionDescription(sessionLines(), answered), List.copyOf(taken), added, removed,
                why);
    }

    /** The peer answered our offer (a call we placed): {@code accepted} are the session's streams. */
    public void answered(MediaStream... accepted) {
        streams = List.of(accepted);
    }

    /** Forgets {@code stream}, which the application ended on its own (a chat whose connection was lost). */
    public void remove(MediaStream stream) {
        streams = streams.stream().filter(s -> s != stream).toList();
    }

    /** An answer that declines every line of {@code offer} (RFC 3264 §6, §8.2: all streams removed). */
    public SessionDescription declineAll(SessionDescription offer) {
        return new SessionDescription(sessionLines(), offer.media().stream().map(MediaSession::declined).toList());
    }

    /** Whether {@code offer} has a line of {@code media} ({@code audio}, {@code message}, ...) with a port. */
    public static boolean offers(SessionDescription offer, String media) {
        return offer.media().stream().anyMatch(m -> m.media().equals(media) && m.port() != 0);
    }

    /** Whether {@code offer} removes every stream: it has lines, all with port 0 (RFC 3264 §8.2). */
    public static boolean removesAll(SessionDescription offer) {
        return !offer.media().isEmpty() && offer.media().stream().allMatch(m -> m.port() == 0);
    }

    /** An offer (ours, RFC 3264 §5) with {@code lines}. */
    public SessionDescription offer(List<MediaDescription> lines) {
        return new SessionDescription(sessionLines(), lines);
    }

    private List<SessionDescription.Line> sessionLines() {
        return AudioAnswerer.sessionLines(origin, localAddress);
    }

    /** A line declined with port 0: the offered media, transport and formats, no attributes (RFC 3264 §6). */
    static MediaDescription declined(MediaDescription offered) {
        return new MediaDescription(offered.media(), 0, offered.proto(), offered.formats(), List.of());
    }
}
