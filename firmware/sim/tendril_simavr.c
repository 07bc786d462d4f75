/* tendril_simavr.c: run any AVR .elf as a simulated Uno, Nano or Mega (README.md).
 *
 * The first stdout line is `port: /dev/pts/N` (UART0); everything the board does is reported as one
 * line per event on stderr (or --events FILE). Inputs come from a scenario, the EEPROM from a file.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <simavr/avr_adc.h>
#include <simavr/avr_ioport.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_io.h>

#include "sim_board.h"
#include "sim_bridge.h"
#include "sim_clock.h"
#include "sim_eeprom.h"
#include "sim_ow_avr.h"
#include "sim_pulse_avr.h"
#include "sim_sonar_avr.h"
#include "sim_servo_avr.h"
#include "sim_dht_avr.h"
#include "sim_i2c_avr.h"
#include "sim_timing_avr.h"
#include "sim_scenario.h"

#define F_CPU_HZ 16000000u
#define CYCLES_PER_MS (F_CPU_HZ / 1000u)
#define SERVICE_CYCLES 4000u /* 250 us of simulated time between services */
#define MAX_PINS 72
/* A held board still answers its host: every byte the host sends buys the CPU this much board
 * time to take it in and answer (enough for a config chunk's EEPROM writes). The cost of a
 * conversation is then a function of what was said, never of when the bytes arrived. */
#define TALK_MS_PER_BYTE 5u
#define BOOT_MS 100u /* held from the start: the board boots first (its HELLO waits in the pty) */
/* --fast: wait for a host that has the port open to read what the board sent (board time stands
 * still meanwhile); one that read nothing for this long is taken to be away. */
#define HOST_GONE_MS 2000u

typedef struct {
    const sim_board_t *board;
    const char *elf, *eeprom_path, *scenario_path, *events_path;
    const char *loop_mark; /* --loop-mark: time the main loop (sim_timing_avr.h) */
    uint64_t loop_from_ms; /* --loop-mark-from: from this board ms on */
    int realtime;
    int hold; /* --hold: start held, clock commands on stdin (sim_clock.h) */
    double speed; /* --realtime pacing: simulated ms per wall ms (1: real time) */
    uint64_t cut_ms, cut_cycle, cut_write;
    sim_scenario_t scenario;
} options_t;

typedef struct {
    uint8_t pin;
    char port;
    uint8_t bit;
} pin_watch_t;

static volatile int g_halt; /* set by signals and by the EEPROM write counter */
static volatile sig_atomic_t g_signal;
static FILE *g_events;
static avr_t *g_avr;
static const sim_board_t *g_board;
static int8_t g_level[MAX_PINS]; /* last reported output level, -1 while an input */
static int8_t g_driven[MAX_PINS]; /* level the scenario drives an input pin to, -1 if none */
static pin_watch_t g_watch[MAX_PINS];

static uint64_t sim_ms(void) { return g_avr->cycle / CYCLES_PER_MS; }

/* Stack low-water mark: the RAM between the program's static data (the ELF's `_end`) and RAMEND is
 * filled with STACK_PAINT before the first instruction; whatever the stack ever reached is no longer
 * paint when the board stops. A pushed byte that happens to equal the paint reads as untouched, so
 * the peak can be under by a byte or two at its very bottom. */
#define STACK_PAINT 0xA5
static uint16_t g_static_end; /* first RAM address above .data/.bss/.noinit, 0 if the ELF lacks `_end` */

static void paint_stack(avr_t *avr, const elf_firmware_t *fw)
{
    for (uint32_t i = 0; i < fw->symbolcount; i++) {
        if (!strcmp(fw->symbol[i]->symbol, "_end")) g_static_end = (uint16_t)(fw->symbol[i]->addr & 0xFFFFu);
    }
    if (g_static_end && g_static_end <= avr->ramend) {
        memset(&avr->data[g_static_end], STACK_PAINT, avr->ramend + 1u - g_static_end);
    } else {
        g_static_end = 0;
    }
}

/* Bytes of stack ever used, and bytes between static data and that deepest point never touched. */
static void stack_use(const avr_t *avr, unsigned *peak, unsigned *never)
{
    unsigned lowest = avr->ramend + 1u;
    *peak = *never = 0;
    if (!g_static_end) return;
    for (unsigned a = g_static_end; a <= avr->ramend; a++) {
        if (avr->data[a] != STACK_PAINT) { lowest = a; break; }
    }
    *peak = avr->ramend + 1u - lowest;
    *never = lowest - g_static_end;
}

static void event(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(g_events, fmt, ap);
    va_end(ap);
    fputc('\n', g_events);
    fflush(g_events);
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: tendril-simavr [--board uno|nano|mega2560] [--eeprom FILE] [--scenario FILE]\n"
            "                      [--set LINE]... [--realtime [--speed X]|--fast] [--hold] [--events FILE]\n"
            "                      [--cut-at-ms MS] [--cut-at-cycle N] [--cut-at-write N]\n"
            "                      [--loop-mark SYMBOL|ADDR|wdr [--loop-mark-from MS]] FIRMWARE.elf\n"
            "       tendril-simavr --board B --list-pins\n"
            "Prints `port: /dev/pts/N` (the board's UART0) as its first line; events go to stderr.\n"
            "--hold: the clock starts held; stdin takes go, hold, run MS, time (README.md).\n"
            "--loop-mark: each time the CPU reaches SYMBOL (an ELF symbol), ADDR (a byte address) or any\n"
            "  wdr instruction ends a main-loop pass; at exit a `timing` line gives the longest pass, its\n"
            "  p50/p99/p99.9, the longest time with interrupts off and the resets (README.md);\n"
            "  --loop-mark-from MS: count passes from that board ms on (after boot and a push).\n");
}

static int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tendril-simavr: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

static int parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end || errno || text[0] == '-') return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, options_t *o)
{
    char err[256];
    memset(o, 0, sizeof *o);
    o->board = sim_board_find("uno");
    o->realtime = 1;
    o->speed = 1.0;
    int list = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); exit(0); }
        else if (!strcmp(a, "--fast")) { o->realtime = 0; takes = 0; }
        else if (!strcmp(a, "--realtime")) { o->realtime = 1; takes = 0; }
        else if (!strcmp(a, "--list-pins")) { list = 1; takes = 0; }
        else if (!strcmp(a, "--hold")) { o->hold = 1; takes = 0; }
        else if (a[0] != '-') { o->elf = a; takes = 0; }
        else if (!v) return die("%s needs a value", a);
        else if (!strcmp(a, "--board")) {
            if (!(o->board = sim_board_find(v))) return die("unknown board %s (%s)", v, sim_board_names());
        } else if (!strcmp(a, "--speed")) {
            char *end;
            o->speed = strtod(v, &end);
            if (*end || !(o->speed > 0 && o->speed <= 100))
                return die("--speed: simulated ms per wall ms, above 0 and at most 100");
        } else if (!strcmp(a, "--eeprom")) o->eeprom_path = v;
        else if (!strcmp(a, "--scenario")) o->scenario_path = v;
        else if (!strcmp(a, "--events")) o->events_path = v;
        else if (!strcmp(a, "--loop-mark")) o->loop_mark = v;
        else if (!strcmp(a, "--loop-mark-from")) {
            int64_t ms = sim_parse_ms(v);
            if (ms < 0) return die("--loop-mark-from: a duration (ms, or with s, min, h)");
            o->loop_from_ms = (uint64_t)ms;
        }
        else if (!strcmp(a, "--set")) {
            char line[SCN_LINE_MAX];
            snprintf(line, sizeof line, "%s", v);
            if (sim_scenario_line(&o->scenario, o->board, line, err, sizeof err) < 0)
                return die("--set %s: %s", v, err);
        } else if (!strcmp(a, "--cut-at-ms")) {
            int64_t ms = sim_parse_ms(v);
            if (ms <= 0) return die("--cut-at-ms: a duration above 0 (ms, or with s, min, h)");
            o->cut_ms = (uint64_t)ms;
        } else if (!strcmp(a, "--cut-at-cycle")) {
            if (parse_u64(v, &o->cut_cycle) < 0 || !o->cut_cycle) return die("--cut-at-cycle: a count above 0");
        } else if (!strcmp(a, "--cut-at-write")) {
            if (parse_u64(v, &o->cut_write) < 0 || !o->cut_write) return die("--cut-at-write: a count above 0");
        } else return die("unknown option %s (see --help)", a);
        i += takes;
    }
    if (list) {
        for (int p = 0; p < o->board->n_pins; p++) {
            const sim_pin_t *pin = &o->board->pins[p];
            printf("pin %d port %c bit %u adc %d\n", p, pin->port ? pin->port : '-', pin->bit, pin->adc);
        }
        exit(0);
    }
    if (!o->elf) {
        usage(stderr);
        return 2;
    }
    if (o->scenario_path &&
        sim_scenario_load(&o->scenario, o->board, o->scenario_path, err, sizeof err) < 0)
        return die("scenario %s", err);
    return 0;
}

static void on_signal(int sig)
{
    g_signal = sig;
    g_halt = 1;
}

static int port_state(char port, avr_ioport_state_t *st)
{
    return avr_ioctl(g_avr, AVR_IOCTL_IOPORT_GETSTATE(port), st);
}

/* Report an output pin's level when it changes; inputs (driven by the scenario) are not reported. */
static void check_pin(uint8_t pin)
{
    const sim_pin_t *p = &g_board->pins[pin];
    avr_ioport_state_t st;
    if (port_state(p->port, &st) != 0) return;
    int8_t level = (st.ddr >> p->bit) & 1 && !i2c_avr_owns(pin) ? (int8_t)((st.port >> p->bit) & 1) : -1;
    if (level == g_level[pin]) return;
    g_level[pin] = level;
    if (level >= 0) event("pin %u %d t=%" PRIu64 "ms", pin, level, sim_ms());
    if (level >= 0) sonar_avr_pin(pin, level); /* an HC-SR04's trigger: its echo follows */
}

/* PWM: while a timer drives a pin its level toggles inside the timer, not through the port, so it
 * is reported as `pwm <pin> <duty 0..255>` whenever the duty (or the timer's hold on the pin)
 * changes, and as the pin's level again once the timer lets go. Checked at every service. */
static int16_t g_pwm[MAX_PINS]; /* the duty last reported, -1 while no timer drives the pin */

static void check_pwm(void)
{
    for (uint8_t i = 0; i < g_board->n_pwm; i++) {
        const sim_pwm_t *u = &g_board->pwm[i];
        int16_t duty = (g_avr->data[u->tccr] & u->com) ? g_avr->data[u->ocr] : -1;
        if (duty >= 0 && servo_avr_active(u->pin)) continue; /* a servo's train: sim_servo_avr.c */
        if (duty == g_pwm[u->pin]) continue;
        g_pwm[u->pin] = duty;
        if (duty >= 0) {
            event("pwm %u %d t=%" PRIu64 "ms", u->pin, duty, sim_ms());
        } else {
            g_level[u->pin] = -2; /* report the level the port drives now, even if unchanged */
            check_pin(u->pin);
        }
    }
}

/* The TWI switched on or off (TWEN): while on it owns SDA and SCL (check_pin reports them not
 * driven), once off their port bits drive them again. Checked at every service; each change is
 * an event `twi 1|0 t=<ms>ms`. */
static uint8_t g_sda;  /* the board's SDA pin; SCL is the next */
static int8_t g_twen = -1;

static void check_twi(void)
{
    int8_t on = (int8_t)i2c_avr_owns(g_sda);
    if (on == g_twen) return;
    if (on || g_twen > 0) event("twi %d t=%" PRIu64 "ms", on, sim_ms());
    g_twen = on;
    check_pin(g_sda);
    check_pin((uint8_t)(g_sda + 1));
}

static void on_pin(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)value;
    check_pin(((pin_watch_t *)param)->pin);
}

/* simavr's own write handlers of the registers we wrap (it chains at most 4 registers itself). */
static struct { avr_io_write_t c; void *param; } g_orig[MAX_IOs];

static void wrap_io_write(avr_io_addr_t data_addr, avr_io_write_t hook)
{
    avr_io_addr_t io = AVR_DATA_TO_IO(data_addr);
    if (io >= MAX_IOs || !g_avr->io[io].w.c) return;
    g_orig[io].c = g_avr->io[io].w.c;
    g_orig[io].param = g_avr->io[io].w.param;
    g_avr->io[io].w.c = hook;
}

static avr_ioport_t *call_orig(avr_t *avr, avr_io_addr_t addr, uint8_t v)
{
    avr_io_addr_t io = AVR_DATA_TO_IO(addr);
    g_orig[io].c(avr, addr, v, g_orig[io].param);
    return g_orig[io].param; /* the port module's handlers take the avr_ioport_t */
}

/* A DDR write: a pin that becomes an output starts driving. */
static void on_ddr_write(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    (void)param;
    char port = call_orig(avr, addr, v)->name;
    avr_ioport_state_t st, now;
    int known = port_state(port, &now) == 0;
    for (uint8_t pin = 0; pin < g_board->n_pins; pin++) {
        const sim_pin_t *p = &g_board->pins[pin];
        if (p->port != port) continue;
        if (known) i2c_avr_pin(pin, (now.ddr >> p->bit) & 1);
        if (dht_avr_is_dht(pin)) {
            if (port_state(port, &st) == 0) dht_avr_pin(pin, (st.ddr >> p->bit) & 1, (st.port >> p->bit) & 1);
        } else if (!ow_avr_is_bus(pin)) {
            check_pin(pin);
        } else if (port_state(port, &st) == 0) { /* a 1-Wire bus: its model, not a pin change */
            ow_avr_pin(pin, (st.ddr >> p->bit) & 1, (st.port >> p->bit) & 1);
        }
    }
}

static void drive_input(uint8_t pin, int level)
{
    const sim_pin_t *p = &g_board->pins[pin];
    avr_ioport_state_t st;
    if (g_driven[pin] != level) {
        /* Tell the port what is outside: simavr otherwise lets a PORT write (the pull-up bit, or
         * any read-modify-write of another pin on the port) set PINx, and a switch to ground
         * wins over a pull-up. */
        g_driven[pin] = (int8_t)level;
        avr_ioport_external_t ext = { .name = (unsigned char)p->port, .mask = 0, .value = 0 };
        for (uint8_t i = 0; i < g_board->n_pins; i++)
            if (g_driven[i] >= 0 && g_board->pins[i].port == p->port) {
                ext.mask |= 1u << g_board->pins[i].bit;
                ext.value |= (unsigned)g_driven[i] << g_board->pins[i].bit;
            }
        avr_ioctl(g_avr, AVR_IOCTL_IOPORT_SET_EXTERNAL(p->port), &ext);
    }
    /* Only when PINx disagrees: every raise can schedule simavr work (pin-change interrupts). */
    if (port_state(p->port, &st) == 0 && (int)((st.pin >> p->bit) & 1) == level) return;
    avr_raise_irq(avr_io_getirq(g_avr, AVR_IOCTL_IOPORT_GETIRQ(p->port), IOPORT_IRQ_PIN0 + p->bit),
                  (uint32_t)level);
}

static void watch_pins(void)
{
    for (uint8_t pin = 0; pin < g_board->n_pins; pin++) {
        const sim_pin_t *p = &g_board->pins[pin];
        g_level[pin] = -1;
        g_pwm[pin] = -1;
        g_driven[pin] = -1;
        if (p->port == SIM_NO_PORT) continue;
        g_watch[pin] = (pin_watch_t){ pin, p->port, p->bit };
        avr_irq_t *irq = avr_io_getirq(g_avr, AVR_IOCTL_IOPORT_GETIRQ(p->port), IOPORT_IRQ_PIN0 + p->bit);
        if (irq) avr_irq_register_notify(irq, on_pin, &g_watch[pin]);
    }
    /* simavr 1.6 raises no irq when DDR changes, so watch the DDR registers themselves. */
    for (avr_io_t *io = g_avr->io_port; io; io = io->next)
        if (io->kind && strcmp(io->kind, "port") == 0) {
            wrap_io_write(((avr_ioport_t *)io)->r_ddr, on_ddr_write);
        }
}

/* Drive every scenario input with its value at the current simulated time. */
static void apply_inputs(sim_scenario_t *s, int32_t *last_mv)
{
    uint32_t now = (uint32_t)sim_ms();
    for (uint8_t i = 0; i < s->n_inputs; i++) {
        const sim_pin_t *p = &g_board->pins[s->in[i].pin];
        int32_t v = sim_scenario_value(s, i, now);
        if (s->in[i].digital) {
            drive_input(s->in[i].pin, v);
            continue;
        }
        /* simavr converts millivolts to counts as mv * 1023 / aref (rounding down): hand it the
         * smallest voltage that reads exactly v. */
        int32_t mv = (int32_t)(((int64_t)v * 5000 + 1022) / 1023);
        if (mv == last_mv[i]) continue;
        last_mv[i] = mv;
        avr_raise_irq(avr_io_getirq(g_avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + p->adc), (uint32_t)mv);
    }
}

static void no_sleep(avr_t *avr, avr_cycle_count_t how_long)
{
    (void)avr;
    (void)how_long; /* pacing (or none, in --fast) is the main loop's business */
}

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static avr_t *make_avr(const options_t *o)
{
    elf_firmware_t fw;
    memset(&fw, 0, sizeof fw);
    if (access(o->elf, R_OK) != 0) {
        die("cannot read %s: %s", o->elf, strerror(errno));
        return NULL;
    }
    if (elf_read_firmware(o->elf, &fw) != 0) {
        die("%s is not an AVR ELF file simavr can load", o->elf);
        return NULL;
    }
    if (fw.mmcu[0] && strcmp(fw.mmcu, o->board->mcu) != 0) {
        die("%s is built for %s, but a %s is an %s", o->elf, fw.mmcu, o->board->name, o->board->mcu);
        return NULL;
    }
    avr_t *avr = avr_make_mcu_by_name(o->board->mcu);
    if (!avr) {
        die("this simavr has no %s core", o->board->mcu);
        return NULL;
    }
    avr_init(avr);
    avr->log = LOG_ERROR;
    fw.frequency = F_CPU_HZ;
    avr_load_firmware(avr, &fw);
    avr->frequency = F_CPU_HZ;
    avr->vcc = avr->avcc = avr->aref = 5000; /* else analogRead scales to 3.3 V */
    avr->sleep = no_sleep;
    paint_stack(avr, &fw);
    char err[256];
    if (o->loop_mark && timing_avr_init(avr, &fw, o->loop_mark, o->loop_from_ms, err, sizeof err) < 0) {
        die("%s", err);
        return NULL;
    }
    return avr;
}

int main(int argc, char **argv)
{
    /* A board nobody controls any more is switched off: die with the process that started us. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    static options_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc;
    g_board = o.board;
    g_events = stderr;
    if (o.events_path && !(g_events = fopen(o.events_path, "a")))
        return die("cannot open %s: %s", o.events_path, strerror(errno));

    /* simavr prints to stdout while it loads; our first stdout line must be `port:`. */
    fflush(stdout);
    int saved_stdout = dup(STDOUT_FILENO);
    dup2(STDERR_FILENO, STDOUT_FILENO);
    g_avr = make_avr(&o);
    static sim_bridge_t bridge;
    static sim_eeprom_t eeprom;
    int setup_errno = 0;
    const char *setup_what = NULL;
    if (g_avr && sim_bridge_open(&bridge, g_avr) < 0) { setup_errno = errno; setup_what = "pty"; }
    if (g_avr && !setup_what && sim_eeprom_attach(&eeprom, g_avr, o.eeprom_path, o.cut_write, &g_halt) < 0) {
        setup_errno = errno;
        setup_what = o.eeprom_path ? o.eeprom_path : "EEPROM";
    }
    fflush(stdout);
    dup2(saved_stdout, STDOUT_FILENO);
    close(saved_stdout);
    if (!g_avr) return 2;
    if (setup_what) return die("%s: %s", setup_what, strerror(setup_errno));

    watch_pins();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("port: %s\n", bridge.path);
    fflush(stdout);
    event("start board=%s mcu=%s elf=%s eeprom=%s mode=%s", o.board->name, o.board->mcu, o.elf,
          o.eeprom_path ? o.eeprom_path : "-", o.realtime ? "realtime" : "fast");
    if (o.realtime && o.speed != 1.0) event("pace speed=%g (simulated ms per wall ms)", o.speed);

    sim_scenario_t *scn = &o.scenario;
    int32_t last_mv[SCN_MAX_INPUTS];
    for (int i = 0; i < SCN_MAX_INPUTS; i++) last_mv[i] = -1;
    uint64_t cut_cycle = o.cut_cycle ? o.cut_cycle : UINT64_MAX;
    if (o.cut_ms && o.cut_ms * CYCLES_PER_MS < cut_cycle) cut_cycle = o.cut_ms * CYCLES_PER_MS;
    uint64_t start_us = wall_us(), last_plant_cycle = 0, next_log_ms = scn->plant.log_ms;
    ow_avr_init(g_avr, scn, drive_input);
    sonar_avr_init(g_avr, scn, drive_input);
    servo_avr_init(g_avr, g_board, event);
    dht_avr_init(g_avr, scn, drive_input);
    pulse_avr_init(g_avr, scn, drive_input);
    int mega = !strcmp(g_board->mcu, "atmega2560");
    g_sda = mega ? 20 : 18;
    i2c_avr_init(g_avr, &scn->i2c, g_sda, (uint8_t)(g_sda + 1), drive_input); /* SDA, SCL */
    apply_inputs(scn, last_mv);

    const char *why = "signal";
    int state = cpu_Running;
    uint64_t next_service = SERVICE_CYCLES;
    static sim_clock_t clk;
    sim_clock_init(&clk, o.hold, STDIN_FILENO);
    uint64_t talk_cycles = BOOT_MS * CYCLES_PER_MS, rx_seen = 0; /* held: board time bought */
    uint64_t pace_cycle = 0, pace_us = start_us; /* pacing restarts where a hold ended */
    int host_away = 0;
    uint64_t away_tx = 0;
    for (;;) {
        /* A clock command is taken once the board has finished the talking it was given time
         * for (and its boot): every answer then falls on the same board ms on any machine. */
        if (talk_cycles == 0) sim_clock_poll(&clk, sim_ms());
        if (!clk.held && clk.until_ms != SIM_CLOCK_FOREVER && sim_ms() >= clk.until_ms)
            sim_bridge_service(&bridge); /* what the run sent is on the pty before it is answered */
        uint64_t allowed = sim_clock_allowance(&clk, sim_ms());
        if (allowed == 0 && bridge.rx_bytes != rx_seen)
            talk_cycles += (bridge.rx_bytes - rx_seen) * TALK_MS_PER_BYTE * CYCLES_PER_MS;
        rx_seen = bridge.rx_bytes;
        uint64_t stop_at = next_service < cut_cycle ? next_service : cut_cycle;
        if (allowed == 0) {
            pace_cycle = g_avr->cycle;
            pace_us = wall_us();
            if (talk_cycles == 0) { /* held, and the host says nothing: wait for it or a command */
                if (g_halt) { why = g_signal ? "signal" : "cut-at-write"; break; }
                sim_bridge_service(&bridge);
                struct pollfd pfd[2] = { { bridge.master, POLLIN, 0 }, { clk.fd, POLLIN, 0 } };
                if (bridge.rx_bytes == rx_seen && bridge.in_pos == bridge.in_len)
                    poll(pfd, clk.fd >= 0 ? 2 : 1, 5);
                continue;
            }
            if (g_avr->cycle + talk_cycles < stop_at) stop_at = g_avr->cycle + talk_cycles;
        } else if (allowed != SIM_CLOCK_FOREVER) {
            uint64_t until = (sim_ms() + allowed) * CYCLES_PER_MS;
            if (until < stop_at) stop_at = until;
        }
        uint64_t ran_from = g_avr->cycle;
        while (g_avr->cycle < stop_at && !g_halt) {
            state = avr_run(g_avr);
            if (o.loop_mark) timing_avr_step(g_avr);
            if (state == cpu_Done || state == cpu_Crashed) break;
        }
        if (allowed == 0) {
            uint64_t ran = g_avr->cycle - ran_from;
            talk_cycles = ran < talk_cycles ? talk_cycles - ran : 0;
        }
        if (state == cpu_Done || state == cpu_Crashed) { why = state == cpu_Done ? "halted" : "crashed"; break; }
        if (g_halt) { why = g_signal ? "signal" : "cut-at-write"; break; }
        if (g_avr->cycle >= cut_cycle) { why = o.cut_cycle ? "cut-at-cycle" : "cut-at-ms"; break; }
        if (g_avr->cycle < next_service) continue; /* stopped at a clock target: not due yet */
        next_service = g_avr->cycle + SERVICE_CYCLES;

        sim_bridge_service(&bridge);
        if (!o.realtime) {
            /* Flat out, a host that has the port open reads everything: the board waits for it. */
            uint64_t stuck_since = 0;
            if (host_away && bridge.tx_bytes != away_tx) host_away = 0;
            while (bridge.open && bridge.out_len > BRIDGE_OUT_CAP / 2 && !host_away && !g_halt) {
                struct pollfd pfd = { bridge.master, POLLOUT, 0 };
                uint64_t tx = bridge.tx_bytes;
                poll(&pfd, 1, 5);
                sim_bridge_service(&bridge);
                if (bridge.tx_bytes != tx) stuck_since = 0;
                else if (!stuck_since) stuck_since = wall_us();
                else if (wall_us() - stuck_since > HOST_GONE_MS * 1000u) {
                    host_away = 1;
                    away_tx = bridge.tx_bytes;
                }
            }
        }
        check_pwm();
        check_twi();
        servo_avr_service();
        if (scn->plant.enabled) {
            scn_plant_t *pl = &scn->plant;
            int pump = pl->pump_pin >= 0 && g_level[pl->pump_pin] == pl->pump_active_high;
            uint64_t now = sim_ms();
            if (sim_scenario_advance(scn, now, (double)(g_avr->cycle - last_plant_cycle) / CYCLES_PER_MS, pump))
                event("refill t=%" PRIu64 "ms tank_ml=%.1f", now, pl->tank_ml);
            last_plant_cycle = g_avr->cycle;
            if (pl->log_ms && now >= next_log_ms) {
                event("plant t=%" PRIu64 "ms moisture=%.2f tank_ml=%.1f pump=%d", now, pl->moisture,
                      pl->tank_ml, pump);
                next_log_ms += pl->log_ms;
            }
        }
        apply_inputs(scn, last_mv);
        ow_avr_service((uint32_t)sim_ms());
        sonar_avr_service((uint32_t)sim_ms());
        i2c_avr_service((uint32_t)sim_ms());
        if (o.realtime && allowed != 0) {
            uint64_t due = pace_us + (uint64_t)((double)((g_avr->cycle - pace_cycle) / (F_CPU_HZ / 1000000u)) / o.speed);
            uint64_t now = wall_us();
            if (due > now + 2000) {
                struct timespec ts = { (time_t)((due - now) / 1000000u), (long)((due - now) % 1000000u) * 1000 };
                nanosleep(&ts, NULL);
            }
        }
    }

    if (!strncmp(why, "cut", 3))
        event("power-cut t=%" PRIu64 "ms cycle=%" PRIu64 " eeprom_writes=%" PRIu64, sim_ms(), g_avr->cycle,
              eeprom.writes);
    sim_bridge_service(&bridge); /* last bytes out, if anyone listens */
    int save_rc = sim_eeprom_save(&eeprom);
    double wall_ms = (double)(wall_us() - start_us) / 1000.0;
    double simulated = (double)g_avr->cycle / (F_CPU_HZ / 1000u);
    unsigned stack_peak, stack_never;
    stack_use(g_avr, &stack_peak, &stack_never);
    ow_avr_report(event);
    sonar_avr_report(event);
    dht_avr_report(event);
    pulse_avr_report(event);
    i2c_avr_report(event);
    if (o.loop_mark) timing_avr_report(g_avr, event);
    event("stop reason=%s t=%" PRIu64 "ms cycle=%" PRIu64 " wall_ms=%.0f speed=%.2f eeprom_writes=%" PRIu64
          " tx=%" PRIu64 " rx=%" PRIu64 " dropped=%" PRIu64 " static_ram=%u stack_peak=%u ram_never_used=%u",
          why, sim_ms(), g_avr->cycle, wall_ms, wall_ms > 0 ? simulated / wall_ms : 0.0, eeprom.writes,
          bridge.tx_bytes, bridge.rx_bytes, bridge.dropped, g_static_end ? g_static_end - (g_avr->ioend + 1u) : 0u,
          stack_peak, stack_never);
    sim_eeprom_close(&eeprom);
    sim_bridge_close(&bridge);
    if (save_rc < 0 || eeprom.io_error)
        return die("could not save the EEPROM to %s: %s", o.eeprom_path,
                   strerror(eeprom.io_error ? eeprom.io_error : errno));
    return !strcmp(why, "crashed") ? 1 : 0;
}
