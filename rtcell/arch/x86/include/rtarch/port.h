/*
 * x86-64: the hot hooks are functions for now (cpu.c, timer.c). The x86
 * paths have not been profiled yet; arm64's port.h says why inlining pays.
 */
#ifndef RTARCH_PORT_H
#define RTARCH_PORT_H

#include <rtarch/port_functions.h>

#endif
