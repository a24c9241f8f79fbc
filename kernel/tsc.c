/* SPDX-License-Identifier: MIT */
#include "tsc.h"

#include "cpu.h"
#include "printk.h"

#define PIT_HZ 1193182u
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_CH2_MODE0_LOHI 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B 0x61             /* bit 0: ch2 gate, 1: speaker, 5: ch2 out */
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20

#define CAL_MS 10
#define CAL_COUNT (PIT_HZ * CAL_MS / 1000) /* 11931 ticks */
#define CAL_TRIALS 3
#define CAL_SPIN_LIMIT 50000000u /* no PIT: give up rather than hang */
#define FALLBACK_HZ 1000000000ull

static uint64_t hz = FALLBACK_HZ;
static uint64_t base_tsc;
/* ns = ticks * mult >> 32 */
static uint64_t mult = 1ull << 32;

/* TSC ticks during CAL_COUNT PIT ticks, or 0 if the PIT never finished. */
static uint64_t measure_once(void)
{
	uint8_t b = inb(PORT_B);

	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) & ~PORT_B_GATE2));
	outb(PIT_COMMAND, PIT_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, CAL_COUNT & 0xff);
	outb(PIT_CH2_DATA, CAL_COUNT >> 8);
	/* Raising the gate starts the count; OUT2 goes high at zero. */
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < CAL_SPIN_LIMIT; i++)
		if (inb(PORT_B) & PORT_B_OUT2)
			return rdtsc() - t0;
	return 0;
}

static void set_hz(uint64_t h)
{
	hz = h;
	mult = (1000000000ull << 32) / h; /* 1e9 << 32 < 2^63 */
}

void tsc_calibrate(void)
{
	uint64_t m[CAL_TRIALS];

	for (int i = 0; i < CAL_TRIALS; i++)
		m[i] = measure_once();
	/* The median of three: one preempted host thread cannot skew it. */
	for (int i = 0; i < CAL_TRIALS; i++)
		for (int j = i + 1; j < CAL_TRIALS; j++)
			if (m[j] < m[i]) {
				uint64_t t = m[i];
				m[i] = m[j];
				m[j] = t;
			}
	uint64_t ticks = m[CAL_TRIALS / 2];
	if (ticks < 1000) {
		printk("tsc: PIT calibration failed (%llu ticks); assuming "
		       "1 GHz\n", (unsigned long long)ticks);
		set_hz(FALLBACK_HZ);
	} else {
		set_hz(ticks * PIT_HZ / CAL_COUNT);
	}
	base_tsc = rdtsc();
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t tsc_now_ns(void)
{
	uint64_t ticks = rdtsc() - base_tsc;

	return (uint64_t)(((unsigned __int128)ticks * mult) >> 32);
}

void tsc_delay_ns(uint64_t ns)
{
	uint64_t end = tsc_now_ns() + ns;

	while (tsc_now_ns() < end)
		cpu_relax();
}
