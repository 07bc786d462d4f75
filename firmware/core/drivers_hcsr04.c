/* HC-SR04 / JSN-SR04T driver (docs/sensors.md): one ping a reading, on the HAL's hal_ping.
 *
 * The echo is timed by a bounded busy-wait, not a pin interrupt: a ping holds the loop at most
 * TD_HCSR04_TIMEOUT_US (30 ms: the longest echo in range, 400 cm, is 23.2 ms, plus the module's
 * start), and an echo shorter than that for anything nearer. Why not a pin-change interrupt: it
 * would need a PCINT vector per port, a microsecond clock read from the interrupt and a second
 * poll to collect the result, and still give the same number; the wait happens once a read
 * period (60 ms at the least), with interrupts on, so the UART keeps receiving meanwhile. */
#include "hal.h"
#include "sensor.h"
#include "tendril_records.h"

#ifndef TD_NO_HCSR04
void hcsr04_setup(const uint8_t *rec)
{
    hal_digital_write(rec[TD_SENSOR_PIN], 0);
    hal_pin_mode(rec[TD_SENSOR_PIN], HAL_OUTPUT); /* the trigger: low between pings */
    hal_pin_mode(rec[TD_SENSOR_PIN2], HAL_INPUT);  /* the echo: the module drives it */
}

uint8_t hcsr04_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait)
{
    uint16_t us = hal_ping(rec[TD_SENSOR_PIN], rec[TD_SENSOR_PIN2], TD_HCSR04_TIMEOUT_US);
    (void)phase, (void)now, (void)wait; /* one poll a reading: the next one read period from now */
    if (us == HAL_PING_NONE || us == HAL_PING_LONG) return TD_SENSOR_FAULT_NO_ANSWER;
    if (us < TD_HCSR04_MIN_CM * TD_HCSR04_US_PER_CM || us > (uint16_t)TD_HCSR04_MAX_CM * TD_HCSR04_US_PER_CM) {
        return TD_SENSOR_FAULT_OUT_OF_RANGE;
    }
    /* thousandths of a cm, rounded: 58 us a cm (unsigned: the one 32-bit division the firmware
     * already has, not a signed one besides) */
    val[0] = (int32_t)(((uint32_t)us * 1000u + TD_HCSR04_US_PER_CM / 2) / TD_HCSR04_US_PER_CM);
    return TD_READING_OK;
}
#endif
