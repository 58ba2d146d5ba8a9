/* netfront.h: the virtual network interface front end (PV only; drivers/netfront.c). */
#ifndef MINIOS_NETFRONT_H
#define MINIOS_NETFRONT_H

int netfront_command(void);   /* cmdline "net-echo", "net-ping", "net-bulk": 1 if it ran one */

#endif
