/* The channel-reading seam (sensor.h): the kind table, drivers run when due, readings and faults fed. */
#include "sensor.h"

#include "dur16.h"
#include "image_layout.h"

uint8_t sensor_pin_cap(uint8_t kind)
{
    return kind < TD_CHANNEL_KIND_COUNT ? TD_ROM_U8(&td_kinds[kind].pin_cap) : TD_UNKNOWN_KIND_PIN_CAP;
}

/* Read field by field rather than through image_channel(): decoding the whole record costs flash
 * the device needs elsewhere (docs/firmware.md, "Size tricks"). */
uint8_t sensor_chan(const engine_t *e, uint8_t i, uint8_t *kind)
{
    uint16_t off = (uint16_t)(e->chan_at + TD_CHANNEL_SIZE * i);
    *kind = image_rd_u8(e->src, off + TD_CHANNEL_MODE) & TD_CHANNEL_KIND_MASK;
    return image_rd_u8(e->src, off + TD_CHANNEL_PIN);
}

/* The driver of a channel of `kind` (validated: the kind is in the table). */
static const td_driver_t *driver_of(const td_driver_t *drivers, uint8_t kind)
{
    return &drivers[TD_ROM_U8(&td_kinds[kind].driver)];
}

/* Sensor i's record, read into rec; its driver (NULL functions: not built in). Out of line (two
 * callers): 54 B less on the Uno. */
static TD_NOINLINE const td_sensor_driver_t *sensor_rec(const sensors_t *s, const engine_t *e, const td_sensor_driver_t *sdrivers,
                                            uint8_t i, uint8_t *rec)
{
    image_rd_bytes(e->src, (uint16_t)(s->sens_at + TD_SENSOR_SIZE * i), rec, TD_SENSOR_SIZE);
    return &sdrivers[rec[TD_SENSOR_KIND]]; /* validated: a kind of the table */
}

uint8_t td_i2c_fast; /* sensor.h */

void sensors_setup(sensors_t *s, engine_t *e, const td_driver_t *drivers, const td_sensor_driver_t *sdrivers)
{
    uint8_t i, kind, pin;
    uint8_t rec[TD_SENSOR_SIZE];
    s->armed = 0;
    s->sarmed = 0;
    s->sens_at = (uint16_t)(e->rule_at + TD_RULE_SIZE * e->nr);
    s->ns = (uint8_t)((e->src->len - s->sens_at) / TD_SENSOR_SIZE); /* validated: whole records */
    td_i2c_fast = 0; /* until an I2C sensor's setup says otherwise */
    for (i = 0; i < s->ns; i++) {
        void (*setup)(const uint8_t *) = TD_ROM_FN(void (*)(const uint8_t *), &sensor_rec(s, e, sdrivers, i, rec)->setup);
        s->sphase[i] = 0;
        if (setup) setup(rec);
    }
    for (i = 0; i < e->nc; i++) {
        /* no reading until its driver gives one (no EVENT for that: it is not a fault) */
        engine_set_fault(e, i, TD_SENSOR_FAULT_WAITING);
        s->missed[i] = 0;
        pin = sensor_chan(e, i, &kind);
        if (kind == TD_CHANNEL_FROM_SENSOR) continue; /* its sensor's pin is set up above */
        TD_ROM_FN(void (*)(uint8_t, uint8_t, uint8_t), &driver_of(drivers, kind)->setup)(
            i, pin, TD_ROM_U8(&td_kinds[kind].pin_mode));
    }
}

/* Sensor i's reading (got TD_READING_OK, val) or fault (got) to every channel that takes it. */
static void sensor_deliver(sensors_t *s, engine_t *e, uint8_t i, uint8_t got, const int32_t *val)
{
    uint8_t c, kind;
    for (c = 0; c < e->nc; c++) {
        uint16_t off = (uint16_t)(e->chan_at + TD_CHANNEL_SIZE * c);
        if (sensor_chan(e, c, &kind) != i || kind != TD_CHANNEL_FROM_SENSOR) continue;
        if (got == TD_READING_OK) {
            uint8_t q = (uint8_t)((image_rd_u8(e->src, off + TD_CHANNEL_MODE) >> TD_SENSOR_QUANTITY_SHIFT) & 3u);
            engine_set_raw(e, c, val[q < TD_SENSOR_MAX_QUANTITIES ? q : 0]);
            s->missed[c] = 0;
        } else {
            engine_set_fault(e, c, got);
        }
    }
}

/* Every sensor that is due reads (or starts to). */
static void sensors_read(sensors_t *s, engine_t *e, const td_sensor_driver_t *sdrivers, uint32_t now)
{
    uint8_t i, got;
    uint16_t bit = 1;
    uint8_t rec[TD_SENSOR_SIZE];
    int32_t val[TD_SENSOR_MAX_QUANTITIES];
    for (i = 0; i < s->ns; i++, bit = (uint16_t)(bit << 1)) {
        uint8_t (*poll)(const uint8_t *, uint8_t *, uint32_t, int32_t *, uint16_t *);
        uint16_t wait = 0;
        if ((s->sarmed & bit) && (int32_t)(now - s->swake[i]) < 0) continue;
        poll = TD_ROM_FN(uint8_t (*)(const uint8_t *, uint8_t *, uint32_t, int32_t *, uint16_t *),
                         &sensor_rec(s, e, sdrivers, i, rec)->poll);
        if (!poll) { /* not built in: never read (the host does not push one: HELLO's sensor_kinds) */
            s->sarmed |= bit;
            s->swake[i] = now + TD_MAX_SAMPLE_MS;
            continue;
        }
        got = poll(rec, &s->sphase[i], now, val, &wait);
        if (got != TD_READING_NONE) sensor_deliver(s, e, i, got, val);
        s->sarmed |= bit;
        s->swake[i] = now + (wait ? wait : dur16_ms(le_u16(rec + TD_SENSOR_PERIOD)));
    }
}

void sensors_poll(sensors_t *s, engine_t *e, const td_driver_t *drivers, const td_sensor_driver_t *sdrivers,
                  uint32_t now)
{
    uint8_t i, kind, pin;
    uint16_t bit = 1;
    sensors_read(s, e, sdrivers, now);
    for (i = 0; i < e->nc; i++, bit = (uint16_t)(bit << 1)) {
        int32_t raw;
        uint16_t wait = 0;
        uint8_t got;
        bool due = engine_sample_due(e, i, now);
        if (!due && !((s->armed & bit) && (int32_t)(now - s->wake[i]) >= 0)) {
            continue;
        }
        pin = sensor_chan(e, i, &kind);
        if (kind == TD_CHANNEL_FROM_SENSOR) {
            got = TD_READING_NONE; /* its sensor delivers (sensors_read): here only its staleness */
        } else {
            got = TD_ROM_FN(uint8_t (*)(uint8_t, uint8_t, uint32_t, int32_t *, uint16_t *),
                            &driver_of(drivers, kind)->poll)(i, pin, now, &raw, &wait);
        }
        if (got == TD_READING_OK) {
            engine_set_raw(e, i, raw);
            s->missed[i] = 0;
        } else if (got != TD_READING_NONE) {
            engine_set_fault(e, i, got); /* the sensor failed: got is the td_sensor_fault_t */
        } else if (due && s->missed[i] < TD_STALE_SAMPLES && ++s->missed[i] == TD_STALE_SAMPLES) {
            /* nothing new at this sample nor at the ones before: the held reading is stale */
            engine_set_fault(e, i, TD_SENSOR_FAULT_STALE);
        }
        if (wait) {
            s->armed |= bit;
            s->wake[i] = now + wait;
        } else {
            s->armed &= (uint16_t)~bit;
        }
    }
}

size_t sensors_sizeof(void)
{
    return sizeof(sensors_t);
}
