/* Config image validation, with the results of docs/config-image.md "Validation" (and of
 * host/tendril/image/validate.py): the first failing check, in that order, wins.
 *
 * Written for size (the Uno has 8 KB of flash): each record is read once into a buffer, and
 * every 32-bit range check goes through one function, within(), that takes its value and bounds
 * as one-byte specs (a record field, a constant, a board limit) instead of 32-bit arguments. */
#include <string.h>

#include "crc.h"
#include "dur16.h"
#include "image_layout.h"
#include "sensor.h"

#define PIN_BITMAP_BYTES ((TD_LIMIT_PINS + 7) / 8)
#define KNOWN_ACTUATOR_FLAGS (TD_ACTUATOR_FLAG_PWM | TD_ACTUATOR_FLAG_ACTIVE_LOW | TD_ACTUATOR_FLAG_SERVO)
#define KNOWN_RULE_FLAGS (TD_RULE_FLAG_ABOVE | TD_RULE_FLAG_INTERLOCK_ABOVE)
#define KNOWN_OPERANDS                                                                                  \
    (TD_OPERAND_THRESHOLD | TD_OPERAND_HYSTERESIS | TD_OPERAND_HOLD | TD_OPERAND_DURATION |             \
     TD_OPERAND_PERIOD | TD_OPERAND_INTERLOCK)

/* The sections, numbered like the header's counts (nc, na, nr, np); the image stores params
 * first. */
enum { SEC_CHANNELS, SEC_ACTUATORS, SEC_RULES, SEC_PARAMS, SECTIONS };
static const uint8_t rec_size[SECTIONS] TD_ROM = {
    TD_CHANNEL_SIZE, TD_ACTUATOR_SIZE, TD_RULE_SIZE, TD_PARAM_SIZE,
};
TD_STATIC_ASSERT(TD_IMAGE_HEADER_N_ACTUATORS == TD_IMAGE_HEADER_N_CHANNELS + 1 &&
                         TD_IMAGE_HEADER_N_RULES == TD_IMAGE_HEADER_N_CHANNELS + 2 &&
                         TD_IMAGE_HEADER_N_PARAMS == TD_IMAGE_HEADER_N_CHANNELS + 3,
                 count_order);
/* The board's limits sit in the same order, so check 8 is one loop. */
TD_STATIC_ASSERT(offsetof(td_board_t, max_actuators) == offsetof(td_board_t, max_channels) + 1 &&
                         offsetof(td_board_t, max_rules) == offsetof(td_board_t, max_channels) + 2 &&
                         offsetof(td_board_t, max_params) == offsetof(td_board_t, max_channels) + 3,
                 limit_order);

typedef struct {
    const td_src_t *src;
    const td_board_t *board;
    const uint8_t *rec;             /* the record V_I32/V_DUR/V_U16 read from */
    uint8_t param;                  /* the parameter V_PARAM reads from */
    uint8_t n[SECTIONS];            /* record counts */
    uint8_t ns;                     /* sensors: the records that fill the image after the rules */
    uint16_t sens_at;               /* where the sensors section starts */
    uint8_t used[PIN_BITMAP_BYTES]; /* pins taken by channels and actuators so far */
} vctx_t;

/* A value spec: the kind in the top three bits, its argument in the low five. */
#define V_I32(off) (0x00 | (off)) /* i32 field of the record */
#define V_DUR(off) (0x20 | (off)) /* dur16 field of the record in ms, -1 for the reserved unit */
#define V_U16(off) (0x40 | (off)) /* u16 field of the record as stored */
#define V_K(i) (0x60 | (i))       /* konst[i] */
#define V_B16(m) (0x80 | (uint8_t)offsetof(td_board_t, m)) /* a uint16_t board limit */
#define V_B32(m) (0xA0 | (uint8_t)offsetof(td_board_t, m)) /* a uint32_t board limit */
#define V_PARAM(off) (0xC0 | (off))                          /* i32 field of parameter `param` */
TD_STATIC_ASSERT(TD_RULE_SIZE <= 32 && offsetof(td_board_t, min_sample_ms) < 32 &&
                         offsetof(td_board_t, ceiling_max_on_ms) < 32 && offsetof(td_board_t, ceiling_daily_cap_ms) < 32,
                 spec_args_fit);

enum { K_NEG_LIMIT, K_0, K_1, K_MIN_INTERVAL, K_LIMIT, K_DUR_MAX, K_MAX_SAMPLE, K_DAY };
static const int32_t konst[] TD_ROM = {
    -TD_VALUE_LIMIT, 0, 1, TD_MIN_INTERVAL_MS, TD_VALUE_LIMIT, TD_DUR_MAX_MS, TD_MAX_SAMPLE_MS,
    TD_DAY_MS,
};

/* The dur16 at `p` in milliseconds, or -1 when it uses the reserved unit. */
static TD_NOINLINE int32_t dur_at(const uint8_t *p)
{
    uint16_t code = le_u16(p);
    /* unit 3 is the reserved one (dur16.h); tested here rather than by dur16_valid(), which the
     * firmware then leaves out */
    return (code >> 14) == 3u ? -1 : (int32_t)dur16_ms(code);
}

/* The value a spec names. */
static TD_NOINLINE int32_t val(const vctx_t *v, uint8_t spec)
{
    uint8_t a = spec & 0x1Fu;
    const uint8_t *p = v->rec + a;
    const uint8_t *b = (const uint8_t *)v->board + a;
    uint16_t u16;
    uint32_t u32;
    /* bit tests, not a switch: smaller on AVR */
    if (spec & 0x80u) {
        if (spec & 0x40u) {
            return image_rd_i32(v->src, (uint16_t)(TD_IMAGE_HEADER_SIZE + TD_PARAM_SIZE * v->param + a));
        }
        if (spec & 0x20u) {
            memcpy(&u32, b, sizeof u32);
            return (u32 & 0x80000000UL) ? INT32_MAX : (int32_t)u32; /* above every field anyway */
        }
        memcpy(&u16, b, sizeof u16);
        return u16;
    }
    if (spec & 0x40u) {
        return (spec & 0x20u) ? (int32_t)TD_ROM_U32(&konst[a]) : le_u16(p);
    }
    return (spec & 0x20u) ? dur_at(p) : le_i32(p);
}

/* lo <= x <= hi, each given by a spec. */
static TD_NOINLINE bool within(const vctx_t *v, uint8_t x_spec, uint8_t lo_spec, uint8_t hi_spec)
{
    int32_t x = val(v, x_spec);
    return val(v, lo_spec) <= x && x <= val(v, hi_spec);
}

/* A list of range checks in program memory: {error, x, lo, hi} each. */
typedef struct {
    uint8_t error, x, lo, hi;
} range_t;

/* The first range check of `n` at `r` that fails gives its error. */
static TD_NOINLINE td_image_error_t ranges(const vctx_t *v, const range_t *r, uint8_t n)
{
    for (; n; n--, r++) {
        if (!within(v, TD_ROM_U8(&r->x), TD_ROM_U8(&r->lo), TD_ROM_U8(&r->hi))) {
            return (td_image_error_t)TD_ROM_U8(&r->error);
        }
    }
    return IMAGE_OK;
}

/* Whether `pin` has every capability in `need` and none in `deny`. A pin the board does not
 * have has no capabilities. */
static TD_NOINLINE bool pin_ok(const vctx_t *v, uint8_t pin, uint8_t need, uint8_t deny)
{
    return (board_pin_caps(v->board, pin) & (uint8_t)(need | deny)) == need;
}

/* Whether a channel or an actuator took `pin` (a pin beyond the bitmap: no). */
static TD_NOINLINE bool pin_used(const vctx_t *v, uint8_t pin)
{
    return pin < TD_LIMIT_PINS && (v->used[pin >> 3] & (1u << (pin & 7u))) != 0;
}

/* Marks `pin` used; false if it already was. A pin beyond the bitmap (impossible for a pin the
 * board's table accepted) counts as used, so the image is refused rather than misjudged. */
static TD_NOINLINE bool pin_take(vctx_t *v, uint8_t pin)
{
    if (pin >= TD_LIMIT_PINS || pin_used(v, pin)) {
        return false;
    }
    v->used[pin >> 3] |= (uint8_t)(1u << (pin & 7u));
    return true;
}

/* Whether the n bytes at p are all 0 (a guard's unused fields, a ROM code left blank). */
static TD_NOINLINE bool all_zero(const uint8_t *p, uint8_t n)
{
    uint8_t any = 0;
    while (n--) any |= *p++;
    return any == 0;
}

/* Check 12: -1e9 <= min <= default <= max <= 1e9. */
static const range_t param_ranges[] TD_ROM = {
    {TD_IMG_ERR_BAD_PARAM, V_I32(TD_PARAM_MIN), V_K(K_NEG_LIMIT), V_I32(TD_PARAM_DEFAULT)},
    {TD_IMG_ERR_BAD_PARAM, V_I32(TD_PARAM_MAX), V_I32(TD_PARAM_DEFAULT), V_K(K_LIMIT)},
};

/* Check 13, after the pin and mode checks. */
static const range_t channel_ranges[] TD_ROM = {
    {TD_IMG_ERR_BAD_DURATION, V_DUR(TD_CHANNEL_PERIOD), V_K(K_0), V_K(K_DUR_MAX)},
    {TD_IMG_ERR_BAD_CHANNEL, V_DUR(TD_CHANNEL_PERIOD), V_B16(min_sample_ms), V_K(K_MAX_SAMPLE)},
    {TD_IMG_ERR_BAD_CHANNEL, V_I32(TD_CHANNEL_OFFSET), V_K(K_NEG_LIMIT), V_K(K_LIMIT)},
};

/* Check 14, after the pin and flag checks. */
static const range_t actuator_ranges[] TD_ROM = {
    {TD_IMG_ERR_BAD_DURATION, V_DUR(TD_ACTUATOR_MAX_ON), V_K(K_0), V_K(K_DUR_MAX)},
    {TD_IMG_ERR_BAD_DURATION, V_DUR(TD_ACTUATOR_MIN_OFF), V_K(K_0), V_K(K_DUR_MAX)},
    {TD_IMG_ERR_BAD_DURATION, V_DUR(TD_ACTUATOR_DAILY_CAP), V_K(K_0), V_K(K_DUR_MAX)},
    {TD_IMG_ERR_BAD_ACTUATOR, V_DUR(TD_ACTUATOR_MIN_OFF), V_K(K_0), V_K(K_DAY)},
    {TD_IMG_ERR_ABOVE_CEILING, V_DUR(TD_ACTUATOR_MAX_ON), V_K(K_0), V_B32(ceiling_max_on_ms)},
    {TD_IMG_ERR_ABOVE_CEILING, V_DUR(TD_ACTUATOR_DAILY_CAP), V_K(K_0), V_B32(ceiling_daily_cap_ms)},
    /* the last two: not for a servo, whose 0 means no time limit */
    {TD_IMG_ERR_BAD_ACTUATOR, V_DUR(TD_ACTUATOR_MAX_ON), V_K(K_1), V_K(K_DUR_MAX)},
    {TD_IMG_ERR_BAD_ACTUATOR, V_DUR(TD_ACTUATOR_DAILY_CAP), V_K(K_1), V_K(K_DUR_MAX)},
};

#define RANGES(v, list) ranges((v), (list), (uint8_t)(sizeof(list) / sizeof(list)[0]))

/* Sensor kind `kind`'s row, or NULL for a code the table lacks (past its end, or a gap row: no pins).
 * Out of line (two callers): 18 B less on the Uno. */
static TD_NOINLINE const td_sensor_kind_row_t *sensor_row(uint8_t kind)
{
    if (kind >= TD_SENSOR_KIND_COUNT || TD_ROM_U8(&td_sensor_kinds[kind].pins) == 0) return NULL;
    return &td_sensor_kinds[kind]; /* only now: a pointer past the table is undefined even unread */
}

static td_image_error_t check_channel(vctx_t *v, const uint8_t *r)
{
    uint8_t pin = r[TD_CHANNEL_PIN];
    uint8_t mode = r[TD_CHANNEL_MODE];
    uint8_t kind = mode & TD_CHANNEL_KIND_MASK;
    uint8_t extra = mode & 0x0C; /* a sensor channel's quantity; reserved for a pin's channel */
    bool from_sensor = kind == TD_CHANNEL_FROM_SENSOR;
    td_image_error_t err;
    if (from_sensor) {
        /* the pin byte is a sensor's index: no pin of its own to check or take */
        const td_sensor_kind_row_t *sk;
        if (pin >= v->ns) return TD_IMG_ERR_BAD_REF;
        sk = sensor_row(image_rd_u8(v->src, (uint16_t)(v->sens_at + TD_SENSOR_SIZE * pin + TD_SENSOR_KIND)));
        /* a sensor kind the table lacks is refused with its sensor (check 16) */
        if (sk && (extra >> TD_SENSOR_QUANTITY_SHIFT) >= TD_ROM_U8(&sk->quantities)) {
            return TD_IMG_ERR_BAD_CHANNEL;
        }
        extra = 0;
    } else if (!pin_ok(v, pin, sensor_pin_cap(kind), TD_PIN_CAP_RESERVED)) {
        return TD_IMG_ERR_BAD_PIN;
    }
    if ((kind >= TD_CHANNEL_KIND_COUNT && !from_sensor) || extra || (mode >> TD_SMOOTHING_SHIFT) > TD_MAX_SMOOTHING) {
        return TD_IMG_ERR_BAD_CHANNEL;
    }
    if ((err = RANGES(v, channel_ranges)) != IMAGE_OK) return err;
    return (from_sensor || pin_take(v, pin)) ? IMAGE_OK : TD_IMG_ERR_PIN_CONFLICT;
}

/* Sensor kind `kind` (validated) is on the board's I2C bus. */
static bool on_i2c(uint8_t kind)
{
    return TD_ROM_U8(&td_sensor_kinds[kind].bus) == TD_SENSOR_BUS_I2C;
}

#define I2C_SPEED (TD_SENSOR_OPTIONS + 1) /* an I2C sensor's option byte 1: 100 or 400 kHz */

/* Check 16's I2C part for sensor i at r: its pins the board's bus (TD_NO_INDEX without one: never a
 * pin), no earlier I2C sensor at its address (option byte 0) or at another bus speed (option 1). */
static td_image_error_t check_i2c(const vctx_t *v, const uint8_t *r, uint8_t i)
{
    uint8_t j;
    if (r[TD_SENSOR_PIN] != v->board->i2c_sda || r[TD_SENSOR_PIN2] != v->board->i2c_scl) return TD_IMG_ERR_BAD_PIN;
    for (j = 0; j < i; j++) {
        uint16_t at = (uint16_t)(v->sens_at + TD_SENSOR_SIZE * j);
        if (on_i2c(image_rd_u8(v->src, at + TD_SENSOR_KIND)) &&
            (image_rd_u8(v->src, at + TD_SENSOR_OPTIONS) == r[TD_SENSOR_OPTIONS] ||
             image_rd_u8(v->src, at + I2C_SPEED) != r[I2C_SPEED])) {
            return TD_IMG_ERR_BAD_SENSOR;
        }
    }
    return IMAGE_OK;
}

/* Check 16: sensor i, whose record is at r (the ones before it are read again from the image). */
static TD_NOINLINE td_image_error_t check_sensor(vctx_t *v, const uint8_t *r, uint8_t i)
{
    uint8_t other[TD_SENSOR_SIZE];
    uint8_t kind = r[TD_SENSOR_KIND];
    uint8_t pin = r[TD_SENSOR_PIN];
    uint8_t pin2 = r[TD_SENSOR_PIN2];
    const td_sensor_kind_row_t *row = sensor_row(kind);
    const uint8_t *rom = r + TD_SENSOR_ROM;
    uint8_t family, k, j;
    bool zero;
    int32_t ms;
    td_image_error_t err;
    if (!row) return TD_IMG_ERR_BAD_SENSOR;
    if (!pin_ok(v, pin, TD_ROM_U8(&row->pin_cap), TD_PIN_CAP_RESERVED)) return TD_IMG_ERR_BAD_PIN;
    /* a one-pin kind's pin2 is NO_INDEX; a two-pin kind's (an HC-SR04's echo) is a pin like the first */
    if (TD_ROM_U8(&row->pins) == 1) {
        if (pin2 != TD_NO_INDEX) return TD_IMG_ERR_BAD_SENSOR;
    } else if (!pin_ok(v, pin2, TD_ROM_U8(&row->pin_cap), TD_PIN_CAP_RESERVED)) {
        return TD_IMG_ERR_BAD_PIN;
    }
    for (k = 0; k < 3; k++) {
        uint8_t o = r[TD_SENSOR_OPTIONS + k];
        if (o < TD_ROM_U8(&row->opt_lo[k]) || o > TD_ROM_U8(&row->opt_hi[k])) return TD_IMG_ERR_BAD_SENSOR;
    }
    ms = dur_at(r + TD_SENSOR_PERIOD);
    if (ms < 0) return TD_IMG_ERR_BAD_DURATION;
    if (ms < (int32_t)TD_ROM_U16(&row->min_period_ms) || ms > TD_MAX_SAMPLE_MS) return TD_IMG_ERR_BAD_SENSOR;
    zero = all_zero(rom, 8);
    family = TD_ROM_U8(&row->family);
    if (!zero && (family == 0 || rom[0] != family || crc8_maxim(rom, 8) != 0)) return TD_IMG_ERR_BAD_SENSOR;
    if (on_i2c(kind) && (err = check_i2c(v, r, i)) != IMAGE_OK) return err;
    /* a channel's or actuator's pin; or an earlier sensor's, unless both are on one 1-Wire bus with
     * ROM codes of their own */
    if (pin_used(v, pin)) return TD_IMG_ERR_PIN_CONFLICT;
    if (pin2 != TD_NO_INDEX && (pin2 == pin || pin_used(v, pin2))) return TD_IMG_ERR_PIN_CONFLICT;
    for (j = 0; j < i; j++) {
        image_rd_bytes(v->src, (uint16_t)(v->sens_at + TD_SENSOR_SIZE * j), other, TD_SENSOR_SIZE);
        if (on_i2c(kind) && on_i2c(other[TD_SENSOR_KIND])) continue; /* both on the bus: they share it */
        /* a second pin is never shared */
        if (other[TD_SENSOR_PIN2] != TD_NO_INDEX && (other[TD_SENSOR_PIN2] == pin || other[TD_SENSOR_PIN2] == pin2)) {
            return TD_IMG_ERR_PIN_CONFLICT;
        }
        if (pin2 != TD_NO_INDEX && other[TD_SENSOR_PIN] == pin2) return TD_IMG_ERR_PIN_CONFLICT;
        if (other[TD_SENSOR_PIN] != pin) continue;
        if (other[TD_SENSOR_KIND] != kind || family == 0 || zero ||
            memcmp(other + TD_SENSOR_ROM, rom, 8) == 0 ||
            all_zero(other + TD_SENSOR_ROM, 8)) {
            return TD_IMG_ERR_PIN_CONFLICT;
        }
    }
    return IMAGE_OK;
}

/* A servo's limits and safe position: min <= safe <= max <= 180 degrees, min < max, neither PWM nor
 * active-low; any other actuator has all three at 0. */
static bool servo_ok(const uint8_t *r, uint8_t flags)
{
    uint8_t lo = r[TD_ACTUATOR_SERVO_MIN], hi = r[TD_ACTUATOR_SERVO_MAX], safe = r[TD_ACTUATOR_SERVO_SAFE];
    if (!(flags & TD_ACTUATOR_FLAG_SERVO)) return (lo | hi | safe) == 0;
    return !(flags & (TD_ACTUATOR_FLAG_PWM | TD_ACTUATOR_FLAG_ACTIVE_LOW)) && lo <= safe && safe <= hi &&
           lo < hi && hi <= TD_SERVO_MAX_DEG;
}

static td_image_error_t check_actuator(vctx_t *v, const uint8_t *r)
{
    uint8_t pin = r[TD_ACTUATOR_PIN];
    uint8_t flags = r[TD_ACTUATOR_FLAGS];
    uint8_t need = TD_PIN_CAP_DIGITAL_OUT;
    if (flags & TD_ACTUATOR_FLAG_PWM) need |= TD_PIN_CAP_PWM;
    if (flags & TD_ACTUATOR_FLAG_SERVO) need |= TD_PIN_CAP_SERVO;
    if (!pin_ok(v, pin, need, TD_PIN_CAP_RESERVED | TD_PIN_CAP_NO_ACTUATOR)) {
        return TD_IMG_ERR_BAD_PIN;
    }
    if (flags & ~KNOWN_ACTUATOR_FLAGS) return TD_IMG_ERR_BAD_ACTUATOR;
    if (!servo_ok(r, flags)) return TD_IMG_ERR_BAD_ACTUATOR;
    if (!pin_take(v, pin)) return TD_IMG_ERR_PIN_CONFLICT;
    /* a servo may leave max_on and daily_cap at 0 (no time limit): the table's last two rows */
    return ranges(v, actuator_ranges, (uint8_t)(sizeof actuator_ranges / sizeof actuator_ranges[0]
                                                - ((flags & TD_ACTUATOR_FLAG_SERVO) ? 2 : 0)));
}

/* A rule's operand fields fail in four stages, in this order: a parameter index out of range
 * (BAD_REF), a literal duration invalid, a literal out of range, a parameter whose range leaves
 * the field's. Every failure of a rule reports the rule's index, so only the earliest stage any
 * field fails in matters, and one pass over the fields, in any order, finds it. */
enum { STAGE_REF, STAGE_DUR, STAGE_LITERAL, STAGE_PARAM, STAGES };
static const uint8_t stage_error[STAGES] TD_ROM = {
    TD_IMG_ERR_BAD_REF, TD_IMG_ERR_BAD_DURATION, TD_IMG_ERR_BAD_RULE, TD_IMG_ERR_BAD_PARAM,
};

/* A rule's six operand fields, in image order (field w's operand bit is 1 << w): the field, and
 * the bounds it must lie in; `lo_alt` replaces `lo` for a pulse's duration and an interval's
 * period. */
typedef struct {
    uint8_t x, lo, lo_alt, hi;
} rule_field_t;
#define RULE_FIELDS 6
static const rule_field_t rule_field[RULE_FIELDS] TD_ROM = {
    {V_I32(TD_RULE_THRESHOLD), V_K(K_NEG_LIMIT), V_K(K_NEG_LIMIT), V_K(K_LIMIT)},
    {V_I32(TD_RULE_HYSTERESIS), V_K(K_0), V_K(K_0), V_K(K_LIMIT)},
    {V_DUR(TD_RULE_HOLD), V_K(K_0), V_K(K_0), V_K(K_DUR_MAX)},
    {V_DUR(TD_RULE_DURATION), V_K(K_0), V_K(K_1), V_K(K_DUR_MAX)},
    {V_DUR(TD_RULE_PERIOD), V_K(K_0), V_K(K_MIN_INTERVAL), V_K(K_DUR_MAX)},
    {V_I32(TD_RULE_IL_THRESHOLD), V_K(K_NEG_LIMIT), V_K(K_NEG_LIMIT), V_K(K_LIMIT)},
};
TD_STATIC_ASSERT(TD_OPERAND_THRESHOLD == 1 && TD_OPERAND_HYSTERESIS == 2 && TD_OPERAND_HOLD == 4 &&
                         TD_OPERAND_DURATION == 8 && TD_OPERAND_PERIOD == 16 && TD_OPERAND_INTERLOCK == 32,
                 operand_bits);
TD_STATIC_ASSERT(V_U16(0) == V_DUR(0) + 0x20, u16_follows_dur);

TD_STATIC_ASSERT(TD_RULE_KIND_THRESHOLD == 1 && TD_RULE_KIND_INTERVAL == 2 && TD_RULE_KIND_GUARD == 3, rule_kinds);
TD_STATIC_ASSERT(TD_RULE_ACTION_PULSE == 1 && TD_RULE_ACTION_FOLLOW == 2, rule_actions);

/* The widths the guard's byte-by-byte zero test assumes (i32, u16, i32). */
TD_STATIC_ASSERT(TD_RULE_HOLD == TD_RULE_HYSTERESIS + 4 && TD_RULE_PERIOD == TD_RULE_DURATION + 2 &&
                         TD_RULE_IL_THRESHOLD + 4 == TD_RULE_SIZE,
                 guard_field_widths);

/* Check 15. */
static TD_NOINLINE td_image_error_t check_rule(vctx_t *v, const uint8_t *r)
{
    /* kind and action 1 or 2 (k, a 0 or 1), and not interval (k 1) with follow (a 1) */
    uint8_t k = (uint8_t)(r[TD_RULE_KIND] - 1u);
    uint8_t a = (uint8_t)(r[TD_RULE_ACTION] - 1u);
    uint8_t chan = r[TD_RULE_CHANNEL];
    uint8_t il = r[TD_RULE_INTERLOCK];
    uint8_t ops = r[TD_RULE_OPERANDS];
    uint8_t nc = v->n[SEC_CHANNELS];
    uint8_t first = STAGES; /* the earliest stage a field fails in */
    const rule_field_t *f = rule_field;
    uint8_t alt, bit;
    if (r[TD_RULE_KIND] == TD_RULE_KIND_GUARD) {
        /* A guard drives nothing and has no interlock: those fields are zero, and so are the
         * operands a threshold rule has and a guard does not. Then it is checked as a threshold
         * rule (k 0) that is no pulse (a 1). */
        if ((r[TD_RULE_ACTION] | r[TD_RULE_LEVEL] | (r[TD_RULE_FLAGS] & ~TD_RULE_FLAG_ABOVE)) != 0 ||
            il != TD_NO_INDEX ||
            /* the unused fields byte by byte: no words assembled to test them (24 B less) */
            (r[TD_RULE_HYSTERESIS] | r[TD_RULE_HYSTERESIS + 1] | r[TD_RULE_HYSTERESIS + 2] | r[TD_RULE_HYSTERESIS + 3] |
             r[TD_RULE_DURATION] | r[TD_RULE_DURATION + 1] | r[TD_RULE_IL_THRESHOLD] | r[TD_RULE_IL_THRESHOLD + 1] |
             r[TD_RULE_IL_THRESHOLD + 2] | r[TD_RULE_IL_THRESHOLD + 3]) != 0 ||
            (ops & ~(TD_OPERAND_THRESHOLD | TD_OPERAND_HOLD | TD_OPERAND_PERIOD))) {
            return TD_IMG_ERR_BAD_RULE;
        }
        k = 0;
        a = 1;
    } else if (k > 1 || a > 1 || (k & a) || r[TD_RULE_LEVEL] == 0 || (r[TD_RULE_FLAGS] & ~KNOWN_RULE_FLAGS) ||
               (ops & ~KNOWN_OPERANDS)) {
        return TD_IMG_ERR_BAD_RULE;
    }
    /* a threshold rule (k 0) names a channel, an interval rule none */
    if (r[TD_RULE_ACTUATOR] >= v->n[SEC_ACTUATORS] || (k ? chan != TD_NO_INDEX : chan >= nc) ||
        (il != TD_NO_INDEX && il >= nc)) {
        return TD_IMG_ERR_BAD_REF;
    }
    alt = (uint8_t)((a ? 0 : TD_OPERAND_DURATION) | (k ? TD_OPERAND_PERIOD : 0)); /* pulse, interval */
    for (bit = 1; bit <= TD_OPERAND_INTERLOCK; bit = (uint8_t)(bit << 1), f++) {
        uint8_t x = TD_ROM_U8(&f->x);
        bool is_dur = (x & 0xE0u) == V_DUR(0);
        uint8_t lo = (alt & bit) ? TD_ROM_U8(&f->lo_alt) : TD_ROM_U8(&f->lo);
        uint8_t hi = TD_ROM_U8(&f->hi);
        uint8_t stage = STAGES;
        if (ops & bit) {
            /* A parameter stands in: its index must be in range (no bytes above the lowest), and
             * its min and max (min <= max) must keep the field in range whatever it is set to. */
            uint32_t p = (uint32_t)val(v, is_dur ? (uint8_t)(x + 0x20) : x); /* a dur16 code as stored */
            if (p >= v->n[SEC_PARAMS]) {
                stage = STAGE_REF;
            } else {
                v->param = (uint8_t)p;
                if (!within(v, V_PARAM(TD_PARAM_MIN), lo, hi) || !within(v, V_PARAM(TD_PARAM_MAX), lo, hi)) {
                    stage = STAGE_PARAM;
                }
            }
        } else if (is_dur && val(v, x) < 0) {
            stage = STAGE_DUR;
        } else if (!within(v, x, lo, hi)) {
            stage = STAGE_LITERAL;
        }
        if (stage < first) first = stage;
    }
    return (first < STAGES) ? (td_image_error_t)TD_ROM_U8(&stage_error[first]) : IMAGE_OK;
}

/* Checks 1..11. TOO_MANY sets *index to the count's position. Out of line, with its own
 * buffer: keeps image_validate()'s frame under the 64 B the AVR reaches directly. */
static TD_NOINLINE td_image_error_t check_header(vctx_t *v, uint8_t *index)
{
    uint8_t h[TD_IMAGE_HEADER_SIZE];
    const td_src_t *s = v->src;
    const td_board_t *b = v->board;
    const uint8_t *limit = (const uint8_t *)b + offsetof(td_board_t, max_channels);
    uint16_t size = TD_IMAGE_HEADER_SIZE;
    uint8_t i, nul;
    int32_t tele;
    image_rd_bytes(s, 0, h, TD_IMAGE_HEADER_SIZE);
    if (h[TD_IMAGE_HEADER_MAGIC] != TD_IMAGE_MAGIC_0 || h[TD_IMAGE_HEADER_MAGIC + 1] != TD_IMAGE_MAGIC_1) {
        return TD_IMG_ERR_BAD_MAGIC;
    }
    if (h[TD_IMAGE_HEADER_FORMAT] != TD_IMAGE_FORMAT) return TD_IMG_ERR_BAD_FORMAT;
    if (le_u16(&h[TD_IMAGE_HEADER_LENGTH]) != s->len) return TD_IMG_ERR_BAD_LENGTH;
    if (s->len > b->max_image) return TD_IMG_ERR_TOO_LARGE;
    if (image_crc(s) != le_u32(&h[TD_IMAGE_HEADER_CRC32])) return TD_IMG_ERR_BAD_CRC;
    if (h[TD_IMAGE_HEADER_BOARD_CLASS] != b->board_class) return TD_IMG_ERR_BAD_BOARD;
    for (i = 0; i < SECTIONS; i++) {
        uint8_t n = h[TD_IMAGE_HEADER_N_CHANNELS + i];
        v->n[i] = n;
        if (n > limit[i]) {
            *index = i;
            return TD_IMG_ERR_TOO_MANY;
        }
        size = (uint16_t)(size + (uint16_t)n * TD_ROM_U8(&rec_size[i]));
    }
    /* The sensors section fills the rest (the header has no spare byte for its count). */
    if (size > s->len || (uint16_t)(s->len - size) % TD_SENSOR_SIZE) return TD_IMG_ERR_BAD_LENGTH;
    size = (uint16_t)((s->len - size) / TD_SENSOR_SIZE);
    if (size > limit[SEC_CHANNELS]) {
        *index = SECTIONS; /* 4: the sensors, limited like the channels */
        return TD_IMG_ERR_TOO_MANY;
    }
    v->ns = (uint8_t)size;
    v->sens_at = (uint16_t)(s->len - size * TD_SENSOR_SIZE);
    /* Printable ASCII, then only NULs: a byte that is not NUL must be printable and follow no NUL. */
    nul = 0;
    for (i = 0; i < TD_IMAGE_NAME_SIZE; i++) {
        uint8_t c = h[TD_IMAGE_HEADER_NAME + i];
        if (c == 0) {
            nul = 1;
        } else if (nul || c < 0x20 || c > 0x7E) {
            return TD_IMG_ERR_BAD_NAME;
        }
    }
    tele = dur_at(&h[TD_IMAGE_HEADER_TELEMETRY_PERIOD]);
    if (tele < 0) return TD_IMG_ERR_BAD_DURATION;
    if (tele != 0 && tele < (int32_t)b->min_telemetry_ms) return TD_IMG_ERR_BAD_TELEMETRY;
    return IMAGE_OK;
}

TD_STATIC_ASSERT(TD_SENSOR_SIZE <= TD_RULE_SIZE && TD_PARAM_SIZE <= TD_RULE_SIZE, buffer_holds_a_record);

TD_NOINLINE td_image_error_t image_validate(const td_src_t *src, const td_board_t *board, uint8_t *index)
{
    uint8_t buf[TD_RULE_SIZE]; /* one record at a time (a sensor's fits: static assert below) */
    vctx_t v;
    td_image_error_t err;
    uint16_t off = TD_IMAGE_HEADER_SIZE;
    uint8_t s, i;
    *index = 0;
    /* (a source with no read function and len 0 is short as well: the same result) */
    if (src == NULL || board == NULL || src->len < TD_IMAGE_HEADER_SIZE || src->read == NULL) {
        return TD_IMG_ERR_TRUNCATED;
    }
    memset(&v, 0, sizeof v);
    v.src = src;
    v.board = board;
    v.rec = buf;
    if ((err = check_header(&v, index)) != IMAGE_OK) return err;
    /* Checks 12..15: params, channels, actuators, rules, in image order. */
    for (s = SEC_PARAMS; s < SEC_PARAMS + SECTIONS; s++) {
        uint8_t sec = s & 3u;
        uint8_t size = TD_ROM_U8(&rec_size[sec]);
        for (i = 0; i < v.n[sec]; i++, off = (uint16_t)(off + size)) {
            image_rd_bytes(src, off, buf, size);
            switch (sec) {
            case SEC_PARAMS: err = RANGES(&v, param_ranges); break;
            case SEC_CHANNELS: err = check_channel(&v, buf); break;
            case SEC_ACTUATORS: err = check_actuator(&v, buf); break;
            default: err = check_rule(&v, buf); break;
            }
            if (err != IMAGE_OK) {
                *index = i;
                return err;
            }
        }
    }
    /* Check 16: each sensor in order. */
    for (i = 0; i < v.ns; i++, off = (uint16_t)(off + TD_SENSOR_SIZE)) {
        image_rd_bytes(src, off, buf, TD_SENSOR_SIZE);
        if ((err = check_sensor(&v, buf, i)) != IMAGE_OK) {
            *index = i;
            return err;
        }
    }
    return IMAGE_OK;
}
