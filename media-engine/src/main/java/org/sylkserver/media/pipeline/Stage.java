package org.sylkserver.media.pipeline;

/**
 * One step of a packet's path through the media engine, with one job (decrypt, validate, latch, count, route...),
 * in the spirit of jitsi-media-transform's nodes. A stage sees one packet at a time and says what becomes of it:
 * it goes on to whatever stage follows ({@link #handle} returns it, changed or not), or it ends here, either
 * consumed (taken by this stage: a ZRTP or STUN packet, or the last stage's delivery, see {@link #consume}) or
 * dropped (refused, and counted, see {@link #drop}). A stage never knows which stage comes next: the
 * {@link Pipeline} does.
 *
 * <p>Counters are written by the one thread that runs the pipeline (the media engine's I/O thread, or for a send
 * pipeline whichever single thread sends) and may be read from any thread.
 */
public abstract class Stage {

    private final String name;
    private volatile long packets;
    private volatile long dropped;

    /** @param name what the stage does, for logs and statistics ({@code srtp}, {@code latch}...) */
    protected Stage(String name) {
        this.name = name;
    }

    /**
     * Handles one packet.
     *
     * @return the packet for the next stage, or {@code null} when it ends here ({@code return drop()} or
     * {@code return consume()})
     */
    protected abstract Packet handle(Packet packet);

    /** What to return for a packet this stage refuses: counts it as dropped. */
    protected final Packet drop() {
        dropped++;
        return null;
    }

    /** What to return for a packet this stage took (it went elsewhere, or this is where it was going). */
    protected static Packet consume() {
        return null;
    }

    final Packet process(Packet packet) {
        packets++;
        return handle(packet);
    }

    /** The stage's name. */
    public final String name() {
        return name;
    }

    /** Packets handed to this stage. */
    public final long packets() {
        return packets;
    }

    /** Packets this stage dropped. */
    public final long dropped() {
        return dropped;
    }

    @Override
    public String toString() {
        return name + " " + packets + "/" + dropped;
    }
}
