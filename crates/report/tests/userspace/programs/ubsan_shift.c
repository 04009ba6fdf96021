#include <stdio.h>

__attribute__((noinline)) unsigned mask_bits(int n) {
	return 1 << n;
}

int main(int argc, char **argv) {
	printf("%u\n", mask_bits(31 + argc));
	return 0;
}
