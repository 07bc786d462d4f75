/* Internal to the core: the config image's sections and bounds-checked reads through a td_src_t
 * (the field offsets themselves are generated, in tendril_records.h). */
#ifndef TD_IMAGE_LAYOUT_H
#define TD_IMAGE_LAYOUT_H

#include "image.h"
#include "le.h"
#include "tendril_records.h"

/* Field offsets and record sizes: tendril_records.h, generated from host/tendril/contract/records.py. */
TD_STATIC_ASSERT(TD_IMAGE_MAGIC_SIZE == 2, magic_is_two_bytes);

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
/* CRC-32 of bytes [TD_IMAGE_HEADER_LENGTH, s->len): what the header's crc32 field covers. */
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

/* The sensors: the whole SENSOR records that fill the image after the rules (0 when the rest
 * is not a whole number of them, which validation refuses). */
static inline uint8_t image_n_sensors(const td_src_t *s, const image_counts_t *n)
{
    uint16_t at = image_size(n);
    return (uint8_t)((at <= s->len && (uint16_t)(s->len - at) % TD_SENSOR_SIZE == 0) ? (s->len - at) / TD_SENSOR_SIZE : 0);
}

#endif /* TD_IMAGE_LAYOUT_H */
