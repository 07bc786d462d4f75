/* libFuzzer target for image_validate() and the record accessors, with the real buffer size (the
 * largest max_image of any board).
 *
 * The input is an image whose length field and CRC-32 the harness fixes up, so mutations get past
 * those checks into the records. It is validated against every board through a source that
 * aborts on any read past its end; when valid, every record is read back and checked against the
 * limits validation promised. */
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "calib.h"
#include "crc.h"
#include "image.h"
#include "le.h"
#include "tendril_kinds.h"
#include "tendril_records.h"

#define CHECK(cond)                                                                                     \
    do {                                                                                                \
        if (!(cond)) {                                                                                  \
            abort();                                                                                    \
        }                                                                                               \
    } while (0)

typedef struct {
    const uint8_t *buf;
    uint16_t len;
} strict_ctx_t;

static uint8_t strict_read(const void *ctx, uint16_t offset)
{
    const strict_ctx_t *c = (const strict_ctx_t *)ctx;
    CHECK(offset < c->len);
    return c->buf[offset];
}

static void check_records(const td_src_t *src, const td_board_t *board)
{
    td_img_header_t h;
    td_param_t p;
    td_channel_t c;
    td_actuator_t a;
    td_rule_t r;
    uint8_t i, j;
    CHECK(image_header(src, &h));
    CHECK(h.length == src->len && h.board_class == board->board_class);
    CHECK(h.n_channels <= board->max_channels && h.n_actuators <= board->max_actuators);
    CHECK(h.n_rules <= board->max_rules && h.n_params <= board->max_params);
    for (i = 0; i < h.n_params; i++) {
        CHECK(image_param(src, i, &p) && p.min <= p.default_value && p.default_value <= p.max);
    }
    CHECK(!image_param(src, h.n_params, &p));
    for (i = 0; i < h.n_channels; i++) {
        int32_t lo, hi;
        CHECK(image_channel(src, i, &c));
        if (c.kind == TD_CHANNEL_FROM_SENSOR) { /* a sensor's channel: its pin byte is a sensor index */
            CHECK(c.pin < h.n_sensors && c.quantity < TD_SENSOR_MAX_QUANTITIES);
        } else {
            CHECK(c.pin < board->n_pins && c.kind < TD_CHANNEL_KIND_COUNT && c.quantity == 0);
        }
        CHECK(c.smoothing <= TD_MAX_SMOOTHING);
        CHECK(c.period_ms >= board->min_sample_ms && c.period_ms <= 60000UL);
        lo = calib_apply(-65536, c.gain, c.offset);
        hi = calib_apply(65535, c.gain, c.offset);
        CHECK(lo >= -TD_VALUE_LIMIT && lo <= TD_VALUE_LIMIT && hi >= -TD_VALUE_LIMIT && hi <= TD_VALUE_LIMIT);
    }
    CHECK(!image_channel(src, h.n_channels, &c));
    for (i = 0; i < h.n_actuators; i++) {
        CHECK(image_actuator(src, i, &a));
        /* a servo's max_on or daily_cap may be 0: no time limit (config-image.md check 14) */
        CHECK((a.max_on_ms >= 1 || (a.flags & TD_ACTUATOR_FLAG_SERVO)) && a.max_on_ms <= board->ceiling_max_on_ms);
        CHECK((a.daily_cap_ms >= 1 || (a.flags & TD_ACTUATOR_FLAG_SERVO)) &&
              a.daily_cap_ms <= board->ceiling_daily_cap_ms && a.min_off_ms <= TD_DAY_MS);
        CHECK((board_pin_caps(board, a.pin) & TD_PIN_CAP_DIGITAL_OUT) != 0);
    }
    CHECK(!image_actuator(src, h.n_actuators, &a));
    for (i = 0; i < h.n_rules; i++) {
        CHECK(image_rule(src, i, &r));
        CHECK(r.actuator < h.n_actuators);
        /* a guard drives nothing and has no interlock; every other rule has a level */
        CHECK(r.kind == TD_RULE_KIND_GUARD ? r.level == 0 && r.action == 0 && r.interlock == TD_NO_INDEX : r.level != 0);
        CHECK(r.kind == TD_RULE_KIND_INTERVAL ? r.channel == TD_NO_INDEX : r.channel < h.n_channels);
        CHECK(r.interlock == TD_NO_INDEX || r.interlock < h.n_channels);
        if (r.operands & TD_OPERAND_PERIOD) {
            CHECK(r.period < h.n_params);
        } else if (r.kind == TD_RULE_KIND_INTERVAL) {
            CHECK(r.period >= 1000);
        }
    }
    CHECK(!image_rule(src, h.n_rules, &r));
    for (i = 0; i < h.n_sensors; i++) {
        td_sensor_t sn;
        CHECK(image_sensor(src, i, &sn));
        CHECK(sn.kind < TD_SENSOR_KIND_COUNT && td_sensor_kinds[sn.kind].pins != 0 && sn.pin < board->n_pins);
        CHECK(td_sensor_kinds[sn.kind].pins == 1 ? sn.pin2 == TD_NO_INDEX
                                                 : sn.pin2 < board->n_pins && sn.pin2 != sn.pin);
        CHECK(sn.period_ms >= td_sensor_kinds[sn.kind].min_period_ms && sn.period_ms <= 60000UL);
        for (j = 0; j < 3; j++) { /* each option inside its kind's range */
            CHECK(sn.options[j] >= td_sensor_kinds[sn.kind].opt_lo[j] && sn.options[j] <= td_sensor_kinds[sn.kind].opt_hi[j]);
        }
        CHECK(crc8_maxim(sn.rom, 8) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t image[TD_LIMIT_IMAGE];
    strict_ctx_t ctx;
    td_src_t src;
    uint16_t len = (uint16_t)(size > sizeof image ? sizeof image : size);
    size_t b;

    memcpy(image, data, len);
    if (len >= TD_IMAGE_HEADER_SIZE) {
        le_put_u16(&image[TD_IMAGE_HEADER_LENGTH], len);
        le_put_u32(&image[TD_IMAGE_HEADER_CRC32],
                   crc32(&image[TD_IMAGE_HEADER_LENGTH], (size_t)len - TD_IMAGE_HEADER_LENGTH));
    }
    ctx.buf = image;
    ctx.len = len;
    src.read = strict_read;
    src.ctx = &ctx;
    src.len = len;
    for (b = 0; b < TD_BOARD_COUNT; b++) {
        const td_board_t *board = td_boards[b].board;
        uint8_t index = 0;
        td_image_error_t err = image_validate(&src, board, &index);
        CHECK(err <= TD_IMG_ERR_BAD_SENSOR); /* the last ImageError */
        if (len >= TD_IMAGE_HEADER_SIZE && len <= board->max_image && image[TD_IMAGE_HEADER_MAGIC] == TD_IMAGE_MAGIC_0 &&
            image[TD_IMAGE_HEADER_MAGIC + 1] == TD_IMAGE_MAGIC_1 && image[TD_IMAGE_HEADER_FORMAT] == TD_IMAGE_FORMAT) {
            CHECK(err != TD_IMG_ERR_BAD_LENGTH || index == 0);
            CHECK(err != TD_IMG_ERR_BAD_CRC && err != TD_IMG_ERR_TRUNCATED && err != TD_IMG_ERR_TOO_LARGE);
        }
        if (err == IMAGE_OK) {
            check_records(&src, board);
        }
    }
    return 0;
}
