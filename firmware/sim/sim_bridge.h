/* sim_bridge.h: UART0 of the simulated chip <-> a pty, serviced from the simulation loop.
 *
 * Why not simavr's uart_pty part: it runs a second thread that raises UART irqs while the core runs
 * (a data race in simavr 1.6, which has no lock there), it prints its banner to stdout (our first
 * stdout line must be `port:`), and while nobody has the pty open its writes pile up in the tty
 * buffer (stale bytes served to the next reader) until they block the thread. This bridge runs in the
 * simulation thread, never blocks, and drops what the board sends while no one has the port open,
 * like a USB serial port nobody opened. Hosts cope by asking for HELLO after they connect.
 */
#ifndef SIM_BRIDGE_H
#define SIM_BRIDGE_H

#include <stdint.h>

#include <simavr/sim_avr.h>

#define BRIDGE_OUT_CAP 8192 /* board -> host bytes held between two services */
#define BRIDGE_IN_CAP 512   /* host -> board bytes read per service */

typedef struct {
    avr_t *avr;
    avr_irq_t *uart_in; /* raise to give the chip a received byte */
    int master;
    char path[64];
    int xon;      /* the chip's receive FIFO has room */
    int open;     /* someone has the pty open */
    uint8_t out[BRIDGE_OUT_CAP];
    uint32_t out_len;
    uint8_t in[BRIDGE_IN_CAP];
    uint32_t in_len, in_pos;
    uint64_t tx_bytes, rx_bytes, dropped; /* dropped: sent while no one listened, or overflow */
} sim_bridge_t;

/* Create the pty and connect it to UART '0'. 0 on success, else -1 with errno set. */
int sim_bridge_open(sim_bridge_t *br, avr_t *avr);
/* Move bytes both ways without blocking; call often (every ~250 us of simulated time). */
void sim_bridge_service(sim_bridge_t *br);
void sim_bridge_close(sim_bridge_t *br);

#endif
