/* hal_avr.c: firmware/core/hal.h on the ATmega328P (Uno, Nano) and ATmega2560 (Mega) at 16 MHz,
 * on bare avr-libc (no Arduino core: see README.md for the numbers behind that choice).
 *
 * Resources it takes: USART0, timer 0 (millis, and PWM like the Arduino core), timers 1, 2 (and 3-5
 * on the Mega) for PWM, the ADC, the EEPROM, the watchdog. Pins come from pins_<board>.h, chosen by
 * -DTD_BOARD_<NAME>. None of the ISRs touches a port or a timer control register, so the main
 * loop's read-modify-writes of them need no interrupt lock.
 */
#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/wdt.h>
#include <util/delay.h>

#include "hal.h"
#include "pins.h"
#include "td.h"
#include "tendril_boards.h"

#if F_CPU != 16000000UL
#error "hal_avr.c is written for 16 MHz (millis arithmetic, PWM and ADC prescalers)"
#endif

/* ---- UART0 ------------------------------------------------------------------------------------
 * RX holds one whole request: the host has at most one request in flight (docs/protocol.md, one
 * reply per request), and a request is at most 71 COBS bytes + its 0x00, plus an optional leading
 * 0x00 flush = 73 bytes. A ring of N holds N - 1, so 80 holds 79: a request is never lost however
 * long the main loop is busy (an EEPROM byte write alone takes 3.3 ms = 165 byte times at 500 kbaud).
 * TX holds one whole frame (71 COBS bytes + 0x00): the app sends TELEMETRY only when
 * hal_uart_tx_free() says the frame fits, and drops it otherwise, so a queue smaller than a
 * frame would drop every TELEMETRY frame longer than it (6 channels are 38 bytes). */
#define HAL_UART_RX_SIZE 80
#define HAL_UART_TX_SIZE (TD_MAX_ENCODED + 2)
TD_STATIC_ASSERT(HAL_UART_RX_SIZE - 1 >= TD_MAX_ENCODED + 2 && HAL_UART_RX_SIZE <= 255, rx_size);
TD_STATIC_ASSERT(HAL_UART_TX_SIZE - 1 >= TD_MAX_ENCODED + 1 && HAL_UART_TX_SIZE <= 255, tx_size);

#if defined(USART0_RX_vect) /* ATmega2560 names its first USART 0 everywhere */
#define UART_RX_VECT USART0_RX_vect
#define UART_UDRE_VECT USART0_UDRE_vect
#else
#define UART_RX_VECT USART_RX_vect
#define UART_UDRE_VECT USART_UDRE_vect
#endif

static uint8_t rx_buf[HAL_UART_RX_SIZE];
static uint8_t tx_buf[HAL_UART_TX_SIZE];
static volatile uint8_t rx_head, rx_tail, tx_head, tx_tail; /* head: next write; equal: empty */

ISR(UART_RX_VECT)
{
    uint8_t b = UDR0; /* read even when full: clears RXC0 */
    uint8_t h = rx_head;
    uint8_t n = (uint8_t)(h + 1) == HAL_UART_RX_SIZE ? 0 : h + 1;
    if (n != rx_tail) { /* full: drop; the frame decoder resynchronises at the next 0x00 */
        rx_buf[h] = b;
        rx_head = n;
    }
}

ISR(UART_UDRE_VECT)
{
    uint8_t t = tx_tail;
    UDR0 = tx_buf[t]; /* only enabled while the queue holds a byte */
    t = (uint8_t)(t + 1) == HAL_UART_TX_SIZE ? 0 : t + 1;
    tx_tail = t;
    if (t == tx_head) {
        UCSR0B &= (uint8_t)~_BV(UDRIE0);
    }
}

int16_t hal_uart_read(void)
{
    uint8_t t = rx_tail;
    if (t == rx_head) {
        return -1;
    }
    uint8_t b = rx_buf[t];
    rx_tail = (uint8_t)(t + 1) == HAL_UART_RX_SIZE ? 0 : t + 1;
    return b;
}

uint8_t hal_uart_tx_free(void)
{
    uint8_t h = tx_head, t = tx_tail;
    uint8_t used = h >= t ? h - t : (uint8_t)(h + HAL_UART_TX_SIZE - t);
    return (uint8_t)(HAL_UART_TX_SIZE - 1 - used);
}

/* Blocks while the queue is full, so never call it with interrupts disabled. */
void hal_uart_write(const uint8_t *data, uint8_t len)
{
    while (len--) {
        uint8_t h = tx_head;
        uint8_t n = (uint8_t)(h + 1) == HAL_UART_TX_SIZE ? 0 : h + 1;
        while (n == tx_tail) {
        }
        tx_buf[h] = *data++;
        tx_head = n;
        UCSR0B |= _BV(UDRIE0); /* the ISR only ever clears this bit, so the RMW cannot lose it */
    }
}

/* ---- millis: timer 0 overflows every 64 * 256 / 16 MHz = 1.024 ms = 1 ms + 3/125 ms ---------- */
/* .low16: the low half alone (AVR is little-endian), for the pulse counter's 16-bit times; a
 * volatile 32-bit read would load all four bytes. */
static volatile union {
    uint32_t ms;
    uint16_t low16;
} millis;
static volatile uint8_t millis_frac; /* in 1/125 ms */

ISR(TIMER0_OVF_vect)
{
    uint8_t f = millis_frac + 3;
    uint8_t inc = 1;
    if (f >= 125) {
        f -= 125;
        inc = 2;
    }
    millis_frac = f;
    millis.ms += inc;
}

__attribute__((noinline)) uint32_t hal_millis(void)
{
    uint8_t sreg = SREG;
    cli();
    uint32_t m = millis.ms;
    SREG = sreg;
    return m;
}

/* ---- pins: tables built from pins_<board>.h ------------------------------------------------- */
/* Every I/O register of the ATmega328P sits below RAMSTART (0x100), so one byte addresses it. */
#if RAMSTART <= 0x100
typedef uint8_t io_addr_t;
#define READ_IO_ADDR(p) pgm_read_byte(p)
#else /* ATmega2560: ports H-L and timers 3-5 sit above 0x100 */
typedef uint16_t io_addr_t;
#define READ_IO_ADDR(p) pgm_read_word(p)
#endif
#define IO_REG(p) ((volatile uint8_t *)(uint16_t)READ_IO_ADDR(p)) /* a table entry's register */
#define PINNONE _SFR_MEM8(0) /* port NONE (nano A6, A7: ADC only): address 0 = no GPIO */

#define PWM_ENUM(u, t, c) PWM_##u,
enum { PWM_NONE, TD_PWM_UNITS(PWM_ENUM) PWM_COUNT };

/* Per PWM unit: its output compare register, the TCCRnA that holds its COM bits, and those bits
 * (COMnx1, bit 7, 5 or 3: non-inverting PWM) with bit 0 set for a 16-bit timer. */
/* Indexed by the unit itself: entry 0 (PWM_NONE) is never read, and no index is decremented. */
#define PWM_OCR(u, t, c) [PWM_##u] = _SFR_MEM_ADDR(OCR##t##c),
#define PWM_TCCR(u, t, c) [PWM_##u] = _SFR_MEM_ADDR(TCCR##t##A),
#define PWM_COM(u, t, c) [PWM_##u] = _BV(COM##t##c##1) | (sizeof(OCR##t##c) == 2),
static const io_addr_t pwm_ocr[PWM_COUNT] PROGMEM = {TD_PWM_UNITS(PWM_OCR)};
static const io_addr_t pwm_tccr[PWM_COUNT] PROGMEM = {TD_PWM_UNITS(PWM_TCCR)};
static const uint8_t pwm_com[PWM_COUNT] PROGMEM = {TD_PWM_UNITS(PWM_COM)};

/* Three flat tables indexed by pin number: no multiply to find an entry. */
#define PIN_REG(pin, port, bit, pwm) [pin] = _SFR_MEM_ADDR(PIN##port),
#define PIN_MASK(pin, port, bit, pwm) [pin] = _SFR_MEM_ADDR(PIN##port) ? 1 << (bit) : 0, /* 0: no GPIO */
#define PIN_PWM(pin, port, bit, pwm) [pin] = PWM_##pwm,
static const io_addr_t pin_reg[] PROGMEM = {TD_PIN_ROWS(PIN_REG)}; /* PINx; DDRx, PORTx follow */
static const uint8_t pin_mask[] PROGMEM = {TD_PIN_ROWS(PIN_MASK)};
static const uint8_t pin_pwm[] PROGMEM = {TD_PIN_ROWS(PIN_PWM)};
#define PIN_COUNT (sizeof pin_mask / sizeof pin_mask[0])
TD_STATIC_ASSERT(PIN_COUNT == TD_LIMIT_PINS, pin_table_matches_the_board_file);
TD_STATIC_ASSERT(TD_PIN_A0 < PIN_COUNT, first_analog_pin_in_table);

typedef struct {
    volatile uint8_t *reg; /* reg[0] PINx, reg[1] DDRx, reg[2] PORTx */
    uint8_t mask;          /* 0: no such GPIO (tested instead of reg: one byte) */
    uint8_t pwm;
} pin_ref_t; /* 4 bytes: returned in registers */

static pin_ref_t pin_ref(uint8_t pin)
{
    pin_ref_t r = {0, 0, 0};
    if (pin < PIN_COUNT) {
        r.reg = IO_REG(&pin_reg[pin]);
        r.mask = pgm_read_byte(&pin_mask[pin]);
        r.pwm = pgm_read_byte(&pin_pwm[pin]);
    }
    return r;
}

void hal_pin_mode(uint8_t pin, uint8_t mode)
{
    pin_ref_t r = pin_ref(pin);
    if (!r.mask) {
        return;
    }
    uint8_t inv = (uint8_t)~r.mask;
    if (mode == HAL_OUTPUT) { /* drives the level already in PORTx: write it first, no glitch */
        r.reg[1] |= r.mask;
        return;
    }
    r.reg[1] &= inv;
    if (mode == HAL_INPUT_PULLUP) {
        r.reg[2] |= r.mask;
    } else {
        r.reg[2] &= inv;
    }
}

void hal_digital_write(uint8_t pin, uint8_t level)
{
    pin_ref_t r = pin_ref(pin);
    if (!r.mask) {
        return;
    }
    if (r.pwm) { /* a pin still driven by its timer ignores PORTx */
        *IO_REG(&pwm_tccr[r.pwm]) &= (uint8_t)~pgm_read_byte(&pwm_com[r.pwm]);
    }
    if (level) {
        r.reg[2] |= r.mask;
    } else {
        r.reg[2] &= (uint8_t)~r.mask;
    }
}

/* ---- servos (hal.h): timer 1 in fast PWM mode 14, TOP = ICR1, /8: 0.5 us a tick, 20 ms a period.
 * The first servo write switches the timer over (and with it a PWM pin on its other output); the
 * compare registers are double-buffered, so a new position starts with the next period. */
#define SERVO_TICKS_PER_US (F_CPU / 8 / 1000000UL)
#define SERVO_TOP ((uint16_t)(TD_SERVO_PERIOD_US * SERVO_TICKS_PER_US - 1))
TD_STATIC_ASSERT(F_CPU / 8 % 1000000UL == 0, servo_ticks_are_whole_us);

static bool servo_timer(uint8_t unit)
{
    return (TCCR1B & _BV(WGM13)) && (unit == PWM_OC1A || unit == PWM_OC1B);
}

/* analogWrite semantics: 0 and 255 are plain LOW and HIGH (no glitch), a pin without a PWM unit
 * goes HIGH from 128; the pin is made an output. */
void hal_pwm_write(uint8_t pin, uint8_t duty)
{
    pin_ref_t r = pin_ref(pin);
    if (!r.mask) {
        return;
    }
    r.reg[1] |= r.mask;
    if (!r.pwm || duty == 0 || duty == 255) {
        hal_digital_write(pin, duty >> 7);
        return;
    }
    volatile uint8_t *ocr = IO_REG(&pwm_ocr[r.pwm]);
    uint8_t com = pgm_read_byte(&pwm_com[r.pwm]);
    if (com & 1) { /* 16-bit OCR: a volatile word store writes the high byte (to TEMP) first */
        /* timer 1 runs at 50 Hz for a servo: the duty of its whole period */
        *(volatile uint16_t *)ocr = servo_timer(r.pwm) ? (uint16_t)duty * (SERVO_TOP / 255u) : duty;
    } else {
        *ocr = duty;
    }
    *IO_REG(&pwm_tccr[r.pwm]) |= com & 0xFE;
}

void hal_servo_write(uint8_t pin, uint16_t pulse_us)
{
    pin_ref_t r = pin_ref(pin);
    if (r.pwm != PWM_OC1A && r.pwm != PWM_OC1B) {
        return; /* only timer 1's outputs can (no GPIO: no PWM unit): the image validation saw to it */
    }
    if (!(TCCR1B & _BV(WGM13))) {
        ICR1 = SERVO_TOP;
        TCCR1A = (uint8_t)((TCCR1A & (uint8_t)~(_BV(WGM10) | _BV(WGM11))) | _BV(WGM11));
        TCCR1B = _BV(WGM13) | _BV(WGM12) | _BV(CS11);
    }
    *(volatile uint16_t *)IO_REG(&pwm_ocr[r.pwm]) = (uint16_t)(pulse_us * SERVO_TICKS_PER_US);
    r.reg[1] |= r.mask;
    TCCR1A |= (r.pwm == PWM_OC1A) ? _BV(COM1A1) : _BV(COM1B1);
}

/* ---- 1-Wire (hal.h gives the timings): DDR set drives the line low (PORT bit kept 0), DDR clear
 * lets the bus's pull-up raise it. _delay_us counts cycles at F_CPU (16 MHz). Interrupts are off
 * only around a slot's short low and its sample, 15 us: a late release there would turn a 1 into
 * a 0. A longer low (a 0, a reset) or a late sample of the presence pulse (60..240 us long) is
 * harmless, so those run with interrupts on and a UART byte is never lost to the bus. */
uint8_t hal_ow_reset(uint8_t pin)
{
    pin_ref_t r = pin_ref(pin);
    uint8_t present;
    if (!r.mask) {
        return 0;
    }
    r.reg[2] &= (uint8_t)~r.mask; /* no pull-up; low when driven */
    r.reg[1] &= (uint8_t)~r.mask;
    if (!(*r.reg & r.mask)) {
        return 0; /* the line is held low: no bus to reset */
    }
    r.reg[1] |= r.mask;
    _delay_us(480);
    r.reg[1] &= (uint8_t)~r.mask;
    _delay_us(70);
    present = !(*r.reg & r.mask);
    _delay_us(410);
    return present && (*r.reg & r.mask); /* and the line came back high */
}

uint8_t hal_ow_bit(uint8_t pin, uint8_t bit)
{
    pin_ref_t r = pin_ref(pin);
    uint8_t got = 0, sreg;
    if (!r.mask) {
        return 1;
    }
    if (bit) {
        sreg = SREG;
        cli();
        r.reg[1] |= r.mask;
        _delay_us(6);
        r.reg[1] &= (uint8_t)~r.mask;
        _delay_us(9);
        got = (*r.reg & r.mask) ? 1 : 0;
        SREG = sreg;
        _delay_us(55);
    } else {
        r.reg[1] |= r.mask;
        _delay_us(60);
        r.reg[1] &= (uint8_t)~r.mask;
        _delay_us(10);
    }
    return got;
}

uint8_t hal_digital_read(uint8_t pin)
{
    pin_ref_t r = pin_ref(pin);
    if (!r.mask) {
        return 0;
    }
    return (*r.reg & r.mask) ? 1 : 0;
}

/* ---- ADC: AVcc reference, 16 MHz / 128 = 125 kHz, 13 ADC clocks = 104 us a conversion -------
 * The ADC scans every analog channel in turn from its interrupt and keeps the latest reading of
 * each, so hal_analog_read() costs no conversion time: six blocking reads (624 us) were a quarter
 * of a main-loop pass, more than a 2 ms telemetry period allows. A reading is at most one scan old
 * (6 channels: 0.6 ms on an Uno, 16: 1.7 ms on a Mega). hal_init() fills every slot with a
 * blocking scan first, so the first engine sample is a real reading, never a 0. */
#define ADC_CHANNELS (PIN_COUNT - TD_PIN_A0)
TD_STATIC_ASSERT(ADC_CHANNELS >= 1 && ADC_CHANNELS <= 16, adc_channels);
static volatile uint16_t adc_val[ADC_CHANNELS];
static volatile uint8_t adc_ch; /* the channel being converted */

#define ADC_ON (_BV(ADEN) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0))

/* Inlined everywhere: a call from the ADC interrupt would make it save every scratch register. */
static inline __attribute__((always_inline)) void adc_select(uint8_t channel)
{
#if defined(MUX5)
    ADCSRB = (channel & 8) ? _BV(MUX5) : 0; /* ATmega2560: channels 8-15 */
#endif
    ADMUX = _BV(REFS0) | (channel & 7);
}

static inline __attribute__((always_inline)) void adc_start(uint8_t channel)
{
    adc_select(channel);
    ADCSRA |= _BV(ADSC);
}

static uint16_t adc_read(uint8_t channel)
{
    adc_start(channel);
    while (ADCSRA & _BV(ADSC)) {
    }
    return ADC;
}

ISR(ADC_vect)
{
    uint8_t c = adc_ch;
    adc_val[c] = ADC;
    c = (uint8_t)(c + 1) == ADC_CHANNELS ? 0 : c + 1;
    adc_ch = c;
    adc_start(c);
}

/* A blocking scan of every channel, then the interrupt-driven scan from channel 0. */
static void adc_scan_start(void)
{
    uint8_t c;
    ADCSRA = ADC_ON;
    for (c = 0; c < ADC_CHANNELS; c++) {
        adc_val[c] = adc_read(c);
    }
    adc_ch = 0;
    adc_select(0); /* the write below starts it */
    ADCSRA = ADC_ON | _BV(ADSC) | _BV(ADIF) | _BV(ADIE); /* ADIF written 1: no stale interrupt */
}

uint16_t hal_analog_read(uint8_t pin)
{
    uint16_t v;
    uint8_t sreg = SREG;
    if (pin < TD_PIN_A0 || pin >= PIN_COUNT) {
        return 0;
    }
    cli(); /* two bytes the ISR writes: read them together */
    v = adc_val[pin - TD_PIN_A0];
    SREG = sreg;
    return v;
}

/* ---- EEPROM ---------------------------------------------------------------------------------- */
uint8_t hal_eeprom_read(uint16_t addr)
{
    return addr <= E2END ? eeprom_read_byte((const uint8_t *)addr) : 0xFF;
}

void hal_eeprom_write(uint16_t addr, uint8_t value)
{
    if (addr <= E2END) {
        eeprom_write_byte((uint8_t *)addr, value); /* waits for the previous write (~3.4 ms) */
    }
}

uint16_t hal_eeprom_size(void)
{
    return E2END + 1;
}

/* ---- reset cause and watchdog -----------------------------------------------------------------
 * The Arduino boot loaders (Optiboot 4.4 on the Uno, stk500v2 on the Mega) read and clear MCUSR
 * before the sketch starts, so MCUSR is 0 on a real board and only holds the cause without one
 * (ISP-flashed, simavr). The cause is therefore also kept in a .noinit word that survives every
 * reset but power loss: the watchdog runs in interrupt-then-reset mode, and its interrupt (at
 * ~0.5 s) writes TAG_WATCHDOG before the reset (at ~1 s); each boot writes TAG_ALIVE. */
#define TAG_ALIVE 0x7A1Du
#define TAG_WATCHDOG 0xD06Eu
#define WDT_BITS (_BV(WDIE) | _BV(WDE) | _BV(WDP2) | _BV(WDP0)) /* interrupt at 0.5 s, reset at 1 s */

static uint16_t boot_tag __attribute__((section(".noinit")));
static uint8_t reset_cause __attribute__((section(".noinit")));
static uint32_t sram_noise __attribute__((section(".noinit"))); /* power-up SRAM state */

/* Runs in .init3: after the stack is set up, before .data/.bss are initialised and before main().
 * A watchdog reset leaves the watchdog on at 16 ms; without this the board would reset-loop. */
void hal_early_init(void) __attribute__((naked, used, section(".init3")));
void hal_early_init(void)
{
    uint8_t cause = MCUSR & 0x0F; /* PORF, EXTRF, BORF, WDRF: the same bits as ResetCause */
    MCUSR = 0;
    wdt_disable();
    if (boot_tag == TAG_WATCHDOG) {
        cause |= TD_RESET_CAUSE_WATCHDOG;
    } else if (!cause) {
        cause = boot_tag == TAG_ALIVE ? TD_RESET_CAUSE_EXTERNAL : TD_RESET_CAUSE_POWER_ON;
    }
    reset_cause = cause;
    boot_tag = TAG_ALIVE;
}

uint8_t hal_reset_cause(void)
{
    return reset_cause;
}

ISR(WDT_vect)
{
    boot_tag = TAG_WATCHDOG; /* the hardware cleared WDIE: the next timeout resets */
}

void hal_watchdog_start(void)
{
    __asm__ __volatile__("in __tmp_reg__, __SREG__\n\t"
                         "cli\n\t"
                         "wdr\n\t"
                         "sts %0, %1\n\t" /* WDCE | WDE, then the new value within 4 cycles */
                         "sts %0, %2\n\t"
                         "out __SREG__, __tmp_reg__"
                         :
                         : "n"(_SFR_MEM_ADDR(WDTCSR)), "r"((uint8_t)(_BV(WDCE) | _BV(WDE))),
                           "r"((uint8_t)WDT_BITS)
                         : "r0");
}

void hal_watchdog_feed(void)
{
    wdt_reset();
    /* The interrupt fired but the loop came back before the reset: re-arm it (WDIE needs no timed
     * sequence) and take back the tag. Not done in the ISR, which would defeat the watchdog. */
    if ((WDTCSR & (_BV(WDE) | _BV(WDIE))) == _BV(WDE)) {
        boot_tag = TAG_ALIVE;
        WDTCSR |= _BV(WDIE);
    }
}

/* ---- entropy: ADC noise and timer phase over 64 conversions, and the power-up SRAM pattern ---- */
uint32_t hal_entropy(void)
{
    uint8_t *h = (uint8_t *)&sram_noise;
    ADCSRA &= (uint8_t)~_BV(ADIE); /* the scan stops after the conversion under way */
    while (ADCSRA & _BV(ADSC)) {
    }
    for (uint8_t i = 0; i < 64; i++) { /* each sample's low, noisy bits into one byte, rotated in */
        uint8_t b = h[i & 3];
        h[i & 3] = (uint8_t)((b << 3) | (b >> 5)) ^ (uint8_t)adc_read(i & 7) ^ TCNT0;
    }
    adc_scan_start();
    return sram_noise;
}

/* ---- init ------------------------------------------------------------------------------------ */
#define TIMER16_PWM(t) TCCR##t##A = _BV(WGM##t##0); TCCR##t##B = _BV(CS##t##1) | _BV(CS##t##0);

void hal_init(uint32_t baud)
{
    /* timer 0: fast PWM, /64 (976 Hz), overflow interrupt = millis; timer 2: phase-correct, /64;
     * 16-bit timers: 8-bit phase-correct, /64 (490 Hz). The same setup as the Arduino core. */
    TCCR0A = _BV(WGM01) | _BV(WGM00);
    TCCR0B = _BV(CS01) | _BV(CS00);
    TIMSK0 = _BV(TOIE0);
    TCCR2A = _BV(WGM20);
    TCCR2B = _BV(CS22);
    TD_TIMERS16(TIMER16_PWM)

    adc_scan_start();

    /* Double speed (U2X): at 16 MHz it is never worse than normal speed and exact at 250k, 500k,
     * 1M and 2M; 115,200 is +2.1% (normal speed: -3.5%). UBRR = round(F_CPU / 8 / baud) - 1. */
    UCSR0A = _BV(U2X0);
    UBRR0 = (uint16_t)(((F_CPU / 4) / baud - 1) / 2);
    /* UCSR0C keeps its reset value: 8N1 */
    UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
    sei();
}

/* ---- HC-SR04 ping (hal.h): timed by timer 0's counter, 4 us a tick, interrupts left on --------
 * The counter wraps every 1.024 ms; each pass of the wait loops adds what it moved since the last,
 * so the count is right as long as no interrupt holds the loop for a whole wrap (they take a few us).
 * The trigger pulse may come out longer than 10 us when an interrupt lands in it: the module only
 * asks for at least 10 us. */
uint16_t hal_ping(uint8_t trig, uint8_t echo, uint16_t timeout_us)
{
    pin_ref_t t = pin_ref(trig), e = pin_ref(echo);
    uint16_t ticks = 0, rise, limit = timeout_us / 4u;
    uint8_t last, now;
    if (!t.mask || !e.mask || (*e.reg & e.mask)) {
        return HAL_PING_NONE; /* no such pin, or the echo is high already: nothing to time */
    }
    t.reg[2] |= t.mask;
    _delay_us(10);
    t.reg[2] &= (uint8_t)~t.mask;
    last = TCNT0;
    while (!(*e.reg & e.mask)) {
        now = TCNT0;
        ticks = (uint16_t)(ticks + (uint8_t)(now - last));
        last = now;
        if (ticks > limit) return HAL_PING_NONE;
    }
    rise = ticks;
    while (*e.reg & e.mask) {
        now = TCNT0;
        ticks = (uint16_t)(ticks + (uint8_t)(now - last));
        last = now;
        if (ticks > limit) return HAL_PING_LONG;
    }
    return (uint16_t)((ticks - rise) * 4u);
}

/* ---- pulse counting (hal.h): pin-change interrupts, falls counted with a debounce -------------
 * One handler serves every PCINT bank (the others are aliases of it: one copy of the code): it
 * reads each slot's pin and counts a fall at least debounce_ms after the slot's last counted one.
 * A slot keeps 16 bits of that fall's ms: hal_pulse_count (each read period, at most 60 s) moves a
 * last fall older than 255 ms up to 256 ms ago, so the 16-bit difference never wraps into a false
 * bounce. The banks: ATmega328P ports B, C, D (every pin); ATmega2560 ports B and K (D10-D13,
 * D50-D53, A8-A15; port J's two PCINT pins are left out). */
#if defined(PINK)
#define PULSE_BANK(a) ((a) == _SFR_MEM_ADDR(PINB) ? 0 : (a) == _SFR_MEM_ADDR(PINK) ? 2 : 0xFF)
#else
#define PULSE_BANK(a) \
    ((a) == _SFR_MEM_ADDR(PINB) ? 0 : (a) == _SFR_MEM_ADDR(PINC) ? 1 : (a) == _SFR_MEM_ADDR(PIND) ? 2 : 0xFF)
#endif

static struct {
    io_addr_t reg;                              /* the pin's PINx (one byte on the 328P); 0: free */
    uint8_t pin, mask, level, debounce_ms, age; /* level: the pin at the last interrupt */
    uint16_t last_ms;                           /* the last counted fall */
    uint32_t count;
} pulse[HAL_PULSE_MAX];

ISR(PCINT0_vect)
{
    uint8_t s, level;
    uint16_t now = millis.low16; /* interrupts are off in here */
    for (s = 0; s < HAL_PULSE_MAX; s++) {
        if (!pulse[s].reg) continue;
        level = *(volatile uint8_t *)(uint16_t)pulse[s].reg & pulse[s].mask;
        if (!level && pulse[s].level && (uint16_t)(now - pulse[s].last_ms) >= pulse[s].debounce_ms) {
            pulse[s].last_ms = now;
            pulse[s].count++;
        }
        pulse[s].level = level;
    }
}
#if defined(PINK)
ISR(PCINT2_vect, ISR_ALIASOF(PCINT0_vect));
#else
ISR(PCINT1_vect, ISR_ALIASOF(PCINT0_vect));
ISR(PCINT2_vect, ISR_ALIASOF(PCINT0_vect));
#endif

uint8_t hal_pulse_begin(uint8_t pin, uint8_t debounce_ms)
{
    pin_ref_t r = pin_ref(pin);
    io_addr_t reg = (io_addr_t)(uint16_t)r.reg; /* compared and kept as the table's address */
    uint8_t bank = PULSE_BANK(reg), s, pick = 0, o, sreg;
    if (bank == 0xFF) return HAL_PULSE_NONE;
    for (s = 0; s < HAL_PULSE_MAX; s++) {
        if (pulse[s].reg && pulse[s].pin == pin) break;
        if (!pulse[s].reg || (pulse[pick].reg && pulse[s].age > pulse[pick].age)) pick = s;
    }
    if (s == HAL_PULSE_MAX) s = pick; /* a free slot, or the one begun longest ago */
    hal_pin_mode(pin, HAL_INPUT_PULLUP);
    sreg = SREG;
    cli();
    for (o = 0; o < HAL_PULSE_MAX; o++)
        if (pulse[o].age < 255) pulse[o].age++;
    pulse[s].reg = reg;
    pulse[s].pin = pin;
    pulse[s].mask = r.mask;
    pulse[s].level = *r.reg & r.mask;
    pulse[s].debounce_ms = debounce_ms;
    pulse[s].age = 0;
    pulse[s].last_ms = (uint16_t)(millis.low16 - 256u);
    pulse[s].count = 0;
    (&PCMSK0)[bank] |= r.mask; /* a stolen slot's old pin keeps interrupting: the handler ignores it */
    PCICR |= _BV(bank);
    SREG = sreg;
    return s;
}

uint8_t hal_pulse_count(uint8_t pin, uint32_t *count)
{
    uint8_t s, sreg;
    for (s = 0; s < HAL_PULSE_MAX; s++) {
        if (!pulse[s].reg || pulse[s].pin != pin) continue;
        sreg = SREG;
        cli();
        *count = pulse[s].count;
        if ((uint16_t)(millis.low16 - pulse[s].last_ms) > 255u) pulse[s].last_ms = (uint16_t)(millis.low16 - 256u);
        SREG = sreg;
        return s;
    }
    *count = 0;
    return HAL_PULSE_NONE;
}

/* ---- DHT22 / DHT11 (hal.h gives the timings) --------------------------------------------------
 * Start: DDR set with PORT clear drives the line low; the driver comes back 2 or 20 ms later. Read:
 * the line released with the pull-up on, then every level is timed by counting passes of one loop
 * with interrupts off. A bit is 1 when its high lasted longer than half the answer's 80 us high
 * (40 us; 26-28 us: 0, 70 us: 1), a ratio of two counts of the same loop, so the bit does not hang
 * on the loop's exact cycles. A pass is at least 5 cycles (a load, a test, a branch, an increment
 * and compare), so DHT_PASSES passes are at least 300 us at 16 MHz: a level that long means the part
 * is not talking. The whole read takes about 4 ms; interrupts come on for a moment at the start of
 * each bit's 50 us low, so pending ones run there, where nothing is timed (their few us, even all
 * at once, end well inside the low; one that did not would fail the read, never misread a bit).
 * With them off throughout (4 ms), a 500 Hz flow meter lost two pulses a read (a pin-change flag
 * holds one edge; measured in simavr: docs/benchmarks.md, "Main-loop timing"), and millis could
 * not count those 4 ms either (one timer overflow flag). */
#define DHT_PASSES 1000u

static uint16_t dht_level(volatile uint8_t *in, uint8_t mask, uint8_t high)
{
    uint16_t n = 0;
    while (((*in & mask) != 0) == high) {
        if (++n == DHT_PASSES) return 0;
    }
    return n;
}

void hal_dht_start(uint8_t pin)
{
    pin_ref_t r = pin_ref(pin);
    if (!r.mask) return;
    r.reg[2] &= (uint8_t)~r.mask;
    r.reg[1] |= r.mask;
}

uint8_t hal_dht_read(uint8_t pin, uint8_t data[5])
{
    pin_ref_t r = pin_ref(pin);
    uint8_t sreg, k, ok = 0;
    uint16_t high, thresh;
    if (!r.mask) return 0;
    for (k = 0; k < 5; k++) data[k] = 0;
    sreg = SREG;
    cli();
    r.reg[1] &= (uint8_t)~r.mask; /* released: input ... */
    r.reg[2] |= r.mask;           /* ... with the pull-up */
    /* the line rises, the part pulls it low 20-40 us later: 80 us low, 80 us high, then the bits */
    if (dht_level(r.reg, r.mask, 1) && dht_level(r.reg, r.mask, 0) && (thresh = dht_level(r.reg, r.mask, 1))) {
        thresh >>= 1; /* half the 80 us: 40 us */
        for (k = 0; k < 40; k++) {
            SREG = sreg; /* the caller's I bit (on, from the loop): pending interrupts run ... */
            __asm__ __volatile__("nop\n\tnop"); /* ... after one instruction (after two in simavr 1.6) */
            cli();
            if (!dht_level(r.reg, r.mask, 0)) break; /* 0: still low at 300 us, or high already */
            high = dht_level(r.reg, r.mask, 1);
            if (!high) break;
            data[k >> 3] = (uint8_t)(data[k >> 3] << 1 | (high > thresh ? 1 : 0));
        }
        ok = k == 40;
    }
    SREG = sreg;
    return ok;
}

/* ---- I2C: the TWI as a polled master (hal.h) --------------------------------------------------
 * No interrupt: each step sets TWCR and polls TWINT for at most HAL_I2C_WAIT_US, 1 us a turn, so
 * a device that holds SCL (stretching for ever) or a dead bus cannot hang the loop. After a
 * timeout the controller is switched off and on (that drops whatever it was doing). Pins: SDA/SCL
 * are PC4/PC5 on the Uno and Nano (A4/A5), PD1/PD0 on the Mega (20/21), with the internal
 * pull-ups on (breakouts carry their own 4.7-10 kOhm). */
#if defined(__AVR_ATmega2560__)
#define I2C_DDR DDRD
#define I2C_PORT PORTD
#define I2C_PIN PIND
#define I2C_SDA _BV(1)
#define I2C_SCL _BV(0)
#else
#define I2C_DDR DDRC
#define I2C_PORT PORTC
#define I2C_PIN PINC
#define I2C_SDA _BV(4)
#define I2C_SCL _BV(5)
#endif
#define I2C_GO(bits) (TWCR = _BV(TWINT) | _BV(TWEN) | (bits))

/* Polls until TWCR's bit reads as want, 1 us a turn, for at most HAL_I2C_WAIT_US turns. */
static uint8_t twi_poll(uint8_t bit, uint8_t want)
{
    uint16_t n;
    for (n = 0; (TWCR & bit) != want; n++) {
        if (n == HAL_I2C_WAIT_US) return HAL_I2C_TIMEOUT;
        _delay_us(1);
    }
    return HAL_I2C_OK;
}

/* Starts a step (TWINT written 1 clears it), waits for its end and returns the status it left
 * in TWSR, or I2C_STEP_TIMEOUT (no status has its low three bits set). */
#define I2C_STEP_TIMEOUT 0xFF
static uint8_t i2c_step(uint8_t bits)
{
    I2C_GO(bits);
    if (twi_poll(_BV(TWINT), _BV(TWINT))) {
        TWCR = 0; /* off and on again: the controller forgets the transfer */
        TWCR = _BV(TWEN);
        return I2C_STEP_TIMEOUT;
    }
    return TWSR & 0xF8;
}

static void i2c_stop(void)
{
    I2C_GO(_BV(TWSTO));
    twi_poll(_BV(TWSTO), 0);
}

/* (repeated) START and the address byte; ends the transfer on any failure */
static uint8_t i2c_start(uint8_t addr, uint8_t read)
{
    uint8_t st;
    st = i2c_step(_BV(TWSTA));
    if (st == I2C_STEP_TIMEOUT) return HAL_I2C_TIMEOUT;
    if (st != 0x08 && st != 0x10) { /* no START: someone else holds the bus */
        i2c_stop();
        return HAL_I2C_BUS_STUCK;
    }
    TWDR = (uint8_t)(addr << 1 | read);
    st = i2c_step(0);
    if (st == I2C_STEP_TIMEOUT) return HAL_I2C_TIMEOUT;
    if (st != (read ? 0x40 : 0x18)) { /* 0x20 / 0x48: no ACK, or no bus: SDA still low after the STOP */
        i2c_stop();
        return (I2C_PIN & I2C_SDA) ? HAL_I2C_NACK_ADDR : HAL_I2C_BUS_STUCK;
    }
    return HAL_I2C_OK;
}

void hal_i2c_end(void)
{
    TWCR = 0;
}

uint8_t hal_i2c_begin(uint8_t khz400)
{
    uint8_t k;
    TWCR = 0; /* the pins are plain I/O again */
    I2C_DDR &= (uint8_t)~(I2C_SDA | I2C_SCL);
    I2C_PORT |= I2C_SDA | I2C_SCL;
    _delay_us(10);
    for (k = 0; k < 9 && !(I2C_PIN & I2C_SDA); k++) { /* a device mid-byte: clock it out */
        I2C_DDR |= I2C_SCL;
        I2C_PORT &= (uint8_t)~I2C_SCL;
        _delay_us(5);
        I2C_PORT |= I2C_SCL;
        I2C_DDR &= (uint8_t)~I2C_SCL;
        _delay_us(5);
    }
    if (k) { /* a STOP: SDA low, then released while SCL is high */
        I2C_PORT &= (uint8_t)~I2C_SDA;
        I2C_DDR |= I2C_SDA;
        _delay_us(5);
        I2C_DDR &= (uint8_t)~I2C_SDA;
        I2C_PORT |= I2C_SDA;
        _delay_us(5);
    }
    if (!(I2C_PIN & I2C_SDA)) return HAL_I2C_BUS_STUCK;
    TWSR = 0; /* prescaler 1: 16 MHz / (16 + 2 * TWBR) */
    TWBR = khz400 ? 12 : 72;
    TWCR = _BV(TWEN);
    return HAL_I2C_OK;
}

uint8_t hal_i2c_write(uint8_t addr, const uint8_t *data, uint8_t len, uint8_t stop)
{
    uint8_t rc = i2c_start(addr, 0), k;
    if (rc) return rc;
    for (k = 0; k < len; k++) {
        TWDR = data[k];
        uint8_t st = i2c_step(0);
        if (st == I2C_STEP_TIMEOUT) return HAL_I2C_TIMEOUT;
        if (st != 0x28) {
            i2c_stop();
            return HAL_I2C_NACK_DATA;
        }
    }
    if (stop) i2c_stop(); /* else the bus stays ours: the next START is a repeated one (0x10) */
    return HAL_I2C_OK;
}

uint8_t hal_i2c_read(uint8_t addr, uint8_t *data, uint8_t len)
{
    uint8_t rc = i2c_start(addr, 1), k;
    if (rc) return rc;
    for (k = 0; k < len; k++) {
        uint8_t ack = k + 1 < len ? _BV(TWEA) : 0; /* ACK each byte but the last */
        if (i2c_step(ack) == I2C_STEP_TIMEOUT) return HAL_I2C_TIMEOUT;
        data[k] = TWDR;
    }
    i2c_stop();
    return HAL_I2C_OK;
}
