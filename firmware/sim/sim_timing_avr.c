/* sim_timing_avr.c: the main loop's pass lengths and the interrupts' off-times (sim_timing_avr.h). */
#include "sim_timing_avr.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CYCLES_PER_US 16u
#define HIST_US 131072u /* 1 us buckets up to 131 ms; a longer pass lands in the last (its max is exact) */
#define MARK_WDR UINT32_MAX
#define WDTCSR_ADDR 0x60 /* the same data address on the ATmega328P and the ATmega2560 */
#define OFF_LONG_US 1000u /* windows this long can swallow a pin's second edge at 500 Hz */

static uint32_t g_mark; /* byte address, or MARK_WDR */
static uint64_t g_from; /* the cycle from which passes and windows count */
static const char *g_mark_name;
static uint32_t *g_hist; /* pass lengths, us */
static struct {
    uint64_t passes, last_mark, max_pass, max_pass_at;
    int armed; /* a mark was seen since power-on or the last reset: passes count from here */
    uint64_t off_since, off_max, off_max_at, off_long, resets;
    uint32_t off_pc, off_max_pc;
    int off; /* the I bit is clear now (after the first mark) */
    uint32_t last_pc;
} g;

int timing_avr_init(avr_t *avr, const elf_firmware_t *fw, const char *mark, uint64_t from_ms, char *err,
                    size_t err_len)
{
    (void)avr;
    g_from = from_ms * 1000u * CYCLES_PER_US;
    g_mark_name = mark;
    if (!strcmp(mark, "wdr")) {
        g_mark = MARK_WDR;
    } else {
        char *end;
        unsigned long a = strtoul(mark, &end, 0);
        if (*end || end == mark) {
            a = ULONG_MAX;
            for (uint32_t i = 0; i < fw->symbolcount; i++)
                if (!strcmp(fw->symbol[i]->symbol, mark)) a = fw->symbol[i]->addr;
            if (a == ULONG_MAX) {
                snprintf(err, err_len, "--loop-mark %s: no such symbol in the program (LTO may have inlined it; "
                         "give a byte address from avr-objdump, or wdr)", mark);
                return -1;
            }
        }
        if (a & 1 || a > fw->flashsize) {
            snprintf(err, err_len, "--loop-mark %s: not an instruction address in the program's flash", mark);
            return -1;
        }
        g_mark = (uint32_t)a;
    }
    if (!(g_hist = calloc(HIST_US, sizeof *g_hist))) {
        snprintf(err, err_len, "--loop-mark: out of memory");
        return -1;
    }
    return 0;
}

static int at_mark(const avr_t *avr)
{
    if (g_mark != MARK_WDR) return avr->pc == g_mark;
    return avr->flash[avr->pc] == 0xA8 && avr->flash[avr->pc + 1] == 0x95; /* wdr: 0x95A8 */
}

void timing_avr_step(avr_t *avr)
{
    uint64_t now = avr->cycle;
    if (avr->pc == avr->reset_pc && g.last_pc != avr->reset_pc && now > 0) { /* a reset (or a jump to 0) */
        g.resets++;
        g.armed = g.off = 0;
    }
    g.last_pc = avr->pc;
    if (now < g_from) return;
    if (avr->sreg[S_I] && at_mark(avr)) { /* setup code feeds the watchdog with interrupts off */
        if (g.armed) {
            uint64_t pass = now - g.last_mark, us = pass / CYCLES_PER_US;
            g_hist[us < HIST_US ? us : HIST_US - 1]++;
            g.passes++;
            if (pass > g.max_pass) {
                g.max_pass = pass;
                g.max_pass_at = now;
            }
        }
        g.armed = 1;
        g.last_mark = now;
    }
    if (!g.armed) return; /* boot runs with interrupts off: only the running loop's windows count */
    if (!avr->sreg[S_I]) {
        if (!g.off) {
            g.off = 1;
            g.off_since = now;
            g.off_pc = avr->pc;
        }
    } else if (g.off) {
        uint64_t len = now - g.off_since;
        g.off = 0;
        if (len >= OFF_LONG_US * CYCLES_PER_US) g.off_long++;
        if (len > g.off_max) {
            g.off_max = len;
            g.off_max_at = g.off_since;
            g.off_max_pc = g.off_pc;
        }
    }
}

/* The pass length (us) below which a fraction q of the passes fall. */
static uint64_t quantile(double q)
{
    uint64_t want = (uint64_t)(q * (double)g.passes), seen = 0;
    for (uint32_t us = 0; us < HIST_US; us++) {
        seen += g_hist[us];
        if (seen > want) return us;
    }
    return HIST_US;
}

void timing_avr_report(avr_t *avr, void (*say)(const char *fmt, ...))
{
    uint8_t wdt = avr->data[WDTCSR_ADDR];
    unsigned wdp = (wdt & 7u) | ((wdt >> 2) & 8u);
    unsigned wdt_ms = wdt & 0x48u ? 16u << wdp : 0; /* WDE or WDIE: 2K cycles of 128 kHz, times 2^WDP */
    say("timing mark=%s from_ms=%" PRIu64 " passes=%" PRIu64 " pass_max_us=%" PRIu64 " pass_max_at_ms=%" PRIu64 " pass_p50_us=%" PRIu64
        " pass_p99_us=%" PRIu64 " pass_p999_us=%" PRIu64 " irq_off_max_us=%" PRIu64 " irq_off_at_ms=%" PRIu64
        " irq_off_pc=0x%04" PRIx32 " irq_off_over_1ms=%" PRIu64 " resets=%" PRIu64 " wdt_ms=%u",
        g_mark_name, g_from / (CYCLES_PER_US * 1000u), g.passes, g.max_pass / CYCLES_PER_US, g.max_pass_at / (CYCLES_PER_US * 1000u),
        quantile(0.5), quantile(0.99), quantile(0.999), g.off_max / CYCLES_PER_US,
        g.off_max_at / (CYCLES_PER_US * 1000u), g.off_max_pc, g.off_long, g.resets, wdt_ms);
    /* the histogram in powers of two: `<=N:count` for passes of at most N us */
    char line[1024];
    int n = snprintf(line, sizeof line, "timing_hist pass_us");
    uint64_t bucket = 0;
    for (uint32_t us = 0, top = 16; us < HIST_US && n < (int)sizeof line - 32; us++) {
        bucket += g_hist[us];
        if (us + 1 == top || us + 1 == HIST_US) {
            if (bucket) n += snprintf(line + n, sizeof line - (size_t)n, " <=%" PRIu32 ":%" PRIu64, top, bucket);
            bucket = 0;
            top *= 2;
        }
    }
    say("%s", line);
    free(g_hist);
    g_hist = NULL;
}
