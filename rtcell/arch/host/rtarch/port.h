/*
 * Host port: the hot hooks stay real functions (sim_cpu.c, sim_irq.c,
 * sim_clock.c): the simulation counts and checks every call.
 */
#ifndef RTARCH_PORT_H
#define RTARCH_PORT_H

#include <rtarch/port_functions.h>

#endif
