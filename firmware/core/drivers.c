/* The drivers of the firmware on the HAL, indexed by td_driver_id_t (sensor.h tells the interface).
 * Analog and digital pins read at once, when their channel is sampled, as they always have. */
#include "hal.h"
#include "sensor.h"

TD_STATIC_ASSERT((int)HAL_INPUT == (int)TD_PIN_MODE_INPUT && (int)HAL_INPUT_PULLUP == (int)TD_PIN_MODE_INPUT_PULLUP,
                 pin_modes);

static void pin_setup(uint8_t ch, uint8_t pin, uint8_t mode)
{
    (void)ch;
    hal_pin_mode(pin, mode);
}

static uint8_t analog_poll(uint8_t ch, uint8_t pin, uint32_t now, int32_t *raw, uint16_t *wait)
{
    (void)ch, (void)now, (void)wait;
    *raw = hal_analog_read(pin);
    return TD_READING_OK;
}

static uint8_t digital_poll(uint8_t ch, uint8_t pin, uint32_t now, int32_t *raw, uint16_t *wait)
{
    (void)ch, (void)now, (void)wait;
    *raw = hal_digital_read(pin);
    return TD_READING_OK;
}

const td_driver_t td_drivers[TD_DRIVER_COUNT] TD_ROM = {
    [TD_DRIVER_ID_ANALOG] = {pin_setup, analog_poll},
    [TD_DRIVER_ID_DIGITAL] = {pin_setup, digital_poll},
};
