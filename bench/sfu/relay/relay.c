/*
 * The machine's ceiling for bench/sfu.sh (issue 13): a UDP relay with no crypto, no RTCP, no state beyond a table
 * of who watches whom. It receives each publisher packet and sends it on to every subscriber registered for that
 * publisher, exactly the fan-out the SFU bench asks of a real SFU, so that the kernel's share of a forwarded packet
 * (recvfrom, sendto, the loopback hand-over to the receiving peer) is measured alone, with the same load generator
 * and the same CPU accounting (/proc/<pid>/stat).
 *
 * Usage: relay PORT MODE
 *   MODE sendto    one recvfrom, then one sendto per subscriber
 *        sendmmsg  one recvfrom, then one sendmmsg carrying every subscriber's copy
 *        batch     recvmmsg (up to 64 packets, MSG_WAITFORONE), then one sendmmsg for all their copies
 * A subscriber registers by sending 'S' and the publisher's UDP port (2 bytes, network order) from the socket it
 * receives on; the relay answers 'A'. Anything else from an unregistered port is dropped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SUBSCRIBERS 32
#define BATCH 64
#define PACKET 2048

struct publisher {
    int count;
    struct sockaddr_in subscribers[MAX_SUBSCRIBERS];
};

static struct publisher *by_port[65536];

static void subscribe(int fd, const unsigned char *packet, ssize_t length, const struct sockaddr_in *from) {
    if (length < 3) {
        return;
    }
    unsigned port = (packet[1] << 8) | packet[2];
    struct publisher *p = by_port[port];
    if (p == NULL) {
        p = by_port[port] = calloc(1, sizeof *p);
    }
    int known = 0;
    for (int i = 0; i < p->count; i++) {
        known |= p->subscribers[i].sin_port == from->sin_port && p->subscribers[i].sin_addr.s_addr == from->sin_addr.s_addr;
    }
    if (!known && p->count < MAX_SUBSCRIBERS) {
        p->subscribers[p->count++] = *from;
    }
    sendto(fd, "A", 1, 0, (const struct sockaddr *) from, sizeof *from);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: relay PORT sendto|sendmmsg|batch\n");
        return 2;
    }
    const char *mode = argv[2];
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *) &local, sizeof local) != 0) {
        perror("bind");
        return 1;
    }
    printf("relay listening on %s, mode %s\n", argv[1], mode);
    fflush(stdout);

    static unsigned char packets[BATCH][PACKET];
    static struct sockaddr_in from[BATCH];
    static struct iovec in_iov[BATCH];
    static struct mmsghdr in[BATCH];
    static struct mmsghdr out[BATCH * MAX_SUBSCRIBERS];
    static struct iovec out_iov[BATCH];
    int batch = strcmp(mode, "batch") == 0 ? BATCH : 1;
    int mmsg = strcmp(mode, "sendto") != 0;
    for (int i = 0; i < BATCH; i++) {
        in_iov[i] = (struct iovec) { packets[i], PACKET };
        in[i].msg_hdr = (struct msghdr) { .msg_name = &from[i], .msg_iov = &in_iov[i], .msg_iovlen = 1 };
    }
    for (;;) {
        int received;
        if (batch > 1) {
            for (int i = 0; i < batch; i++) {
                in[i].msg_hdr.msg_namelen = sizeof from[i];
            }
            received = recvmmsg(fd, in, batch, MSG_WAITFORONE, NULL);
        } else {
            socklen_t length = sizeof from[0];
            ssize_t n = recvfrom(fd, packets[0], PACKET, 0, (struct sockaddr *) &from[0], &length);
            in[0].msg_len = n < 0 ? 0 : (unsigned) n;
            received = n < 0 ? -1 : 1;
        }
        if (received <= 0) {
            continue;
        }
        int queued = 0;
        for (int i = 0; i < received; i++) {
            unsigned length = in[i].msg_len;
            if (length > 0 && packets[i][0] == 'S') {
                subscribe(fd, packets[i], length, &from[i]);
                continue;
            }
            struct publisher *p = by_port[ntohs(from[i].sin_port)];
            if (p == NULL) {
                continue;
            }
            if (!mmsg) {
                for (int s = 0; s < p->count; s++) {
                    sendto(fd, packets[i], length, 0, (struct sockaddr *) &p->subscribers[s], sizeof p->subscribers[s]);
                }
                continue;
            }
            out_iov[i] = (struct iovec) { packets[i], length };
            for (int s = 0; s < p->count; s++) {
                out[queued++].msg_hdr = (struct msghdr) { .msg_name = &p->subscribers[s],
                        .msg_namelen = sizeof p->subscribers[s], .msg_iov = &out_iov[i], .msg_iovlen = 1 };
            }
        }
        for (int sent = 0; sent < queued;) {
            int n = sendmmsg(fd, out + sent, queued - sent, 0);
            if (n <= 0) {
                break;
            }
            sent += n;
        }
    }
}
