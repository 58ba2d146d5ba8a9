/* Hello world in M-mode (-bios none): the UART and the test finisher, nothing else. */
#include <rt.h>

int main(unsigned long hartid)
{
	printf("Hello from tsxen's rv32 machine: M-mode, hart %lu\n", hartid);
	printf("printf works: %d = 0x%x = 0%o, [%5d] [%-5s] %08X\n", 42, 42, 42, -7, "left", 0xbeefu);
	printf("64-bit numbers too: %llu = 0x%llx\n", 1234567890123ull, 1234567890123ull);
	return 0;
}
