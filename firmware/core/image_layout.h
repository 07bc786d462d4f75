/* Internal to image.c and image_validate.c: the image's field offsets and bounds-checked reads
 * through a td_src_t. */
#ifndef TD_IMAGE_LAYOUT_H
#define TD_IMAGE_LAYOUT_H

#include "image.h"
#include "le.h"

/* Field offsets. */
enum {
    H_MAGIC = 0, H_CRC = 2, H_LENGTH = 6, H_FORMAT = 8, H_BOARD = 9, H_GENERATION = 10, H_HASH = 14,
    H_NAME = 22, H_NC = 34, H_NA = 35, H_NR = 36, H_NP = 37, H_TELEMETRY = 38, H_END = 40
};
enum { P_DEFAULT = 0, P_MIN = 4, P_MAX = 8, P_END = 12 };
enum { C_PIN = 0, C_MODE = 1, C_UNIT = 2, C_PERIOD = 3, C_GAIN = 5, C_OFFSET = 9, C_END = 13 };
enum { A_PIN = 0, A_FLAGS = 1, A_MAX_ON = 2, A_MIN_OFF = 4, A_DAILY_CAP = 6, A_END = 8 };
enum {
    R_KIND = 0, R_ACTUATOR = 1, R_ACTION = 2, R_LEVEL = 3, R_CHANNEL = 4, R_FLAGS = 5, R_INTERLOCK = 6,
    R_OPERANDS = 7, R_THRESHOLD = 8, R_HYSTERESIS = 12, R_HOLD = 16, R_DURATION = 18, R_PERIOD = 20,
    R_IL_THRESHOLD = 22, R_END = 26
};
TD_STATIC_ASSERT(H_END == TD_IMAGE_HEADER_SIZE && H_TELEMETRY - H_NAME - 4 == TD_IMAGE_NAME_SIZE, header);
TD_STATIC_ASSERT(H_NAME - H_HASH == TD_RECIPE_HASH_SIZE && TD_IMAGE_MAGIC_SIZE == 2, header_fields);
TD_STATIC_ASSERT(P_END == TD_PARAM_SIZE && C_END == TD_CHANNEL_SIZE, param_channel);
TD_STATIC_ASSERT(A_END == TD_ACTUATOR_SIZE && R_END == TD_RULE_SIZE, actuator_rule);

/* The largest image 8-bit counts can describe, plus one record of slack: every offset and end of
 * a record fits a uint16_t, so offset arithmetic never wraps. */
TD_STATIC_ASSERT(TD_IMAGE_HEADER_SIZE + 255L * (TD_PARAM_SIZE + TD_CHANNEL_SIZE + TD_ACTUATOR_SIZE + TD_RULE_SIZE) +
                         TD_RULE_SIZE <= 0xFFFFL,
                 offsets_fit_u16);

/* Section layout from the header counts. */
typedef struct {
    uint8_t nc, na, nr, np;
} image_counts_t;

/* Reads through the source, defined once in image.c (out of line: on AVR every inlined copy of a
 * bounds check and an indirect call costs flash). A read at or past the end gives 0. */
uint8_t image_rd_u8(const td_src_t *s, uint16_t off);
void image_rd_bytes(const td_src_t *s, uint16_t off, uint8_t *out, uint8_t n);
uint16_t image_rd_u16(const td_src_t *s, uint16_t off);
uint32_t image_rd_u32(const td_src_t *s, uint16_t off);
int32_t image_rd_i32(const td_src_t *s, uint16_t off);
void image_counts(const td_src_t *s, image_counts_t *n);
/* CRC-32 of bytes [H_LENGTH, s->len): what the header's crc32 field covers. */
uint32_t image_crc(const td_src_t *s);

static inline uint16_t image_params_at(const image_counts_t *n)
{
    (void)n;
    return TD_IMAGE_HEADER_SIZE;
}

static inline uint16_t image_channels_at(const image_counts_t *n)
{
    return (uint16_t)(image_params_at(n) + (uint16_t)TD_PARAM_SIZE * n->np);
}

static inline uint16_t image_actuators_at(const image_counts_t *n)
{
    return (uint16_t)(image_channels_at(n) + (uint16_t)TD_CHANNEL_SIZE * n->nc);
}

static inline uint16_t image_rules_at(const image_counts_t *n)
{
    return (uint16_t)(image_actuators_at(n) + (uint16_t)TD_ACTUATOR_SIZE * n->na);
}

static inline uint16_t image_size(const image_counts_t *n)
{
    return (uint16_t)(image_rules_at(n) + (uint16_t)TD_RULE_SIZE * n->nr);
}

#endif /* TD_IMAGE_LAYOUT_H */
