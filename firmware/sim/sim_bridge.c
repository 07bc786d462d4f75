/* sim_bridge.c: see sim_bridge.h. */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include "sim_bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <simavr/avr_uart.h>

static void feed_chip(sim_bridge_t *br)
{
    while (br->xon && br->in_pos < br->in_len) {
        /* xon drops when the chip's receive FIFO fills: XOFF arrives from inside avr_raise_irq. */
        avr_raise_irq(br->uart_in, br->in[br->in_pos++]);
        br->rx_bytes++;
    }
}

static void on_uart_out(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    sim_bridge_t *br = param;
    if (br->out_len < BRIDGE_OUT_CAP) br->out[br->out_len++] = (uint8_t)value;
    else br->dropped++;
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)value;
    sim_bridge_t *br = param;
    br->xon = 1;
    feed_chip(br);
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    (void)value;
    ((sim_bridge_t *)param)->xon = 0;
}

int sim_bridge_open(sim_bridge_t *br, avr_t *avr)
{
    memset(br, 0, sizeof *br);
    br->avr = avr;
    br->xon = 1;
    br->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (br->master < 0 || grantpt(br->master) < 0 || unlockpt(br->master) < 0) return -1;
    const char *name = ptsname(br->master);
    if (!name || strlen(name) >= sizeof br->path) return -1;
    strcpy(br->path, name);
    struct termios tio;
    if (tcgetattr(br->master, &tio) == 0) { /* raw bytes: no echo, no CR/LF mangling */
        cfmakeraw(&tio);
        tcsetattr(br->master, TCSANOW, &tio);
    }
    fcntl(br->master, F_SETFL, fcntl(br->master, F_GETFL) | O_NONBLOCK);

    uint32_t flags = 0; /* binary frames: no "UART: line" echo on simavr's console */
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);

    br->uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
    avr_irq_t *out = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT);
    avr_irq_t *xon = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON);
    avr_irq_t *xoff = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF);
    if (!br->uart_in || !out || !xon || !xoff) {
        errno = ENODEV;
        return -1;
    }
    avr_irq_register_notify(out, on_uart_out, br);
    avr_irq_register_notify(xon, on_xon, br);
    avr_irq_register_notify(xoff, on_xoff, br);
    return 0;
}

void sim_bridge_service(sim_bridge_t *br)
{
    struct pollfd pfd = { br->master, POLLIN | POLLOUT, 0 };
    if (poll(&pfd, 1, 0) < 0) return;
    /* POLLHUP on the master: no process has the pty open right now. */
    br->open = !(pfd.revents & POLLHUP);
    if (!br->open) {
        br->dropped += br->out_len;
        br->out_len = 0;
        br->in_len = br->in_pos = 0;
        return;
    }
    if (br->out_len && (pfd.revents & POLLOUT)) {
        ssize_t n = write(br->master, br->out, br->out_len);
        if (n > 0) {
            memmove(br->out, br->out + n, br->out_len - (uint32_t)n);
            br->out_len -= (uint32_t)n;
            br->tx_bytes += (uint64_t)n;
        }
    }
    if (br->in_pos == br->in_len && (pfd.revents & POLLIN)) {
        ssize_t n = read(br->master, br->in, sizeof br->in);
        br->in_pos = 0;
        br->in_len = n > 0 ? (uint32_t)n : 0;
    }
    feed_chip(br);
}

void sim_bridge_close(sim_bridge_t *br)
{
    if (br->master >= 0) close(br->master);
    br->master = -1;
}
