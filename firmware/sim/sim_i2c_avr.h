/* sim_i2c_avr.h: the scenario's I2C bus (sim_i2c.h) on the simulated AVR (tendril_simavr.c).
 * simavr's TWI module sends each START (with the address byte), data byte, read request and STOP
 * as an avr_twi_msg_t on its TWI_IRQ_OUTPUT irq and waits for the device's answer on TWI_IRQ_INPUT
 * (an ACK, a byte read); this glue answers them from sim_i2c. A `stretch` fault holds the bus: the
 * TWI's TWINT flag is kept down, so the firmware's wait never ends, until it switches the TWI off.
 * SDA's level as the devices leave it (held_low, stuck) is driven on the SDA pin; SCL clocks made
 * by hand (bus recovery) reach sim_i2c_scl_pulse. Pins: A4/A5 (Uno, Nano), 20/21 (Mega). */
#ifndef SIM_I2C_AVR_H
#define SIM_I2C_AVR_H

#include <stdint.h>

#include <simavr/sim_avr.h>

#include "sim_i2c.h"

typedef void (*i2c_avr_drive_fn)(uint8_t pin, int level);

void i2c_avr_init(avr_t *avr, sim_i2c_t *bus, uint8_t sda_pin, uint8_t scl_pin, i2c_avr_drive_fn drive);
/* 1 while the TWI is on (TWEN) and `pin` is SDA or SCL: the TWI owns the pin, its PORT and DDR
 * bits do not drive it (ATmega328P/2560 datasheets, "Alternate Port Functions"). */
int i2c_avr_owns(uint8_t pin);
/* A DDR write reached `pin` (1: an output). */
void i2c_avr_pin(uint8_t pin, int output);
void i2c_avr_service(uint32_t now_ms);
/* "i2c starts=.. nacks=.. hangs=.. scl_clocks=.." for the runner's stop line (nothing without a bus). */
void i2c_avr_report(void (*say)(const char *fmt, ...));

#endif
