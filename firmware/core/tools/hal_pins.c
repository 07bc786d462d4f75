/* A HAL of pins only, for the host library libtendril_sensor.so (make sensor-lib): the firmware's
 * real drivers (drivers.c) and the sensor seam (sensor.c) run over it, and the test
 * (tests/core/test_sensor_c.py) sets what each pin reads and sees how each was set up. */
#include "hal.h"

uint16_t hal_pins_analog[256]; /* what hal_analog_read(pin) returns */
uint8_t hal_pins_level[256];   /* what hal_digital_read(pin) returns */
uint8_t hal_pins_mode[256];    /* the last hal_pin_mode(pin, mode) */
uint32_t hal_pins_reads;       /* reads of either kind so far */

void hal_pin_mode(uint8_t pin, uint8_t mode)
{
    hal_pins_mode[pin] = mode;
}

uint8_t hal_digital_read(uint8_t pin)
{
    hal_pins_reads++;
    return hal_pins_level[pin];
}

uint16_t hal_analog_read(uint8_t pin)
{
    hal_pins_reads++;
    return hal_pins_analog[pin];
}

/* 1-Wire: nothing on any bus here (the line floats up; no presence, every bit reads 1). The
 * DS18B20 driver is tested against the pin-level model on the native board (sim_onewire.c). */
uint8_t hal_ow_reset(uint8_t pin)
{
    (void)pin;
    return 0;
}

uint8_t hal_ow_bit(uint8_t pin, uint8_t bit)
{
    (void)pin, (void)bit;
    return 1;
}

/* HC-SR04: nothing wired here (no echo ever rises). The driver is tested against the world's model
 * on the native board (sim_sonar.c). */
uint16_t hal_ping(uint8_t trig, uint8_t echo, uint16_t timeout_us)
{
    (void)trig, (void)echo, (void)timeout_us;
    return HAL_PING_NONE;
}

void hal_digital_write(uint8_t pin, uint8_t level) /* the HC-SR04's trigger, held low at setup */
{
    (void)pin, (void)level;
}

/* Pulse counting: no pin can interrupt here. The pulse driver is tested against the world's model
 * on the native board (sim_pulse.c). */
uint8_t hal_pulse_begin(uint8_t pin, uint8_t debounce_ms)
{
    (void)pin, (void)debounce_ms;
    return HAL_PULSE_NONE;
}

uint8_t hal_pulse_count(uint8_t pin, uint32_t *count)
{
    (void)pin;
    *count = 0;
    return HAL_PULSE_NONE;
}

/* I2C: nothing on the bus here (every address unanswered). The I2C drivers are tested against the
 * chip models on the native board (sim_i2c.c). */
uint8_t hal_i2c_begin(uint8_t khz400)
{
    (void)khz400;
    return HAL_I2C_OK;
}

uint8_t hal_i2c_write(uint8_t addr, const uint8_t *data, uint8_t len, uint8_t stop)
{
    (void)addr, (void)data, (void)len, (void)stop;
    return HAL_I2C_NACK_ADDR;
}

uint8_t hal_i2c_read(uint8_t addr, uint8_t *data, uint8_t len)
{
    (void)addr, (void)data, (void)len;
    return HAL_I2C_NACK_ADDR;
}

/* DHT: nothing answers here (the DHT driver is tested on the native board, sim_dht.c). */
void hal_dht_start(uint8_t pin)
{
    (void)pin;
}

uint8_t hal_dht_read(uint8_t pin, uint8_t data[5])
{
    (void)pin, (void)data;
    return 0;
}

uint32_t hal_pins_ms; /* what hal_millis() returns (the DHT driver reads it) */

uint32_t hal_millis(void)
{
    return hal_pins_ms;
}
