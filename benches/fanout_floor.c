/* The floor for a classroom's latency: the least any chat server can do on this machine for the
 * load `toolkit chat bench` makes in the classroom shape (benches/web_chat.sh).
 *
 * One sender writes a line every GAP microseconds (30 a second by default) over loopback TCP. The
 * "server" is nothing but the writes: WORKERS threads, the first blocked in read() on the
 * sender's socket; it wakes each of the others through an eventfd of its own, and all of them
 * write the line to their share of MEMBERS sockets, one write() each, in order. No parsing, no queues, no runtime. One
 * reader thread, like the load generator's, reads every member socket (epoll), and the latency of
 * each delivery runs from the send time in the line to the kernel's arrival stamp on the member's
 * socket (SO_TIMESTAMPNS), exactly as the bench measures it.
 *
 *   fanout_floor [MEMBERS [WORKERS [SENDS [GAP_US]]]]    default 300 2 600 33333
 *
 * Prints one line: latency p50 / p90 / p99 / max in microseconds, and the mean time of one write
 * as the workers saw it. benches/web_chat.sh builds it with cc and runs it beside the classroom. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int members = 300, workers = 2, sends = 600;
static long gap_us = 33333;
static int *server_side, *client_side;
static int sender_client, sender_server;
static int wake[16], done_fd;
static char line[128];
static size_t line_len;
static int64_t *latencies;
static long received;
/* What a member socket's last read left of a line cut in two (lines are under 32 bytes). */
static char (*tail)[64];
static int *tail_len;
static double write_ns[16];
static long writes[16];

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Worker `id`: write the current line to members [id*members/workers, (id+1)*members/workers). */
static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    int from = id * members / workers, to = (id + 1) * members / workers;
    for (int k = 0; k < sends; k++) {
        uint64_t one = 1;
        if (id == 0) {
            ssize_t n = read(sender_server, line, sizeof line);
            if (n <= 0)
                die("read sender");
            line_len = (size_t)n;
            for (int w = 1; w < workers; w++)
                if (write(wake[w], &one, sizeof one) != sizeof one)
                    die("wake");
        } else if (read(wake[id], &one, sizeof one) != sizeof one) {
            die("wait");
        }
        int64_t start = clock_ns(CLOCK_MONOTONIC);
        for (int m = from; m < to; m++)
            if (write(server_side[m], line, line_len) != (ssize_t)line_len)
                die("write member");
        write_ns[id] += (double)(clock_ns(CLOCK_MONOTONIC) - start);
        writes[id] += to - from;
        /* The next line may come only when everyone has written this one. */
        if (write(done_fd, &one, sizeof one) != sizeof one)
            die("done");
    }
    return NULL;
}

/* The reader: every member socket, latency from the line's send time to the arrival stamp. */
static void *reader(void *arg)
{
    (void)arg;
    int ep = epoll_create1(0);
    for (int m = 0; m < members; m++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)m};
        epoll_ctl(ep, EPOLL_CTL_ADD, client_side[m], &ev);
    }
    long want = (long)members * sends;
    struct epoll_event events[512];
    char buf[4096];
    char control[CMSG_SPACE(sizeof(struct timespec))];
    while (received < want) {
        /* A line that never comes is a failure, not a hang. */
        int n = epoll_wait(ep, events, 512, 10000);
        if (n == 0) {
            fprintf(stderr, "fanout_floor: %ld of %ld deliveries, then nothing for 10 s\n",
                    received, want);
            exit(1);
        }
        for (int e = 0; e < n; e++) {
            int m = (int)events[e].data.u32;
            int fd = client_side[m];
            /* The piece of a line the last read left comes first. */
            int kept = tail_len[m];
            memcpy(buf, tail[m], (size_t)kept);
            struct iovec iov = {buf + kept, sizeof buf - 1 - (size_t)kept};
            struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                                 .msg_control = control, .msg_controllen = sizeof control};
            ssize_t got = recvmsg(fd, &msg, MSG_DONTWAIT);
            if (got <= 0)
                continue;
            int64_t arrived = clock_ns(CLOCK_REALTIME);
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    struct timespec ts;
                    memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    arrived = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
                }
            size_t len = (size_t)kept + (size_t)got;
            char *p = buf, *end = buf + len, *nl;
            while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
                *nl = 0;
                if (strncmp(p, "MSG ", 4) == 0 && received < want)
                    latencies[received++] = arrived - strtoll(p + 4, NULL, 10);
                p = nl + 1;
            }
            tail_len[m] = (int)(end - p) < (int)sizeof tail[m] ? (int)(end - p) : 0;
            memcpy(tail[m], p, (size_t)tail_len[m]);
        }
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc > 1) members = atoi(argv[1]);
    if (argc > 2) workers = atoi(argv[2]);
    if (argc > 3) sends = atoi(argv[3]);
    if (argc > 4) gap_us = atol(argv[4]);
    if (members < 1 || workers < 1 || workers > 16 || sends < 1)
        return 2;
    server_side = calloc((size_t)members, sizeof(int));
    client_side = calloc((size_t)members, sizeof(int));
    latencies = calloc((size_t)members * (size_t)sends, sizeof(int64_t));
    tail = calloc((size_t)members, sizeof *tail);
    tail_len = calloc((size_t)members, sizeof(int));

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, len) || listen(listener, 1024) ||
        getsockname(listener, (struct sockaddr *)&addr, &len))
        die("listen");
    for (int m = 0; m <= members; m++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&addr, sizeof addr))
            die("connect");
        int s = accept(listener, NULL, NULL);
        if (s < 0)
            die("accept");
        nodelay(c);
        nodelay(s);
        if (m == members) {
            sender_client = c;
            sender_server = s;
        } else {
            int one = 1;
            setsockopt(c, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
            client_side[m] = c;
            server_side[m] = s;
        }
    }
    /* Worker 0 is woken by the sender's line itself. */
    for (int w = 1; w < workers; w++)
        wake[w] = eventfd(0, 0);
    done_fd = eventfd(0, EFD_SEMAPHORE);

    pthread_t threads[17];
    pthread_create(&threads[workers], NULL, reader, NULL);
    for (int w = 0; w < workers; w++)
        pthread_create(&threads[w], NULL, worker, (void *)(intptr_t)w);

    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (int k = 0; k < sends; k++) {
        next.tv_nsec += gap_us * 1000;
        while (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        char out[64];
        int n = snprintf(out, sizeof out, "MSG %lld\n", (long long)clock_ns(CLOCK_REALTIME));
        if (write(sender_client, out, (size_t)n) != n)
            die("send");
        for (int w = 0; w < workers; w++) {
            uint64_t one;
            if (read(done_fd, &one, sizeof one) != sizeof one)
                die("done");
        }
    }
    for (int t = 0; t <= workers; t++)
        pthread_join(threads[t], NULL);

    long total = received;
    qsort(latencies, (size_t)total, sizeof(int64_t), cmp);
    double per_write = 0;
    long all_writes = 0;
    for (int w = 0; w < workers; w++) {
        per_write += write_ns[w];
        all_writes += writes[w];
    }
#define AT(q) (latencies[(long)((q) * (double)(total - 1))] / 1000.0)
    printf("members=%d workers=%d sends=%d deliveries=%ld p50_us=%.0f p90_us=%.0f p99_us=%.0f "
           "max_us=%.0f write_us=%.2f\n",
           members, workers, sends, total, AT(0.5), AT(0.9), AT(0.99),
           latencies[total - 1] / 1000.0, per_write / (double)all_writes / 1000.0);
    return 0;
}
