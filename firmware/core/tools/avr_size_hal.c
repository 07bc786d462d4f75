/* A minimal AVR HAL used ONLY to measure what the portable firmware (core + engine + store + app)
 * costs on an Uno: `make -C firmware/core avr-size`. The real HAL is firmware/arduino; this one
 * touches registers just enough that the compiler keeps every path of the firmware. */
#include <avr/eeprom.h>
#include <avr/io.h>

#include "app.h"
#include "hal.h"

static volatile uint8_t sink;

void hal_init(uint32_t baud) { UBRR0 = (uint16_t)(F_CPU / 16 / baud - 1); }
uint32_t hal_millis(void) { return (uint32_t)TCNT1 << 8; }
void hal_pin_mode(uint8_t pin, uint8_t mode) { sink = (uint8_t)(pin ^ mode); }
void hal_digital_write(uint8_t pin, uint8_t level) { PORTB = (uint8_t)(pin ^ level); }
void hal_pwm_write(uint8_t pin, uint8_t duty) { OCR0A = (uint8_t)(pin ^ duty); }
void hal_servo_write(uint8_t pin, uint16_t pulse_us) { OCR1A = (uint16_t)(pin ^ pulse_us); }
uint8_t hal_ow_reset(uint8_t pin) { DDRB = pin; return (uint8_t)(PINB & 1); }
uint8_t hal_ow_bit(uint8_t pin, uint8_t bit) { DDRB = (uint8_t)(pin ^ bit); return (uint8_t)(PINB & 1); }
void hal_dht_start(uint8_t pin) { DDRD = pin; }
uint8_t hal_dht_read(uint8_t pin, uint8_t data[5]) { DDRD = 0; data[pin % 5] = PIND; return (uint8_t)(PIND & 1); }
uint8_t hal_digital_read(uint8_t pin) { return (uint8_t)((PINB >> (pin & 7)) & 1); }
uint16_t hal_analog_read(uint8_t pin) { ADMUX = pin; return ADC; }
uint8_t hal_eeprom_read(uint16_t addr) { return eeprom_read_byte((const uint8_t *)addr); }
void hal_eeprom_write(uint16_t addr, uint8_t value) { eeprom_write_byte((uint8_t *)addr, value); }
uint16_t hal_eeprom_size(void) { return 1024; }
int16_t hal_uart_read(void) { return (UCSR0A & (1 << RXC0)) ? UDR0 : -1; }
uint8_t hal_uart_tx_free(void) { return (UCSR0A & (1 << UDRE0)) ? 64 : 0; }
void hal_uart_write(const uint8_t *data, uint8_t len) { while (len--) UDR0 = *data++; }
uint8_t hal_reset_cause(void) { return MCUSR; }
void hal_watchdog_start(void) { WDTCSR = 0x0E; }
void hal_watchdog_feed(void) { __asm__ __volatile__("wdr"); }
uint32_t hal_entropy(void) { return TCNT1; }

int main(void)
{
    app_boot();
    for (;;) app_poll();
}

uint16_t hal_ping(uint8_t trig, uint8_t echo, uint16_t timeout_us) { PORTB = trig; return (uint16_t)(PINB ^ echo ^ timeout_us); }
uint8_t hal_pulse_begin(uint8_t pin, uint8_t debounce_ms) { PCMSK0 = (uint8_t)(pin ^ debounce_ms); return PINB & 3; }
uint8_t hal_pulse_count(uint8_t pin, uint32_t *count) { *count = (uint32_t)TCNT1 << pin; return PINB & 3; }
uint8_t hal_i2c_begin(uint8_t khz400) { TWBR = khz400; return (uint8_t)(TWSR & 7); }
void hal_i2c_end(void) { TWCR = 0; }
uint8_t hal_i2c_write(uint8_t addr, const uint8_t *data, uint8_t len, uint8_t stop) { TWDR = (uint8_t)(addr ^ len ^ stop); if (len) TWDR = data[0]; return (uint8_t)(TWSR & 7); }
uint8_t hal_i2c_read(uint8_t addr, uint8_t *data, uint8_t len) { TWDR = addr; data[len - 1] = TWDR; return (uint8_t)(TWSR & 7); }
