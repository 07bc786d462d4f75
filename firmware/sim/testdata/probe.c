/* probe.c: a plain avr-libc test sketch for tendril-simavr (a runner test fixture, not the product).
 *
 * Builds for the ATmega328P and the ATmega2560. UART0 at 115,200 baud (U2X), one command a line:
 *   e<text>     echo: "e<text>"
 *   a<ch>       analog read of ADC channel ch: "a<ch>=<count>"
 *   i<port><b>  read input port pin, e.g. iD2: "i=<0|1>"
 *   o<port><b><0|1>  drive a pin as an output, e.g. oD71: "ok"
 *   w<addr>,<v> write one EEPROM byte: "ok"     r<addr>  read it: "r<addr>=<v>"
 *   W<n>        write bytes 1..n to EEPROM addresses 0..n-1 (each one a write): "ok"
 *   u<port><b>  pull-up on that input, then 100 writes to the port's other pins, reading the pin
 *               after each: "u=<how many read 1>" (a switch to ground must win every time)
 *   m           milliseconds since boot (timer0): "m=<ms>"
 *   b           boot record: "b mcusr=<hex> boots=<n>" (boot count kept at EEPROM address 1000)
 *   d           let the watchdog bite (15 ms timeout, then hang)
 *   s<n>        spin n ms (busy loop on the timer) then "ok"
 */
#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/wdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAUD_DIV ((F_CPU / 8 / 115200) - 1) /* U2X: 16 (2.1% off, like a real Uno) */
#define BOOTS_ADDR 1000

static volatile uint32_t ms_count;
static uint8_t mcusr_at_boot __attribute__((section(".noinit")));

/* Clear the reset cause and stop the watchdog before main, or a watchdog reset loops forever. */
void early(void) __attribute__((naked, used, section(".init3")));
void early(void) { mcusr_at_boot = MCUSR; MCUSR = 0; wdt_disable(); }

ISR(TIMER0_COMPA_vect) { ms_count++; }

static uint32_t millis(void) { uint32_t m; cli(); m = ms_count; sei(); return m; }

static void put(char c) { while (!(UCSR0A & _BV(UDRE0))) {} UDR0 = c; }
static void puts_(const char *s) { while (*s) put(*s++); }
static void line(const char *s) { puts_(s); put('\n'); }

static volatile uint8_t *port_reg(char p, uint8_t which) /* which: 0 PIN, 1 DDR, 2 PORT */
{
    switch (p) {
    case 'B': return which == 0 ? &PINB : which == 1 ? &DDRB : &PORTB;
    case 'C': return which == 0 ? &PINC : which == 1 ? &DDRC : &PORTC;
    case 'D': return which == 0 ? &PIND : which == 1 ? &DDRD : &PORTD;
#if defined(PORTE)
    case 'E': return which == 0 ? &PINE : which == 1 ? &DDRE : &PORTE;
    case 'F': return which == 0 ? &PINF : which == 1 ? &DDRF : &PORTF;
    case 'H': return which == 0 ? &PINH : which == 1 ? &DDRH : &PORTH;
    case 'K': return which == 0 ? &PINK : which == 1 ? &DDRK : &PORTK;
#endif
    default: return 0;
    }
}

static uint16_t adc_read(uint8_t ch)
{
#if defined(MUX5)
    ADCSRB = (ch & 8) ? _BV(MUX5) : 0;
#endif
    ADMUX = _BV(REFS0) | (ch & 7); /* AVcc reference */
    ADCSRA |= _BV(ADSC);
    while (ADCSRA & _BV(ADSC)) {}
    return ADC;
}

static void handle(char *cmd)
{
    char out[48];
    switch (cmd[0]) {
    case 'e': line(cmd); break;
    case 'a': {
        uint8_t ch = (uint8_t)atoi(cmd + 1);
        snprintf(out, sizeof out, "a%u=%u", ch, adc_read(ch));
        line(out);
        break;
    }
    case 'i': {
        volatile uint8_t *pin = port_reg(cmd[1], 0);
        uint8_t b = (uint8_t)(cmd[2] - '0');
        if (!pin || b > 7) { line("err"); break; }
        *port_reg(cmd[1], 1) &= (uint8_t)~_BV(b);
        snprintf(out, sizeof out, "i=%u", (*pin >> b) & 1);
        line(out);
        break;
    }
    case 'u': {
        volatile uint8_t *port = port_reg(cmd[1], 2);
        uint8_t b = (uint8_t)(cmd[2] - '0');
        if (!port || b > 7) { line("err"); break; }
        *port_reg(cmd[1], 1) &= (uint8_t)~_BV(b);
        *port |= _BV(b);
        uint8_t ones = 0;
        for (uint8_t i = 0; i < 100; i++) {
            *port ^= (uint8_t)_BV(b ^ 1); /* a read-modify-write of another pin, like a relay */
            ones += (*port_reg(cmd[1], 0) >> b) & 1;
        }
        snprintf(out, sizeof out, "u=%u", ones);
        line(out);
        break;
    }
    case 'o': {
        volatile uint8_t *ddr = port_reg(cmd[1], 1);
        uint8_t b = (uint8_t)(cmd[2] - '0');
        if (!ddr || b > 7) { line("err"); break; }
        *ddr |= _BV(b);
        if (cmd[3] == '1') *port_reg(cmd[1], 2) |= _BV(b);
        else *port_reg(cmd[1], 2) &= (uint8_t)~_BV(b);
        line("ok");
        break;
    }
    case 'w': {
        char *comma = strchr(cmd, ',');
        if (!comma) { line("err"); break; }
        eeprom_write_byte((uint8_t *)(uintptr_t)atoi(cmd + 1), (uint8_t)atoi(comma + 1));
        line("ok");
        break;
    }
    case 'r': {
        unsigned addr = (unsigned)atoi(cmd + 1);
        snprintf(out, sizeof out, "r%u=%u", addr, eeprom_read_byte((uint8_t *)(uintptr_t)addr));
        line(out);
        break;
    }
    case 'W': {
        unsigned n = (unsigned)atoi(cmd + 1);
        for (unsigned i = 0; i < n; i++) eeprom_write_byte((uint8_t *)(uintptr_t)i, (uint8_t)(i + 1));
        line("ok");
        break;
    }
    case 'm': snprintf(out, sizeof out, "m=%lu", (unsigned long)millis()); line(out); break;
    case 'b': {
        snprintf(out, sizeof out, "b mcusr=%02x boots=%u", mcusr_at_boot,
                 eeprom_read_byte((uint8_t *)BOOTS_ADDR));
        line(out);
        break;
    }
    case 'd': wdt_enable(WDTO_15MS); for (;;) {} /* the watchdog resets the chip */
    case 's': {
        uint32_t until = millis() + (uint32_t)atol(cmd + 1);
        while ((int32_t)(millis() - until) < 0) {}
        line("ok");
        break;
    }
    default: line("err"); break;
    }
}

int main(void)
{
    uint8_t boots = eeprom_read_byte((uint8_t *)BOOTS_ADDR);
    eeprom_write_byte((uint8_t *)BOOTS_ADDR, (uint8_t)(boots == 0xFF ? 1 : boots + 1));
    UCSR0A = _BV(U2X0);
    UBRR0 = BAUD_DIV;
    UCSR0B = _BV(RXEN0) | _BV(TXEN0);
    TCCR0A = _BV(WGM01); /* CTC, 16 MHz / 64 / 250 = 1 kHz */
    TCCR0B = _BV(CS01) | _BV(CS00);
    OCR0A = 249;
    TIMSK0 = _BV(OCIE0A);
    ADCSRA = _BV(ADEN) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0);
    sei();
    line("probe ready");
    char buf[40];
    uint8_t n = 0;
    for (;;) {
        if (!(UCSR0A & _BV(RXC0))) continue;
        char c = (char)UDR0;
        if (c == '\n' || c == '\r') {
            if (n) { buf[n] = 0; handle(buf); n = 0; }
        } else if (n < sizeof buf - 1) {
            buf[n++] = c;
        }
    }
}
