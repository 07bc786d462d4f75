/* Config image validation, in exactly the order of docs/config-image.md "Validation" (and of
 * host/tendril/image/validate.py): the first failure wins. */
#include <string.h>

#include "dur16.h"
#include "image_layout.h"

#define MAX_SAMPLE_MS 60000UL
#define MIN_INTERVAL_MS 1000L
#define PIN_BITMAP_BYTES ((TD_LIMIT_PINS + 7) / 8)
#define KNOWN_ACTUATOR_FLAGS (TD_ACTUATOR_FLAG_PWM | TD_ACTUATOR_FLAG_ACTIVE_LOW)
#define KNOWN_RULE_FLAGS (TD_RULE_FLAG_ABOVE | TD_RULE_FLAG_INTERLOCK_ABOVE)
#define KNOWN_OPERANDS                                                                                  \
    (TD_OPERAND_THRESHOLD | TD_OPERAND_HYSTERESIS | TD_OPERAND_HOLD | TD_OPERAND_DURATION |             \
     TD_OPERAND_PERIOD | TD_OPERAND_INTERLOCK)

typedef struct {
    const td_src_t *src;
    const td_board_t *board;
    image_counts_t n;
    uint8_t used[PIN_BITMAP_BYTES]; /* pins taken by channels and actuators so far */
} vctx_t;

/* Marks `pin` used; false if it already was. A pin beyond the bitmap (impossible for a pin the
 * board's table accepted) counts as used, so the image is refused rather than misjudged. */
static TD_NOINLINE bool pin_take(vctx_t *v, uint8_t pin)
{
    uint8_t bit = (uint8_t)(1u << (pin & 7u));
    if (pin >= TD_LIMIT_PINS || (v->used[pin >> 3] & bit) != 0) {
        return false;
    }
    v->used[pin >> 3] = (uint8_t)(v->used[pin >> 3] | bit);
    return true;
}

static bool in_range(int32_t value, int32_t lo, int32_t hi)
{
    return lo <= value && value <= hi;
}

#define FAIL(code, i)                                                                                   \
    do {                                                                                                \
        *index = (uint8_t)(i);                                                                          \
        return (code);                                                                                  \
    } while (0)

/* Checks 1..11 of config-image.md. Failures about the header itself leave *index at the 0
 * image_validate() set. */
static td_image_error_t check_header(vctx_t *v, uint8_t *index)
{
    const td_src_t *s = v->src;
    const td_board_t *b = v->board;
    uint8_t i;
    uint8_t nul;
    uint16_t tele;
    uint32_t tele_ms;
    if (s->len < TD_IMAGE_HEADER_SIZE) return TD_IMG_ERR_TRUNCATED;
    if (image_rd_u8(s, H_MAGIC) != TD_IMAGE_MAGIC_0 || image_rd_u8(s, H_MAGIC + 1) != TD_IMAGE_MAGIC_1) {
        return TD_IMG_ERR_BAD_MAGIC;
    }
    if (image_rd_u8(s, H_FORMAT) != TD_IMAGE_FORMAT) return TD_IMG_ERR_BAD_FORMAT;
    if (image_rd_u16(s, H_LENGTH) != s->len) return TD_IMG_ERR_BAD_LENGTH;
    if (s->len > b->max_image) return TD_IMG_ERR_TOO_LARGE;
    if (image_crc(s) != image_rd_u32(s, H_CRC)) return TD_IMG_ERR_BAD_CRC;
    if (image_rd_u8(s, H_BOARD) != b->board_class) return TD_IMG_ERR_BAD_BOARD;
    if (v->n.nc > b->max_channels) return TD_IMG_ERR_TOO_MANY;
    if (v->n.na > b->max_actuators) FAIL(TD_IMG_ERR_TOO_MANY, 1);
    if (v->n.nr > b->max_rules) FAIL(TD_IMG_ERR_TOO_MANY, 2);
    if (v->n.np > b->max_params) FAIL(TD_IMG_ERR_TOO_MANY, 3);
    if (image_size(&v->n) != s->len) return TD_IMG_ERR_BAD_LENGTH;
    /* Printable ASCII, then only NULs: a byte that is not NUL must be printable and follow no NUL. */
    nul = 0;
    for (i = 0; i < TD_IMAGE_NAME_SIZE; i++) {
        uint8_t c = image_rd_u8(s, (uint16_t)(H_NAME + i));
        if (c == 0) {
            nul = 1;
        } else if (nul || c < 0x20 || c > 0x7E) {
            return TD_IMG_ERR_BAD_NAME;
        }
    }
    tele = image_rd_u16(s, H_TELEMETRY);
    if (!dur16_valid(tele)) return TD_IMG_ERR_BAD_DURATION;
    tele_ms = dur16_ms(tele);
    if (tele_ms != 0 && tele_ms < b->min_telemetry_ms) return TD_IMG_ERR_BAD_TELEMETRY;
    return IMAGE_OK;
}

static td_image_error_t check_params(const vctx_t *v, uint8_t *index)
{
    uint16_t off = image_params_at(&v->n);
    uint8_t i;
    for (i = 0; i < v->n.np; i++, off += TD_PARAM_SIZE) {
        int32_t def = image_rd_i32(v->src, off + P_DEFAULT);
        int32_t lo = image_rd_i32(v->src, off + P_MIN);
        int32_t hi = image_rd_i32(v->src, off + P_MAX);
        if (!(in_range(lo, -TD_VALUE_LIMIT, TD_VALUE_LIMIT) && lo <= def && def <= hi && hi <= TD_VALUE_LIMIT)) {
            FAIL(TD_IMG_ERR_BAD_PARAM, i);
        }
    }
    return IMAGE_OK;
}

static td_image_error_t check_channels(vctx_t *v, uint8_t *index)
{
    uint16_t off = image_channels_at(&v->n);
    uint8_t i;
    for (i = 0; i < v->n.nc; i++, off += TD_CHANNEL_SIZE) {
        uint8_t pin = image_rd_u8(v->src, off + C_PIN);
        uint8_t mode = image_rd_u8(v->src, off + C_MODE);
        uint16_t period = image_rd_u16(v->src, off + C_PERIOD);
        int32_t offset = image_rd_i32(v->src, off + C_OFFSET);
        uint8_t kind = mode & TD_CHANNEL_KIND_MASK;
        uint8_t caps = board_pin_caps(v->board, pin);
        uint8_t need = (kind == TD_CHANNEL_KIND_ANALOG) ? TD_PIN_CAP_ANALOG_IN : TD_PIN_CAP_DIGITAL_IN;
        uint32_t period_ms;
        if ((caps & TD_PIN_CAP_RESERVED) || !(caps & need)) FAIL(TD_IMG_ERR_BAD_PIN, i);
        if (kind == 3 || (mode & 0x0C) || (mode >> TD_SMOOTHING_SHIFT) > TD_MAX_SMOOTHING) {
            FAIL(TD_IMG_ERR_BAD_CHANNEL, i);
        }
        if (!dur16_valid(period)) FAIL(TD_IMG_ERR_BAD_DURATION, i);
        period_ms = dur16_ms(period);
        if (period_ms < v->board->min_sample_ms || period_ms > MAX_SAMPLE_MS) FAIL(TD_IMG_ERR_BAD_CHANNEL, i);
        if (!in_range(offset, -TD_VALUE_LIMIT, TD_VALUE_LIMIT)) FAIL(TD_IMG_ERR_BAD_CHANNEL, i);
        if (!pin_take(v, pin)) FAIL(TD_IMG_ERR_PIN_CONFLICT, i);
    }
    return IMAGE_OK;
}

static td_image_error_t check_actuators(vctx_t *v, uint8_t *index)
{
    uint16_t off = image_actuators_at(&v->n);
    uint8_t i;
    for (i = 0; i < v->n.na; i++, off += TD_ACTUATOR_SIZE) {
        uint8_t rec[TD_ACTUATOR_SIZE];
        uint8_t pin, flags, caps;
        uint16_t max_on, min_off, cap;
        image_rd_bytes(v->src, off, rec, TD_ACTUATOR_SIZE);
        pin = rec[A_PIN];
        flags = rec[A_FLAGS];
        max_on = le_get_u16(&rec[A_MAX_ON]);
        min_off = le_get_u16(&rec[A_MIN_OFF]);
        cap = le_get_u16(&rec[A_DAILY_CAP]);
        caps = board_pin_caps(v->board, pin);
        if ((caps & (TD_PIN_CAP_RESERVED | TD_PIN_CAP_NO_ACTUATOR)) || !(caps & TD_PIN_CAP_DIGITAL_OUT) ||
            ((flags & TD_ACTUATOR_FLAG_PWM) && !(caps & TD_PIN_CAP_PWM))) {
            FAIL(TD_IMG_ERR_BAD_PIN, i);
        }
        if (flags & ~KNOWN_ACTUATOR_FLAGS) FAIL(TD_IMG_ERR_BAD_ACTUATOR, i);
        if (!pin_take(v, pin)) FAIL(TD_IMG_ERR_PIN_CONFLICT, i);
        if (!dur16_valid(max_on) || !dur16_valid(min_off) || !dur16_valid(cap)) FAIL(TD_IMG_ERR_BAD_DURATION, i);
        if (dur16_ms(max_on) == 0 || dur16_ms(cap) == 0 || dur16_ms(min_off) > (uint32_t)TD_DAY_MS) {
            FAIL(TD_IMG_ERR_BAD_ACTUATOR, i);
        }
        if (dur16_ms(max_on) > v->board->ceiling_max_on_ms || dur16_ms(cap) > v->board->ceiling_daily_cap_ms) {
            FAIL(TD_IMG_ERR_ABOVE_CEILING, i);
        }
    }
    return IMAGE_OK;
}

/* A rule's six operand-capable fields, in the order validate.py checks them: three i32 values,
 * then three dur16 codes. */
#define RULE_FIELDS 6
#define FIRST_DUR 3
static const uint8_t field_bit[RULE_FIELDS] TD_ROM = {
    TD_OPERAND_THRESHOLD, TD_OPERAND_INTERLOCK, TD_OPERAND_HYSTERESIS,
    TD_OPERAND_HOLD,      TD_OPERAND_DURATION,  TD_OPERAND_PERIOD,
};
static const uint8_t field_off[RULE_FIELDS] TD_ROM = {
    R_THRESHOLD, R_IL_THRESHOLD, R_HYSTERESIS, R_HOLD, R_DURATION, R_PERIOD,
};

/* The range field `w`'s value (a literal, or any value of a parameter standing in) must lie in. */
static int32_t field_lo(uint8_t w, bool pulse, bool interval)
{
    if (w < 2) return -TD_VALUE_LIMIT; /* threshold, interlock threshold */
    if (w == 4 && pulse) return 1;
    if (w == 5 && interval) return MIN_INTERVAL_MS;
    return 0;
}

/* The checks of a rule's operand fields run as four passes over the six fields, each pass in
 * field order (the order validate.py reports the first failure in). */
enum { PASS_REF, PASS_DUR, PASS_LITERAL, PASS_PARAM, PASSES };

static td_image_error_t check_rule(const vctx_t *v, uint16_t off)
{
    const td_src_t *s = v->src;
    uint8_t rec[R_THRESHOLD]; /* the byte fields, read in one go: one call, not one per field */
    uint8_t kind, action, chan, il, ops;
    bool threshold, interval, pulse;
    int32_t raw[RULE_FIELDS]; /* each field as stored: a literal, a dur16 code or a parameter index */
    uint8_t pass, w;
    image_rd_bytes(s, off, rec, sizeof rec);
    kind = rec[R_KIND];
    action = rec[R_ACTION];
    chan = rec[R_CHANNEL];
    il = rec[R_INTERLOCK];
    ops = rec[R_OPERANDS];
    threshold = kind == TD_RULE_KIND_THRESHOLD;
    interval = kind == TD_RULE_KIND_INTERVAL;
    pulse = action == TD_RULE_ACTION_PULSE;
    if ((!threshold && !interval) || (action != TD_RULE_ACTION_PULSE && action != TD_RULE_ACTION_FOLLOW) ||
        (interval && action == TD_RULE_ACTION_FOLLOW) || rec[R_LEVEL] == 0 ||
        (rec[R_FLAGS] & ~KNOWN_RULE_FLAGS) || (ops & ~KNOWN_OPERANDS)) {
        return TD_IMG_ERR_BAD_RULE;
    }
    if (rec[R_ACTUATOR] >= v->n.na || (threshold && chan >= v->n.nc) ||
        (interval && chan != TD_NO_INDEX) || (il != TD_NO_INDEX && il >= v->n.nc)) {
        return TD_IMG_ERR_BAD_REF;
    }
    for (w = 0; w < RULE_FIELDS; w++) {
        uint16_t at = (uint16_t)(off + TD_ROM_U8(&field_off[w]));
        raw[w] = (w < FIRST_DUR) ? image_rd_i32(s, at) : (int32_t)image_rd_u16(s, at);
    }
    for (pass = 0; pass < PASSES; pass++) {
        for (w = 0; w < RULE_FIELDS; w++) {
            bool is_dur = w >= FIRST_DUR;
            bool param = (ops & TD_ROM_U8(&field_bit[w])) != 0;
            int32_t lo = field_lo(w, pulse, interval);
            int32_t hi = is_dur ? (int32_t)TD_DUR_MAX_MS : (int32_t)TD_VALUE_LIMIT;
            int32_t x = raw[w];
            if (pass == PASS_REF) {
                /* An operand field holds a parameter index: no bytes above the lowest, and in range. */
                if (param && !(x >= 0 && x < (int32_t)v->n.np)) return TD_IMG_ERR_BAD_REF;
            } else if (param) {
                if (pass == PASS_PARAM) {
                    /* A parameter standing in for a field must keep it in range whatever it is set to. */
                    uint16_t p = (uint16_t)(image_params_at(&v->n) + (uint16_t)TD_PARAM_SIZE * (uint16_t)x);
                    if (image_rd_i32(s, p + P_MIN) < lo || image_rd_i32(s, p + P_MAX) > hi) {
                        return TD_IMG_ERR_BAD_PARAM;
                    }
                }
            } else if (pass == PASS_DUR) {
                if (is_dur && !dur16_valid((uint16_t)x)) return TD_IMG_ERR_BAD_DURATION;
            } else if (pass == PASS_LITERAL) {
                if (is_dur) x = (int32_t)dur16_ms((uint16_t)x);
                if (!in_range(x, lo, hi)) return TD_IMG_ERR_BAD_RULE;
            }
        }
    }
    return IMAGE_OK;
}

td_image_error_t image_validate(const td_src_t *src, const td_board_t *board, uint8_t *index)
{
    vctx_t v;
    td_image_error_t err;
    uint16_t off;
    uint8_t i;
    *index = 0;
    if (src == NULL || board == NULL || (src->read == NULL && src->len > 0)) {
        return TD_IMG_ERR_TRUNCATED;
    }
    memset(&v, 0, sizeof v);
    v.src = src;
    v.board = board;
    image_counts(src, &v.n);
    if ((err = check_header(&v, index)) != IMAGE_OK) return err;
    if ((err = check_params(&v, index)) != IMAGE_OK) return err;
    if ((err = check_channels(&v, index)) != IMAGE_OK) return err;
    if ((err = check_actuators(&v, index)) != IMAGE_OK) return err;
    off = image_rules_at(&v.n);
    for (i = 0; i < v.n.nr; i++, off += TD_RULE_SIZE) {
        if ((err = check_rule(&v, off)) != IMAGE_OK) FAIL(err, i);
    }
    return IMAGE_OK;
}

