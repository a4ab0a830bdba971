/*
 * The critical-section table in the closing report: the longest
 * interrupts-off and preemption-off spans per site (rt_csection_table), for
 * `bulkhead measure` (tools/pylib/bulkhead_tools/measure/parse.py reads the
 * "csection:" lines).
 */
#ifndef RTCELL_CSECTION_REPORT_H
#define RTCELL_CSECTION_REPORT_H

/* Keeps the table as it is now: the report's own printing stays out of it. */
void csection_report_snapshot(void);
/* Prints the snapshot: a header, then one line per site that ran. */
void csection_report_print(void);

#endif
