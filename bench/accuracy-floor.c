// The host's own floor for bench/accuracy.sh: what a minimal client on the same host sees.
// N loopback TCP connections; a writer thread on core 1 stamps each 64-byte message just before
// write() at RATE messages/s in all (as the mock stamps chunks); a reader thread on core 0 blocked
// in epoll_wait stamps each message as it reads it (as servebench stamps reads), optionally
// spinning WORK_NS per message to cost what servebench's I/O thread costs per chunk. Prints the
// delay (read - write) distribution and the per-connection gap error (the ITL error's analogue).
//
//   gcc -O2 -pthread -o /tmp/accuracy-floor bench/accuracy-floor.c
//   /tmp/accuracy-floor [N=500] [RATE=25000] [SECONDS=10] [WORK_NS=0]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int connections = 500, rate = 25000, seconds = 10;
static long work_ns = 0;
static int *writer_fds, *reader_fds;
static volatile int writer_done;

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  sched_setaffinity(0, sizeof set, &set);
}

static void *writer(void *unused) {
  (void)unused;
  pin(1);
  long period = 1000000000L / rate, next = now_ns(), end = next + seconds * 1000000000L;
  unsigned draw = 1;
  char message[64] = {0};
  while (next < end) {
    struct timespec due = {next / 1000000000L, next % 1000000000L};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
    for (long t = now_ns(); next <= t; next += period) {
      draw = draw * 1103515245 + 12345;
      int i = (draw >> 8) % connections;
      long stamp = now_ns();
      memcpy(message, &stamp, sizeof stamp);
      if (write(writer_fds[i], message, sizeof message) != sizeof message) {
        perror("write");
        exit(1);
      }
    }
  }
  writer_done = 1;
  return NULL;
}

static int by_value(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc > 1) connections = atoi(argv[1]);
  if (argc > 2) rate = atoi(argv[2]);
  if (argc > 3) seconds = atoi(argv[3]);
  if (argc > 4) work_ns = atol(argv[4]);
  long capacity = (long)rate * (seconds + 2);
  long *delays = malloc(sizeof(long) * capacity), *gap_errors = malloc(sizeof(long) * capacity);
  long *previous = calloc(connections, sizeof(long));
  long delay_count = 0, gap_count = 0;
  writer_fds = calloc(connections, sizeof(int));
  reader_fds = calloc(connections, sizeof(int));

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  if (bind(listener, (void *)&address, length) || listen(listener, 4096) ||
      getsockname(listener, (void *)&address, &length)) {
    perror("listen");
    return 1;
  }
  int one = 1;
  for (int i = 0; i < connections; i++) {
    reader_fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(reader_fds[i], (void *)&address, sizeof address)) {
      perror("connect");
      return 1;
    }
    writer_fds[i] = accept(listener, NULL, NULL);
    setsockopt(writer_fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  pin(0);
  int poller = epoll_create1(0);
  for (int i = 0; i < connections; i++) {
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(poller, EPOLL_CTL_ADD, reader_fds[i], &event);
  }
  pthread_t writer_thread;
  pthread_create(&writer_thread, NULL, writer, NULL);
  struct epoll_event ready[256];
  char buffer[64 * 64];
  while (!writer_done) {
    int n = epoll_wait(poller, ready, 256, 100);
    for (int k = 0; k < n; k++) {
      int i = ready[k].data.u32;
      ssize_t got = read(reader_fds[i], buffer, sizeof buffer);
      long read_ns = now_ns();
      for (ssize_t offset = 0; offset + 64 <= got && delay_count < capacity; offset += 64) {
        long written_ns;
        memcpy(&written_ns, buffer + offset, sizeof written_ns);
        long delay = read_ns - written_ns;
        delays[delay_count++] = delay;
        if (previous[i]) gap_errors[gap_count++] = labs(delay - previous[i]);
        previous[i] = delay;
        for (long spin_start = now_ns(); now_ns() - spin_start < work_ns;) {
        }
      }
    }
  }
  pthread_join(writer_thread, NULL);
  if (delay_count == 0 || gap_count == 0) {
    fprintf(stderr, "no messages measured\n");
    return 1;
  }
  qsort(delays, delay_count, sizeof(long), by_value);
  qsort(gap_errors, gap_count, sizeof(long), by_value);
  long late = 0;
  for (long i = 0; i < delay_count; i++) late += delays[i] > 1000000;
  printf("%d connections, %d messages/s, %d s, %ld ns of work each: delay p50 %.3f p99 %.3f max %.3f ms"
         " (%.2f%% later than 1 ms); gap error p50 %.3f p99 %.3f ms\n",
         connections, rate, seconds, work_ns, delays[delay_count / 2] / 1e6,
         delays[(long)(delay_count * 0.99)] / 1e6, delays[delay_count - 1] / 1e6,
         100.0 * late / delay_count, gap_errors[gap_count / 2] / 1e6,
         gap_errors[(long)(gap_count * 0.99)] / 1e6);
  return 0;
}
