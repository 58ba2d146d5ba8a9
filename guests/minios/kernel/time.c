/*
 * time.c: one-shot timers and idling, over the arch's clock (native: rdtime + the SBI
 * timer; PV: vcpu_time_info + set_timer_op, expiry arriving as VIRQ_TIMER).
 * The kernel runs with interrupts off (sstatus.SIE = 0); it opens them only in idle_once,
 * after the arch has waited for one to be pending, so a wake-up cannot be lost.
 */
#include <minios.h>

volatile uint32_t timer_fired;

void timer_expired(void)
{
	timer_fired++;
	proc_wake_sleepers();
}

void idle_once(void)
{
	arch_block();
	csr_set(sstatus, SSTATUS_SIE);
	__asm__ volatile ("nop");
	csr_clear(sstatus, SSTATUS_SIE);
}

void sleep_ns(uint64_t ns)
{
	uint64_t deadline = arch_now_ns() + ns;
	while (arch_now_ns() < deadline) {
		arch_timer_set(deadline);
		idle_once();
	}
}
