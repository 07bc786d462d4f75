/* hal_cost.c: an app that calls every HAL function once, the way the firmware does, with inputs
 * the compiler cannot see through. `make -C firmware BOARD=uno hal-size` links it and subtracts
 * an empty program (vector table and C runtime): the rest is what the HAL costs a firmware. */
#include <stdint.h>

#include "app.h"
#include "hal.h"

volatile uint8_t hal_cost_in;
volatile uint32_t hal_cost_out;

void app_boot(void)
{
    hal_init(TD_BAUD);
    hal_pin_mode(hal_cost_in, hal_cost_in);
    hal_watchdog_start();
    hal_cost_out = hal_reset_cause() + hal_entropy() + hal_eeprom_size();
}

static uint8_t hal_cost_dht[5]; /* 5 B of this tool's, not the HAL's */

void app_poll(void)
{
    uint8_t v = hal_cost_in;
    uint32_t pulses;
    hal_watchdog_feed();
    hal_digital_write(v, v);
    hal_pwm_write(v, v);
    hal_servo_write(v, (uint16_t)(v << 3));
    hal_eeprom_write(v, v);
    hal_uart_write((const uint8_t *)&hal_cost_out, hal_uart_tx_free());
    hal_cost_out = hal_millis() + hal_digital_read(v) + hal_analog_read(v) + hal_eeprom_read(v) +
                   (uint16_t)hal_uart_read() +
                   hal_ow_reset(v) + hal_ow_bit(v, v) + hal_ping(v, v, v) + hal_dht_read(v, hal_cost_dht) +
                   hal_pulse_begin(v, v) + hal_pulse_count(v, &pulses) + pulses;
    hal_dht_start(v);
    hal_cost_out += hal_i2c_begin(v) + hal_i2c_write(v, hal_cost_dht, v, v) + hal_i2c_read(v, hal_cost_dht, v);
}
