/* hal.h: the hardware seam of the tendril firmware.
 *
 * The portable firmware (app.c, engine.c, store.c) touches hardware only through these calls.
 * Each port implements all of them in ONE file: firmware/arduino/hal_avr.c for the AVR boards,
 * firmware/native/hal_native.c for the native simulated board (virtual clock, pty, EEPROM file).
 * The AVR port also clears MCUSR and reconfigures the watchdog in .init3, before main() runs,
 * because an AVR keeps its watchdog armed at the shortest timeout after a watchdog reset.
 */
#ifndef TD_HAL_H
#define TD_HAL_H

#include <stdint.h>

enum { HAL_INPUT = 0, HAL_INPUT_PULLUP = 1, HAL_OUTPUT = 2 };

void hal_init(uint32_t baud);                    /* UART, timer, ADC; pins untouched */
uint32_t hal_millis(void);                       /* wraps after 2^32 ms */

void hal_pin_mode(uint8_t pin, uint8_t mode);    /* Arduino pin numbers, as in boards/<name>.toml */
void hal_digital_write(uint8_t pin, uint8_t level);
void hal_pwm_write(uint8_t pin, uint8_t duty);   /* 0..255 */
/* A hobby servo on `pin` (one with the servo capability): a high pulse of `pulse_us` every 20 ms
 * (TD_SERVO_PERIOD_US), kept up by a timer, not the loop. The AVR uses timer 1 (fast PWM, TOP in
 * ICR1, 0.5 us a tick): a plain PWM actuator on the timer's other pin then runs at 50 Hz too. */
void hal_servo_write(uint8_t pin, uint16_t pulse_us);
uint8_t hal_digital_read(uint8_t pin);           /* 0 or 1 */
uint16_t hal_analog_read(uint8_t pin);           /* raw ADC count for the board's adc_bits */

/* 1-Wire on `pin`: the line is driven low (output, 0) or released (input without pull-up: the
 * bus's 4.7 kOhm resistor pulls it up). Timings (Maxim app note 126, "standard speed"): a reset is
 * 480 us low, then the line is sampled 70 us after the release and again at 480 us: 1 when a device
 * answered with its presence pulse (0 when nothing answered or the line never came back high). A
 * slot writing 1, which also reads, is 6 us low, a sample at 15 us, 70 us in all; a slot writing 0
 * is 60 us low and 10 us released. Interrupts are off only inside a slot's short low and its
 * sample (15 us), where a delay would change the bit. */
uint8_t hal_ow_reset(uint8_t pin);
uint8_t hal_ow_bit(uint8_t pin, uint8_t bit);    /* writes `bit`; the bit the line read */

uint8_t hal_eeprom_read(uint16_t addr);
void hal_eeprom_write(uint16_t addr, uint8_t value); /* callers write changed bytes only */
uint16_t hal_eeprom_size(void);

int16_t hal_uart_read(void);                     /* next received byte, or -1 */
uint8_t hal_uart_tx_free(void);                  /* bytes writable now without blocking */
void hal_uart_write(const uint8_t *data, uint8_t len); /* may block until all are queued */

uint8_t hal_reset_cause(void);                   /* ResetCause bits (contract), read at boot */
void hal_watchdog_start(void);                   /* ~1 s timeout */
void hal_watchdog_feed(void);                    /* only the main loop calls this */
uint32_t hal_entropy(void);                      /* seed for the device id at first boot */

/* HC-SR04 ping: a 10 us high pulse on `trig` (an output), then the width of the high pulse on `echo`
 * (an input), in us. A bounded busy-wait with interrupts on: it returns HAL_PING_NONE when the echo
 * is already high, or does not rise within timeout_us of the trigger; HAL_PING_LONG when it is still
 * high timeout_us after the trigger. So a ping holds the loop at most timeout_us (and what the
 * interrupts take meanwhile); the AVR times it by timer 0 (4 us a tick). */
#define HAL_PING_NONE 0u
#define HAL_PING_LONG 0xFFFFu
uint16_t hal_ping(uint8_t trig, uint8_t echo, uint16_t timeout_us);
/* DHT22/DHT11 on `pin`. hal_dht_start drives the line low and returns at once: the driver comes
 * back when the start signal is long enough (>= 1 ms for a DHT22, >= 18 ms for a DHT11), so the loop
 * never waits for it. hal_dht_read releases the line, times the part's answer (80 us low, 80 us
 * high) and its 40 bits (50 us low, then 26-28 us high for a 0, 70 us for a 1), about 4 ms, with
 * interrupts off except for a moment at the start of each bit's low (AVR: 193 us at most), and
 * gives the 5 bytes as sent: 1 when all 40 bits came, 0 when the part did not
 * answer or a level lasted too long. The checksum is the driver's to check. */
void hal_dht_start(uint8_t pin);
uint8_t hal_dht_read(uint8_t pin, uint8_t sent[5]);

/* Pulse counting (a flow meter, a rain gauge): falling edges on `pin` counted by a pin-change
 * interrupt; a fall less than debounce_ms after the last counted one is not counted (a reed
 * switch's bounces). hal_pulse_begin sets the pin up (input with pull-up) and starts its count at 0
 * in one of HAL_PULSE_MAX slots: the pin's own if it has one, else the slot begun longest ago (so
 * a config's pulse pins, begun together, always hold slots). It returns the slot, or HAL_PULSE_NONE
 * for a pin that cannot interrupt. hal_pulse_count puts the falls counted since begin in *count
 * (modulo 2^32) and returns the pin's slot, or HAL_PULSE_NONE when the pin holds none. */
#define HAL_PULSE_MAX 4u
#define HAL_PULSE_NONE 0xFFu
uint8_t hal_pulse_begin(uint8_t pin, uint8_t debounce_ms);
uint8_t hal_pulse_count(uint8_t pin, uint32_t *count);

/* I2C master (issue 15; the chips' drivers sit on top). Every call returns a HAL_I2C_* status and
 * never hangs: each wait for the peripheral (a START, an address, a byte, a STOP) gives up after
 * HAL_I2C_WAIT_US (counted by busy loops, so it works with interrupts off) with HAL_I2C_TIMEOUT
 * and the port resets its controller, so the next call starts clean; a call waits at most
 * (len + 3) * HAL_I2C_WAIT_US. `addr` is the 7-bit address.
 * hal_i2c_begin(khz400): the bus at 400 kHz (1) or 100 kHz (0). It first frees a stuck bus: if
 * SDA reads low (a device stopped mid-byte by a reset), it clocks SCL up to 9 times until SDA is
 * released, then makes a STOP; HAL_I2C_BUS_STUCK when SDA is still low. It may be called again
 * at any time (after a fault: recovery).
 * hal_i2c_write: START (or a repeated START, see below), the address with W, `len` bytes, then a
 * STOP when `stop`; stop=0 leaves the bus held so the next hal_i2c_read continues with a
 * repeated START (a register read: write the register's address, then read). Any error ends
 * the transfer with a STOP. hal_i2c_read: `len` (1..255) bytes, each ACKed but the last, then a
 * STOP. NACK_ADDR: nothing answers at addr; NACK_DATA: the device refused a written byte. */
enum { HAL_I2C_OK = 0, HAL_I2C_NACK_ADDR, HAL_I2C_NACK_DATA, HAL_I2C_TIMEOUT, HAL_I2C_BUS_STUCK };
#define HAL_I2C_WAIT_US 2000u
uint8_t hal_i2c_begin(uint8_t khz400);
/* The bus off: SDA and SCL plain pins again (an AVR's TWI, while on, owns them and their PORT and
 * DDR bits drive nothing). Called whenever a config starts, before its I2C sensors begin it again. */
void hal_i2c_end(void);
uint8_t hal_i2c_write(uint8_t addr, const uint8_t *data, uint8_t len, uint8_t stop);
uint8_t hal_i2c_read(uint8_t addr, uint8_t *data, uint8_t len);

#endif
