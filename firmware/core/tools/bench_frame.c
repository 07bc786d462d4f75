/* Decoder throughput: N TELEMETRY frames of 6 channels are encoded once into a buffer, then fed to
 * the byte-at-a-time decoder; the best of a few passes is reported as JSON lines on stdout. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frame.h"
#include "msg.h"

#define FRAMES 100000L
#define CHANNELS 6
#define PASSES 5

static uint8_t stream[FRAMES * TD_FRAME_WIRE_MAX];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    size_t len = 0;
    long i;
    int pass;
    double best = 1e30;
    for (i = 0; i < FRAMES; i++) {
        int32_t values[CHANNELS];
        uint8_t payload[TD_MAX_PAYLOAD];
        uint8_t plen = 0;
        uint8_t wlen = 0;
        int c;
        for (c = 0; c < CHANNELS; c++) {
            values[c] = (int32_t)((i * 7919L + c * 104729L) % 2000001L) - 1000000;
        }
        if (msg_encode_telemetry((uint32_t)i * 2u, 0, 0, values, CHANNELS, payload, sizeof payload, &plen) != MSG_OK ||
            !frame_encode(TD_PROTOCOL_VERSION, TD_MSG_TELEMETRY, (uint16_t)i, payload, plen, &stream[len],
                          TD_FRAME_WIRE_MAX, &wlen)) {
            fprintf(stderr, "bench_frame: encoding failed\n");
            return 1;
        }
        len += wlen;
    }
    for (pass = 0; pass < PASSES; pass++) {
        td_frame_dec_t dec;
        long frames = 0;
        size_t k;
        double t0;
        double dt;
        frame_dec_init(&dec);
        t0 = now_s();
        for (k = 0; k < len; k++) {
            if (frame_feed(&dec, stream[k]) == FRAME_OK) {
                frames++;
            }
        }
        dt = now_s() - t0;
        if (frames != FRAMES) {
            fprintf(stderr, "bench_frame: decoded %ld of %ld frames\n", frames, FRAMES);
            return 1;
        }
        if (dt < best) {
            best = dt;
        }
    }
    printf("{\"name\": \"c_decode_telemetry\", \"value\": %.0f, \"unit\": \"frames/s\", "
           "\"notes\": \"firmware/core frame_feed byte at a time, %ld TELEMETRY frames of %d channels "
           "(%zu wire bytes each), gcc -O2, best of %d passes\"}\n",
           (double)FRAMES / best, FRAMES, CHANNELS, len / (size_t)FRAMES, PASSES);
    printf("{\"name\": \"c_decode_telemetry_bytes\", \"value\": %.1f, \"unit\": \"MB/s\", "
           "\"notes\": \"same run: wire bytes through frame_feed per second (COBS + CRC-16 + checks)\"}\n",
           (double)len / best / 1e6);
    return 0;
}
