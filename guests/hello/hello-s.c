/* Hello world in S-mode, under an SBI firmware: console and shutdown are SBI calls. */
#include <rt.h>

int main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;   /* QEMU passes a device tree, tsxen may pass 0 */
	printf("Hello from tsxen's rv32 machine: S-mode, hart %lu\n", hartid);
	printf("printf works: %d = 0x%x = 0%o, [%5d] [%-5s] %08X\n", 42, 42, 42, -7, "left", 0xbeefu);
	printf("64-bit numbers too: %llu = 0x%llx\n", 1234567890123ull, 1234567890123ull);
	return 0;
}
