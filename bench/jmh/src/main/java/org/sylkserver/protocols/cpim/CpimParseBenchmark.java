package org.sylkserver.protocols.cpim;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the gateway does with every incoming SIP MESSAGE of a Sylk client (spec §4.9): parse its CPIM wrapper and read
 * the sender, recipient, time, message id and disposition request. The profile of {@code bench/messaging.sh} found
 * this to be about half of the gateway's CPU per MESSAGE (docs/benchmarks.md, issue 14).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CpimParseBenchmark {

    private final byte[] message = ("From: \"Alice Example\" <sip:alice@example.com>\r\n"
            + "To: <sip:bob@example.com>\r\n"
            + "DateTime: 2026-12-05T18:40:06.123456+00:00\r\n"
            + "NS: imdn <urn:ietf:params:imdn>\r\n"
            + "imdn.Message-ID: 6f1c2a0e-53f4-4d5e-9b9a-0c7d1e2f3a4b\r\n"
            + "imdn.Disposition-Notification: positive-delivery, display\r\n"
            + "\r\n"
            + "Content-Type: text/plain\r\n"
            + "\r\n"
            + "Hello Bob, are we still meeting at noon?").getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public void parseAndRead(Blackhole sink) throws CpimException {
        CpimMessage cpim = CpimMessage.parse(message);
        sink.consume(cpim.from());
        sink.consume(cpim.to());
        sink.consume(cpim.dateTime());
        sink.consume(cpim.imdnMessageId());
        sink.consume(cpim.dispositionNotification());
        sink.consume(cpim.contentType());
    }
}
