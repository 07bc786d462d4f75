/* sim_clock.c: see sim_clock.h. */
#define _POSIX_C_SOURCE 200809L
#include "sim_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void answer(const sim_clock_t *c, uint64_t now_ms)
{
    printf("%s t=%" PRIu64 "\n", c->held ? "held" : "running", now_ms);
    fflush(stdout);
}

void sim_clock_init(sim_clock_t *c, int held, int fd)
{
    memset(c, 0, sizeof *c);
    c->held = held;
    c->until_ms = SIM_CLOCK_FOREVER;
    c->fd = held ? fd : -1;
    if (c->fd >= 0) fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
}

/* Acts on one line; answers unless quiet (a state restored after a reset says nothing). */
static void command(sim_clock_t *c, const char *line, uint64_t now_ms, int quiet)
{
    char *end;
    if (!strcmp(line, "go")) {
        c->held = 0;
        c->until_ms = SIM_CLOCK_FOREVER;
    } else if (!strcmp(line, "hold")) {
        c->held = 1;
    } else if (!strncmp(line, "run ", 4)) {
        unsigned long long ms = strtoull(line + 4, &end, 10);
        if (end == line + 4 || *end) {
            fprintf(stderr, "clock: bad command '%s' (run MS)\n", line);
            return;
        }
        c->held = ms == 0;
        c->until_ms = now_ms + ms;
        if (!c->held) return; /* answered when the time has passed */
    } else if (strcmp(line, "time") != 0) {
        fprintf(stderr, "clock: unknown command '%s' (go, hold, run MS, time)\n", line);
        return;
    }
    if (!quiet) answer(c, now_ms);
}

void sim_clock_command(sim_clock_t *c, const char *line, uint64_t now_ms)
{
    command(c, line, now_ms, 1);
}

void sim_clock_poll(sim_clock_t *c, uint64_t now_ms)
{
    char buf[128];
    ssize_t n;
    if (c->fd < 0) return;
    while ((n = read(c->fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n' || buf[i] == '\r') {
                c->line[c->len] = '\0';
                if (c->len) command(c, c->line, now_ms, 0);
                c->len = 0;
            } else if (c->len + 1 < sizeof c->line) {
                c->line[c->len++] = buf[i];
            }
        }
    }
    if (n == 0) c->fd = -1; /* whoever held the clock is gone: it stays as it was left */
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c->fd = -1;
}

uint64_t sim_clock_allowance(sim_clock_t *c, uint64_t now_ms)
{
    if (c->held) return 0;
    if (c->until_ms == SIM_CLOCK_FOREVER) return SIM_CLOCK_FOREVER;
    if (now_ms >= c->until_ms) {
        c->held = 1;
        c->until_ms = SIM_CLOCK_FOREVER;
        answer(c, now_ms);
        return 0;
    }
    return c->until_ms - now_ms;
}

void sim_clock_state(const sim_clock_t *c, uint64_t now_ms, char *out, size_t size)
{
    if (c->held) snprintf(out, size, "hold");
    else if (c->until_ms == SIM_CLOCK_FOREVER) snprintf(out, size, "go");
    else snprintf(out, size, "run %" PRIu64, c->until_ms > now_ms ? c->until_ms - now_ms : 0);
}
