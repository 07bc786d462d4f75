/* Pulse counter driver (docs/sensors.md, "Pulse counter"): flow meters, rain gauges, anemometers,
 * on the HAL's pin-change counting (hal_pulse_begin, hal_pulse_count).
 *
 * The HAL counts falls in its interrupt, debounced there; this driver only reads the count once a
 * read period. Quantity 0, the rate: the pulses since the last reading over the time since it, in
 * thousandths of a pulse a second (a minute with per_minute), rounded down; the first reading
 * comes one period after setup (a rate needs an interval). Quantity 1, the total: the pulses since
 * the config started (at boot, or when one is pushed), in thousandths. Both are readings in
 * thousandths like every sensor's, so the total fits an int32 up to TD_PULSE_TOTAL_MAX pulses: past
 * that the sensor reads OUT_OF_RANGE (an EVENT) until the config starts again, never a total that
 * wrapped. So does a rate past TD_PULSE_RATE_MAX or more than 65,535 pulses in one period. */
#include "hal.h"
#include "sensor.h"
#include "tendril_records.h"

#ifndef TD_NO_PULSE
#define TD_PULSE_TOTAL_MAX 2147483ul   /* INT32_MAX / 1000 */
#define TD_PULSE_RATE_MAX 2147483ul    /* pulses a second or minute, for the same reason */
#define TD_PULSE_PERIOD_MAX 65535u     /* pulses in one period (the rate's arithmetic fits 32 bits) */

/* The count and time of each slot's last reading (by HAL slot: one per pulse pin). */
static struct {
    uint32_t count;
    uint16_t ms; /* periods are at most 60 s: 16 bits of ms tell the interval */
} pulse_last[HAL_PULSE_MAX];

void pulse_setup(const uint8_t *rec)
{
    hal_pulse_begin(rec[TD_SENSOR_PIN], rec[TD_SENSOR_OPTIONS]);
}

uint8_t pulse_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait)
{
    uint32_t count, n, x;
    uint16_t dt;
    uint8_t slot = hal_pulse_count(rec[TD_SENSOR_PIN], &count);
    (void)wait; /* one poll a reading */
    if (slot >= HAL_PULSE_MAX) return TD_SENSOR_FAULT_NO_ANSWER; /* no interrupt on this pin, or no slot */
    n = count - pulse_last[slot].count;
    dt = (uint16_t)((uint16_t)now - pulse_last[slot].ms);
    pulse_last[slot].count = count;
    pulse_last[slot].ms = (uint16_t)now;
    if (!*phase || !dt) { /* the first poll after setup: the interval starts here */
        *phase = 1;
        return TD_READING_NONE;
    }
    if (count > TD_PULSE_TOTAL_MAX || n > TD_PULSE_PERIOD_MAX) return TD_SENSOR_FAULT_OUT_OF_RANGE;
    x = n * (rec[TD_SENSOR_OPTIONS + 1] ? 60000ul : 1000ul); /* pulses a minute or second, times dt */
    if (x / dt >= TD_PULSE_RATE_MAX) return TD_SENSOR_FAULT_OUT_OF_RANGE;
    val[0] = (int32_t)(x / dt * 1000u + x % dt * 1000u / dt);
    val[1] = (int32_t)(count * 1000u);
    return TD_READING_OK;
}
#endif
